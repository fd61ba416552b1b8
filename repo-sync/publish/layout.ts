// Where a channel's published repodata lives and how a new revision replaces the old one:
// <data-dir>/repodata/<channel id>/r<revision>/ holds repomd.xml and the data files, `current`
// is a symlink to the live one, swapped by rename(2); the previous revision stays for clients
// that fetched the old repomd.xml and are still downloading, older ones are removed.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, readlink, realpath, rename, rm, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { readRepomd, type RepodataFile } from './repomd.js';

export const CURRENT = 'current';
const REVISION_DIR = /^r(\d+)(?:\.(\d+))?$/;
const STAGING_PREFIX = '.tmp-';
/** the fixed repodata names Spacewalk published (client-protocol.md 5.1) */
const FIXED_NAMES = new Set(['primary.xml.gz', 'filelists.xml.gz', 'other.xml.gz', 'updateinfo.xml.gz', 'comps.xml', 'comps.xml.gz', 'modules.yaml.gz']);

export function channelRepodataRoot(dataDir: string, channelId: number): string {
  return join(dataDir, 'repodata', String(channelId));
}

export interface PublishedRevision {
  /** real directory holding repomd.xml and the files it lists */
  dir: string;
  /** the <revision> of repomd.xml: the channel revision the files describe */
  revision: number;
  files: RepodataFile[];
}

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

/** The live revision if `current` points at a complete one (repomd.xml and every file it lists). */
export async function readCurrent(root: string): Promise<PublishedRevision | null> {
  let dir: string;
  try {
    dir = await realpath(join(root, CURRENT));
  } catch {
    return null;
  }
  const xml = await readFile(join(dir, 'repomd.xml'), 'utf8').catch(() => null);
  if (xml === null) return null;
  const { revision, files } = readRepomd(xml);
  for (const f of files) {
    const st = await stat(join(dir, f.file)).catch(() => null);
    if (!st || st.size !== f.size) return null;
  }
  if (!/^\d+$/.test(revision)) return null;
  return { dir, revision: Number(revision), files };
}

/** A fresh, empty directory beside the revisions (same file system, so rename is atomic). */
export async function makeStaging(root: string): Promise<string> {
  await mkdir(root, { recursive: true });
  const dir = join(root, `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(dir);
  return dir;
}

async function freeRevisionName(root: string, revision: number): Promise<string> {
  for (let n = 0; ; n++) {
    const name = n === 0 ? `r${revision}` : `r${revision}.${n}`;
    if (!(await exists(join(root, name)))) return name;
  }
}

/**
 * Moves a staged revision into place and points `current` at it; then removes every revision
 * but the new one and the one `current` pointed at before, and any stale staging directory.
 * Callers hold the channel's publish lock. Returns the new revision's directory.
 */
export async function swapIn(root: string, staging: string, revision: number): Promise<string> {
  const previous = await readlink(join(root, CURRENT)).catch(() => null);
  const name = await freeRevisionName(root, revision);
  await rename(staging, join(root, name));
  const link = join(root, `${STAGING_PREFIX}link-${randomBytes(4).toString('hex')}`);
  await symlink(name, link);
  await rename(link, join(root, CURRENT));
  await prune(root, new Set([name, previous ?? '']));
  return join(root, name);
}

async function prune(root: string, keep: Set<string>): Promise<void> {
  for (const entry of await readdir(root)) {
    if (entry === CURRENT || keep.has(entry)) continue;
    if (REVISION_DIR.test(entry) || entry.startsWith(STAGING_PREFIX)) await rm(join(root, entry), { recursive: true, force: true });
  }
}

/** Removes a staging directory after a failed publish. */
export async function discardStaging(staging: string): Promise<void> {
  await rm(staging, { recursive: true, force: true });
}

/**
 * The directory holding the channel's live repodata (repomd.xml and the files it lists), or
 * null before the first publish. The path is the revision's own directory, not `current`, so a
 * reader that resolved it keeps reading one consistent revision across the next swap.
 */
export async function publishedRepodataPath(dataDir: string, channel: { id: number }): Promise<string | null> {
  return (await readCurrent(channelRepodataRoot(dataDir, channel.id)))?.dir ?? null;
}

/**
 * A repodata file by name, for GET-REQ: repomd.xml from the live revision; data files (their
 * names carry their sha256) from the live revision or the kept previous one, so a client that
 * read the old repomd.xml just before a swap still gets its files; Spacewalk's fixed names
 * (primary.xml.gz, ...) from the live revision. Null when absent or unsafe.
 */
export async function findPublishedFile(dataDir: string, channel: { id: number }, name: string): Promise<string | null> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(name)) return null;
  const root = channelRepodataRoot(dataDir, channel.id);
  const live = await realpath(join(root, CURRENT)).catch(() => null);
  if (live && (await exists(join(live, name)))) return join(live, name);
  if (name === 'repomd.xml') return null;
  // Spacewalk's own repomd.xml named its files without a checksum (repodata/primary.xml.gz);
  // tools and caches that ask for those names get the live revision's file of that name.
  if (live && FIXED_NAMES.has(name)) {
    const match = (await readdir(live).catch(() => [] as string[])).find((f) => f.length === 65 + name.length && f.endsWith(`-${name}`) && /^[0-9a-f]{64}-/.test(f));
    if (match) return join(live, match);
  }
  const others = (await readdir(root).catch(() => [] as string[])).filter((e) => REVISION_DIR.test(e));
  for (const dir of others) {
    const path = join(root, dir, name);
    if (await exists(path)) return path;
  }
  return null;
}
