// Per-package XML snippets exactly as createrepo_c writes them into primary.xml,
// filelists.xml and other.xml (element order, escaping, indentation, trailing newline), so a
// channel's repodata can be assembled from stored snippets without re-reading packages.

import { isPrimaryFile, repodataDeps, type RepoDep, type RepoDeps } from './repodata-deps.js';
import type { RpmChangelogEntry, RpmFile, RpmPackage } from './types.js';

/** createrepo_c's default --changelog-limit. */
export const DEFAULT_CHANGELOG_LIMIT = 10;

export interface PackageFileFacts {
  /** Hex sha256 of the .rpm file: the pkgid. */
  sha256: string;
  /** File size in bytes. */
  size: number;
  /** File modification time, seconds since the epoch. */
  mtime: number;
  /** location href, e.g. 'Packages/f/foo-1.0-1.noarch.rpm'. */
  href: string;
  /** Optional location xml:base; a bare path gets createrepo_c's file:// prefix. */
  base?: string;
}

export interface SnippetOptions {
  /** Newest changelog entries to keep in other.xml; -1 keeps all. Default 10. */
  changelogLimit?: number;
}

export interface PackageSnippets {
  primary: string;
  filelists: string;
  other: string;
}

/** createrepo_c refuses a package whose text holds C0 control characters other than tab/LF/CR. */
export class UnrepresentablePackageError extends Error {
  override readonly name = 'UnrepresentablePackageError';
}

