// Owns reading the CEFS errata feed (errata.latest.xml): XML::Simple's layout, one element per
// advisory named after its id (':' written '--'), scalars as attributes, lists as child elements.
import { DocumentFault, SaxByteParser, type SaxHandler } from './sax-source.js';

/** The feed layout this reader knows; a feed whose meta `minver` is newer is refused, as errata-import.pl does. */
export const CEFS_READER_VERSION = 20240623;

export interface CefsAdvisory {
  /** advisory id, e.g. CESA-2018:0093 */
  name: string;
  /** "Security Advisory" | "Bug Fix Advisory" | "Product Enhancement Advisory" as written ('' if absent) */
  type: string;
  synopsis: string;
  /** as written, `YYYY-MM-DD HH:MM:SS` */
  issueDate: string;
  release: string;
  severity: string;
  /** space-separated URLs */
  references: string;
  product: string;
  from: string;
  description: string;
  topic: string;
  solution: string;
  notes: string;
  multirelease: boolean;
  manual: boolean;
  osReleases: string[];
  osArches: string[];
  /** RPM file names, binary and .src.rpm */
  packages: string[];
  cves: string[];
  keywords: string[];
}

export interface CefsFeed {
  /** the `meta` element's fields (minver, timestamp, author, ...) */
  meta: Record<string, string>;
  advisories: CefsAdvisory[];
}

const SCALARS = ['type', 'synopsis', 'release', 'severity', 'references', 'product', 'from', 'description', 'topic', 'solution', 'notes'] as const;
const LISTS = { os_release: 'osReleases', os_arch: 'osArches', packages: 'packages', cves: 'cves', keywords: 'keywords' } as const;
type ListElement = keyof typeof LISTS;
const isList = (name: string): name is ListElement => name in LISTS;

/** `CESA-2018--0093` -> `CESA-2018:0093`. */
export function cefsAdvisoryName(element: string): string {
  return element.replace(/--/g, ':');
}

function newAdvisory(element: string, a: Record<string, string>): CefsAdvisory {
  const adv: CefsAdvisory = {
    name: cefsAdvisoryName(element), type: '', synopsis: '', issueDate: (a['issue_date'] ?? '').trim(), release: '', severity: '', references: '',
    product: '', from: '', description: '', topic: '', solution: '', notes: '', multirelease: a['multirelease'] === '1', manual: a['manual'] === '1',
    osReleases: [], osArches: [], packages: [], cves: [], keywords: [],
  };
  for (const key of SCALARS) adv[key] = key === 'description' || key === 'notes' ? (a[key] ?? '') : (a[key] ?? '').trim();
  // XML::Simple writes a one-item list as an attribute when not told otherwise.
  for (const [attr, field] of Object.entries(LISTS)) {
    if (a[attr] !== undefined) adv[field].push(...a[attr].split(/\s+/).filter(Boolean));
  }
  return adv;
}

class CefsReader implements SaxHandler {
  readonly meta: Record<string, string> = {};
  readonly done: CefsAdvisory[] = [];
  private readonly path: string[] = [];
  private cur: CefsAdvisory | null = null;
  private buffer = '';

  open(name: string, a: Record<string, string>): void {
    const depth = this.path.length;
    if (depth === 0 && name !== 'opt') throw new DocumentFault(`the root element is <${name}>, not <opt>: this is not a CEFS errata feed`);
    if (depth === 1 && name === 'meta') Object.assign(this.meta, a);
    else if (depth === 1) this.cur = newAdvisory(name, a);
    else if (depth >= 3 && this.path[1] !== 'meta') {
      throw new DocumentFault(`unexpected <${name}> inside <${this.path[2]}> of ${this.cur?.name ?? 'an advisory'}`);
    }
    this.path.push(name);
    this.buffer = '';
  }

  text(t: string): void {
    this.buffer += t;
  }

  close(name: string): void {
    this.path.pop();
    const depth = this.path.length;
    if (depth === 2 && this.path[1] === 'meta') this.meta[name] = this.buffer.trim();
    else if (depth === 2 && this.cur && isList(name)) {
      const value = this.buffer.trim();
      if (value) this.cur[LISTS[name]].push(value);
    } else if (depth === 1 && name === 'meta') this.checkVersion();
    else if (depth === 1 && this.cur) {
      this.done.push(this.cur);
      this.cur = null;
    }
    this.buffer = '';
  }

  private checkVersion(): void {
    const minver = this.meta['minver'];
    if (minver === undefined) return;
    if (!/^\d+$/.test(minver.trim())) throw new DocumentFault(`meta minver ${JSON.stringify(minver)} is not a version number`);
    if (Number(minver) > CEFS_READER_VERSION) {
      throw new DocumentFault(`the feed needs an importer of version ${minver.trim()} or later; this one reads the layout of ${CEFS_READER_VERSION}`);
    }
  }

  take(): CefsAdvisory[] {
    return this.done.splice(0, this.done.length);
  }
}

/** Streams the advisories of a CEFS feed (decompressed bytes) in document order. */
export async function* scanCefs(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<CefsAdvisory, Record<string, string>, undefined> {
  const reader = new CefsReader();
  const sax = new SaxByteParser(reader, 'CEFS errata feed');
  for await (const chunk of source) {
    sax.write(chunk);
    yield* reader.take();
  }
  sax.end();
  yield* reader.take();
  return reader.meta;
}

function mergeInto(into: CefsAdvisory, more: CefsAdvisory): void {
  for (const field of Object.values(LISTS)) into[field] = [...new Set([...into[field], ...more[field]])];
}

/**
 * Reads a whole feed; an advisory element that appears twice is one advisory (lists unioned,
 * attributes of the first). Throws MetadataParseError on anything malformed.
 */
export async function readCefs(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<CefsFeed> {
  const byName = new Map<string, CefsAdvisory>();
  const it = scanCefs(source);
  for (;;) {
    const r = await it.next();
    if (r.done) return { meta: r.value, advisories: [...byName.values()] };
    const seen = byName.get(r.value.name);
    if (seen) mergeInto(seen, r.value);
    else byName.set(r.value.name, r.value);
  }
}
