// Owns the primary.xml vocabulary: turns each <package> element into a PrimaryPackage (fields,
// dependency lists, primary file entries, and the element's exact source text for republishing).
import { type ScanSummary, RecordSink, eachRecord, iterateRecords, parseSnippet } from './document.js';
import { ScanFault } from './errors.js';
import type { Attributes, Vocabulary } from './scanner.js';

/** One rpm:entry. Absent attributes are ''; `pre` follows createrepo_c ("0"/"false" are false). */
export interface Dependency {
  name: string;
  flags: string;
  epoch: string;
  ver: string;
  rel: string;
  pre: boolean;
}

/** A <file> entry; `type` is the attribute as written: '' (plain file), 'dir' or 'ghost'. */
export interface PackageFile {
  path: string;
  type: string;
}

/**
 * One <package type="rpm"> of primary.xml. Strings are '' and numbers 0 when the element or
 * attribute is absent. `epoch` is kept as written: createrepo_c writes epoch="0", never ''.
 */
export interface PrimaryPackage {
  pkgid: string;
  checksumType: string;
  name: string;
  arch: string;
  epoch: string;
  version: string;
  release: string;
  summary: string;
  description: string;
  packager: string;
  url: string;
  timeFile: number;
  timeBuild: number;
  sizePackage: number;
  sizeInstalled: number;
  sizeArchive: number;
  locationHref: string;
  locationBase: string;
  license: string;
  vendor: string;
  group: string;
  buildhost: string;
  sourcerpm: string;
  headerStart: number;
  headerEnd: number;
  provides: Dependency[];
  requires: Dependency[];
  conflicts: Dependency[];
  obsoletes: Dependency[];
  suggests: Dependency[];
  enhances: Dependency[];
  recommends: Dependency[];
  supplements: Dependency[];
  files: PackageFile[];
  /** The exact source text of the <package> element. */
  xml: string;
}

export const PRIMARY_NS = 'http://linux.duke.edu/metadata/common';
export const RPM_NS = 'http://linux.duke.edu/metadata/rpm';

// Element ids (indexes into ELEMENTS).
const METADATA = 0, PACKAGE = 1, NAME = 2, ARCH = 3, VERSION = 4, CHECKSUM = 5, SUMMARY = 6,
  DESCRIPTION = 7, PACKAGER = 8, URL = 9, TIME = 10, SIZE = 11, LOCATION = 12, FORMAT = 13,
  LICENSE = 14, VENDOR = 15, GROUP = 16, BUILDHOST = 17, SOURCERPM = 18, HEADER_RANGE = 19,
  PROVIDES = 20, SUPPLEMENTS = 27, ENTRY = 28, FILE = 29;
const ELEMENTS = [
  'metadata', 'package', 'name', 'arch', 'version', 'checksum', 'summary', 'description', 'packager',
  'url', 'time', 'size', 'location', 'format', 'rpm:license', 'rpm:vendor', 'rpm:group',
  'rpm:buildhost', 'rpm:sourcerpm', 'rpm:header-range', 'rpm:provides', 'rpm:requires',
  'rpm:conflicts', 'rpm:obsoletes', 'rpm:suggests', 'rpm:enhances', 'rpm:recommends',
  'rpm:supplements', 'rpm:entry', 'file',
];
/** The only parent in which each element is read (as createrepo_c: elsewhere it is ignored). */
const PARENT = ELEMENTS.map((_, id) =>
  id === METADATA ? -1 : id === PACKAGE ? METADATA : id < LICENSE ? PACKAGE : FORMAT);

// Attribute ids (indexes into ATTRIBUTES).
const A_PACKAGES = 0, A_XMLNS = 1, A_TYPE = 2, A_EPOCH = 3, A_VER = 4, A_REL = 5, A_FILE = 6,
  A_BUILD = 7, A_PACKAGE = 8, A_INSTALLED = 9, A_ARCHIVE = 10, A_HREF = 11, A_BASE = 12,
  A_START = 13, A_END = 14, A_NAME = 15, A_FLAGS = 16, A_PRE = 17;
