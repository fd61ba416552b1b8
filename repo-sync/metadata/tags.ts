// Owns reading one start tag: its name and attributes, checked for well-formedness, with known
// names mapped to ids. Repodata repeats one layout, so the expected name is tried first.
import { NAME_CHAR, NAME_START, NameTable, WS, codesOf, hashStep, matchAt } from './chars.js';
import { TextCursor } from './cursor.js';
import { decodeAttribute } from './entities.js';
import { ScanFault } from './errors.js';

/** The names one document type knows; ids are indexes into `elements` and `attributes`. */
export interface Vocabulary {
  readonly root: string;
  readonly record: string;
  readonly elements: readonly string[];
  /** Elements whose character data is kept; they may hold no child elements. */
  readonly textElements: readonly string[];
  readonly attributes: readonly string[];
}

/** Attribute values of the tag being opened, indexed by attribute id (undefined: absent). */
export type Attributes = readonly (string | undefined)[];

const GT = 0x3e;
const SLASH = 0x2f;
const EQ = 0x3d;
const DQ = 0x22;
const SQ = 0x27;
/** Attribute positions remembered per element. */
const SEQ = 8;

export class TagReader extends TextCursor {
  protected readonly elements: NameTable;
  private readonly attributes: NameTable;
  /** Values of the last tag's known attributes, by attribute id. */
  protected readonly attrs: (string | undefined)[];
  private readonly attrSet: Int32Array;
  private attrCount = 0;
  /** Names of the last tag's unknown attributes, for the duplicate check. */
  private readonly unknownAttrs = new Set<string>();
  private special = false;
  /** The last tag: element id (-1 if unknown), end of its name, and whether it ended in '/>'. */
  protected tagId = -1;
  protected tagNameEnd = 0;
  protected selfClosing = false;
  private lastElement: number;
  /** Per element id, the id of the element opened after it last time. */
  private readonly successor: Int32Array;
  /** Per element id, the attribute ids in the order last seen (SEQ slots each). */
  private readonly attrOrder: Int32Array;
  /** `name="` for each attribute id, the form createrepo_c writes. */
  private readonly attrPrefix: readonly Uint16Array[];

  constructor(vocabulary: Vocabulary) {
    super();
    this.elements = new NameTable(vocabulary.elements);
    this.attributes = new NameTable(vocabulary.attributes);
    this.attrs = vocabulary.attributes.map(() => undefined);
    this.attrSet = new Int32Array(vocabulary.attributes.length);
    this.lastElement = vocabulary.elements.indexOf(vocabulary.root);
    this.successor = new Int32Array(vocabulary.elements.length).fill(this.lastElement);
    this.attrOrder = new Int32Array(vocabulary.elements.length * SEQ).fill(-1);
    this.attrPrefix = vocabulary.attributes.map((name) => codesOf(`${name}="`));
  }

  /** Reads the start tag at lt; returns the index after it, or -1 if it does not end within s. */
  protected readStartTag(lt: number): number {
    const s = this.s;
    let i = lt + 1;
    const prev = this.lastElement;
    let id = this.successor[prev];
    const guess = this.elements.codes[id];
    if (matchAt(s, i, guess) && NAME_CHAR[s.charCodeAt(i + guess.length)] !== 1) {
      i += guess.length;
    } else {
      let c = s.charCodeAt(i);
      if (NAME_START[c] !== 1) {
        if (i >= this.n) return -1;
        throw new ScanFault("'<' that starts no tag", lt);
      }
      let h = c;
      for (c = s.charCodeAt(++i); NAME_CHAR[c] === 1; c = s.charCodeAt(++i)) h = hashStep(h, c);
      id = this.elements.lookup(s, lt + 1, i, h);
      if (id >= 0) this.successor[prev] = id;
    }
    if (id >= 0) this.lastElement = id;
    this.tagId = id;
    this.tagNameEnd = i;
    return this.attributeList(i, id < 0 ? 0 : id * SEQ);
  }

