// One rpm header structure (the signature header or the main header): its index and data
// store, bounds-checked when parsed, and typed access to entries that never reads outside it.

import { RpmFormatError } from './errors.js';
import { HEADER_MAGIC, Tag, TagType, type TagTypeCode } from './tags.js';
import { decodeHeaderText } from './text.js';

/** rpm's own ceiling on index entries per header (hdrchkTags). */
export const MAX_INDEX_ENTRIES = 0xffff;
/** rpm's own ceiling on a header's data store (HEADER_DATA_MAX). */
export const MAX_DATA_BYTES = 0x0fffffff;
/** 16-byte preamble: magic (4), reserved (4), index count (4), data size (4). */
export const PREAMBLE_SIZE = 16;
export const ENTRY_SIZE = 16;

interface Entry {
  tag: number;
  type: TagTypeCode;
  offset: number;
  count: number;
}

const FIXED_SIZE: Partial<Record<TagTypeCode, number>> = {
  [TagType.NULL]: 0,
  [TagType.CHAR]: 1,
  [TagType.INT8]: 1,
  [TagType.INT16]: 2,
  [TagType.INT32]: 4,
  [TagType.INT64]: 8,
  [TagType.BIN]: 1,
};
const TYPE_NAMES = Object.fromEntries(Object.entries(TagType).map(([k, v]) => [v, k]));
const TAG_NAMES = new Map<number, string>(Object.entries(Tag).map(([k, v]) => [v, k]));

function tagLabel(tag: number): string {
  const name = TAG_NAMES.get(tag);
  return name ? `${name} (${tag})` : `${tag}`;
}

/** Where a header starts and how long it says it is; throws when the buffer cannot hold it. */
export function headerExtent(buf: Uint8Array, start: number, what: string): { il: number; dl: number; end: number } {
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  if (view.length < start + PREAMBLE_SIZE) {
    throw new RpmFormatError(`truncated ${what}: needs ${start + PREAMBLE_SIZE} bytes, file has ${view.length}`);
  }
  const magic = view.readUInt32BE(start);
  if (magic !== HEADER_MAGIC) {
    throw new RpmFormatError(`bad ${what} magic at byte ${start}: ${magic.toString(16).padStart(8, '0')}, expected 8eade801`);
  }
  const il = view.readUInt32BE(start + 8);
  const dl = view.readUInt32BE(start + 12);
  if (il > MAX_INDEX_ENTRIES) throw new RpmFormatError(`${what} claims ${il} index entries (limit ${MAX_INDEX_ENTRIES})`);
  if (dl > MAX_DATA_BYTES) throw new RpmFormatError(`${what} claims ${dl} data bytes (limit ${MAX_DATA_BYTES})`);
  return { il, dl, end: start + PREAMBLE_SIZE + il * ENTRY_SIZE + dl };
}

export class HeaderStore {
  private readonly entries = new Map<number, Entry>();
  private readonly data: Buffer;

  private constructor(
    readonly what: string,
    readonly start: number,
    readonly end: number,
    view: Buffer,
    il: number,
    dl: number,
  ) {
    const indexStart = start + PREAMBLE_SIZE;
    const dataStart = indexStart + il * ENTRY_SIZE;
    this.data = view.subarray(dataStart, dataStart + dl);
    for (let i = 0; i < il; i++) {
      const at = indexStart + i * ENTRY_SIZE;
      const entry: Entry = {
        tag: view.readUInt32BE(at),
        type: view.readUInt32BE(at + 4) as TagTypeCode,
        offset: view.readInt32BE(at + 8),
        count: view.readUInt32BE(at + 12),
      };
      this.check(entry, i, dl);
      if (!this.entries.has(entry.tag)) this.entries.set(entry.tag, entry);
    }
  }

