// Owns reading updateinfo.xml: a streaming saxes reader yielding one typed advisory per <update>
// (dates, flags and epochs made uniform), and the merge of ids a file lists more than once.
import { DocumentFault, SaxByteParser, type SaxHandler } from './sax-source.js';
import { mergeAdvisories } from './updateinfo-merge.js';
import { parseUpdateinfoDate } from './updateinfo-dates.js';

export { mergeAdvisories } from './updateinfo-merge.js';
export { parseUpdateinfoDate } from './updateinfo-dates.js';

export interface UpdateinfoModule {
  name: string;
  stream: string;
  version: string;
  context: string;
  arch: string;
}

export interface UpdateinfoPackage {
  name: string;
  /** '' when the attribute is missing or empty */
  epoch: string;
  version: string;
  release: string;
  arch: string;
  src: string;
  /** as written (Amazon prefixes `Packages/`); '' when absent */
  filename: string;
  sumType: string | null;
  sum: string | null;
  rebootSuggested: boolean;
  restartSuggested: boolean;
  reloginSuggested: boolean;
  /** the `short` of the collection that lists it */
  collection: string;
  module: UpdateinfoModule | null;
}

export interface UpdateinfoReference {
  type: string;
  id: string;
  href: string;
  title: string;
}

export interface UpdateinfoAdvisory {
  id: string;
  /** the `type` attribute as written (security, bugfix, enhancement, newpackage, ...) */
  type: string;
  status: string;
  version: string;
  from: string;
  title: string;
  /** null when absent or unreadable (a warning says which) */
  issued: Date | null;
  updated: Date | null;
  rights: string;
  release: string;
  pushcount: string;
  /** as written, trimmed; '' when absent */
  severity: string;
  summary: string;
  description: string;
  solution: string;
  /** advisory-level flag elements (per-package ones are on the packages) */
  rebootSuggested: boolean;
  restartSuggested: boolean;
  reloginSuggested: boolean;
  references: UpdateinfoReference[];
  packages: UpdateinfoPackage[];
}

export interface UpdateinfoRead {
  /** one per id, in order of first appearance */
  advisories: UpdateinfoAdvisory[];
  /** `<update>` elements read (duplicates counted) */
  updates: number;
  /** ids that appeared more than once and were merged */
  merged: string[];
  warnings: string[];
}

/** Flags come as an empty element, "True" or "1": presence alone means yes, as yum reads them. */
export function parseFlag(text: string): boolean {
  const v = text.trim().toLowerCase();
  return v === '' || v === 'true' || v === '1' || v === 'yes';
}

const TEXT_FIELDS = ['id', 'title', 'rights', 'release', 'pushcount', 'severity', 'summary', 'description', 'solution'] as const;
const FLAG_FIELDS = { reboot_suggested: 'rebootSuggested', restart_suggested: 'restartSuggested', relogin_suggested: 'reloginSuggested' } as const;
type FlagElement = keyof typeof FLAG_FIELDS;
const isFlag = (name: string): name is FlagElement => name in FLAG_FIELDS;

function newAdvisory(a: Record<string, string>): UpdateinfoAdvisory {
  return {
    id: '', type: (a['type'] ?? '').trim(), status: (a['status'] ?? '').trim(), version: (a['version'] ?? '').trim(), from: (a['from'] ?? '').trim(),
    title: '', issued: null, updated: null, rights: '', release: '', pushcount: '', severity: '', summary: '', description: '', solution: '',
    rebootSuggested: false, restartSuggested: false, reloginSuggested: false, references: [], packages: [],
  };
}

function newPackage(a: Record<string, string>, collection: string, module: UpdateinfoModule | null): UpdateinfoPackage {
  const name = (a['name'] ?? '').trim();
  if (!name) throw new DocumentFault('a <package> has no name attribute');
  return {
    name, epoch: (a['epoch'] ?? '').trim(), version: (a['version'] ?? '').trim(), release: (a['release'] ?? '').trim(), arch: (a['arch'] ?? '').trim(),
    src: a['src'] ?? '', filename: '', sumType: null, sum: null, rebootSuggested: false, restartSuggested: false, reloginSuggested: false, collection, module,
  };
}

const attr = (a: Record<string, string>, key: string): string => (a[key] ?? '').trim();

class UpdateinfoReader implements SaxHandler {
  readonly done: UpdateinfoAdvisory[] = [];
  readonly warnings: string[] = [];
  private readonly path: string[] = [];
  private attrs: Record<string, string> = {};
  private buffer = '';
  private count = 0;
  private cur: UpdateinfoAdvisory | null = null;
  /** `first`: index in the advisory's packages where this collection's begin */
  private collection: { short: string; module: UpdateinfoModule | null; first: number } | null = null;
  private pkg: UpdateinfoPackage | null = null;

  open(name: string, a: Record<string, string>): void {
    const parent = this.path[this.path.length - 1];
    if (parent === undefined && name !== 'updates') throw new DocumentFault(`the root element is <${name}>, not <updates>: this is not an updateinfo.xml`);
    if (parent === 'updates' && name === 'update') {
      this.count++;
      this.cur = newAdvisory(a);
    } else if (this.cur) this.openInside(parent!, name, a);
    this.path.push(name);
    this.attrs = a;
    this.buffer = '';
  }

