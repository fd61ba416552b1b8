// Owns the other.xml vocabulary: each <package pkgid name arch> with its version and changelog
// entries, plus the element's exact source text for republishing.
import { type ScanSummary, RecordSink, eachRecord, iterateRecords, parseSnippet } from './document.js';
import { packageAttributes } from './filelists.js';
import { integer } from './primary.js';
import type { Attributes, Vocabulary } from './scanner.js';

/** One <changelog author date>text</changelog>; date is seconds since the epoch. */
export interface Changelog {
  author: string;
  date: number;
  text: string;
}

/** One <package> of other.xml; absent strings are ''. epoch is kept as written. */
export interface OtherPackage {
  pkgid: string;
  name: string;
  arch: string;
  epoch: string;
  version: string;
  release: string;
  changelogs: Changelog[];
  /** The exact source text of the <package> element. */
  xml: string;
}

export const OTHER_NS = 'http://linux.duke.edu/metadata/other';

const ROOT = 0, PACKAGE = 1, VERSION = 2, CHANGELOG = 3;
const A_PACKAGES = 0, A_XMLNS = 1, A_PKGID = 2, A_NAME = 3, A_ARCH = 4, A_EPOCH = 5, A_VER = 6,
  A_REL = 7, A_AUTHOR = 8, A_DATE = 9;

export const OTHER_VOCABULARY: Vocabulary = {
  root: 'otherdata',
  record: 'package',
  elements: ['otherdata', 'package', 'version', 'changelog'],
  textElements: ['changelog'],
  attributes: ['packages', 'xmlns', 'pkgid', 'name', 'arch', 'epoch', 'ver', 'rel', 'author', 'date'],
};

class OtherRecord implements OtherPackage {
  pkgid = ''; name = ''; arch = ''; epoch = ''; version = ''; release = '';
  changelogs: Changelog[] = [];
  xml = '';
}

class OtherSink extends RecordSink<OtherPackage> {
  private pkg = new OtherRecord();
  private hasVersion = false;
  private author = '';
  private date = 0;

  open(id: number, parent: number, a: Attributes): boolean {
    switch (id) {
      case CHANGELOG:
        if (parent !== PACKAGE) return false;
        this.author = a[A_AUTHOR] ?? '';
        this.date = integer(a[A_DATE], 'date');
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
        this.pkg = new OtherRecord();
        this.hasVersion = false;
        packageAttributes(this.pkg, a, A_PKGID, A_NAME, A_ARCH);
        return true;
      default:
        if (parent !== -1) return false;
        this.root(a[A_PACKAGES], a[A_XMLNS], OTHER_NS);
        return true;
    }
  }

  close(id: number, text: string): void {
    if (id === CHANGELOG) this.pkg.changelogs.push({ author: this.author, date: this.date, text });
  }

  record(xml: string): void {
    this.pkg.xml = xml;
    this.out.push(this.pkg);
  }
}

type Source = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Streams the packages of an other.xml document; see parsePrimary for the guarantees. */
export function parseOther(source: Source): AsyncGenerator<OtherPackage, ScanSummary, undefined> {
  return iterateRecords(source, OTHER_VOCABULARY, new OtherSink());
}

/** As parseOther, with a callback per package (awaited when it returns a promise). */
export function scanOther(
  source: Source, onPackage: (pkg: OtherPackage) => void | Promise<void>,
): Promise<ScanSummary> {
  return eachRecord(source, OTHER_VOCABULARY, new OtherSink(), onPackage);
}

/** Parses stored <package> snippets of other.xml. */
export function parseOtherSnippet(xml: string): OtherPackage[] {
  return parseSnippet(xml, `otherdata xmlns="${OTHER_NS}"`, OTHER_VOCABULARY, new OtherSink());
}
