// openDecompressed on real repodata (../shared/data) and on the same documents recompressed by
// the real tools (node:zlib for gzip, the xz, bzip2 and zstd command lines): output checked
// against repomd.xml's open-checksum (read by python3-createrepo-c) and against the tools' own
// decompression; truncated and corrupted files, open-checksum mismatches and zchunk refused.
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DecompressError, codecOf, openDecompressed, type Expectation } from '../../repo-sync/fetch/index.js';
import { parseRepomd, type RepomdRecord } from '../support/repodata.js';
import { SHARED } from '../support/server.js';
import { scratchDir } from '../support/upstream.js';

const DATA = join(SHARED, 'data');
const TOOLS = ['gzip', 'xz', 'bzip2', 'zstd'];
const work = scratchDir('skylab-codecs-');

// These tools are test prerequisites (Debian: gzip, xz-utils, bzip2, zstd): fail loudly, never skip.
for (const tool of TOOLS) {
  const r = spawnSync(tool, ['--version'], { stdio: 'ignore' });
  if (r.error || r.status !== 0) throw new Error(`the ${tool} command line tool is needed by this test (apt-get install ${tool === 'xz' ? 'xz-utils' : tool})`);
}

async function digestOf(path: string, expectOpen?: Expectation): Promise<{ sha256: string; bytes: number; maxChunk: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  let maxChunk = 0;
  for await (const chunk of openDecompressed(path, expectOpen)) {
    h.update(chunk);
    bytes += chunk.length;
    maxChunk = Math.max(maxChunk, chunk.length);
  }
  return { sha256: h.digest('hex'), bytes, maxChunk };
}

async function failure(path: string, expectOpen?: Expectation): Promise<DecompressError> {
  try {
    await digestOf(path, expectOpen);
  } catch (e) {
    if (e instanceof DecompressError) return e;
    throw e;
  }
  throw new Error(`${path} decompressed without error`);
}

const repomd = async (repo: string): Promise<RepomdRecord[]> => (await parseRepomd(join(DATA, repo, 'repodata', 'repomd.xml'))).records;
const openExpect = (r: RepomdRecord): Expectation => ({ checksumType: r.checksum_open_type!, checksum: r.checksum_open!, size: r.size_open });

/** The tool's own decompression of a file, as the oracle. */
function toolDecompress(tool: string, path: string): Buffer {
  return execFileSync(tool, ['-dc', path], { maxBuffer: 1 << 30 });
}

t.test('real repodata: gz and xz files decompress to their repomd open-checksum', async (t) => {
  for (const repo of ['cs9-appstream', 'cs9-baseos-2022']) {
    for (const r of await repomd(repo)) {
      const path = join(DATA, repo, r.location_href);
      if (!r.checksum_open) {
        // stored uncompressed: the open data is the file itself
        t.equal(await codecOf(path), 'plain', `${repo} ${r.type}: plain`);
        const got = await digestOf(path, { checksumType: r.checksum_type, checksum: r.checksum, size: r.size });
        t.equal(got.sha256, r.checksum, `${repo} ${r.type}: plain file passes through`);
        continue;
      }
      const got = await digestOf(path, openExpect(r));
      t.equal(got.sha256, r.checksum_open, `${repo} ${r.type} (${await codecOf(path)}): open-checksum`);
      t.equal(got.bytes, r.size_open, `${repo} ${r.type}: open-size`);
      t.ok(got.maxChunk <= 1 << 20, `${repo} ${r.type}: streamed in chunks of at most 1 MiB (largest ${got.maxChunk})`);
    }
  }
});

t.test('real updateinfo .gz samples decompress as gzip -dc does', async (t) => {
  for (const name of ['amazon-updateinfo_1_item.xml.gz', 'amazon-updateinfo_2_items.xml.gz', 'amazon-updateinfo_AL2023.xml.gz']) {
    const path = join(DATA, 'updateinfo-samples', name);
    const oracle = toolDecompress('gzip', path);
    const got = await digestOf(path);
    t.equal(got.sha256, createHash('sha256').update(oracle).digest('hex'), name);
  }
});

interface Variant {
  codec: string;
  tool: string;
  path: string;
}

let plainPath: string;
let plainExpect: Expectation;
const variants: Variant[] = [];

t.before(async () => {
  const primary = (await repomd('cs9-baseos-2022')).find((r) => r.type === 'primary')!;
  plainPath = join(work, 'primary.xml');
  writeFileSync(plainPath, toolDecompress('gzip', join(DATA, 'cs9-baseos-2022', primary.location_href)));
  plainExpect = openExpect(primary);
  writeFileSync(`${plainPath}.gz`, gzipSync(readFileSync(plainPath)));
  execFileSync('xz', ['-k', '-T1', plainPath]);
  execFileSync('bzip2', ['-k', plainPath]);
  execFileSync('zstd', ['-q', '-k', plainPath]);
  variants.push(
    { codec: 'gzip', tool: 'gzip', path: `${plainPath}.gz` },
    { codec: 'xz', tool: 'xz', path: `${plainPath}.xz` },
    { codec: 'bzip2', tool: 'bzip2', path: `${plainPath}.bz2` },
    { codec: 'zstd', tool: 'zstd', path: `${plainPath}.zst` },
  );
});

