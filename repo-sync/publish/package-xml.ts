// The package documents of published repodata (primary, filelists, other): their root
// elements as createrepo_c writes them, each stored <package> snippet with its <location>
// pointed at getPackage/<file>, and minimal elements for packages stored without a snippet.
import type { PublishPackageRow } from '../../channels/index.js';

export type PackageDocument = 'primary' | 'filelists' | 'other';

const ROOTS: Record<PackageDocument, { tag: string; ns: string }> = {
  primary: { tag: 'metadata', ns: 'xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm"' },
  filelists: { tag: 'filelists', ns: 'xmlns="http://linux.duke.edu/metadata/filelists"' },
  other: { tag: 'otherdata', ns: 'xmlns="http://linux.duke.edu/metadata/other"' },
};

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

// libxml2's escaping (what createrepo_c produces) for text nodes and attribute values.
const TEXT_ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
const ATTR_ESC: Record<string, string> = { ...TEXT_ESC, '"': '&quot;', '\n': '&#10;', '\t': '&#9;' };
export const escapeText = (s: string): string => s.replace(/[&<>\r]/g, (c) => TEXT_ESC[c]!);
export const escapeAttr = (s: string): string => s.replace(/[&<>"\r\n\t]/g, (c) => ATTR_ESC[c]!);

export function documentHead(doc: PackageDocument, packages: number): string {
  const r = ROOTS[doc];
  return `${XML_DECLARATION}<${r.tag} ${r.ns} packages="${packages}">\n`;
}

export function documentTail(doc: PackageDocument): string {
  return `</${ROOTS[doc].tag}>\n`;
}

/** The href every published package gets (client-protocol.md §5: GET-REQ serves getPackage/<file>). */
export const packageHref = (filename: string): string => `getPackage/${filename}`;

/** Index just past the start tag beginning at `from` ('>' outside quoted attribute values). */
function startTagEnd(xml: string, from: number): number {
  let quote = '';
  for (let i = from; i < xml.length; i++) {
    const c = xml[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return i + 1;
    }
  }
  return -1;
}

function findLocation(xml: string): number {
  let at = xml.indexOf('<location');
  while (at >= 0) {
    const next = xml.charCodeAt(at + 9);
    // '<location' followed by whitespace, '/' or '>' (not some <locationFoo>)
    if (next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d || next === 0x2f || next === 0x3e) return at;
    at = xml.indexOf('<location', at + 9);
  }
  return -1;
}

/**
 * The primary <package> snippet with its <location> replaced by one pointing at
 * getPackage/<filename> (xml:base dropped: the package comes from this server, not upstream).
 */
export function rewriteLocation(xml: string, filename: string): string {
  const location = `<location href="${escapeAttr(packageHref(filename))}"/>`;
  const start = findLocation(xml);
  if (start < 0) {
    // No location at all (never written by createrepo_c): put one where it belongs.
    const format = xml.indexOf('<format');
    const at = format >= 0 ? format : xml.lastIndexOf('</package>');
    if (at < 0) throw new Error('stored primary snippet is not a <package> element');
    return `${xml.slice(0, at)}${location}\n  ${xml.slice(at)}`;
  }
  let end = startTagEnd(xml, start);
  if (end < 0) throw new Error('stored primary snippet has an unterminated <location>');
  if (xml.charCodeAt(end - 2) !== 0x2f) {
    const close = xml.indexOf('</location>', end);
    if (close < 0) throw new Error('stored primary snippet has an unclosed <location>');
    end = close + '</location>'.length;
  }
  return xml.slice(0, start) + location + xml.slice(end);
}

const withNewline = (s: string): string => (s.endsWith('\n') ? s : `${s}\n`);

function idAttrs(p: PublishPackageRow): string {
  return `pkgid="${escapeAttr(p.checksum)}" name="${escapeAttr(p.name)}" arch="${escapeAttr(p.arch)}"`;
}

function versionElement(p: PublishPackageRow): string {
  return `  <version epoch="${escapeAttr(p.epoch || '0')}" ver="${escapeAttr(p.version)}" rel="${escapeAttr(p.release)}"/>\n`;
}

/** filelists/other element for a package imported without one: identity only, no files or changelog. */
export function minimalElement(p: PublishPackageRow): string {
  return `<package ${idAttrs(p)}>\n${versionElement(p)}</package>\n`;
}

export interface PackageEntries {
  primary: string;
  filelists: string;
  other: string;
}

/** The three elements one package contributes, newline-terminated. */
export function packageEntries(p: PublishPackageRow): PackageEntries {
  if (p.primaryXml === null) throw new Error(`package ${p.id} (${p.filename}) has no stored primary.xml snippet`);
  return {
    primary: withNewline(rewriteLocation(p.primaryXml, p.filename)),
    filelists: p.filelistsXml ? withNewline(p.filelistsXml) : minimalElement(p),
    other: p.otherXml ? withNewline(p.otherXml) : minimalElement(p),
  };
}
