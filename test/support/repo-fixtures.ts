// Repositories made by the real tools for the metadata tests: createrepo_c over a folder of
// packages, then modifyrepo_c adding an updateinfo.xml; and byte streams read back from disk.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, createGunzip } from 'node:zlib';
import { createRepo } from './rpmbuild.js';

const run = promisify(execFile);

/** createrepo_c over `rpms` (may be none) in a fresh folder, then `modifyrepo_c` for each extra file. */
export async function repoWith(rpms: string[], extra: { file: string; type?: string }[] = [], args: string[] = []): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'skylab-repo-'));
  await mkdir(join(dir, 'Packages'));
  for (const r of rpms) await copyFile(r, join(dir, 'Packages', basename(r)));
  const repodata = await createRepo(dir, { args });
  for (const e of extra) {
    const mdArgs = e.type ? [`--mdtype=${e.type}`] : [];
    await run('modifyrepo_c', [...mdArgs, e.file, repodata]);
  }
  return dir;
}

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/** The decompressed bytes of a file (gzip by magic, else as it is). */
export async function plainBytes(path: string): Promise<Buffer> {
  const raw = await readFile(path);
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

/** A file's decompressed bytes as a stream of (deliberately small) chunks. */
export function byteStream(path: string, chunk = 4096): AsyncIterable<Buffer> {
  const file = createReadStream(path, { highWaterMark: chunk });
  return path.endsWith('.gz') ? file.pipe(createGunzip({ chunkSize: chunk })) : file;
}

/** A buffer handed over in pieces of `size` bytes (splitting multi-byte characters too). */
export function* pieces(data: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}
