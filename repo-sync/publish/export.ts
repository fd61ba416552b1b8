// Exports a channel as a plain yum repository folder: OUTDIR/repodata/ (the published files)
// and OUTDIR/getPackage/<file> (package files from the blob store, fetched first when an
// on_demand repository has not downloaded them), so `dnf` can use it as a file:// repo.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore, Channel, Package, Stores } from '../../channels/index.js';
import { publishChannel, type PublishResult } from './publish-channel.js';

/** Makes sure the package's file is in the blob store; resolves to its sha256 there. */
export type EnsurePackageFile = (pkg: Package) => Promise<string>;

export class PackageNotDownloaded extends Error {
  override readonly name = 'PackageNotDownloaded';
}

/** Some package files could not be exported (the repodata was left as it was). */
export class ExportIncomplete extends Error {
  override readonly name = 'ExportIncomplete';
}

/** The default until sync provides downloads: a package without a blob cannot be exported. */
export const notDownloadedYet: EnsurePackageFile = async (pkg) => {
  throw new PackageNotDownloaded(`${pkg.filename} is not downloaded yet (its repository syncs on_demand); sync with the immediate policy or export with --metadata-only`);
};

export interface ExportOptions {
  metadataOnly?: boolean;
  ensurePackageFile?: EnsurePackageFile;
  /** copies in flight at once */
  concurrency?: number;
}

export interface ExportResult {
  publish: PublishResult;
  outDir: string;
  repodataFiles: number;
  packagesCopied: number;
  bytesCopied: number;
  /** packages whose file ensurePackageFile had to provide */
  fetched: number;
  /** package files left out because another package of the channel has the same file name */
  duplicateNames: string[];
}

const FILE_NAME = /^[^/\0]+$/;
const tmpName = (): string => `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;

async function copyInto(src: string, dir: string, name: string): Promise<number> {
  const tmp = join(dir, `${tmpName()}-${name}`);
  await copyFile(src, tmp, constants.COPYFILE_FICLONE);
  await rename(tmp, join(dir, name));
  return (await stat(join(dir, name))).size;
}

/** Copies the published revision into OUTDIR/repodata, replacing what was there. */
async function copyRepodata(publish: PublishResult, outDir: string): Promise<number> {
  const staging = join(outDir, tmpName());
  await mkdir(staging, { recursive: true });
  try {
    for (const name of ['repomd.xml', ...publish.files.map((f) => f.file)]) await copyFile(join(publish.dir, name), join(staging, name));
    const target = join(outDir, 'repodata');
    const old = join(outDir, `${tmpName()}-old`);
    await rename(target, old).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await rename(staging, target);
    await rm(old, { recursive: true, force: true });
    return publish.files.length + 1;
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

interface PackageCopy {
  copied: number;
  bytes: number;
  fetched: number;
  duplicates: string[];
}

async function copyPackages(stores: Stores, blobs: BlobStore, channelId: number, outDir: string, opts: ExportOptions): Promise<PackageCopy> {
  const ensure = opts.ensurePackageFile ?? notDownloadedYet;
  const dir = join(outDir, 'getPackage');
  await mkdir(dir, { recursive: true });
  const rows = await stores.publish.packageFiles(channelId);
  const seen = new Set<string>();
  const out: PackageCopy = { copied: 0, bytes: 0, fetched: 0, duplicates: [] };
  const failures: string[] = [];
  const work: typeof rows = [];
  for (const r of rows) {
    if (!FILE_NAME.test(r.filename) || r.filename === '.' || r.filename === '..') throw new Error(`package ${r.id} has an unusable file name: ${JSON.stringify(r.filename)}`);
    if (seen.has(r.filename)) out.duplicates.push(r.filename);
    else work.push(r);
    seen.add(r.filename);
  }
  const one = async (r: (typeof rows)[number]): Promise<void> => {
    let sha = r.blobSha256;
    if (!sha || !blobs.has(sha)) {
      const [pkg] = await stores.packages.getMany([r.id]);
      sha = await ensure(pkg!);
      out.fetched++;
    }
    out.bytes += await copyInto(blobs.pathOf(sha), dir, r.filename);
    out.copied++;
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < work.length) {
      const r = work[next++]!;
      await one(r).catch((err: Error) => failures.push(err.message));
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, worker));
  if (failures.length > 0) {
    throw new ExportIncomplete(`${failures.length} of ${work.length} package file(s) could not be exported; first: ${failures[0]}`);
  }
  return out;
}

/**
 * Publishes the channel if needed, then writes OUTDIR/getPackage/ (the channel's packages) and
 * OUTDIR/repodata/ last, so a client never sees metadata for files not there yet. Safe while
 * the server runs.
 */
export async function exportChannel(stores: Stores, blobs: BlobStore, dataDir: string, channel: Pick<Channel, 'id'>, outDir: string, opts: ExportOptions = {}): Promise<ExportResult> {
  await mkdir(outDir, { recursive: true });
  let publish = await publishChannel(stores, dataDir, channel.id);
  const pkgs = opts.metadataOnly ? { copied: 0, bytes: 0, fetched: 0, duplicates: [] } : await copyPackages(stores, blobs, channel.id, outDir, opts);
  let repodataFiles: number;
  try {
    repodataFiles = await copyRepodata(publish, outDir);
  } catch (err) {
    // Two newer revisions were swapped in while we copied (the files we read are gone): once more.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    publish = await publishChannel(stores, dataDir, channel.id);
    repodataFiles = await copyRepodata(publish, outDir);
  }
  return {
    publish,
    outDir,
    repodataFiles,
    packagesCopied: pkgs.copied,
    bytesCopied: pkgs.bytes,
    fetched: pkgs.fetched,
    duplicateNames: pkgs.duplicates,
  };
}
