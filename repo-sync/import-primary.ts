// Metadata-only import of a primary.xml(.gz) into a channel: packages are stored in batches
// (content-addressed by checksum, so a half-done import leaves only unlinked rows) and linked to
// the channel in one final transaction, so the channel changes all at once or not at all.
import { basename } from 'node:path';
import type { NewPackage, Stores } from '../channels/index.js';
import { openMetadataFile } from './metadata/source.js';
import { parsePrimary, type PrimaryPackage } from './metadata/primary.js';

export interface PrimaryImportResult {
  packages: number;
  inserted: number;
  addedToChannel: number;
}

const BATCH = 2000;

/** createrepo_c writes epoch="0" for "no epoch"; Skylab stores that as '' like Spacewalk. */
export function packageFromPrimary(p: PrimaryPackage): NewPackage {
  return {
    name: p.name,
    epoch: p.epoch === '0' ? '' : p.epoch,
    version: p.version,
    release: p.release,
    arch: p.arch,
    checksumType: p.checksumType,
    checksum: p.pkgid,
    filename: basename(p.locationHref),
    summary: p.summary,
    description: p.description,
    license: p.license,
    vendor: p.vendor,
    group: p.group,
    buildHost: p.buildhost,
    url: p.url,
    packager: p.packager,
    sourceRpm: p.sourcerpm,
    buildTime: p.timeBuild || null,
    sizePackage: p.sizePackage,
    sizeInstalled: p.sizeInstalled,
    sizeArchive: p.sizeArchive,
    headerStart: p.headerStart,
    headerEnd: p.headerEnd,
    blobSha256: null,
    primaryXml: p.xml,
  };
}

export async function importPrimaryFile(stores: Stores, orgId: number, channelId: number, path: string): Promise<PrimaryImportResult> {
  const ids: number[] = [];
  let inserted = 0;
  let batch: NewPackage[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const r = await stores.packages.importPackages(orgId, batch);
    ids.push(...r.ids);
    inserted += r.inserted;
    batch = [];
  };
  for await (const pkg of parsePrimary(await openMetadataFile(path), { lists: false })) {
    batch.push(packageFromPrimary(pkg));
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  const addedToChannel = await stores.channels.addPackages(channelId, ids);
  return { packages: ids.length, inserted, addedToChannel };
}
