// Opening a downloaded metadata file as its decompressed byte stream, verifying the repomd
// open-checksum (and open-size) of what comes out in the same pass.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { StreamDigest, expectationProblem, type Expectation } from './checksum.js';
import { DECODERS, MAGIC_BYTES, describeCodecError, detectCodec, type Codec } from './codecs.js';
import { DecompressError } from './errors.js';

const READ_CHUNK = 256 * 1024;

async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(MAGIC_BYTES);
    const { bytesRead } = await fh.read(head, 0, MAGIC_BYTES, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The codec a file on disk is compressed with, by its magic bytes. */
export async function codecOf(path: string): Promise<Codec> {
  return detectCodec(await readHead(path));
}

/**
 * The decompressed bytes of a metadata file, streamed (memory stays at a few chunks whatever the
 * size). A corrupt or truncated file, or one whose decompressed bytes do not match `expectOpen`,
 * throws DecompressError, at the latest when the iteration reaches the end: consume it to the
 * end before trusting anything it yielded. zchunk files are refused.
 */
export async function* openDecompressed(path: string, expectOpen?: Expectation): AsyncGenerator<Buffer> {
  const problem = expectOpen ? expectationProblem(expectOpen) : null;
  if (problem) throw new DecompressError(`${path}: ${problem}`, 'checksum', path, 'unknown');
  const codec = detectCodec(await readHead(path));
  if (codec === 'zck') {
    throw new DecompressError(`${path} is a zchunk (.zck) file, which Skylab does not read: use the repomd entry without _zck`, 'unsupported', path, codec);
  }
  const digest = expectOpen ? new StreamDigest(expectOpen) : null;
  const source = createReadStream(path, { highWaterMark: READ_CHUNK });
  try {
    for await (const chunk of decoded(codec, source, path)) {
      if (digest?.update(chunk)) {
        throw new DecompressError(`${path}: decompresses to more than the expected ${expectOpen!.size} bytes`, 'size', path, codec);
      }
      yield chunk;
    }
  } finally {
    source.destroy();
  }
  const verdict = digest?.finish().problem;
  if (verdict) throw new DecompressError(`${path}: decompressed ${codec} data: ${verdict.message}`, verdict.kind, path, codec);
}

/** The codec's output, its failures (not the disk's) reported as a corrupt file. */
async function* decoded(codec: Exclude<Codec, 'zck'>, source: ReturnType<typeof createReadStream>, path: string): AsyncGenerator<Buffer> {
  try {
    yield* DECODERS[codec](source);
  } catch (e) {
    if (e instanceof DecompressError || isSystemError(e)) throw e;
    throw new DecompressError(`${path}: ${codec} data is corrupt or truncated: ${describeCodecError(codec, e)}`, 'corrupt', path, codec, { cause: e });
  }
}

function isSystemError(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && typeof (e as { syscall?: unknown }).syscall === 'string';
}
