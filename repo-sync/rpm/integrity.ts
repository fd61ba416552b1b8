// Checks that an .rpm file is whole: the size and digests its headers record against the bytes
// on disk (what `rpm -K --nosignature` checks). The header reader alone accepts a cut payload.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { RpmFormatError } from './errors.js';
import { readHeaders } from './header.js';
import type { HeaderStore } from './store.js';
import { SigTag } from './tags.js';
import type { RpmPackage } from './types.js';

// rpm's PGPHASHALGO numbers, as PAYLOADDIGESTALGO stores them.
const HASH_ALGOS: Partial<Record<number, string>> = { 1: 'md5', 2: 'sha1', 8: 'sha256', 9: 'sha384', 10: 'sha512', 11: 'sha224' };

async function readHead(path: string, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
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

async function digestFrom(path: string, algo: string, start: number): Promise<string> {
  const hash = createHash(algo);
  for await (const chunk of createReadStream(path, { start, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function checkHeaderDigest(sig: HeaderStore, main: Buffer): void {
  for (const [tag, algo] of [[SigTag.SHA256, 'sha256'], [SigTag.SHA1, 'sha1']] as const) {
    const recorded = sig.string(tag);
    if (recorded === undefined) continue;
    if (createHash(algo).update(main).digest('hex') !== recorded.toLowerCase()) {
      throw new RpmFormatError(`main header ${algo} digest does not match: the header is corrupt`);
    }
    return;
  }
}

function checkSize(sig: HeaderStore, headerStart: number, fileSize: number): void {
  const recorded = sig.number(SigTag.LONGSIZE) ?? sig.number(SigTag.SIZE);
  if (recorded === undefined) return;
  const expected = headerStart + recorded;
  if (fileSize < expected) throw new RpmFormatError(`truncated file: ${fileSize} bytes, the signature header says ${expected}`);
  if (fileSize > expected) throw new RpmFormatError(`${fileSize - expected} unexpected bytes after the payload (file has ${fileSize}, expected ${expected})`);
}

// The payload digest covers the compressed payload; packages older than rpm 4.14 only have the
// signature header's MD5 over main header + payload.
async function checkPayload(path: string, pkg: RpmPackage, sig: HeaderStore): Promise<void> {
  const algo = HASH_ALGOS[pkg.payloadDigestAlgo || 8];
  if (pkg.payloadDigest && algo) {
    if ((await digestFrom(path, algo, pkg.headerRange.end)) !== pkg.payloadDigest.toLowerCase()) {
      throw new RpmFormatError('payload digest does not match: the file is corrupt or truncated');
    }
    return;
  }
  const md5 = sig.binary(SigTag.MD5);
  if (md5 && (await digestFrom(path, 'md5', pkg.headerRange.start)) !== md5.toString('hex')) {
    throw new RpmFormatError('MD5 digest does not match: the file is corrupt or truncated');
  }
}

/** Throws RpmFormatError unless the file holds exactly the header and payload it describes. */
export async function verifyRpmFile(path: string, pkg: RpmPackage, fileSize: number): Promise<void> {
  const head = await readHead(path, pkg.headerRange.end);
  const { signature } = readHeaders(head);
  checkHeaderDigest(signature, head.subarray(pkg.headerRange.start, pkg.headerRange.end));
  checkSize(signature, pkg.headerRange.start, fileSize);
  await checkPayload(path, pkg, signature);
}
