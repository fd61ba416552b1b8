// Owns opening a repodata file on disk as the decompressed byte stream the scanners read
// (gzip through node:zlib, or plain XML); other codecs belong to the fetch stage.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MetadataParseError } from './errors.js';

const OTHER_CODECS: readonly [string, number[]][] = [
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['bzip2', [0x42, 0x5a, 0x68]],
];

/**
 * The decompressed bytes of a primary/filelists/other file, chosen by magic bytes. 256 KiB
 * gunzip chunks: each chunk costs the main thread a stream callback, and node's default 16 KiB
 * makes the whole ~1.7x slower (the scanner slices large chunks itself).
 */
export async function openMetadataFile(path: string): Promise<AsyncIterable<Buffer>> {
  const head = Buffer.alloc(6);
  const handle = await open(path, 'r');
  try {
    await handle.read(head, 0, 6, 0);
  } finally {
    await handle.close();
  }
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip({ chunkSize: 1 << 18 });
    pipeline(stream, gunzip, () => {});
    return gzipErrorsAsParseErrors(gunzip);
  }
  for (const [codec, magic] of OTHER_CODECS) {
    if (magic.every((b, i) => head[i] === b)) {
      stream.destroy();
      throw new MetadataParseError(`${path} is ${codec}-compressed; decompress it before scanning`, 0, 0);
    }
  }
  return stream;
}

/** A corrupt or cut-off .gz is a truncated document too: report it the same way. */
async function* gzipErrorsAsParseErrors(stream: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      bytes += chunk.length;
      yield chunk;
    }
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new MetadataParseError(`gzip data is corrupt or truncated: ${(e as Error).message}`, bytes, 0);
    }
    throw e;
  }
}
