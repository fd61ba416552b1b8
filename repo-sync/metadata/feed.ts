// Owns turning a stream of byte chunks into scanner input: cuts just after record ends so records
// arrive whole, decodes UTF-8 strictly, and backs off geometrically when the scanner hands text back.
import { isAscii, isUtf8 } from 'node:buffer';
import { MetadataParseError } from './errors.js';
import type { XmlScanner } from './scanner.js';

const RECORD_END = Buffer.from('</package>');
/** Chunks larger than this are taken in pieces of this size. */
const SLICE = 1 << 16;
/**
 * Scan even without a record end once this much is pending. A scan that stops inside a record
 * throws its work away (the record is read again whole), so this is large: it only bounds what is
 * held of input that has no records at all.
 */
const FORCE_SCAN = 16 << 20;
/** A single record this large is refused rather than held (V8 strings stop near 512 MiB). */
export const MAX_RECORD_CHARS = 256 << 20;

function firstBadUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i];
    const len = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
    if (len === 0 || (len > 1 && !isUtf8(b.subarray(i, i + len)))) return i;
    i += len;
  }
  return b.length;
}

/** Feeds one XmlScanner; call push() per chunk and end() once. Each returns whether it scanned. */
export class ChunkFeeder {
  private parts: Buffer[] = [];
  private pending = 0;
  private pendingStart = 0;
  private lastCut = -1;
  private carry = '';
  private carryStart = 0;
  private need = 0;
  private scanned = false;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(private readonly scanner: XmlScanner) {}

  push(chunk: Uint8Array): boolean {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (buf.length <= SLICE) return buf.length > 0 && this.pushSlice(buf);
    // Scanning text in cache-sized pieces is faster than in the large chunks some sources yield;
    // pieces that end just after a record end need no copying to join them to the next one.
    let scanned = false;
    for (let at = 0; at < buf.length;) {
      let end = Math.min(at + SLICE, buf.length);
      if (end < buf.length) {
        const cut = buf.lastIndexOf(RECORD_END, end - RECORD_END.length);
        if (cut > at) end = cut + RECORD_END.length;
      }
      scanned = this.pushSlice(buf.subarray(at, end)) || scanned;
      at = end;
    }
    return scanned;
  }

  private pushSlice(buf: Buffer): boolean {
    const before = this.pending;
    const at = buf.lastIndexOf(RECORD_END);
    if (at >= 0) this.lastCut = before + at + RECORD_END.length;
    else if (before > 0) this.straddle(buf, before);
    this.parts.push(buf);
    this.pending += buf.length;
    if (this.pending < this.need) return false;
    if (this.lastCut > 0) {
      this.run(this.lastCut, false);
      return true;
    }
    // The first piece is scanned at once, so that input which is not repodata fails early.
    if (this.pending < FORCE_SCAN && this.scanned) return false;
    this.run(-1, false);
    return true;
  }

  end(): void {
    this.run(this.pending, true);
  }

  /** A record end split between the pending bytes and the new chunk. */
  private straddle(buf: Buffer, before: number): void {
    const k = RECORD_END.length - 1;
    const tail: Buffer[] = [];
    let got = 0;
    for (let i = this.parts.length - 1; i >= 0 && got < k; i--) {
      const part = this.parts[i];
      const take = part.subarray(Math.max(0, part.length - (k - got)));
      tail.unshift(take);
      got += take.length;
    }
    const joint = Buffer.concat([...tail, buf.subarray(0, k)]);
    const at = joint.lastIndexOf(RECORD_END);
    if (at >= 0) this.lastCut = before - got + at + RECORD_END.length;
  }

  /** The largest cut of `all` that splits no UTF-8 sequence (the last character waits). */
  private static charBoundary(all: Buffer): number {
    let i = all.length - 1;
    while (i > 0 && (all[i] & 0xc0) === 0x80) i--;
    return i;
  }

  private run(cut: number, final: boolean): void {
    this.scanned = true;
    const all = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.pending);
    if (cut < 0) cut = ChunkFeeder.charBoundary(all);
    const text = this.decode(cut === all.length ? all : all.subarray(0, cut));
    const s = this.carry.length > 0 ? this.carry + text : text;
    const base = this.carry.length > 0 ? this.carryStart : this.pendingStart;
    const keep = this.scanner.scan(s, base, final);
    this.carry = keep < s.length ? s.slice(keep) : '';
    if (this.carry.length > 0) {
      if (this.carry.length > MAX_RECORD_CHARS) {
        throw this.scanner.fault(`a single record exceeds ${MAX_RECORD_CHARS} characters`, keep);
      }
      this.carryStart = base + Buffer.byteLength(s.slice(0, keep));
    }
    this.need = this.carry.length;
    this.pendingStart += cut;
    this.parts = cut < all.length ? [all.subarray(cut)] : [];
    this.pending = all.length - cut;
    this.lastCut = -1;
  }

  private decode(bytes: Buffer): string {
    // ASCII is most of repodata; copying it as Latin-1 is twice as fast as decoding UTF-8.
    if (isAscii(bytes)) return bytes.toString('latin1');
    try {
      return this.decoder.decode(bytes);
    } catch {
      const bad = firstBadUtf8(bytes);
      const gz = this.pendingStart === 0 && bytes[0] === 0x1f && bytes[1] === 0x8b;
      const reason = gz ? 'input is gzip-compressed; decompress it first'
        : bad === bytes.length ? 'truncated UTF-8 sequence at the end of the input' : 'invalid UTF-8';
      throw new MetadataParseError(reason, this.pendingStart + bad, this.scanner.records);
    }
  }
}
