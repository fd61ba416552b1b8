// Owns what primary, filelists and other documents share: the root element's `packages` count,
// the drivers that run a scanner over a byte stream (iterator or callback) or over a snippet.
import { MetadataParseError, ScanFault } from './errors.js';
import { ChunkFeeder } from './feed.js';
import { type Attributes, type ScanHandler, type Vocabulary, XmlScanner } from './scanner.js';

/** What a whole document said about itself, returned once every record has been delivered. */
export interface ScanSummary {
  /** Records delivered. */
  packages: number;
  /** The root's `packages` attribute, or null when the document has none (then nothing is checked). */
  declared: number | null;
}

/** Collects one document type's records; subclasses interpret the elements. */
export abstract class RecordSink<T> implements ScanHandler {
  out: T[] = [];
  declared: number | null = null;
  delivered = 0;

  abstract open(id: number, parent: number, attrs: Attributes): boolean;
  abstract close(id: number, text: string): void;
  abstract record(xml: string): void;

  /** Reads the root element's attributes: the package count and, if present, the namespace. */
  protected root(packages: string | undefined, xmlns: string | undefined, namespace: string): void {
    if (xmlns !== undefined && xmlns !== namespace) {
      throw new ScanFault(`root element's namespace is "${xmlns}", expected "${namespace}"`, -1);
    }
    if (packages === undefined) return;
    if (!/^[0-9]{1,9}$/.test(packages)) throw new ScanFault(`packages="${packages}" is not a count`, -1);
    this.declared = Number(packages);
  }

  take(): T[] {
    const batch = this.out;
    this.out = [];
    this.delivered += batch.length;
    return batch;
  }
}

function summary(sink: RecordSink<unknown>, bytes: number): ScanSummary {
  if (sink.declared !== null && sink.declared !== sink.delivered) {
    throw new MetadataParseError(
      `the root element declares packages="${sink.declared}" but ${sink.delivered} were found`, bytes, 0);
  }
  return { packages: sink.delivered, declared: sink.declared };
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  throw new TypeError('metadata source must yield Buffer/Uint8Array chunks');
}

/** Streams the records of one document; the generator's return value is the summary. */
export async function* iterateRecords<T>(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, vocabulary: Vocabulary, sink: RecordSink<T>,
): AsyncGenerator<T, ScanSummary, undefined> {
  const feeder = new ChunkFeeder(new XmlScanner(vocabulary, sink));
  let bytes = 0;
  for await (const chunk of source) {
    const data = toBytes(chunk);
    bytes += data.length;
    if (feeder.push(data)) yield* sink.take();
  }
  feeder.end();
  yield* sink.take();
  return summary(sink, bytes);
}

/** Calls `onRecord` for each record in document order, awaiting it when it returns a promise. */
export async function eachRecord<T>(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, vocabulary: Vocabulary, sink: RecordSink<T>,
  onRecord: (record: T) => void | Promise<void>,
): Promise<ScanSummary> {
  const feeder = new ChunkFeeder(new XmlScanner(vocabulary, sink));
  let bytes = 0;
  const deliver = async (): Promise<void> => {
    for (const record of sink.take()) {
      const r = onRecord(record);
      if (r !== undefined) await r;
    }
  };
  for await (const chunk of source) {
    const data = toBytes(chunk);
    bytes += data.length;
    if (feeder.push(data)) await deliver();
  }
  feeder.end();
  await deliver();
  return summary(sink, bytes);
}

/**
 * Parses record elements given as text (a stored `xml` snippet, or several in a row), wrapped in
 * the document's root element; offsets in errors count from the start of `xml`.
 */
export function parseSnippet<T>(xml: string, root: string, vocabulary: Vocabulary, sink: RecordSink<T>): T[] {
  const head = `<${root}>`;
  const text = head + xml + `</${vocabulary.root}>`;
  new XmlScanner(vocabulary, sink).scan(text, -Buffer.byteLength(head), true);
  return sink.take();
}