  /** Parse the header at `start`; the buffer must hold all of it. */
  static parse(buf: Uint8Array, start: number, what: string): HeaderStore {
    const { il, dl, end } = headerExtent(buf, start, what);
    if (buf.length < end) throw new RpmFormatError(`truncated ${what}: needs ${end} bytes, file has ${buf.length}`);
    const view = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
    return new HeaderStore(what, start, end, view, il, dl);
  }

  private fail(message: string): never {
    throw new RpmFormatError(`${this.what}: ${message}`);
  }

  // The same per-entry checks rpm makes before trusting an index (hdrblobVerifyInfo), except
  // that string contents are only walked when a tag is read.
  private check(e: Entry, i: number, dl: number): void {
    const where = `index entry ${i} (tag ${tagLabel(e.tag)})`;
    if (e.type > TagType.I18NSTRING) this.fail(`${where} has unknown type ${e.type}`);
    if (e.offset < 0 || e.offset >= dl) this.fail(`${where} points at offset ${e.offset}, outside the ${dl}-byte data store`);
    if (e.count === 0 || e.count > dl) this.fail(`${where} has count ${e.count} for a ${dl}-byte data store`);
    if (e.type === TagType.STRING && e.count !== 1) this.fail(`${where} is a STRING with count ${e.count}`);
    const size = FIXED_SIZE[e.type];
    if (size === undefined) return;
    if (size > 1 && e.offset % size !== 0) this.fail(`${where} is misaligned for ${TYPE_NAMES[e.type]}`);
    if (e.offset + e.count * size > dl) {
      this.fail(`${where} needs ${e.count * size} bytes at offset ${e.offset}, data store has ${dl}`);
    }
  }

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  private entryOf(tag: number, allowed: readonly TagTypeCode[], expected: string): Entry | undefined {
    const e = this.entries.get(tag);
    if (e && !allowed.includes(e.type)) {
      this.fail(`tag ${tagLabel(tag)} has type ${TYPE_NAMES[e.type]}, expected ${expected}`);
    }
    return e;
  }

  /** All strings of a STRING, STRING_ARRAY or I18NSTRING tag. */
  strings(tag: number): string[] | undefined {
    const e = this.entryOf(tag, [TagType.STRING, TagType.STRING_ARRAY, TagType.I18NSTRING], 'a string');
    if (!e) return undefined;
    const out: string[] = [];
    let pos = e.offset;
    for (let k = 0; k < e.count; k++) {
      const nul = this.data.indexOf(0, pos);
      if (nul < 0) this.fail(`tag ${tagLabel(tag)} string ${k} runs past the end of the data store`);
      out.push(decodeHeaderText(this.data.subarray(pos, nul)));
      pos = nul + 1;
    }
    return out;
  }

  /** The first string of a tag (the untranslated text of an I18NSTRING). */
  string(tag: number): string | undefined {
    return this.strings(tag)?.[0];
  }

  /** All values of an integer tag, read unsigned as rpm does. */
  numbers(tag: number): number[] | undefined {
    const e = this.entryOf(tag, [TagType.CHAR, TagType.INT8, TagType.INT16, TagType.INT32, TagType.INT64], 'an integer');
    if (!e) return undefined;
    const out: number[] = [];
    const size = FIXED_SIZE[e.type]!;
    for (let k = 0; k < e.count; k++) {
      const at = e.offset + k * size;
      if (size === 1) out.push(this.data.readUInt8(at));
      else if (size === 2) out.push(this.data.readUInt16BE(at));
      else if (size === 4) out.push(this.data.readUInt32BE(at));
      else out.push(Number(this.data.readBigUInt64BE(at)));
    }
    return out;
  }

  number(tag: number): number | undefined {
    return this.numbers(tag)?.[0];
  }

  /** Raw bytes of a BIN tag (a copy, so the caller may keep it after the file buffer goes). */
  binary(tag: number): Buffer | undefined {
    const e = this.entryOf(tag, [TagType.BIN], 'BIN');
    return e ? Buffer.from(this.data.subarray(e.offset, e.offset + e.count)) : undefined;
  }
}
