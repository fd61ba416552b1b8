// rpm's version ordering: rpmvercmp (rpmio/rpmvercmp.c, rpm 4.18) and the (epoch, version,
// release) ordering of python3-rpm's rpm.labelCompare. The only version comparison in Skylab.
import type { Nevra } from './nevra.js';

export type Cmp = -1 | 0 | 1;

export interface Evr {
  /** Missing, null or '' mean epoch 0, as an rpm header without an Epoch tag. */
  epoch: string | number | null | undefined;
  version: string;
  release: string;
}

// Character classes. rpm uses its own ASCII-only ctype (risalnum etc.), so every
// non-ASCII UTF-16 unit is a plain separator, exactly as every non-ASCII UTF-8 byte is in C.
const SEP = 0;
const DIGIT = 1;
const ALPHA = 2;
const TILDE = 3;
const CARET = 4;
const END = 5;

const CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT;
for (let c = 65; c <= 90; c++) CLASS[c] = ALPHA;
for (let c = 97; c <= 122; c++) CLASS[c] = ALPHA;
CLASS[126] = TILDE;
CLASS[94] = CARET;

function classAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 128 ? CLASS[c]! : SEP;
}

// Where the segments just compared end. Module-level so the hot loop allocates nothing;
// safe because JavaScript runs this synchronously on one thread.
let endA = 0;
let endB = 0;

/** Compare a numeric segment of `a` at `i` with whatever segment of `b` starts at `j`. */
function compareNumeric(a: string, i: number, b: string, j: number): Cmp {
  const la = a.length;
  const lb = b.length;
  let ea = i;
  while (ea < la && classAt(a, ea) === DIGIT) ea++;
  let eb = j;
  while (eb < lb && classAt(b, eb) === DIGIT) eb++;
  endA = ea;
  endB = eb;
  if (eb === j) return 1; // numeric beats alpha
  while (i < ea && a.charCodeAt(i) === 48) i++;
  while (j < eb && b.charCodeAt(j) === 48) j++;
  const na = ea - i;
  const nb = eb - j;
  if (na !== nb) return na > nb ? 1 : -1;
  for (; i < ea; i++, j++) {
    const d = a.charCodeAt(i) - b.charCodeAt(j);
    if (d !== 0) return d > 0 ? 1 : -1;
  }
  return 0;
}

/** Compare an alphabetic segment of `a` at `i` with whatever segment of `b` starts at `j`. */
function compareAlpha(a: string, i: number, b: string, j: number): Cmp {
  const la = a.length;
  const lb = b.length;
  let ea = i;
  while (ea < la && classAt(a, ea) === ALPHA) ea++;
  let eb = j;
  while (eb < lb && classAt(b, eb) === ALPHA) eb++;
  endA = ea;
  endB = eb;
  if (eb === j) return -1; // alpha loses to numeric
  for (; i < ea && j < eb; i++, j++) {
    const d = a.charCodeAt(i) - b.charCodeAt(j);
    if (d !== 0) return d > 0 ? 1 : -1;
  }
  if (i < ea) return 1;
  return j < eb ? -1 : 0;
}

/**
 * rpm's rpmvercmp: 1 when `a` is newer, -1 when `b` is newer, 0 when equal.
 * `~` sorts before anything, even the end of the string; `^` sorts after the end of the
 * string but before anything else; runs of other non-alphanumerics only separate segments.
 */
export function rpmvercmp(a: string, b: string): Cmp {
  if (a === b) return 0;
  const la = a.length;
  const lb = b.length;
  let i = 0;
  let j = 0;
  while (i < la || j < lb) {
    let ca = i < la ? classAt(a, i) : END;
    while (ca === SEP) ca = ++i < la ? classAt(a, i) : END;
    let cb = j < lb ? classAt(b, j) : END;
    while (cb === SEP) cb = ++j < lb ? classAt(b, j) : END;

    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === CARET || cb === CARET) {
      if (ca === END) return -1;
      if (cb === END) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === END || cb === END) break;

    const rc = ca === DIGIT ? compareNumeric(a, i, b, j) : compareAlpha(a, i, b, j);
    if (rc !== 0) return rc;
    i = endA;
    j = endB;
  }
  if (i >= la) return j >= lb ? 0 : -1;
  return 1;
}

/** labelCompare's compare_values: a missing value is older than any present one. */
function compareValues(a: string | null | undefined, b: string | null | undefined): Cmp {
  if (a == null) return b == null ? 0 : -1;
  if (b == null) return 1;
  return rpmvercmp(a, b);
}

function epochText(e: string | number | null | undefined): string {
  if (e == null || e === '') return '0';
  return typeof e === 'number' ? String(e) : e;
}

/**
 * Order two (epoch, version, release) triples as python3-rpm's rpm.labelCompare does.
 * Epochs go through rpmvercmp, so numeric strings of any length compare numerically and
 * "01" equals "1". One deliberate difference: labelCompare maps only None to "0", so it
 * ranks an empty-string epoch below "0"; here '' is a missing epoch, i.e. 0.
 * A null/undefined release (untyped callers) sorts below any string, as labelCompare's None.
 * labelCompare refuses an empty or missing version (ValueError); here it just sorts low, so
 * that one bad row cannot abort a whole applicability run.
 */
export function compareEvr(a: Evr, b: Evr): Cmp {
  const ea = a.epoch;
  const eb = b.epoch;
  if (ea !== eb) {
    const rc =
      typeof ea === 'number' && typeof eb === 'number'
        ? ea > eb ? 1 : ea < eb ? -1 : 0
        : rpmvercmp(epochText(ea), epochText(eb));
    if (rc !== 0) return rc;
  }
  const rc = compareValues(a.version, b.version);
  return rc !== 0 ? rc : compareValues(a.release, b.release);
}

/**
 * Total order on packages for sorting: name (code-unit order), then EVR, then arch.
 * For two builds of one package this is the EVR order, with arch only breaking ties.
 */
export function compareNevra(a: Nevra, b: Nevra): Cmp {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  const rc = compareEvr(a, b);
  if (rc !== 0 || a.arch === b.arch) return rc;
  return a.arch < b.arch ? -1 : 1;
}
