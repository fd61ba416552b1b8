// Owns reading repomd.xml: the repository's revision and, per metadata file, where it is, its
// checksums and sizes. Small document, read at once with saxes; refuses what a sync cannot trust.
import { DocumentFault, parseWithSaxSync, type SaxHandler } from './sax-source.js';

export const REPO_NS = 'http://linux.duke.edu/metadata/repo';

export interface RepomdEntry {
  /** primary, filelists, other, updateinfo, group, group_gz, modules, primary_db, ... */
  type: string;
  href: string;
  /** `xml:base` of the location, when a mirror points elsewhere for the file */
  base?: string;
  /** lower case; yum's old "sha" is given as "sha1" */
  checksumType: string;
  /** lower-case hex of the file as stored (compressed) */
  checksum: string;
  openChecksumType?: string;
  openChecksum?: string;
  size?: number;
  openSize?: number;
  timestamp?: number;
  databaseVersion?: number;
}

export interface Repomd {
  /** `<revision>` text; '' when the document has none */
  revision: string;
  entries: RepomdEntry[];
}

interface Draft {
  type: string;
  fields: Partial<RepomdEntry>;
}

const NUMBER_FIELDS: Record<string, 'size' | 'openSize' | 'timestamp' | 'databaseVersion'> = {
  size: 'size',
  'open-size': 'openSize',
  timestamp: 'timestamp',
  database_version: 'databaseVersion',
};

function checksumType(raw: string | undefined, where: string): string {
  const t = (raw ?? '').trim().toLowerCase();
  if (!/^[a-z0-9-]+$/.test(t)) throw new DocumentFault(`${where} has no usable type attribute`);
  return t === 'sha' ? 'sha1' : t;
}

function hexDigest(text: string, where: string): string {
  const v = text.trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(v)) throw new DocumentFault(`${where} is not a hex digest: ${JSON.stringify(v.slice(0, 80))}`);
  return v;
}

function count(text: string, where: string): number {
  const v = text.trim();
  // Some producers write timestamps with a fraction; the whole seconds are what matter.
  if (!/^\d{1,15}(\.\d+)?$/.test(v)) throw new DocumentFault(`${where} is not a number: ${JSON.stringify(v.slice(0, 80))}`);
  return Math.floor(Number(v));
}

class RepomdReader implements SaxHandler {
  readonly result: Repomd = { revision: '', entries: [] };
  private readonly path: string[] = [];
  private attrs: Record<string, string> = {};
  private draft: Draft | null = null;
  private buffer = '';

  open(name: string, attributes: Record<string, string>): void {
    if (this.path.length === 0) {
      if (name !== 'repomd') throw new DocumentFault(`the root element is <${name}>, not <repomd>: this is not a repomd.xml`);
      const ns = attributes['xmlns'];
      if (ns !== undefined && ns !== REPO_NS) throw new DocumentFault(`<repomd> is in namespace "${ns}", expected "${REPO_NS}"`);
    }
    if (this.path.length === 1 && name === 'data') {
      const type = (attributes['type'] ?? '').trim();
      if (!type) throw new DocumentFault(`<data> #${this.result.entries.length + 1} has no type attribute`);
      this.draft = { type, fields: {} };
    }
    if (this.draft && this.path.length === 2 && name === 'location') this.location(attributes);
    this.path.push(name);
    this.attrs = attributes;
    this.buffer = '';
  }

  text(t: string): void {
    this.buffer += t;
  }

  close(name: string): void {
    this.path.pop();
    const depth = this.path.length;
    if (depth === 1 && name === 'revision') this.result.revision = this.buffer.trim();
    else if (depth === 2 && this.draft) this.field(this.draft, name);
    else if (depth === 1 && name === 'data' && this.draft) {
      this.result.entries.push(finish(this.draft));
      this.draft = null;
    }
    this.buffer = '';
  }

  private location(attributes: Record<string, string>): void {
    const href = (attributes['href'] ?? '').trim();
    if (!href) throw new DocumentFault(`entry "${this.draft!.type}" has a <location> without href`);
    this.draft!.fields.href = href;
    const base = attributes['xml:base']?.trim();
    if (base) this.draft!.fields.base = base;
  }

  private field(d: Draft, name: string): void {
    const where = `<${name}> of entry "${d.type}"`;
    if (name === 'checksum') {
      d.fields.checksumType = checksumType(this.attrs['type'], where);
      d.fields.checksum = hexDigest(this.buffer, where);
    } else if (name === 'open-checksum') {
      d.fields.openChecksumType = checksumType(this.attrs['type'], where);
      d.fields.openChecksum = hexDigest(this.buffer, where);
    } else if (NUMBER_FIELDS[name]) {
      d.fields[NUMBER_FIELDS[name]] = count(this.buffer, where);
    }
  }
}

function finish(d: Draft): RepomdEntry {
  const f = d.fields;
  if (f.href === undefined) throw new DocumentFault(`entry "${d.type}" has no <location href>`);
  if (f.checksum === undefined || f.checksumType === undefined) throw new DocumentFault(`entry "${d.type}" has no <checksum>`);
  const entry: RepomdEntry = { type: d.type, href: f.href, checksumType: f.checksumType, checksum: f.checksum };
  for (const key of ['base', 'openChecksumType', 'openChecksum', 'size', 'openSize', 'timestamp', 'databaseVersion'] as const) {
    if (f[key] !== undefined) (entry as unknown as Record<string, unknown>)[key] = f[key];
  }
  return entry;
}

/** Parses repomd.xml; throws MetadataParseError for anything a sync should not act on. */
export function parseRepomd(xml: Uint8Array | string): Repomd {
  const reader = new RepomdReader();
  parseWithSaxSync(xml, reader, 'repomd.xml');
  return reader.result;
}

/** The entry of a type, if listed (the first, should a broken repomd list it twice). */
export function repomdEntry(repomd: Repomd, type: string): RepomdEntry | undefined {
  return repomd.entries.find((e) => e.type === type);
}
