// A fast path for the XML-RPC calls clients actually send: one index-based pass over the
// text for the plain subset of XML that xmlrpc.client, rhnlib and Java write (no attributes,
// comments, CDATA, processing instructions or DOCTYPE; only the five named entities and
// character references; '\n' line ends). Anything outside that subset, and anything the
// strict decoder would refuse, makes it give up (`undefined`): the saxes decoder then reads the
// document and decides, so hostile or odd input keeps exactly the strict decoder's answers.
// Whatever it accepts decodes to the same value the strict decoder produces (see
// test/unit/xmlrpc-fast-decode.test.ts, which compares the two).
import { scalarValue, SCALARS } from './scalars.js';
import type { Zone } from './zone.js';
import type { MethodCall, Param, XmlRpcStruct, XmlRpcValue } from './types.js';
import type { DecodeLimits } from './decode.js';

/** Thrown inside the fast path to give the document to the strict decoder. */
const GIVE_UP = Symbol('give up');

// Characters XML 1.0 refuses (and '\r', which XML rewrites), lone surrogates, and "]]>" in text.
const OUTSIDE_SUBSET = /[\x00-\x08\x0b-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\]\]>/;
const DECLARATION = /^<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.0\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?[ \t\n]*\?>/;

function validChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** The code point of the character reference at `i` ('&#...;'), and where it ends; undefined if malformed. */
function charRef(raw: string, i: number): { cp: number; end: number } | undefined {
  let j = i + 2;
  const hex = raw.charCodeAt(j) === 120; /* x */
  if (hex) j++;
  const start = j;
  let cp = 0;
  for (;;) {
    const c = raw.charCodeAt(j);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (hex && c >= 97 && c <= 102) d = c - 87;
    else if (hex && c >= 65 && c <= 70) d = c - 55;
    else break;
    cp = cp * (hex ? 16 : 10) + d;
    if (cp > 0x10ffff) return undefined;
    j++;
  }
  if (j === start || raw.charCodeAt(j) !== 59 /* ; */ || !validChar(cp)) return undefined;
  return { cp, end: j + 1 };
}

/**
 * Character data with its references replaced. Matched on char codes: a systemid carries a few
 * hundred escaped '<' and '>', and a replace() callback or a slice per reference costs 4x more.
 */
function unescape(raw: string): string {
  let amp = raw.indexOf('&');
  if (amp === -1) return raw;
  let out = '';
  let last = 0;
  while (amp !== -1) {
    out += raw.slice(last, amp);
    const c1 = raw.charCodeAt(amp + 1);
    const c2 = raw.charCodeAt(amp + 2);
    const c3 = raw.charCodeAt(amp + 3);
    if (c1 === 108 /* l */ && c2 === 116 /* t */ && c3 === 59) {
      out += '<';
      last = amp + 4;
    } else if (c1 === 103 /* g */ && c2 === 116 && c3 === 59) {
      out += '>';
      last = amp + 4;
    } else if (raw.startsWith('amp;', amp + 1)) {
      out += '&';
      last = amp + 5;
    } else if (raw.startsWith('quot;', amp + 1)) {
      out += '"';
      last = amp + 6;
    } else if (raw.startsWith('apos;', amp + 1)) {
      out += "'";
      last = amp + 6;
    } else if (c1 === 35 /* # */) {
      const ref = charRef(raw, amp);
      if (!ref) throw GIVE_UP;
      out += String.fromCodePoint(ref.cp);
      last = ref.end;
    } else {
      throw GIVE_UP; // not a reference the fast path knows
    }
    amp = raw.indexOf('&', last);
  }
  return out + raw.slice(last);
}

// An embedded document (a systemid: ~1.7 KB escaped, ~200 references) arrives again on every call
// a guest makes. The same raw text gives back the same string: no unescaping, less garbage, and
// the systemid check's cache, keyed by that string, compares a pointer instead of 1.2 KB.
const MEMO_MIN = 512;
const MEMO_MAX = 16 * 1024;
const MEMO_ENTRIES = 16_384;
const memo = new Map<string, string>();
const ONE_BYTE = /^[\x00-\xff]*$/;

function unescapeText(raw: string): string {
  if (raw.length < MEMO_MIN || raw.length > MEMO_MAX) return unescape(raw);
  const hit = memo.get(raw);
  if (hit !== undefined) return hit;
  const out = unescape(raw);
  if (out === raw) return out;
  if (memo.size >= MEMO_ENTRIES) memo.clear();
  // the key is copied: a slice would keep the whole request body alive (latin1 keeps a one-byte
  // string one byte per character)
  const encoding = ONE_BYTE.test(raw) ? 'latin1' : 'utf16le';
  memo.set(Buffer.from(raw, encoding).toString(encoding), out);
  return out;
}

class FastReader {
  private p = 0;
  private values = 0;

  constructor(
    private readonly s: string,
    private readonly zone: Zone,
    private readonly limits: DecodeLimits,
  ) {}

