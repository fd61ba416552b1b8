// Checksums as repomd.xml names them, computed while bytes stream past: always sha256 (the blob
// store's key) plus the algorithm the upstream declared, with the byte count.
import { createHash, type Hash } from 'node:crypto';

/** What a file is expected to be; every field optional (repomd.xml itself comes with none). */
export interface Expectation {
  checksumType?: string | null;
  checksum?: string | null;
  size?: number | null;
}

/** repomd's names to node:crypto's; "sha" is createrepo's old name for sha1. */
const ALGORITHMS: Record<string, string> = {
  md5: 'md5', sha: 'sha1', sha1: 'sha1', sha224: 'sha224', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512',
  'sha-1': 'sha1', 'sha-256': 'sha256', 'sha-512': 'sha512', // metalink 4 spells them with a dash
};

/** The node:crypto algorithm for a repomd checksum type, or null when it is not one we know. */
export function hashAlgorithm(type: string): string | null {
  return ALGORITHMS[type.trim().toLowerCase()] ?? null;
}

/** Why an expectation cannot be checked, or null when it can. */
export function expectationProblem(expect: Expectation): string | null {
  if (expect.checksum && !expect.checksumType) return 'a checksum needs its checksumType';
  if (expect.checksumType && !hashAlgorithm(expect.checksumType)) return `unknown checksum type "${expect.checksumType}"`;
  if (expect.size != null && !(Number.isSafeInteger(expect.size) && expect.size >= 0)) return `invalid size ${expect.size}`;
  return null;
}

/** Hashes and counts a byte stream; `verify` says what, if anything, is wrong with it. */
export class StreamDigest {
  private sha256!: Hash;
  private declared!: Hash | null;
  private readonly algorithm: string | null;
  bytes = 0;

  constructor(readonly expect: Expectation = {}) {
    const problem = expectationProblem(expect);
    if (problem) throw new Error(problem);
    this.algorithm = expect.checksumType ? hashAlgorithm(expect.checksumType) : null;
    this.reset();
  }

  reset(): void {
    this.sha256 = createHash('sha256');
    this.declared = this.algorithm && this.algorithm !== 'sha256' && this.expect.checksum ? createHash(this.algorithm) : null;
    this.bytes = 0;
  }

  /** True when the stream is already longer than the expected size (stop reading it). */
  update(chunk: Uint8Array): boolean {
    this.sha256.update(chunk);
    this.declared?.update(chunk);
    this.bytes += chunk.length;
    return this.expect.size != null && this.bytes > this.expect.size;
  }

  /** Ends the digest; returns the sha256 and a description of the mismatch, if any. */
  finish(): { sha256: string; problem: { kind: 'size' | 'checksum'; message: string } | null } {
    const sha256 = this.sha256.digest('hex');
    const { size, checksum, checksumType } = this.expect;
    if (size != null && this.bytes !== size) {
      return { sha256, problem: { kind: 'size', message: `expected ${size} bytes, got ${this.bytes}` } };
    }
    if (checksum) {
      const actual = this.declared ? this.declared.digest('hex') : sha256;
      if (actual.toLowerCase() !== checksum.trim().toLowerCase()) {
        return { sha256, problem: { kind: 'checksum', message: `${checksumType} checksum mismatch: expected ${checksum.trim()}, got ${actual}` } };
      }
    }
    return { sha256, problem: null };
  }
}