// libxml2's escaping for text nodes and for attribute values.
const TEXT_ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
const ATTR_ESC: Record<string, string> = { ...TEXT_ESC, '"': '&quot;', '\n': '&#10;', '\t': '&#9;' };
const text = (s: string): string => s.replace(/[&<>\r]/g, (c) => TEXT_ESC[c]!);
const attr = (s: string): string => s.replace(/[&<>"\r\n\t]/g, (c) => ATTR_ESC[c]!);
const el = (indent: string, tag: string, value: string): string => `${indent}<${tag}>${text(value)}</${tag}>\n`;
const version = (p: RpmPackage): string =>
  `  <version epoch="${attr(p.epoch || '0')}" ver="${attr(p.version)}" rel="${attr(p.release)}"/>\n`;

const FORBIDDEN = /[\x00-\x08\x0b\x0c\x0e-\x1f]/;

interface Prepared {
  deps: RepoDeps;
  changelog: RpmChangelogEntry[];
}

// createrepo_c checks the values it is about to write (the filtered deps, the kept changelog
// entries), so a control character in a dropped rpmlib() require does not count.
function checkControlChars(pkg: RpmPackage, facts: PackageFileFacts, p: Prepared): void {
  const fields: [string, string][] = [
    ['name', pkg.name], ['arch', pkg.arch], ['version', pkg.version], ['epoch', pkg.epoch],
    ['release', pkg.release], ['summary', pkg.summary], ['description', pkg.description],
    ['url', pkg.url], ['license', pkg.license], ['vendor', pkg.vendor], ['group', pkg.group],
    ['buildhost', pkg.buildhost], ['sourcerpm', pkg.sourcerpm], ['packager', pkg.packager],
    ['location href', facts.href], ['location base', facts.base ?? ''],
  ];
  for (const list of Object.values(p.deps)) {
    for (const d of list) fields.push(['dependency', `${d.name} ${d.epoch ?? ''} ${d.ver ?? ''} ${d.rel ?? ''}`]);
  }
  for (const f of pkg.files) fields.push(['file', f.path]);
  for (const c of p.changelog) fields.push(['changelog author', c.author], ['changelog text', c.text]);
  for (const [what, value] of fields) {
    if (FORBIDDEN.test(value)) {
      throw new UnrepresentablePackageError(`${pkg.name}: ${what} contains a control character createrepo_c refuses`);
    }
  }
}

function prepare(pkg: RpmPackage, facts: PackageFileFacts, opts: SnippetOptions): Prepared {
  const p = {
    deps: repodataDeps(pkg),
    changelog: repodataChangelog(pkg.changelog, opts.changelogLimit ?? DEFAULT_CHANGELOG_LIMIT),
  };
  checkControlChars(pkg, facts, p);
  return p;
}

function fileElement(indent: string, f: RpmFile): string {
  const type = f.isDir ? ' type="dir"' : f.isGhost ? ' type="ghost"' : '';
  return `${indent}<file${type}>${text(f.path)}</file>\n`;
}

function depEntry(kind: keyof RepoDeps, d: RepoDep): string {
  let s = `      <rpm:entry name="${attr(d.name)}"`;
  if (d.flags) {
    s += ` flags="${d.flags}"`;
    if (d.epoch) s += ` epoch="${attr(d.epoch)}"`;
    if (d.ver) s += ` ver="${attr(d.ver)}"`;
    if (d.rel) s += ` rel="${attr(d.rel)}"`;
  }
  if (kind === 'requires' && d.pre) s += ' pre="1"';
  return s + '/>\n';
}

const PRIMARY_DEP_ORDER: (keyof RepoDeps)[] = [
  'provides', 'requires', 'conflicts', 'obsoletes', 'suggests', 'enhances', 'recommends', 'supplements',
];

function depBlocks(deps: RepoDeps): string {
  let out = '';
  for (const kind of PRIMARY_DEP_ORDER) {
    const list = deps[kind];
    if (list.length === 0) continue;
    const entries = list.filter((d) => d.name !== '').map((d) => depEntry(kind, d));
    out += entries.length ? `    <rpm:${kind}>\n${entries.join('')}    </rpm:${kind}>\n` : `    <rpm:${kind}/>\n`;
  }
  return out;
}

function locationElement(facts: PackageFileFacts): string {
  const base = facts.base ? ` xml:base="${attr(facts.base.startsWith('/') ? `file://${facts.base}` : facts.base)}"` : '';
  return `  <location${base} href="${attr(facts.href)}"/>\n`;
}

function writePrimary(pkg: RpmPackage, facts: PackageFileFacts, p: Prepared): string {
  return (
    '<package type="rpm">\n' +
    el('  ', 'name', pkg.name) +
    el('  ', 'arch', pkg.arch) +
    version(pkg) +
    `  <checksum type="sha256" pkgid="YES">${text(facts.sha256)}</checksum>\n` +
    el('  ', 'summary', pkg.summary) +
    el('  ', 'description', pkg.description) +
    el('  ', 'packager', pkg.packager) +
    el('  ', 'url', pkg.url) +
    `  <time file="${facts.mtime}" build="${pkg.buildtime}"/>\n` +
    `  <size package="${facts.size}" installed="${pkg.size}" archive="${pkg.archiveSize}"/>\n` +
    locationElement(facts) +
    '  <format>\n' +
    el('    ', 'rpm:license', pkg.license) +
    el('    ', 'rpm:vendor', pkg.vendor) +
    el('    ', 'rpm:group', pkg.group) +
    el('    ', 'rpm:buildhost', pkg.buildhost) +
    el('    ', 'rpm:sourcerpm', pkg.sourcerpm) +
    `    <rpm:header-range start="${pkg.headerRange.start}" end="${pkg.headerRange.end}"/>\n` +
    depBlocks(p.deps) +
    pkg.files.filter((f) => isPrimaryFile(f.path)).map((f) => fileElement('    ', f)).join('') +
    '  </format>\n' +
    '</package>\n'
  );
}

function idAttrs(pkg: RpmPackage, facts: PackageFileFacts): string {
  return `pkgid="${attr(facts.sha256)}" name="${attr(pkg.name)}" arch="${attr(pkg.arch)}"`;
}

function writeFilelists(pkg: RpmPackage, facts: PackageFileFacts): string {
  const files = pkg.files.map((f) => fileElement('  ', f)).join('');
  return `<package ${idAttrs(pkg, facts)}>\n${version(pkg)}${files}</package>\n`;
}

/**
 * The changelog entries createrepo_c keeps, oldest first: the `limit` newest header entries,
 * authors without trailing spaces, and equal times made distinct by bumping the newer ones.
 */
export function repodataChangelog(entries: RpmChangelogEntry[], limit = DEFAULT_CHANGELOG_LIMIT): RpmChangelogEntry[] {
  const kept: RpmChangelogEntry[] = [];
  let lastTime = 0;
  for (const e of entries) {
    if (!(limit > 0 || limit === -1)) break;
    let author = e.author;
    let end = author.length;
    while (end > 1 && author[end - 1] === ' ') end--;
    author = author.slice(0, end);
    kept.unshift({ time: e.time, author, text: e.text });
    if (limit !== -1) limit--;
    if (lastTime === e.time) {
      let t = e.time | 0; // createrepo_c walks with a C int
      for (let i = 1; i < kept.length && kept[i]!.time === t; i++, t++) kept[i]!.time++;
    } else {
      lastTime = e.time;
    }
  }
  return kept;
}

function writeOther(pkg: RpmPackage, facts: PackageFileFacts, p: Prepared): string {
  const changelog = p.changelog
    .map((c) => `  <changelog author="${attr(c.author)}" date="${c.time}">${text(c.text)}</changelog>\n`)
    .join('');
  return `<package ${idAttrs(pkg, facts)}>\n${version(pkg)}${changelog}</package>\n`;
}

/**
 * All three snippets at once. Throws UnrepresentablePackageError where createrepo_c would
 * refuse the package; the changelog limit takes part in that decision.
 */
export function packageSnippets(pkg: RpmPackage, facts: PackageFileFacts, opts: SnippetOptions = {}): PackageSnippets {
  const p = prepare(pkg, facts, opts);
  return { primary: writePrimary(pkg, facts, p), filelists: writeFilelists(pkg, facts), other: writeOther(pkg, facts, p) };
}

/** The `<package>` element of primary.xml, newline-terminated. */
export function primarySnippet(pkg: RpmPackage, facts: PackageFileFacts, opts: SnippetOptions = {}): string {
  return writePrimary(pkg, facts, prepare(pkg, facts, opts));
}

/** The `<package>` element of filelists.xml, newline-terminated. */
export function filelistsSnippet(pkg: RpmPackage, facts: PackageFileFacts, opts: SnippetOptions = {}): string {
  prepare(pkg, facts, opts);
  return writeFilelists(pkg, facts);
}

/** The `<package>` element of other.xml, newline-terminated. */
export function otherSnippet(pkg: RpmPackage, facts: PackageFileFacts, opts: SnippetOptions = {}): string {
  return writeOther(pkg, facts, prepare(pkg, facts, opts));
}
