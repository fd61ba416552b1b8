// Imports one uploaded .rpm file into a channel (the job rhnpush did for Spacewalk): reads and
// checks the file, refuses what the channel cannot hold, stores the package, then its blob.

import {
  archAccepts,
  Conflict,
  InvalidArgument,
  type BlobStore,
  type Channel,
  type NewPackage,
  type StagedBlob,
  type Stores,
} from '../channels/index.js';
import { readRpmFile, RpmFormatError, type RpmPackage } from './rpm/header.js';
import { verifyRpmFile } from './rpm/integrity.js';
import { packageSnippets, UnrepresentablePackageError } from './rpm/snippets.js';

export interface PushDeps {
  stores: Stores;
  blobs: BlobStore;
}

export interface PushedPackage {
  id: number;
  /** false when a package with this checksum was already stored (a re-push) */
  isNew: boolean;
  /** false when the channel already held it */
  addedToChannel: boolean;
  package: NewPackage;
}

/** rpm's canonical file name; the uploaded name is not trusted. */
export function canonicalFilename(p: Pick<RpmPackage, 'name' | 'version' | 'release' | 'arch'>): string {
  return `${p.name}-${p.version}-${p.release}.${p.arch}.rpm`;
}

async function readChecked(staged: StagedBlob): Promise<RpmPackage> {
  try {
    const pkg = await readRpmFile(staged.path);
    await verifyRpmFile(staged.path, pkg, staged.size);
    return pkg;
  } catch (err) {
    if (err instanceof RpmFormatError) throw new InvalidArgument('package.invalid', `not a valid RPM package: ${err.message}`);
    throw err;
  }
}

function checkFitsChannel(pkg: RpmPackage, channel: Channel): void {
  const file = canonicalFilename(pkg);
  if (pkg.isSource) {
    throw new InvalidArgument('package.arch', `${file} is a source package; channel ${channel.label} holds binary packages only`);
  }
  if (!archAccepts(channel.archLabel, pkg.arch)) {
    throw new InvalidArgument('package.arch', `${file} has arch ${pkg.arch}, which channel ${channel.label} (${channel.archLabel}) does not accept`);
  }
}

// Two builds with one NEVRA in a channel leave yum to pick either; Spacewalk refused that too.
async function checkNoOtherBuild(stores: Stores, orgId: number, pkg: RpmPackage, sha256: string, channel: Channel): Promise<void> {
  const same = await stores.packages.findByNvrea(orgId, pkg.name, pkg.version, pkg.release, pkg.epoch, pkg.arch);
  for (const other of same) {
    if (other.checksum === sha256) continue;
    if ((await stores.packages.channelsOf(other.id)).some((c) => c.id === channel.id)) {
      throw new Conflict(
        'package.nevra',
        `channel ${channel.label} already holds another build of ${canonicalFilename(pkg)} (package id ${other.id}, ${other.checksumType} ${other.checksum})`,
      );
    }
  }
}

function toNewPackage(pkg: RpmPackage, staged: StagedBlob): NewPackage {
  const filename = canonicalFilename(pkg);
  const facts = { sha256: staged.sha256, size: staged.size, mtime: Math.floor(Date.now() / 1000), href: `getPackage/${filename}` };
  let xml;
  try {
    xml = packageSnippets(pkg, facts);
  } catch (err) {
    if (err instanceof UnrepresentablePackageError) throw new InvalidArgument('package.invalid', err.message);
    throw err;
  }
  return {
    name: pkg.name,
    epoch: pkg.epoch,
    version: pkg.version,
    release: pkg.release,
    arch: pkg.arch,
    checksumType: 'sha256',
    checksum: staged.sha256,
    filename,
    summary: pkg.summary,
    description: pkg.description,
    license: pkg.license,
    vendor: pkg.vendor,
    group: pkg.group,
    buildHost: pkg.buildhost,
    url: pkg.url,
    packager: pkg.packager,
    sourceRpm: pkg.sourcerpm,
    cookie: pkg.cookie,
    buildTime: pkg.buildtime || null,
    sizePackage: staged.size,
    sizeInstalled: pkg.size,
    sizeArchive: pkg.archiveSize,
    headerStart: pkg.headerRange.start,
    headerEnd: pkg.headerRange.end,
    blobSha256: staged.sha256,
    primaryXml: xml.primary,
    filelistsXml: xml.filelists,
    otherXml: xml.other,
  };
}

/**
 * Imports a staged upload into the channel and moves the file into the blob store. Whatever
 * fails, the staged file is removed; a refused file leaves no row and no blob behind.
 * Throws InvalidArgument (unreadable or unacceptable file) or Conflict (another build there).
 */
export async function pushStagedRpm(deps: PushDeps, staged: StagedBlob, orgId: number, channel: Channel): Promise<PushedPackage> {
  try {
    const pkg = await readChecked(staged);
    checkFitsChannel(pkg, channel);
    await checkNoOtherBuild(deps.stores, orgId, pkg, staged.sha256, channel);
    const record = toNewPackage(pkg, staged);
    const result = await deps.stores.packages.importPackages(orgId, [record], channel.id);
    deps.blobs.commit(staged);
    return { id: result.ids[0]!, isNew: result.inserted > 0, addedToChannel: result.addedToChannel > 0, package: record };
  } catch (err) {
    deps.blobs.discard(staged);
    throw err;
  }
}