  private openInside(parent: string, name: string, a: Record<string, string>): void {
    const cur = this.cur!;
    if (parent === 'update' && (name === 'issued' || name === 'updated')) cur[name] = this.date(a['date'], name);
    else if (parent === 'references' && name === 'reference') {
      cur.references.push({ type: attr(a, 'type'), id: attr(a, 'id'), href: attr(a, 'href'), title: a['title'] ?? '' });
    } else if (parent === 'pkglist' && name === 'collection') this.collection = { short: attr(a, 'short'), module: null, first: cur.packages.length };
    else if (parent === 'collection' && name === 'module' && this.collection) {
      const module = { name: attr(a, 'name'), stream: attr(a, 'stream'), version: attr(a, 'version'), context: attr(a, 'context'), arch: attr(a, 'arch') };
      this.collection.module = module;
      // The module scopes its whole collection, also packages written before it.
      for (const p of cur.packages.slice(this.collection.first)) p.module = module;
    } else if (parent === 'collection' && name === 'package' && this.collection) {
      this.pkg = this.located(() => newPackage(a, this.collection!.short, this.collection!.module));
    }
  }

  text(t: string): void {
    this.buffer += t;
  }

  close(name: string): void {
    this.path.pop();
    const parent = this.path[this.path.length - 1];
    if (this.cur && parent === 'update') this.updateField(this.cur, name);
    else if (this.pkg && parent === 'package') this.packageField(this.pkg, name);
    else if (this.pkg && name === 'package') {
      this.cur!.packages.push(this.pkg);
      this.pkg = null;
    } else if (name === 'collection') this.collection = null;
    else if (this.cur && name === 'update' && parent === 'updates') this.finish(this.cur);
    this.buffer = '';
  }

  private updateField(cur: UpdateinfoAdvisory, name: string): void {
    if ((TEXT_FIELDS as readonly string[]).includes(name)) {
      const key = name as (typeof TEXT_FIELDS)[number];
      // Long texts keep their layout; one-line fields lose the indentation around them.
      cur[key] = key === 'description' || key === 'summary' || key === 'solution' ? this.buffer : this.buffer.trim();
    } else if (isFlag(name)) cur[FLAG_FIELDS[name]] = parseFlag(this.buffer);
  }

  private packageField(pkg: UpdateinfoPackage, name: string): void {
    if (name === 'filename') pkg.filename = this.buffer.trim();
    else if (name === 'sum') {
      pkg.sumType = (this.attrs['type'] ?? '').trim().toLowerCase() || null;
      pkg.sum = this.buffer.trim().toLowerCase() || null;
    } else if (isFlag(name)) pkg[FLAG_FIELDS[name]] = parseFlag(this.buffer);
  }

  private finish(cur: UpdateinfoAdvisory): void {
    if (!cur.id) throw new DocumentFault(`<update> #${this.count} has no <id>`);
    this.done.push(cur);
    this.cur = null;
  }

  private date(raw: string | undefined, which: string): Date | null {
    if (raw === undefined || raw.trim() === '') return null;
    const d = parseUpdateinfoDate(raw);
    if (!d) this.warnings.push(`<update> #${this.count}: ${which} date ${JSON.stringify(raw)} is not a date I can read; treated as absent`);
    return d;
  }

  private located<T>(make: () => T): T {
    try {
      return make();
    } catch (err) {
      if (err instanceof DocumentFault) throw new DocumentFault(`${err.message} (in <update> #${this.count})`);
      throw err;
    }
  }

  take(): UpdateinfoAdvisory[] {
    return this.done.splice(0, this.done.length);
  }
}

/**
 * Streams the advisories of an updateinfo.xml (decompressed bytes), one per <update> in file
 * order, duplicates included. Throws MetadataParseError for malformed or truncated input.
 * Warnings (unreadable dates) go to `onWarning`.
 */
export async function* scanUpdateinfo(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  onWarning: (message: string) => void = () => {},
): AsyncGenerator<UpdateinfoAdvisory, void, undefined> {
  const reader = new UpdateinfoReader();
  const sax = new SaxByteParser(reader, 'updateinfo.xml');
  const flushWarnings = (): void => {
    for (const w of reader.warnings.splice(0)) onWarning(w);
  };
  for await (const chunk of source) {
    sax.write(chunk);
    flushWarnings();
    yield* reader.take();
  }
  sax.end();
  flushWarnings();
  yield* reader.take();
}

/** Reads a whole updateinfo.xml and merges repeated ids (see mergeAdvisories). */
export async function readUpdateinfo(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<UpdateinfoRead> {
  const warnings: string[] = [];
  const all: UpdateinfoAdvisory[] = [];
  for await (const a of scanUpdateinfo(source, (w) => warnings.push(w))) all.push(a);
  const { advisories, merged } = mergeAdvisories(all);
  return { advisories, updates: all.length, merged, warnings };
}
