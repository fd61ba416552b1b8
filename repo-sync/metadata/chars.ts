// Owns the character classes and name lookup used by the repodata tokenizer: flat tables indexed
// by UTF-16 code unit (an out-of-range read gives undefined, which every test treats as "no").

/** 1 for XML whitespace (space, TAB, LF, CR). */
export const WS = new Uint8Array(0x10000);
/** 1 for characters that may start an element or attribute name. */
export const NAME_START = new Uint8Array(0x10000);
/** 1 for characters that may continue a name. */
export const NAME_CHAR = new Uint8Array(0x10000);
/** Non-zero for characters that end or need attention inside an attribute value. */
export const VALUE_STOP = new Uint8Array(0x10000);

for (const c of [0x20, 0x09, 0x0a, 0x0d]) WS[c] = 1;
for (let c = 0; c < 0x10000; c++) {
  const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  // Non-ASCII name characters are accepted as a class (XML 1.0 5th ed. allows nearly all of them);
  // surrogates are let through so that astral-plane names survive.
  const start = letter || c === 0x5f || c === 0x3a || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7);
  NAME_START[c] = start ? 1 : 0;
  NAME_CHAR[c] = start || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0xb7 ? 1 : 0;
}
for (let c = 0; c < 0x20; c++) VALUE_STOP[c] = 1;
for (const c of [0x22, 0x27, 0x26, 0x3c]) VALUE_STOP[c] = 1;

/** The UTF-16 code units of s, for matchAt. */
export function codesOf(s: string): Uint16Array {
  return Uint16Array.from(s, (ch) => ch.charCodeAt(0));
}

/** Whether s holds `codes` at i: cheaper than startsWith for the short names compared per tag. */
export function matchAt(s: string, i: number, codes: Uint16Array): boolean {
  for (let j = 0; j < codes.length; j++) if (s.charCodeAt(i + j) !== codes[j]) return false;
  return true;
}

/** Name hash, updated one code unit at a time while the tokenizer scans a name. */
export function hashStep(h: number, c: number): number {
  return (Math.imul(h, 31) + c) | 0;
}

/**
 * Maps qualified names of one vocabulary to small integer ids without slicing the name out of
 * the text: the tokenizer hashes as it scans, and the table confirms code by code.
 */
export class NameTable {
  private readonly slots: Int32Array;
  private readonly hashes: Int32Array;
  private readonly mask: number;
  /** Code units of each name, by id. */
  readonly codes: readonly Uint16Array[];

  constructor(readonly names: readonly string[]) {
    this.codes = names.map(codesOf);
    let size = 64;
    while (size < names.length * 4) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
    names.forEach((name, id) => {
      let h = 0;
      for (let i = 0; i < name.length; i++) h = hashStep(h, name.charCodeAt(i));
      let slot = h & this.mask;
      while (this.slots[slot] !== -1) slot = (slot + 1) & this.mask;
      this.slots[slot] = id;
      this.hashes[slot] = h;
    });
  }

  /** The id of s[start, end) whose hash is h, or -1 when the name is not in the vocabulary. */
  lookup(s: string, start: number, end: number, h: number): number {
    const mask = this.mask;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot];
      if (id === -1) return -1;
      if (this.hashes[slot] === h) {
        const codes = this.codes[id];
        if (codes.length === end - start && matchAt(s, start, codes)) return id;
      }
    }
  }
}