const ATTRIBUTES = ['packages', 'xmlns', 'type', 'epoch', 'ver', 'rel', 'file', 'build', 'package',
  'installed', 'archive', 'href', 'xml:base', 'start', 'end', 'name', 'flags', 'pre'];

export const PRIMARY_VOCABULARY: Vocabulary = {
  root: 'metadata',
  record: 'package',
  elements: ELEMENTS,
  textElements: ['name', 'arch', 'checksum', 'summary', 'description', 'packager', 'url',
    'rpm:license', 'rpm:vendor', 'rpm:group', 'rpm:buildhost', 'rpm:sourcerpm', 'file'],
  attributes: ATTRIBUTES,
};

/** A decimal integer attribute ('' or absent is 0, as createrepo_c). */
export function integer(value: string | undefined, what: string): number {
  if (value === undefined) return 0;
  let x = 0;
  const n = value.length;
  if (n > 0 && n < 16) {
    for (let i = 0; i < n; i++) {
      const d = value.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return strictInteger(value, what);
      x = x * 10 + d;
    }
    return x;
  }
  return strictInteger(value, what);
}

function strictInteger(value: string, what: string): number {
  if (value === '') return 0;
  const x = /^-?[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(x)) throw new ScanFault(`${what}="${value}" is not an integer`, -1);
  return x;
}

function isPre(value: string | undefined): boolean {
  return value !== undefined && value !== '0' && value !== 'FALSE' && value !== 'false' && value !== 'False';
}

class PrimaryRecord implements PrimaryPackage {
  pkgid = ''; checksumType = ''; name = ''; arch = ''; epoch = ''; version = ''; release = '';
  summary = ''; description = ''; packager = ''; url = '';
  timeFile = 0; timeBuild = 0; sizePackage = 0; sizeInstalled = 0; sizeArchive = 0;
  locationHref = ''; locationBase = ''; license = ''; vendor = ''; group = ''; buildhost = '';
  sourcerpm = ''; headerStart = 0; headerEnd = 0;
  provides: Dependency[] = []; requires: Dependency[] = []; conflicts: Dependency[] = [];
  obsoletes: Dependency[] = []; suggests: Dependency[] = []; enhances: Dependency[] = [];
  recommends: Dependency[] = []; supplements: Dependency[] = [];
  files: PackageFile[] = [];
  xml = '';
}

export interface PrimaryOptions {
  /**
   * false: leave the dependency and file lists empty (they are still checked). An import that
   * keeps only the fields and the XML saves most of the objects a parse makes.
   */
  lists?: boolean;
}

class PrimarySink extends RecordSink<PrimaryPackage> {
  constructor(private readonly lists = true) {
    super();
  }

  private pkg = new PrimaryRecord();
  private hasVersion = false;
  private deps: Dependency[] = [];
  private fileType = '';

  open(id: number, parent: number, a: Attributes): boolean {
    if (id === ENTRY) {
      if (parent < PROVIDES || parent > SUPPLEMENTS) return false;
      const name = a[A_NAME];
      if (name === undefined) throw new ScanFault('rpm:entry without a name', -1);
      if (!this.lists) return true;
      this.deps.push({
        name, flags: a[A_FLAGS] ?? '', epoch: a[A_EPOCH] ?? '', ver: a[A_VER] ?? '',
        rel: a[A_REL] ?? '', pre: isPre(a[A_PRE]),
      });
      return true;
    }
    if (parent !== PARENT[id]) return false;
    if (id === FILE) this.fileType = a[A_TYPE] ?? '';
    else if (id >= PROVIDES) this.deps = this.list(id);
    else if (id !== FORMAT) this.openOther(id, a);
    return true;
  }

  private list(id: number): Dependency[] {
    const p = this.pkg;
    const lists = [p.provides, p.requires, p.conflicts, p.obsoletes, p.suggests, p.enhances,
      p.recommends, p.supplements];
    return lists[id - PROVIDES];
  }

