// Reads an .rpm package file's lead, signature header and main header into an RpmPackage:
// the facts Skylab stores and publishes. The payload is never touched.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { RpmFormatError } from './errors.js';
import { HeaderStore, PREAMBLE_SIZE, headerExtent } from './store.js';
import { readChangelog, readDependencies, readFiles } from './fields.js';
import { signatureKeyId } from './pgp.js';
import { LEAD_MAGIC, LEAD_SIGTYPE_HEADER, LEAD_SIZE, SigTag, Tag } from './tags.js';
import type { RpmPackage } from './types.js';

export { RpmFormatError } from './errors.js';
export type {
  RpmChangelogEntry,
  RpmDependencies,
  RpmDependency,
  RpmFile,
  RpmPackage,
} from './types.js';

/** Byte offset of the main header: the signature header padded to 8 bytes (createrepo_c's rule). */
export function mainHeaderStart(signatureEnd: number): number {
  const sigLength = signatureEnd - LEAD_SIZE;
  return signatureEnd + ((8 - (sigLength % 8)) % 8);
}

function checkLead(buf: Uint8Array): void {
  if (buf.length < LEAD_SIZE) {
    throw new RpmFormatError(`truncated lead: needs ${LEAD_SIZE} bytes, file has ${buf.length}`);
  }
  const view = Buffer.from(buf.buffer, buf.byteOffset, LEAD_SIZE);
  const magic = view.readUInt32BE(0);
  if (magic !== LEAD_MAGIC) {
    throw new RpmFormatError(`not an rpm file: lead magic ${magic.toString(16).padStart(8, '0')}, expected edabeedb`);
  }
  const major = view.readUInt8(4);
  if (major !== 3 && major !== 4) throw new RpmFormatError(`unsupported rpm lead version ${major}`);
  const sigType = view.readUInt16BE(78);
  if (sigType !== LEAD_SIGTYPE_HEADER) throw new RpmFormatError(`unsupported rpm signature type ${sigType}`);
}

/** The signature and main headers of a file, parsed and bounds-checked. */
export function readHeaders(buf: Uint8Array): { signature: HeaderStore; main: HeaderStore } {
  checkLead(buf);
  const signature = HeaderStore.parse(buf, LEAD_SIZE, 'signature header');
  const main = HeaderStore.parse(buf, mainHeaderStart(signature.end), 'main header');
  return { signature, main };
}

function required(main: HeaderStore, tag: number, label: string): string {
  const value = main.string(tag);
  if (value === undefined) throw new RpmFormatError(`main header: missing ${label}`);
  return value;
}

// Header-only signatures (RSA/DSA) first: they are what rpm checks on install these days.
function signatureFacts(sig: HeaderStore): { signed: boolean; signatureKeyId: string } {
  for (const tag of [SigTag.RSA, SigTag.DSA, SigTag.PGP, SigTag.GPG]) {
    const packet = sig.binary(tag);
    if (packet) return { signed: true, signatureKeyId: signatureKeyId(packet) };
  }
  return { signed: false, signatureKeyId: '' };
}

function hex(bytes: Buffer | undefined): string {
  return bytes ? bytes.toString('hex') : '';
}

/**
 * Parse an rpm file held in memory. Only the bytes up to the end of the main header are
 * needed, so a prefix of the file (see readRpmFile) is enough.
 * Throws RpmFormatError for anything corrupt or truncated.
 */
export function readRpm(buf: Uint8Array): RpmPackage {
  const { signature: sig, main } = readHeaders(buf);
  const sourcerpm = main.string(Tag.SOURCERPM) ?? '';
  // createrepo_c keys "source package" on SOURCEPACKAGE; rpm itself on a missing SOURCERPM.
  const isSource = (main.number(Tag.SOURCEPACKAGE) ?? 0) !== 0 || !main.has(Tag.SOURCERPM);
  const headerArch = main.string(Tag.ARCH) ?? '';
  const epoch = main.number(Tag.EPOCH);
  const text = (tag: number): string => main.string(tag) ?? '';
  return {
    name: required(main, Tag.NAME, 'NAME'),
    epoch: epoch === undefined ? '' : String(epoch),
    version: required(main, Tag.VERSION, 'VERSION'),
    release: required(main, Tag.RELEASE, 'RELEASE'),
    arch: isSource ? 'src' : headerArch,
    headerArch,
    isSource,
    headerRange: { start: main.start, end: main.end },
    summary: text(Tag.SUMMARY),
    description: text(Tag.DESCRIPTION),
    license: text(Tag.LICENSE),
    vendor: text(Tag.VENDOR),
    group: text(Tag.GROUP),
    buildhost: text(Tag.BUILDHOST),
    buildtime: main.number(Tag.BUILDTIME) ?? 0,
    url: text(Tag.URL),
    packager: text(Tag.PACKAGER),
    sourcerpm,
    cookie: text(Tag.COOKIE),
    size: main.number(Tag.LONGSIZE) ?? main.number(Tag.SIZE) ?? 0,
    // rpm moved the payload size into the signature header; old packages keep it in the main one.
    archiveSize:
      sig.number(SigTag.LONGARCHIVESIZE) ??
      sig.number(SigTag.PAYLOADSIZE) ??
      main.number(Tag.LONGARCHIVESIZE) ??
      main.number(Tag.ARCHIVESIZE) ??
      0,
    payloadDigest: main.string(Tag.PAYLOADDIGEST) ?? '',
    payloadDigestAlgo: main.number(Tag.PAYLOADDIGESTALGO) ?? 0,
    headerSha256: sig.string(SigTag.SHA256) ?? '',
    headerSha1: sig.string(SigTag.SHA1) ?? '',
    md5: hex(sig.binary(SigTag.MD5)),
    ...signatureFacts(sig),
    ...readDependencies(main),
    files: readFiles(main),
    changelog: readChangelog(main),
  };
}

async function readPrefix(path: string, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    // A corrupt size field must not make us allocate more than the file holds.
    const buf = Buffer.alloc(Math.min(length, (await fh.stat()).size));
    length = buf.length;
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}

/** Read and parse the headers of an .rpm file, reading only as far as the main header ends. */
export async function readRpmFile(path: string): Promise<RpmPackage> {
  let prefix = await readPrefix(path, LEAD_SIZE + PREAMBLE_SIZE);
  checkLead(prefix);
  const sig = headerExtent(prefix, LEAD_SIZE, 'signature header');
  const mainStart = mainHeaderStart(sig.end);
  prefix = await readPrefix(path, mainStart + PREAMBLE_SIZE);
  if (prefix.length < mainStart + PREAMBLE_SIZE) return readRpm(prefix);
  const main = headerExtent(prefix, mainStart, 'main header');
  return readRpm(await readPrefix(path, main.end));
}

export interface RpmFileStat {
  /** Hex sha256 of the whole file (the package id in repodata). */
  sha256: string;
  size: number;
  /** Modification time in whole seconds, as createrepo_c's `time file`. */
  mtime: number;
}

/** The file facts repodata needs besides the header. */
export async function statRpmFile(path: string): Promise<RpmFileStat> {
  const st = await stat(path);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return { sha256: hash.digest('hex'), size: st.size, mtime: Math.floor(st.mtimeMs / 1000) };
}
