// Reading mirror documents: a yum mirrorlist (one base URL a line) and a metalink (XML listing
// the URLs of repomd.xml with preferences and repomd.xml's own size and hashes).
import { SaxesParser, type SaxesTagPlain } from 'saxes';

export interface MirrorDocument {
  /** base URLs, best first, each ending in "/" */
  mirrors: string[];
  /** metalink only: what repomd.xml must be (size, hashes by repomd checksum type) */
  repomd?: { size?: number; hashes: Record<string, string> };
}

const URL_LINE = /^(https?|file):\/\/\S+$/i;
const REPOMD_SUFFIX = /repodata\/repomd\.xml$/;

export function asBaseUrl(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** A mirrorlist, a metalink, or null when the text is neither (then the URL was a base URL). */
export function parseMirrorDocument(text: string): MirrorDocument | null {
  const head = text.slice(0, 4096);
  if (/<metalink[\s>]/.test(head)) {
    const doc = parseMetalink(text);
    return doc.mirrors.length ? doc : null;
  }
  const mirrors = parseMirrorlist(text);
  return mirrors.length ? { mirrors } : null;
}

/** Base URLs of a yum mirrorlist: comment and blank lines skipped, protocols we cannot fetch ignored. */
export function parseMirrorlist(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || !URL_LINE.test(line)) continue;
    const base = asBaseUrl(line);
    if (!out.includes(base)) out.push(base);
  }
  return out;
}

interface MetalinkUrl {
  url: string;
  /** higher is better (metalink 3 `preference`; metalink 4 `priority` is inverted into it) */
  rank: number;
  order: number;
}

interface MetalinkState {
  stack: string[];
  inFile: boolean;
  fileDone: boolean;
  text: string;
  attrs: Record<string, string>;
  urls: MetalinkUrl[];
  hashes: Record<string, string>;
  size?: number;
}

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

/** Metalink 3.0 (MirrorManager) and 4.0 (RFC 5854): the repomd.xml URLs turned into base URLs. */
export function parseMetalink(xml: string): MirrorDocument {
  const st: MetalinkState = { stack: [], inFile: false, fileDone: false, text: '', attrs: {}, urls: [], hashes: {} };
  const parser = new SaxesParser({ position: false });
  parser.on('doctype', () => {
    throw new Error('metalink: DOCTYPE is not allowed');
  });
  parser.on('opentag', (tag) => openTag(st, tag as SaxesTagPlain));
  parser.on('text', (t) => (st.text += t));
  parser.on('closetag', (tag) => closeTag(st, localName(tag.name)));
  parser.write(xml).close();
  const mirrors: string[] = [];
  for (const u of st.urls.sort((a, b) => b.rank - a.rank || a.order - b.order)) {
    if (!URL_LINE.test(u.url) || !REPOMD_SUFFIX.test(u.url)) continue;
    const base = u.url.replace(REPOMD_SUFFIX, '');
    if (!mirrors.includes(base)) mirrors.push(base);
  }
  const repomd = st.size !== undefined ? { size: st.size, hashes: st.hashes } : { hashes: st.hashes };
  return { mirrors, repomd };
}

function openTag(st: MetalinkState, tag: SaxesTagPlain): void {
  const name = localName(tag.name);
  st.stack.push(name);
  st.text = '';
  st.attrs = tag.attributes;
  // only the first <file> (there is one, repomd.xml, in yum metalinks) is read
  if (name === 'file' && !st.fileDone && (tag.attributes['name'] ?? 'repomd.xml') === 'repomd.xml') st.inFile = true;
}

function closeTag(st: MetalinkState, name: string): void {
  const parent = st.stack[st.stack.length - 2];
  const text = st.text.trim();
  if (st.inFile) {
    if (name === 'url') {
      const pref = Number(st.attrs['preference']);
      const prio = Number(st.attrs['priority']);
      const rank = Number.isFinite(pref) ? pref : Number.isFinite(prio) ? -prio : 0;
      st.urls.push({ url: text, rank, order: st.urls.length });
    } else if (name === 'hash' && (parent === 'verification' || parent === 'file') && st.attrs['type']) {
      st.hashes[st.attrs['type'].toLowerCase().replace(/^sha-/, 'sha')] = text.toLowerCase();
    } else if (name === 'size' && parent === 'file' && /^\d+$/.test(text)) {
      st.size = Number(text);
    } else if (name === 'file') {
      st.inFile = false;
      st.fileDone = true;
    }
  }
  st.stack.pop();
  st.text = '';
}
