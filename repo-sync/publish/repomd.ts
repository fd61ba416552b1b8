// repomd.xml of a published channel: one <data> per file, always sha256 (whatever the channel's
// checksum label says), in createrepo_c's layout; and the reverse, reading one back.
import { escapeAttr, escapeText, XML_DECLARATION } from './package-xml.js';

/** One file of published repodata, as repomd.xml describes it. */
export interface RepodataFile {
  /** repomd data type: primary, filelists, other, updateinfo, group, group_gz, modules */
  type: string;
  /** file name inside the repodata folder: "<sha256>-primary.xml.gz" */
  file: string;
  /** sha256 of the file as stored */
  checksum: string;
  size: number;
  /** sha256 and size of the decompressed content; null for files stored uncompressed */
  openChecksum: string | null;
  openSize: number | null;
  timestamp: number;
}

/** Order of <data> elements (createrepo_c's, with modifyrepo_c's additions after). */
const ORDER = ['primary', 'filelists', 'other', 'group', 'group_gz', 'modules', 'updateinfo'];
const rank = (type: string): number => (ORDER.includes(type) ? ORDER.indexOf(type) : ORDER.length);

/** Files in the order repomd.xml lists them. */
export function inRepomdOrder(files: readonly RepodataFile[]): RepodataFile[] {
  return [...files].sort((a, b) => rank(a.type) - rank(b.type) || a.type.localeCompare(b.type));
}

function dataElement(f: RepodataFile): string {
  return (
    `  <data type="${escapeAttr(f.type)}">\n` +
    `    <checksum type="sha256">${f.checksum}</checksum>\n` +
    (f.openChecksum ? `    <open-checksum type="sha256">${f.openChecksum}</open-checksum>\n` : '') +
    `    <location href="repodata/${escapeAttr(f.file)}"/>\n` +
    `    <timestamp>${f.timestamp}</timestamp>\n` +
    `    <size>${f.size}</size>\n` +
    (f.openSize !== null ? `    <open-size>${f.openSize}</open-size>\n` : '') +
    '  </data>\n'
  );
}

export function repomdXml(revision: number, files: readonly RepodataFile[]): string {
  return (
    XML_DECLARATION +
    '<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">\n' +
    `  <revision>${escapeText(String(revision))}</revision>\n` +
    inRepomdOrder(files).map(dataElement).join('') +
    '</repomd>\n'
  );
}

const DATA_RE = /<data type="([^"]+)">([\s\S]*?)<\/data>/g;
const field = (block: string, re: RegExp): string | null => re.exec(block)?.[1] ?? null;

/** The files a repomd.xml written by repomdXml lists (not a general repomd parser). */
export function readRepomd(xml: string): { revision: string; files: RepodataFile[] } {
  const files: RepodataFile[] = [];
  for (const m of xml.matchAll(DATA_RE)) {
    const block = m[2]!;
    const openSize = field(block, /<open-size>(\d+)<\/open-size>/);
    files.push({
      type: m[1]!,
      file: field(block, /<location href="repodata\/([^"]+)"/) ?? '',
      checksum: field(block, /<checksum type="sha256">([0-9a-f]+)</) ?? '',
      size: Number(field(block, /<size>(\d+)<\/size>/) ?? 0),
      openChecksum: field(block, /<open-checksum type="sha256">([0-9a-f]+)</),
      openSize: openSize === null ? null : Number(openSize),
      timestamp: Number(field(block, /<timestamp>(\d+)<\/timestamp>/) ?? 0),
    });
  }
  return { revision: field(xml, /<revision>([^<]*)<\/revision>/) ?? '', files };
}
