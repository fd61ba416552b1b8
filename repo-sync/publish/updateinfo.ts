// updateinfo.xml from Skylab's errata, laid out as createrepo_c writes it (formats.md): what
// yum-plugin-security and dnf updateinfo read to offer --security, --bz, --cve and severities.
import type { PublishErratum, PublishErratumPackage } from '../../channels/index.js';
import { escapeAttr, escapeText, XML_DECLARATION } from './package-xml.js';

/** Spacewalk's advisory types as updateinfo's `type` attribute. */
const UPDATE_TYPES: Record<string, string> = {
  'Security Advisory': 'security',
  'Bug Fix Advisory': 'bugfix',
  'Product Enhancement Advisory': 'enhancement',
};

export function updateType(advisoryType: string): string {
  const t = UPDATE_TYPES[advisoryType];
  if (t) return t;
  // A type kept as upstream wrote it (newpackage, security, ...) passes through.
  return /^[a-z]+$/.test(advisoryType) ? advisoryType : 'enhancement';
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** "YYYY-MM-DD HH:MM:SS" in UTC, the form createrepo_c writes and every client reads. */
export function updateDate(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export const UPDATEINFO_HEAD = `${XML_DECLARATION}<updates>\n`;
export const UPDATEINFO_TAIL = '</updates>\n';
/** The whole document when the channel has no errata (createrepo_c's form). */
export const UPDATEINFO_EMPTY = `${XML_DECLARATION}<updates/>\n`;

export interface CollectionInfo {
  /** the collection's `short` attribute: the channel label */
  short: string;
  /** the collection's <name>: the channel name */
  name: string;
}

const el = (indent: string, tag: string, value: string): string => `${indent}<${tag}>${escapeText(value)}</${tag}>\n`;
const optEl = (indent: string, tag: string, value: string | null): string => (value ? el(indent, tag, value) : '');

export const CVE_URL = 'https://www.cve.org/CVERecord?id=';

function reference(type: string, id: string, href: string, title: string): string {
  const attrs = [href && `href="${escapeAttr(href)}"`, id && `id="${escapeAttr(id)}"`, `type="${escapeAttr(type)}"`, title && `title="${escapeAttr(title)}"`];
  return `      <reference ${attrs.filter(Boolean).join(' ')}/>\n`;
}

function references(e: PublishErratum): string {
  const refs = [
    ...e.bugs.map((b) => reference('bugzilla', String(b.id), b.url, b.summary)),
    ...e.cves.map((c) => reference('cve', c, CVE_URL + encodeURIComponent(c), c)),
    ...e.refs.map((r) => reference(r.type, r.id, r.href, r.title)),
  ];
  return refs.length ? `    <references>\n${refs.join('')}    </references>\n` : '    <references/>\n';
}

function moduleElement(module: string | null): string {
  const parts = module?.split(':');
  if (!parts || parts.length !== 5) return '';
  const [name, stream, version, context, arch] = parts.map((p) => escapeAttr(p));
  return `        <module name="${name}" stream="${stream}" version="${version}" context="${context}" arch="${arch}"/>\n`;
}

function packageElement(p: PublishErratumPackage, reboot: boolean): string {
  const attrs = `name="${escapeAttr(p.name)}" version="${escapeAttr(p.version)}" release="${escapeAttr(p.release)}" epoch="${escapeAttr(p.epoch || '0')}" arch="${escapeAttr(p.arch)}" src="${escapeAttr(p.sourceRpm)}"`;
  return (
    `        <package ${attrs}>\n` +
    el('          ', 'filename', p.filename) +
    `          <sum type="${escapeAttr(p.checksumType)}">${escapeText(p.checksum)}</sum>\n` +
    (reboot ? '          <reboot_suggested>True</reboot_suggested>\n' : '') +
    '        </package>\n'
  );
}

/** One collection per module stream (and one for packages outside modules), as RHEL writes them. */
function pkglist(e: PublishErratum, c: CollectionInfo, reboot: boolean): string {
  if (e.packages.length === 0) return '    <pkglist/>\n';
  const byModule = new Map<string, PublishErratumPackage[]>();
  for (const p of e.packages) {
    const key = moduleElement(p.module) ? p.module! : '';
    const list = byModule.get(key);
    if (list) list.push(p);
    else byModule.set(key, [p]);
  }
  let out = '    <pkglist>\n';
  for (const [module, pkgs] of byModule) {
    const short = module ? `${c.short}__${module.split(':').slice(0, 2).join('_')}` : c.short;
    out += `      <collection short="${escapeAttr(short)}">\n${el('        ', 'name', c.name)}${moduleElement(module || null)}`;
    out += pkgs.map((p) => packageElement(p, reboot)).join('');
    out += '      </collection>\n';
  }
  return `${out}    </pkglist>\n`;
}

export function isRebootSuggested(e: PublishErratum): boolean {
  return e.rebootSuggested || e.keywords.some((k) => k.toLowerCase() === 'reboot_suggested');
}

/** The <update> element of one erratum, newline-terminated. */
export function updateElement(e: PublishErratum, c: CollectionInfo): string {
  const reboot = isRebootSuggested(e);
  const attrs = [
    e.errataFrom && `from="${escapeAttr(e.errataFrom)}"`,
    `status="${escapeAttr(e.status || 'final')}"`,
    `type="${updateType(e.advisoryType)}"`,
    `version="${escapeAttr(e.version || String(e.advisoryRelease))}"`,
  ];
  return (
    `  <update ${attrs.filter(Boolean).join(' ')}>\n` +
    el('    ', 'id', e.advisoryName) +
    el('    ', 'title', e.synopsis) +
    `    <issued date="${updateDate(e.issueDate)}"/>\n` +
    `    <updated date="${updateDate(e.updateDate)}"/>\n` +
    optEl('    ', 'rights', e.rights) +
    optEl('    ', 'release', e.product) +
    optEl('    ', 'pushcount', e.pushcount) +
    optEl('    ', 'severity', e.severity) +
    optEl('    ', 'summary', e.topic) +
    optEl('    ', 'description', e.description) +
    optEl('    ', 'solution', e.solution) +
    (reboot ? '    <reboot_suggested>True</reboot_suggested>\n' : '') +
    references(e) +
    pkglist(e, c, reboot) +
    '  </update>\n'
  );
}
