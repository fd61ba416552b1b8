// Content-addressed file store for package files: <dir>/<aa>/<bb>/<sha256>. Files are written
// to a temporary name and renamed into place, so a reader never sees a partial file.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, type ReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';

const SHA256_RE = /^[a-f0-9]{64}$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class BlobTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`upload exceeds ${limit} bytes`);
    this.name = 'BlobTooLarge';
  }
}

export interface StagedBlob {
  /** temporary file holding the bytes; commit() moves it into the store */
  path: string;
  sha256: string;
  size: number;
}

export class BlobStore {
  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'tmp'), { recursive: true });
  }

  pathOf(sha256: string): string {
    if (!SHA256_RE.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(this.dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  has(sha256: string): boolean {
    return SHA256_RE.test(sha256) && existsSync(this.pathOf(sha256));
  }

  size(sha256: string): number {
    return statSync(this.pathOf(sha256)).size;
  }

  open(sha256: string, range?: { start: number; end: number }): ReadStream {
    return createReadStream(this.pathOf(sha256), range);
  }

  /** Streams the input to a temporary file while hashing it; refuses more than `limit` bytes. */
  async stage(input: Readable, limit = Number.MAX_SAFE_INTEGER): Promise<StagedBlob> {
    const path = this.tempPath();
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > limit) return cb(new BlobTooLarge(limit));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(input, meter, createWriteStream(path));
    } catch (err) {
      rmSync(path, { force: true });
      throw err;
    }
    return { path, sha256: hash.digest('hex'), size };
  }

  /** Moves a staged file into the store (a no-op if the content is already there). */
  commit(staged: StagedBlob): string {
    const target = this.pathOf(staged.sha256);
    if (existsSync(target)) {
      rmSync(staged.path, { force: true });
    } else {
      mkdirSync(join(target, '..'), { recursive: true });
      renameSync(staged.path, target);
    }
    return staged.sha256;
  }

  /** A temporary path inside the store, on the same file system, for a download to land in. */
  tempPath(): string {
    return join(this.dir, 'tmp', `${process.pid}-${Date.now()}-${randomBytes(6).toString('hex')}`);
  }

  /**
   * Removes temporary files that no live process of this host is writing (a killed upload or
   * download leaves them behind): their names start with the writer's pid.
   */
  cleanTemp(): number {
    let removed = 0;
    for (const name of readdirSync(join(this.dir, 'tmp'))) {
      const pid = Number(/^(\d+)-/.exec(name)?.[1] ?? NaN);
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) continue;
      rmSync(join(this.dir, 'tmp', name), { force: true, recursive: true });
      removed++;
    }
    return removed;
  }

  /** Moves a file whose sha256 the caller has verified into the store. */
  adopt(path: string, sha256: string): string {
    return this.commit({ path, sha256, size: 0 });
  }

  discard(staged: StagedBlob): void {
    rmSync(staged.path, { force: true });
  }

  remove(sha256: string): void {
    rmSync(this.pathOf(sha256), { force: true });
  }
}
