// Owns XML character-level decoding for the repodata scanners: the five predefined entities,
// numeric character references, line-end and attribute-value normalisation (XML 1.0 2.11, 3.3.3).
import { ScanFault } from './errors.js';

const AMP = 0x26;
const SEMI = 0x3b;
const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;
/** Longest reference we accept between '&' and ';' (`#x10FFFF` is 8). */
const MAX_REF = 10;

function isXmlChar(cp: number): boolean {
  if (cp < 0x20) return cp === TAB || cp === LF || cp === CR;
  if (cp <= 0xd7ff) return true;
  if (cp < 0xe000) return false;
  if (cp <= 0xfffd) return true;
  return cp >= 0x10000 && cp <= 0x10ffff;
}

function numericReference(s: string, start: number, end: number): string {
  const hex = s.charCodeAt(start + 1) === 0x78; // '&#x'
  const digits = s.slice(start + (hex ? 2 : 1), end);
  const ok = hex ? /^[0-9A-Fa-f]{1,6}$/.test(digits) : /^[0-9]{1,7}$/.test(digits);
  const cp = ok ? parseInt(digits, hex ? 16 : 10) : -1;
  if (!ok || !isXmlChar(cp)) {
    throw new ScanFault(`invalid character reference &${s.slice(start, end)};`, start - 1);
  }
  return String.fromCodePoint(cp);
}

/** The replacement text of the reference between '&' (at start-1) and ';' (at end). */
function reference(s: string, start: number, end: number): string {
  if (s.charCodeAt(start) === 0x23) return numericReference(s, start, end);
  switch (s.slice(start, end)) {
    case 'lt': return '<';
    case 'gt': return '>';
    case 'amp': return '&';
    case 'quot': return '"';
    case 'apos': return "'";
    default:
      // Only DTD-declared entities could be valid here, and DTDs are refused.
      throw new ScanFault(`undeclared entity reference &${s.slice(start, end)};`, start - 1);
  }
}

/** Index of the ';' that closes the reference whose '&' is at amp (within end). */
function referenceEnd(s: string, amp: number, end: number): number {
  const limit = Math.min(end, amp + 2 + MAX_REF);
  for (let i = amp + 1; i < limit; i++) {
    if (s.charCodeAt(i) === SEMI) {
      if (i === amp + 1) break;
      return i;
    }
  }
  throw new ScanFault("'&' that starts no valid reference", amp);
}

/**
 * Decodes character data s[start, end): CRLF and lone CR become LF, references are replaced.
 * Call it only for ranges that hold '&' or CR; other text is used as sliced.
 */
export function decodeText(s: string, start: number, end: number): string {
  let out = '';
  let from = start;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === AMP) {
      const semi = referenceEnd(s, i, end);
      out += s.slice(from, i) + reference(s, i + 1, semi);
      i = semi;
      from = semi + 1;
    } else if (c === CR) {
      out += s.slice(from, i) + '\n';
      if (s.charCodeAt(i + 1) === LF && i + 1 < end) i++;
      from = i + 1;
    }
  }
  return out + s.slice(from, end);
}

/**
 * Decodes an attribute value s[start, end): literal TAB/LF/CR (CRLF as one) become a space,
 * then references are replaced (a reference such as &#10; stays a real newline).
 */
export function decodeAttribute(s: string, start: number, end: number): string {
  let out = '';
  let from = start;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === AMP) {
      const semi = referenceEnd(s, i, end);
      out += s.slice(from, i) + reference(s, i + 1, semi);
      i = semi;
      from = semi + 1;
    } else if (c === CR || c === LF || c === TAB) {
      out += s.slice(from, i) + ' ';
      if (c === CR && s.charCodeAt(i + 1) === LF && i + 1 < end) i++;
      from = i + 1;
    }
  }
  return out + s.slice(from, end);
}

/** Checks the references in character data that nobody reads (unknown elements). */
export function checkReferences(s: string, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    if (s.charCodeAt(i) === AMP) {
      const semi = referenceEnd(s, i, end);
      reference(s, i + 1, semi);
      i = semi;
    }
  }
}
