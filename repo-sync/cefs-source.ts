// Owns opening a CEFS feed named on the command line: a file path or a file/http(s) URL, read as
// a byte stream and decompressed by its magic bytes (errata.latest.xml, .xml.gz, .xml.bz2).
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { PassThrough, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';

/** unbzip2-stream ships no types: a factory of a through-stream. */
const unbzip2 = createRequire(import.meta.url)('unbzip2-stream') as () => NodeJS.ReadWriteStream;

export class FeedSourceError extends Error {
  override readonly name = 'FeedSourceError';
}

async function openRaw(location: string): Promise<Readable> {
  if (/^https?:\/\//i.test(location)) {
    let res: Response;
    try {
      res = await fetch(location, { redirect: 'follow' });
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message;
      throw new FeedSourceError(`cannot fetch ${location}: ${cause ?? (err as Error).message}`);
    }
    if (!res.ok || !res.body) throw new FeedSourceError(`cannot fetch ${location}: HTTP ${res.status} ${res.statusText}`);
    return Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
  }
  const path = /^file:/i.test(location) ? fileURLToPath(location) : location;
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err) => reject(new FeedSourceError(`cannot read ${path}: ${err.message}`)));
  });
  return stream;
}

/** The stream with its first `n` bytes (or fewer, at its end) read ahead and put back in front. */
async function peek(stream: Readable, n: number): Promise<{ head: Buffer; whole: Readable }> {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const parts: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < n) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    parts.push(Buffer.from(r.value));
    size += r.value.length;
  }
  const head = Buffer.concat(parts);
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (ended) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield Buffer.from(r.value);
  }
  return { head, whole: Readable.from(all(), { objectMode: false }) };
}

/** Decoded bytes of `input` through `codec`; unbzip2-stream is a classic stream, hence the PassThrough. */
function through(input: Readable, codec: NodeJS.ReadWriteStream, name: string): Readable {
  const out = new PassThrough();
  const fail = (err: Error): void => {
    out.destroy(new FeedSourceError(`the ${name} data is corrupt or cut off: ${err.message}`));
  };
  input.on('error', (err) => out.destroy(err));
  codec.on('error', fail);
  input.pipe(codec).pipe(out);
  return out;
}

/** The feed's decompressed bytes: gzip (1f8b) and bzip2 ("BZh") are recognised, anything else is read as it is. */
export async function openFeed(location: string): Promise<AsyncIterable<Uint8Array>> {
  const { head, whole } = await peek(await openRaw(location), 3);
  if (head[0] === 0x1f && head[1] === 0x8b) return through(whole, createGunzip({ chunkSize: 1 << 16 }), 'gzip');
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return through(whole, unbzip2(), 'bzip2');
  return whole;
}
