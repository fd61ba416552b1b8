// Writes one revision of a channel's repodata into a directory: primary, filelists and other
// from the stored snippets (read in batches, streamed through gzip), updateinfo from the
// channel's errata, comps and modules when the last sync kept them, then repomd.xml.
import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Stores } from '../../channels/index.js';
import { GzipFileWriter, type WrittenFile } from './gzip-file.js';
import { documentHead, documentTail, packageEntries, type PackageDocument } from './package-xml.js';
import { inRepomdOrder, repomdXml, type RepodataFile } from './repomd.js';
import { UPDATEINFO_EMPTY, UPDATEINFO_HEAD, UPDATEINFO_TAIL, updateElement, type CollectionInfo } from './updateinfo.js';

/** Packages read per query: ~0.75 MB of snippets; larger batches only raise peak RSS. */
const PACKAGE_BATCH = 250;
const ERRATA_BATCH = 500;

export interface GenerateRequest {
  stores: Stores;
  channelId: number;
  /** channel label and name: the updateinfo collection's short and name */
  collection: CollectionInfo;
  revision: number;
  dir: string;
}

export interface Generated {
  files: RepodataFile[];
  packages: number;
  errata: number;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Renames a finished "<type>.part" file to createrepo_c's "<sha256>-<name>" and describes it. */
async function place(dir: string, type: string, name: string, w: WrittenFile): Promise<RepodataFile> {
  const file = `${w.checksum}-${name}`;
  await rename(w.path, join(dir, file));
  return { type, file, checksum: w.checksum, size: w.size, openChecksum: w.openChecksum, openSize: w.openSize, timestamp: nowSeconds() };
}

const DOCUMENTS: PackageDocument[] = ['primary', 'filelists', 'other'];

async function writePackageDocuments(req: GenerateRequest, ids: number[]): Promise<RepodataFile[]> {
  const writers = DOCUMENTS.map((d) => new GzipFileWriter(join(req.dir, `${d}.part`)));
  try {
    await Promise.all(writers.map((w, i) => w.write(documentHead(DOCUMENTS[i]!, ids.length))));
    for (let i = 0; i < ids.length; i += PACKAGE_BATCH) {
      const rows = await req.stores.publish.packageRows(ids.slice(i, i + PACKAGE_BATCH));
      let primary = '';
      let filelists = '';
      let other = '';
      for (const row of rows) {
        const e = packageEntries(row);
        primary += e.primary;
        filelists += e.filelists;
        other += e.other;
      }
      await Promise.all([writers[0]!.write(primary), writers[1]!.write(filelists), writers[2]!.write(other)]);
    }
    await Promise.all(writers.map((w, i) => w.write(documentTail(DOCUMENTS[i]!))));
  } catch (err) {
    for (const w of writers) w.abort();
    throw err;
  }
  const done = await Promise.all(writers.map((w) => w.finish()));
  return Promise.all(done.map((w, i) => place(req.dir, DOCUMENTS[i]!, `${DOCUMENTS[i]}.xml.gz`, w)));
}

async function writeUpdateinfo(req: GenerateRequest): Promise<{ file: RepodataFile; errata: number }> {
  const ids = await req.stores.publish.errataIds(req.channelId);
  const w = new GzipFileWriter(join(req.dir, 'updateinfo.part'));
  try {
    if (ids.length === 0) await w.write(UPDATEINFO_EMPTY);
    else await w.write(UPDATEINFO_HEAD);
    for (let i = 0; i < ids.length; i += ERRATA_BATCH) {
      const errata = await req.stores.publish.errataBatch(req.channelId, ids.slice(i, i + ERRATA_BATCH));
      await w.write(errata.map((e) => updateElement(e, req.collection)).join(''));
    }
    if (ids.length > 0) await w.write(UPDATEINFO_TAIL);
  } catch (err) {
    w.abort();
    throw err;
  }
  return { file: await place(req.dir, 'updateinfo', 'updateinfo.xml.gz', await w.finish()), errata: ids.length };
}

async function gzipped(dir: string, type: string, name: string, content: Buffer): Promise<RepodataFile> {
  const w = new GzipFileWriter(join(dir, `${type}.part`));
  await w.write(content);
  return place(dir, type, name, await w.finish());
}

/** comps as `group` (plain, as yum 3 wants it) and `group_gz`; modules as `modules` (gzip). */
async function writeChannelMetadata(req: GenerateRequest): Promise<RepodataFile[]> {
  const out: RepodataFile[] = [];
  const comps = await req.stores.sync.metadata(req.channelId, 'group');
  if (comps) {
    const sum = createHash('sha256').update(comps.content).digest('hex');
    const file = `${sum}-comps.xml`;
    await writeFile(join(req.dir, file), comps.content);
    out.push({ type: 'group', file, checksum: sum, size: comps.content.length, openChecksum: null, openSize: null, timestamp: nowSeconds() });
    out.push(await gzipped(req.dir, 'group_gz', 'comps.xml.gz', comps.content));
  }
  const modules = await req.stores.sync.metadata(req.channelId, 'modules');
  if (modules) out.push(await gzipped(req.dir, 'modules', 'modules.yaml.gz', modules.content));
  return out;
}

/** Writes every file of the revision into `req.dir` (which the caller then swaps in). */
export async function generateRepodata(req: GenerateRequest): Promise<Generated> {
  const ids = await req.stores.publish.packageIds(req.channelId);
  // The package documents compress on the thread pool while updateinfo and comps are read;
  // all three settle before the caller may remove the directory.
  const [pkgs, info, extra] = await Promise.allSettled([writePackageDocuments(req, ids), writeUpdateinfo(req), writeChannelMetadata(req)]);
  if (pkgs.status === 'rejected') throw pkgs.reason;
  if (info.status === 'rejected') throw info.reason;
  if (extra.status === 'rejected') throw extra.reason;
  const files = inRepomdOrder([...pkgs.value, info.value.file, ...extra.value]);
  await writeFile(join(req.dir, 'repomd.xml'), repomdXml(req.revision, files));
  return { files, packages: ids.length, errata: info.value.errata };
}
