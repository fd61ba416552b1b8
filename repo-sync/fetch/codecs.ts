// The decompressors of repodata files, picked by magic bytes, each turned into the same shape:
// compressed chunks in, decompressed chunks out, an exception on corrupt or truncated input.
import { Readable, pipeline } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import unbzip2Stream from 'unbzip2-stream';
import xzDecompress from 'xz-decompress';

export type Codec = 'gzip' | 'xz' | 'bzip2' | 'zstd' | 'zck' | 'plain';

const MAGIC: readonly [Exclude<Codec, 'plain'>, readonly number[]][] = [
  ['gzip', [0x1f, 0x8b]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['zck', [0x00, 0x5a, 0x43, 0x4b, 0x31]], // "\0ZCK1"
];

/** Bytes of the file start that detectCodec needs. */
export const MAGIC_BYTES = 6;

export function detectCodec(head: Uint8Array): Codec {
  for (const [codec, magic] of MAGIC) if (magic.every((b, i) => head[i] === b)) return codec;
  return 'plain';
}

/** Large output chunks: each chunk costs the consumer (the XML scanner) a callback. */
const OUT_CHUNK = 256 * 1024;

export type Decoder = (input: Readable) => AsyncIterable<Buffer>;

export const DECODERS: Record<Exclude<Codec, 'zck'>, Decoder> = {
  plain: (input) => input,
  gzip: (input) => {
    const gunzip = createGunzip({ chunkSize: OUT_CHUNK });
    pipeline(input, gunzip, () => {}); // errors surface through the iteration of gunzip
    return gunzip;
  },
  xz: xzChunks,
  bzip2: bzip2Chunks,
  zstd: zstdChunks,
};

async function* xzChunks(input: Readable): AsyncGenerator<Buffer> {
  const web = Readable.toWeb(input) as unknown as globalThis.ReadableStream<Uint8Array>;
  const out = new xzDecompress.XzReadableStream(web) as unknown as ReadableStream<Uint8Array>;
  for await (const chunk of out) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** unbzip2-stream is a synchronous "through" stream: write a chunk, collect what it emitted. */
async function* bzip2Chunks(input: Readable): AsyncGenerator<Buffer> {
  const bz = unbzip2Stream();
  const out: Buffer[] = [];
  let failure: unknown = null;
  bz.on('data', (d: Buffer) => out.push(d));
  bz.on('error', (e: unknown) => (failure ??= e));
  for await (const chunk of input) {
    bz.write(chunk);
    if (failure) throw failure;
    while (out.length) yield out.shift()!;
  }
  bz.end();
  if (failure) throw failure;
  while (out.length) yield out.shift()!;
}

/** fzstd reports a cut-off frame on the final push; its output buffers are copied since it may reuse them. */
async function* zstdChunks(input: Readable): AsyncGenerator<Buffer> {
  const out: Buffer[] = [];
  const z = new ZstdDecompress((data) => {
    out.push(Buffer.from(data));
  });
  for await (const chunk of input) {
    z.push(chunk as Buffer);
    while (out.length) yield out.shift()!;
  }
  z.push(new Uint8Array(0), true);
  while (out.length) yield out.shift()!;
}

/** xz-embedded's return codes, for readable messages. */
const XZ_ERRORS: Record<string, string> = {
  '5': 'not xz data', '6': 'unsupported xz options', '7': 'corrupt data or failed integrity check', '8': 'unexpected end of input',
};

export function describeCodecError(codec: Codec, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const xz = codec === 'xz' ? /error code (\d+)/.exec(msg) : null;
  if (xz && XZ_ERRORS[xz[1]!]) return `${XZ_ERRORS[xz[1]!]} (${msg})`;
  if (codec === 'bzip2' && /reading '0'|prematurely/.test(msg)) return `unexpected end of input (${msg})`;
  return msg;
}