t.test('the same primary.xml as .gz (node:zlib), .xz, .bz2 and .zst (command-line tools)', async (t) => {
  t.equal(await codecOf(plainPath), 'plain');
  for (const v of variants) {
    t.equal(await codecOf(v.path), v.codec, `${v.codec}: detected by magic bytes`);
    const got = await digestOf(v.path, plainExpect);
    t.equal(got.sha256, plainExpect.checksum, `${v.codec}: matches repomd's open-checksum`);
    t.equal(got.bytes, plainExpect.size);
    t.ok(got.maxChunk <= 1 << 20, `${v.codec}: largest chunk ${got.maxChunk} bytes`);
  }
});

t.test('concatenated streams (members, frames) decode as the tools decode them', async (t) => {
  const whole = readFileSync(plainPath);
  const a = join(work, 'a.xml');
  const b = join(work, 'b.xml');
  writeFileSync(a, whole.subarray(0, 300_000));
  writeFileSync(b, whole.subarray(whole.length - 200_000));
  for (const v of variants) {
    const out = join(work, `ab.${v.codec}`);
    const part = (p: string): Buffer => (v.codec === 'gzip' ? gzipSync(readFileSync(p)) : execFileSync(v.tool, ['-c', p]));
    writeFileSync(out, Buffer.concat([part(a), part(b)]));
    const oracle = createHash('sha256').update(toolDecompress(v.tool, out)).digest('hex');
    t.equal((await digestOf(out)).sha256, oracle, `${v.codec}: two streams`);
  }
});

t.test('truncated files end with a DecompressError', async (t) => {
  for (const v of variants) {
    const data = readFileSync(v.path);
    for (const [what, keep] of [['half', data.length >> 1], ['all but 10 bytes', data.length - 10]] as const) {
      const cut = join(work, `cut-${what.replace(/ /g, '')}.${v.codec}`);
      writeFileSync(cut, data.subarray(0, keep));
      t.not(spawnSync(v.tool, ['-t', cut], { stdio: 'ignore' }).status, 0, `${v.codec} ${what}: the tool calls it broken too`);
      const err = await failure(cut);
      t.match(err, { kind: 'corrupt', codec: v.codec, path: cut, message: /corrupt or truncated/ }, `${v.codec} ${what}: ${err.message}`);
    }
  }
});

t.test('a corrupted byte: the codec or the open-checksum catches it', async (t) => {
  for (const v of variants) {
    const data = Buffer.from(readFileSync(v.path));
    data[data.length >> 1] ^= 0x55;
    const bad = join(work, `bad.${v.codec}`);
    writeFileSync(bad, data);
    const err = await failure(bad, plainExpect);
    t.ok(['corrupt', 'checksum', 'size'].includes(err.kind), `${v.codec}: ${err.kind}: ${err.message}`);
    if (v.codec !== 'zstd') {
      // fzstd does not check zstd's optional content checksum: for .zst only open-checksum guards
      t.equal((await failure(bad)).kind, 'corrupt', `${v.codec}: detected by the codec alone`);
    }
  }
});

t.test('open-checksum and open-size mismatches', async (t) => {
  const gz = variants[0]!.path;
  const wrong = { ...plainExpect, checksum: plainExpect.checksum!.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) };
  t.match(await failure(gz, wrong), { kind: 'checksum', message: /sha256 checksum mismatch/ });
  t.match(await failure(gz, { ...plainExpect, size: plainExpect.size! - 1 }), { kind: 'size', message: /more than the expected/ });
  t.match(await failure(gz, { ...plainExpect, size: plainExpect.size! + 1 }), { kind: 'size', message: /expected \d+ bytes, got \d+/ });
  const sha1 = execFileSync('sha1sum', [plainPath], { encoding: 'utf8' }).split(' ')[0]!;
  t.equal((await digestOf(gz, { checksumType: 'sha', checksum: sha1 })).bytes, plainExpect.size, 'other checksum types (sha = sha1)');
  t.match(await failure(gz, { checksumType: 'crc32', checksum: '00' }), { message: /unknown checksum type/ });
});

t.test('zchunk files are refused; an empty file is an empty document', async (t) => {
  const zck = join(work, 'primary.xml.zck');
  writeFileSync(zck, Buffer.concat([Buffer.from('\0ZCK1'), Buffer.alloc(100, 7)]));
  t.equal(await codecOf(zck), 'zck');
  t.match(await failure(zck), { kind: 'unsupported', codec: 'zck', message: /zchunk/ });
  const empty = join(work, 'empty.xml');
  writeFileSync(empty, '');
  t.equal((await digestOf(empty)).bytes, 0);
  await t.rejects(digestOf(join(work, 'missing.xml.gz')), { code: 'ENOENT' }, 'a missing file is the filesystem error');
});
