// Where downloaded bytes go while they are hashed: a temp file beside the destination (renamed
// into place only once verified) or a bounded in-memory buffer.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StreamDigest, type Expectation } from './checksum.js';
import { LocalWriteError } from './errors.js';

/** Thrown by write() when a chunk would take the body past its limit. */
export class OverLimit extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`);
  }
}

export interface Sink {
  /** bytes held so far: where a resumed request must start */
  readonly offset: number;
  /** whether a cut transfer may continue with a Range request (else it restarts) */
  readonly resumable: boolean;
  /** whether a checksum will vouch for the bytes (so partial bytes from elsewhere can be kept) */
  readonly checksummed: boolean;
  write(chunk: Uint8Array): Promise<void>;
  /** forget everything received (a server ignored Range, or a mirror's copy was bad) */
  reset(): Promise<void>;
  /** finishes the digest; a problem means the bytes must not be used (reset before reuse) */
  verify(): ReturnType<StreamDigest['finish']>;
}

export class FileSink implements Sink {
  readonly resumable = true;
  private readonly digest: StreamDigest;

  private constructor(
    readonly dest: string,
    private readonly tmp: string,
    private readonly fh: FileHandle,
    expect: Expectation,
    private readonly onBytes?: (n: number) => void,
  ) {
    this.digest = new StreamDigest(expect);
  }

  static async create(dest: string, expect: Expectation, onBytes?: (n: number) => void): Promise<FileSink> {
    const tmp = `${dest}.${process.pid}-${randomBytes(4).toString('hex')}.part`;
    try {
      await mkdir(dirname(dest), { recursive: true });
      return new FileSink(dest, tmp, await open(tmp, 'w'), expect, onBytes);
    } catch (e) {
      throw new LocalWriteError(`cannot create ${tmp}: ${(e as Error).message}`, { cause: e });
    }
  }

  get offset(): number {
    return this.digest.bytes;
  }

  get checksummed(): boolean {
    return !!this.digest.expect.checksum;
  }

  async write(chunk: Uint8Array): Promise<void> {
    const limit = this.digest.expect.size;
    if (limit != null && this.digest.bytes + chunk.length > limit) throw new OverLimit(limit);
    try {
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await this.fh.write(chunk, done, chunk.length - done, this.digest.bytes + done);
        done += bytesWritten;
      }
    } catch (e) {
      throw new LocalWriteError(`writing ${this.tmp}: ${(e as Error).message}`, { cause: e });
    }
    this.digest.update(chunk);
    this.onBytes?.(chunk.length);
  }

  async reset(): Promise<void> {
    this.digest.reset();
    try {
      await this.fh.truncate(0);
    } catch (e) {
      throw new LocalWriteError(`truncating ${this.tmp}: ${(e as Error).message}`, { cause: e });
    }
  }

  verify(): ReturnType<StreamDigest['finish']> {
    return this.digest.finish();
  }

  /** Makes the verified temp file durable and moves it to its destination. */
  async commit(): Promise<void> {
    try {
      await this.fh.datasync();
      await this.fh.close();
      await rename(this.tmp, this.dest);
    } catch (e) {
      await this.discard();
      throw new LocalWriteError(`saving ${this.dest}: ${(e as Error).message}`, { cause: e });
    }
  }

  async discard(): Promise<void> {
    await this.fh.close().catch(() => {});
    await rm(this.tmp, { force: true }).catch(() => {});
  }
}

export class BufferSink implements Sink {
  readonly resumable = false;
  private chunks: Buffer[] = [];
  private readonly digest: StreamDigest;

  constructor(
    private readonly maxBytes: number,
    expect: Expectation = {},
  ) {
    this.digest = new StreamDigest(expect);
  }

  get offset(): number {
    return this.digest.bytes;
  }

  get checksummed(): boolean {
    return !!this.digest.expect.checksum;
  }

  async write(chunk: Uint8Array): Promise<void> {
    const limit = Math.min(this.maxBytes, this.digest.expect.size ?? Infinity);
    if (this.digest.bytes + chunk.length > limit) throw new OverLimit(limit);
    this.chunks.push(Buffer.from(chunk));
    this.digest.update(chunk);
  }

  async reset(): Promise<void> {
    this.chunks = [];
    this.digest.reset();
  }

  verify(): ReturnType<StreamDigest['finish']> {
    return this.digest.finish();
  }

  body(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