  private openOther(id: number, a: Attributes): void {
    const p = this.pkg;
    switch (id) {
      case METADATA: this.root(a[A_PACKAGES], a[A_XMLNS], PRIMARY_NS); break;
      case PACKAGE: this.pkg = new PrimaryRecord(); this.hasVersion = false; break;
      case VERSION:
        // First one wins, as in createrepo_c.
        if (this.hasVersion) break;
        this.hasVersion = true;
        p.epoch = a[A_EPOCH] ?? ''; p.version = a[A_VER] ?? ''; p.release = a[A_REL] ?? '';
        break;
      case CHECKSUM: p.checksumType = a[A_TYPE] ?? ''; break;
      case TIME:
        p.timeFile = integer(a[A_FILE], 'file'); p.timeBuild = integer(a[A_BUILD], 'build');
        break;
      case SIZE:
        p.sizePackage = integer(a[A_PACKAGE], 'package');
        p.sizeInstalled = integer(a[A_INSTALLED], 'installed');
        p.sizeArchive = integer(a[A_ARCHIVE], 'archive');
        break;
      case LOCATION: p.locationHref = a[A_HREF] ?? ''; p.locationBase = a[A_BASE] ?? ''; break;
      case HEADER_RANGE:
        p.headerStart = integer(a[A_START], 'start'); p.headerEnd = integer(a[A_END], 'end');
        break;
    }
  }

  close(id: number, text: string): void {
    const p = this.pkg;
    switch (id) {
      case FILE: if (this.lists) p.files.push({ path: text, type: this.fileType }); break;
      // name, arch and pkgid: the first one wins, as in createrepo_c; the others: the last.
      case NAME: if (p.name === '') p.name = text; break;
      case ARCH: if (p.arch === '') p.arch = text; break;
      case CHECKSUM: if (p.pkgid === '') p.pkgid = text; break;
      case SUMMARY: p.summary = text; break;
      case DESCRIPTION: p.description = text; break;
      case PACKAGER: p.packager = text; break;
      case URL: p.url = text; break;
      case LICENSE: p.license = text; break;
      case VENDOR: p.vendor = text; break;
      case GROUP: p.group = text; break;
      case BUILDHOST: p.buildhost = text; break;
      case SOURCERPM: p.sourcerpm = text; break;
    }
  }

  record(xml: string): void {
    const p = this.pkg;
    if (p.pkgid === '') throw new ScanFault('package without a checksum (pkgid)', -1);
    p.xml = xml;
    this.out.push(p);
  }
}

type Source = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/**
 * Streams the packages of a primary.xml document (decompressed bytes, any chunking); the
 * generator's return value is the ScanSummary. Throws MetadataParseError for anything but a
 * complete, well-formed document whose package count matches; packages yielded before the error
 * came from a document that turned out bad, so a caller treats the whole parse as failed.
 */
export function parsePrimary(source: Source, opts: PrimaryOptions = {}): AsyncGenerator<PrimaryPackage, ScanSummary, undefined> {
  return iterateRecords(source, PRIMARY_VOCABULARY, new PrimarySink(opts.lists ?? true));
}

/** As parsePrimary, with a callback per package (awaited when it returns a promise). */
export function scanPrimary(
  source: Source, onPackage: (pkg: PrimaryPackage) => void | Promise<void>,
): Promise<ScanSummary> {
  return eachRecord(source, PRIMARY_VOCABULARY, new PrimarySink(), onPackage);
}

/** Parses stored <package> snippets of primary.xml (for example PrimaryPackage.xml). */
export function parsePrimarySnippet(xml: string): PrimaryPackage[] {
  const root = `metadata xmlns="${PRIMARY_NS}" xmlns:rpm="${RPM_NS}"`;
  return parseSnippet(xml, root, PRIMARY_VOCABULARY, new PrimarySink());
}
