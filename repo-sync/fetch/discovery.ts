// Finding a repository's mirrors: its URL may be a base URL, a yum mirrorlist or a metalink, as
// Spacewalk's content sources allow. The URL is read once: a list of URLs or a metalink gives
// mirrors; anything else (a directory listing, 404) means the URL is the base URL itself.
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { hashAlgorithm, type Expectation } from './checksum.js';
import { FetchError } from './errors.js';
import { asBaseUrl, parseMirrorDocument, type MirrorDocument } from './mirrors.js';
import { parseRepoUrl } from './urls.js';

export interface MirrorState {
  mirrors: string[];
  /**
   * The URL was taken as the base URL without reading it (it does not look like a mirror
   * document): if repodata/repomd.xml is not found below it, the URL is read as one after all.
   */
  tentative?: boolean;
  /** index of the mirror that last delivered a file (tried first next time) */
  preferred: number;
  /** from a metalink: what repodata/repomd.xml must be */
  repomd?: Expectation;
}

/** Mirror documents are small; a bigger body at the URL is a file, not a list of mirrors. */
const MAX_DOCUMENT = 1024 * 1024;

export type Probe = (url: URL, maxBytes: number) => Promise<Buffer>;

/** mirrorlist.centos.org/?release=..., .../metalink?repo=..., .../mirrorlist.txt: read these first. */
export function looksLikeMirrorDocument(raw: string): boolean {
  const url = parseRepoUrl(raw);
  return url.search !== '' || /mirror|metalink/i.test(url.pathname);
}

/**
 * A plain-looking URL is used as the base URL straight away (most repositories: no extra
 * request per sync); one that looks like a mirror document is read first.
 */
export async function initialMirrors(raw: string, probe: Probe): Promise<MirrorState> {
  if (looksLikeMirrorDocument(raw)) return discoverMirrors(raw, probe);
  return { mirrors: [asBaseUrl(parseRepoUrl(raw).href)], preferred: 0, tentative: true };
}

export async function discoverMirrors(raw: string, probe: Probe): Promise<MirrorState> {
  const url = parseRepoUrl(raw);
  const body = url.protocol === 'file:' ? await readLocal(url) : await readRemote(url, probe);
  const doc = body ? parseMirrorDocument(body.toString('utf8')) : null;
  if (!doc) return { mirrors: [asBaseUrl(url.href)], preferred: 0 };
  const repomd = doc.repomd ? repomdExpectation(doc.repomd) : undefined;
  return repomd ? { mirrors: doc.mirrors, preferred: 0, repomd } : { mirrors: doc.mirrors, preferred: 0 };
}

async function readLocal(url: URL): Promise<Buffer | null> {
  try {
    const path = fileURLToPath(url);
    const st = await stat(path);
    return st.isFile() && st.size <= MAX_DOCUMENT ? await readFile(path) : null;
  } catch {
    return null; // missing: fetching repomd.xml below it will say so
  }
}

async function readRemote(url: URL, probe: Probe): Promise<Buffer | null> {
  try {
    return await probe(url, MAX_DOCUMENT);
  } catch (e) {
    // an HTTP error status or an oversized body: the URL is no mirror document (many servers
    // refuse directory listings); an unreachable host, a TLS failure or a proxy refusing us
    // stops the sync here
    if (e instanceof FetchError && ((e.kind === 'http' && e.status !== 407) || e.kind === 'size')) return null;
    throw e;
  }
}

/** The strongest hash the metalink gives for repomd.xml. */
function repomdExpectation(repomd: NonNullable<MirrorDocument['repomd']>): Expectation | undefined {
  for (const type of ['sha512', 'sha384', 'sha256', 'sha1', 'md5']) {
    const checksum = repomd.hashes[type];
    if (checksum && hashAlgorithm(type)) return { checksumType: type, checksum, size: repomd.size ?? null };
  }
  return repomd.size !== undefined ? { size: repomd.size } : undefined;
}
