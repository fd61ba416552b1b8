// Owns the filelists.xml vocabulary: each <package pkgid name arch> with its version and the
// complete file list, plus the element's exact source text for republishing.
import { type ScanSummary, RecordSink, eachRecord, iterateRecords, parseSnippet } from './document.js';
import { ScanFault } from './errors.js';
import type { PackageFile } from './primary.js';
import type { Attributes, Vocabulary } from './scanner.js';

/** One <package> of filelists.xml; absent strings are ''. epoch is kept as written. */
export interface FilelistsPackage {
  pkgid: string;
  name: string;
  arch: string;
  epoch: string;
  version: string;
  release: string;
  files: PackageFile[];
  /** The exact source text of the <package> element. */
  xml: string;
}

export const FILELISTS_NS = 'http://linux.duke.edu/metadata/filelists';

const ROOT = 0, PACKAGE = 1, VERSION = 2, FILE = 3;
const A_PACKAGES = 0, A_XMLNS = 1, A_PKGID = 2, A_NAME = 3, A_ARCH = 4, A_EPOCH = 5, A_VER = 6,
  A_REL = 7, A_TYPE = 8;

export const FILELISTS_VOCABULARY: Vocabulary = {
  root: 'filelists',
  record: 'package',
  elements: ['filelists', 'package', 'version', 'file'],
  textElements: ['file'],
  attributes: ['packages', 'xmlns', 'pkgid', 'name', 'arch', 'epoch', 'ver', 'rel', 'type'],
};

class FilelistsRecord implements FilelistsPackage {
  pkgid = ''; name = ''; arch = ''; epoch = ''; version = ''; release = '';
  files: PackageFile[] = [];
  xml = '';
}

/** The <package pkgid name arch> and <version> handling filelists and other share. */
export function packageAttributes(rec: { pkgid: string; name: string; arch: string }, a: Attributes,
  pkgid: number, name: number, arch: number): void {
  const id = a[pkgid];
  if (id === undefined || id === '') throw new ScanFault('package without a pkgid attribute', -1);
  rec.pkgid = id;
  rec.name = a[name] ?? '';
  rec.arch = a[arch] ?? '';
}

class FilelistsSink extends RecordSink<FilelistsPackage> {
  private pkg = new FilelistsRecord();
  private hasVersion = false;
  private fileType = '';

  open(id: number, parent: number, a: Attributes): boolean {
    switch (id) {
      case FILE:
        if (parent !== PACKAGE) return false;
        this.fileType = a[A_TYPE] ?? '';
        return true;
      case VERSION:
        if (parent !== PACKAGE) return false;
        if (!this.hasVersion) {
          this.hasVersion = true;
          const p = this.pkg;
          p.epoch = a[A_EPOCH] ?? ''; p.version = a[A_VER] ?? ''; p.release = a[A_REL] ?? '';
        }
        return true;
      case PACKAGE:
        if (parent !== ROOT) return false;
        this.pkg = new FilelistsRecord();
        this.hasVersion = false;
        packageAttributes(this.pkg, a, A_PKGID, A_NAME, A_ARCH);
        return true;
      default:
        if (parent !== -1) return false;
        this.root(a[A_PACKAGES], a[A_XMLNS], FILELISTS_NS);
        return true;
    }
  }

  close(id: number, text: string): void {
    if (id === FILE) this.pkg.files.push({ path: text, type: this.fileType });
  }

  record(xml: string): void {
    this.pkg.xml = xml;
    this.out.push(this.pkg);
  }
}

type Source = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Streams the packages of a filelists.xml document; see parsePrimary for the guarantees. */
export function parseFilelists(source: Source): AsyncGenerator<FilelistsPackage, ScanSummary, undefined> {
  return iterateRecords(source, FILELISTS_VOCABULARY, new FilelistsSink());
}

/** As parseFilelists, with a callback per package (awaited when it returns a promise). */
export function scanFilelists(
  source: Source, onPackage: (pkg: FilelistsPackage) => void | Promise<void>,
): Promise<ScanSummary> {
  return eachRecord(source, FILELISTS_VOCABULARY, new FilelistsSink(), onPackage);
}

/** Parses stored <package> snippets of filelists.xml. */
export function parseFilelistsSnippet(xml: string): FilelistsPackage[] {
  return parseSnippet(xml, `filelists xmlns="${FILELISTS_NS}"`, FILELISTS_VOCABULARY, new FilelistsSink());
}
