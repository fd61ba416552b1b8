// Owns running saxes over a small or mid-sized metadata document given as bytes (repomd,
// updateinfo, CEFS): UTF-8 only, no DTD, every complaint a MetadataParseError with a byte offset.
import { SaxesParser } from 'saxes';
import { MetadataParseError } from './errors.js';

/** What a document reader does with saxes events; it throws DocumentFault for content it refuses. */
export interface SaxHandler {
  open(name: string, attributes: Record<string, string>): void;
  text(text: string): void;
  close(name: string): void;
}

/** A handler's refusal of well-formed XML (wrong root, missing element ...), located by the driver. */
export class DocumentFault extends Error {}

const UTF8_NAMES = /^(utf-?8|us-ascii|ascii)$/i;

/** Feeds byte chunks to saxes; call write() per chunk and end() once. */
export class SaxByteParser {
  private readonly parser = new SaxesParser({ xmlns: false, position: true });
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private bytesBefore = 0;
  private charsBefore = 0;
  private chunkText = '';
  private sawRoot = false;

  constructor(
    handler: SaxHandler,
    private readonly what: string,
  ) {
    const p = this.parser;
    p.on('doctype', () => {
      throw new DocumentFault('DOCTYPE declarations are not accepted');
    });
    p.on('xmldecl', (d) => {
      if (d.encoding !== undefined && !UTF8_NAMES.test(d.encoding)) throw new DocumentFault(`encoding "${d.encoding}" is not supported (UTF-8 only)`);
    });
    p.on('opentag', (tag) => {
      this.sawRoot = true;
      handler.open(tag.name, tag.attributes);
    });
    p.on('text', (t) => handler.text(t));
    p.on('cdata', (t) => handler.text(t));
    p.on('closetag', (tag) => handler.close(tag.name));
  }

  /** Bytes handed over so far. */
  get bytes(): number {
    return this.bytesBefore + Buffer.byteLength(this.chunkText);
  }

  write(chunk: Uint8Array): void {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      throw new MetadataParseError(`${this.what} is not valid UTF-8`, this.bytes, 0);
    }
    this.advance(text);
    this.run(() => this.parser.write(text));
  }

  end(): void {
    let rest: string;
    try {
      rest = this.decoder.decode();
    } catch {
      throw new MetadataParseError(`${this.what} ends inside a UTF-8 character`, this.bytes, 0);
    }
    this.advance(rest);
    if (this.bytes === 0) throw new MetadataParseError(`${this.what} is empty`, 0, 0);
    this.run(() => {
      if (rest) this.parser.write(rest);
      this.parser.close();
    });
    if (!this.sawRoot) throw new MetadataParseError(`${this.what} has no root element`, this.bytes, 0);
  }

  private advance(text: string): void {
    this.bytesBefore += Buffer.byteLength(this.chunkText);
    this.charsBefore += this.chunkText.length;
    this.chunkText = text;
  }

  private run(step: () => void): void {
    try {
      step();
    } catch (err) {
      if (err instanceof MetadataParseError) throw err;
      const reason = err instanceof DocumentFault ? err.message : saxesReason(err);
      throw new MetadataParseError(`${this.what}: ${reason}`, this.offset(), 0);
    }
  }

  /** Byte offset of saxes' current position (its position counts UTF-16 units of all text fed). */
  private offset(): number {
    const inChunk = Math.max(0, Math.min(this.chunkText.length, this.parser.position - this.charsBefore));
    return this.bytesBefore + Buffer.byteLength(this.chunkText.slice(0, inChunk));
  }
}

function saxesReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return /^\d+:\d+: /.test(message) ? `malformed XML at ${message}` : `unreadable XML (${message})`;
}

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/** Parses a document small enough to be handed over at once (repomd.xml). */
export function parseWithSaxSync(source: Uint8Array | string, handler: SaxHandler, what: string): void {
  const sax = new SaxByteParser(handler, what);
  sax.write(toBytes(source));
  sax.end();
}