  private ws(): void {
    const s = this.s;
    let p = this.p;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 32 || c === 10 || c === 9) p++;
      else break;
    }
    this.p = p;
  }

  private at(tag: string): boolean {
    if (this.s.startsWith(tag, this.p)) {
      this.p += tag.length;
      return true;
    }
    return false;
  }

  private expect(tag: string): void {
    if (!this.at(tag)) throw GIVE_UP;
  }

  /** Raw character data up to the next '<' (which must exist). */
  private rawText(): string {
    const end = this.s.indexOf('<', this.p);
    if (end === -1) throw GIVE_UP;
    const t = this.s.slice(this.p, end);
    this.p = end;
    return t;
  }

  /** The name of the start tag at p ('<name>' or '<name/>'), leaving p after it. */
  private startTag(): { name: string; empty: boolean } {
    const s = this.s;
    if (s.charCodeAt(this.p) !== 60 /* < */) throw GIVE_UP;
    let q = this.p + 1;
    for (;;) {
      const c = s.charCodeAt(q);
      // letters, digits, '.', ':' and '_' cover every XML-RPC element name
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 58 || c === 95) q++;
      else break;
    }
    const name = s.slice(this.p + 1, q);
    if (name === '') throw GIVE_UP;
    if (s.charCodeAt(q) === 62 /* > */) {
      this.p = q + 1;
      return { name, empty: false };
    }
    if (s.charCodeAt(q) === 47 /* / */ && s.charCodeAt(q + 1) === 62) {
      this.p = q + 2;
      return { name, empty: true };
    }
    throw GIVE_UP;
  }

  call(): MethodCall {
    const s = this.s;
    if (s.startsWith('<?xml')) {
      const m = DECLARATION.exec(s);
      if (!m) throw GIVE_UP;
      this.p = m[0].length;
    }
    this.ws();
    this.expect('<methodCall>');
    this.ws();
    this.expect('<methodName>');
    const name = unescape(this.rawText());
    if (name.length > this.limits.maxNameLength) throw GIVE_UP;
    this.expect('</methodName>');
    const methodName = name.trim();
    if (!methodName) throw GIVE_UP;
    this.ws();
    const params: Param[] = [];
    if (!this.at('<params/>') && this.at('<params>')) {
      for (;;) {
        this.ws();
        if (this.at('</params>')) break;
        this.expect('<param>');
        this.ws();
        params.push(this.value(1));
        this.ws();
        this.expect('</param>');
      }
      this.ws();
    }
    this.expect('</methodCall>');
    this.ws();
    if (this.p !== s.length) throw GIVE_UP;
    return { methodName, params };
  }

  /** One <value> element at p, nested `depth` deep (a param's value is depth 1). */
  private value(depth: number): Param {
    if (depth > this.limits.maxDepth || ++this.values > this.limits.maxValues) throw GIVE_UP;
    if (this.at('<value/>')) return { type: 'string', value: '' };
    this.expect('<value>');
    const lead = this.rawText();
    if (this.at('</value>')) return { type: 'string', value: unescapeText(lead) };
    if (!/^[ \t\n]*$/.test(lead)) throw GIVE_UP;
    const { name, empty } = this.startTag();
    let result: Param;
    const type = SCALARS[name];
    if (type !== undefined) {
      let raw = '';
      if (!empty) {
        raw = unescapeText(this.rawText());
        this.expect(`</${name}>`);
      }
      let v: XmlRpcValue;
      try {
        v = scalarValue(this.zone, type, raw);
      } catch {
        throw GIVE_UP;
      }
      result = { type, value: v };
    } else if (name === 'struct') {
      result = { type: 'struct', value: empty ? (Object.create(null) as XmlRpcStruct) : this.struct(depth) };
    } else if (name === 'array' && !empty) {
      result = { type: 'array', value: this.array(depth) };
    } else {
      throw GIVE_UP;
    }
    this.ws();
    this.expect('</value>');
    return result;
  }

  private struct(depth: number): XmlRpcStruct {
    const obj = Object.create(null) as XmlRpcStruct;
    for (;;) {
      this.ws();
      if (this.at('</struct>')) return obj;
      this.expect('<member>');
      this.ws();
      this.expect('<name>');
      const key = unescape(this.rawText());
      this.expect('</name>');
      this.ws();
      obj[key] = this.value(depth + 1).value;
      this.ws();
      this.expect('</member>');
    }
  }

  private array(depth: number): XmlRpcValue[] {
    const items: XmlRpcValue[] = [];
    this.ws();
    if (!this.at('<data/>')) {
      this.expect('<data>');
      for (;;) {
        this.ws();
        if (this.at('</data>')) break;
        items.push(this.value(depth + 1).value);
      }
    }
    this.ws();
    this.expect('</array>');
    return items;
  }
}

/**
 * The call in `text`, or undefined when the document is outside the plain subset or anything
 * in it would be refused: the strict decoder must then read it.
 */
export function fastDecodeCall(text: string, zone: Zone, limits: DecodeLimits): MethodCall | undefined {
  if (text.charCodeAt(0) === 0xfeff || OUTSIDE_SUBSET.test(text)) return undefined;
  try {
    return new FastReader(text, zone, limits).call();
  } catch (err) {
    if (err === GIVE_UP) return undefined;
    throw err;
  }
}