  /**
   * Reads the attributes from i up to and including '>' or '/>'; returns the index after it.
   * `seq` indexes the attribute order this element had last time, which is tried first.
   */
  private attributeList(i: number, seq: number): number {
    const s = this.s;
    const n = this.n;
    this.clearAttributes();
    for (let k = 0; ; k++) {
      let c = s.charCodeAt(i);
      if (c === GT) {
        this.selfClosing = false;
        return i + 1;
      }
      if (c === SLASH) {
        if (i + 1 >= n) return -1;
        if (s.charCodeAt(i + 1) !== GT) throw new ScanFault("'/' not followed by '>' in a tag", i);
        this.selfClosing = true;
        return i + 2;
      }
      if (WS[c] !== 1) {
        if (i >= n) return -1;
        throw new ScanFault("expected whitespace, '>' or '/>' in a tag", i);
      }
      do c = s.charCodeAt(++i); while (WS[c] === 1);
      if (c === GT || c === SLASH) continue;
      const expected = k < SEQ ? this.attrOrder[seq + k] : -1;
      if (expected >= 0 && matchAt(s, i, this.attrPrefix[expected])) {
        const start = i + this.attrPrefix[expected].length;
        i = this.value(start, DQ);
        if (i < 0) return -1;
        this.setKnown(expected, start, i);
        i++;
      } else {
        i = this.attribute(i, c, seq + k, k < SEQ);
        if (i < 0) return -1;
      }
    }
  }

  /** Reads one name="value" starting at i (c is s[i]); returns the index after the quote. */
  private attribute(i: number, c: number, slot: number, remember: boolean): number {
    const s = this.s;
    const n = this.n;
    if (NAME_START[c] !== 1) {
      if (i >= n) return -1;
      throw new ScanFault('malformed attribute name', i);
    }
    const nameStart = i;
    let h = c;
    for (c = s.charCodeAt(++i); NAME_CHAR[c] === 1; c = s.charCodeAt(++i)) h = hashStep(h, c);
    const nameEnd = i;
    while (WS[c] === 1) c = s.charCodeAt(++i);
    if (c !== EQ) {
      if (i >= n) return -1;
      throw new ScanFault("attribute without '=' and a value", i);
    }
    do c = s.charCodeAt(++i); while (WS[c] === 1);
    if (c !== DQ && c !== SQ) {
      if (i >= n) return -1;
      throw new ScanFault('attribute value is not quoted', i);
    }
    const start = i + 1;
    i = this.value(start, c);
    if (i < 0) return -1;
    const id = this.attributes.lookup(s, nameStart, nameEnd, h);
    if (id >= 0) {
      this.setKnown(id, start, i);
      if (remember) this.attrOrder[slot] = id;
    } else {
      const name = s.slice(nameStart, nameEnd);
      if (this.unknownAttrs.has(name)) throw new ScanFault('duplicate attribute', nameStart);
      this.unknownAttrs.add(name);
    }
    return i + 1;
  }

  /** Finds the closing quote of a value that starts at start; -1 if it is not in the text yet. */
  private value(start: number, quote: number): number {
    const end = this.s.indexOf(quote === DQ ? '"' : "'", start);
    if (end < 0) return -1;
    if (this.lt(start) < end) throw new ScanFault("'<' inside an attribute value", this.nextLt);
    this.special = this.amp(start) < end || this.nl(start) < end || this.tabOrCR(start) < end;
    return end;
  }

  private setKnown(id: number, start: number, end: number): void {
    if (this.attrs[id] !== undefined) throw new ScanFault('duplicate attribute', start);
    this.attrs[id] = this.special ? decodeAttribute(this.s, start, end) : this.s.slice(start, end);
    this.attrSet[this.attrCount++] = id;
  }

  private clearAttributes(): void {
    const set = this.attrSet;
    for (let k = 0; k < this.attrCount; k++) this.attrs[set[k]] = undefined;
    this.attrCount = 0;
    if (this.unknownAttrs.size > 0) this.unknownAttrs.clear();
  }
}
