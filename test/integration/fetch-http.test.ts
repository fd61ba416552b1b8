// The fetcher against a real loopback upstream that misbehaves: resume after a cut connection,
// retries after 5xx, immediate failure on 404, checksum and size refusals leaving nothing behind,
// timeouts, cancellation, redirects, the per-host connection bound. Expected checksums come from
// createrepo_c's repomd.xml (read by python3-createrepo-c) and from coreutils' sha*sum.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Fetcher, FetchError, openDecompressed, type FetcherOptions } from '../../repo-sync/fetch/index.js';
import { parseRepomd, type RepomdRecord } from '../support/repodata.js';
import { SHARED } from '../support/server.js';
import { copyRepo, scratchDir, startUpstream, type Upstream } from '../support/upstream.js';

const BLOB = 'Packages/blob.bin';
const BLOB_SIZE = 2 * 1024 * 1024 + 12345;

let repo: string;
let up: Upstream;
let records: RepomdRecord[];
let blobSha256: string;
const work = scratchDir('skylab-fetch-');
let n = 0;
const dest = (name = 'out.bin'): string => join(work, `t${++n}`, name);
const sum = (tool: string, path: string): string => execFileSync(tool, [path], { encoding: 'utf8' }).split(/\s+/)[0]!;
const fetcher = (o: FetcherOptions = {}): Fetcher => new Fetcher({ backoffMs: 10, timeoutMs: 5000, ...o });
const blobExpect = (): { checksumType: string; checksum: string; size: number } => ({ checksumType: 'sha256', checksum: blobSha256, size: BLOB_SIZE });

t.before(async () => {
  repo = copyRepo(join(SHARED, 'data', 'cs9-baseos-2022'));
  mkdirSync(join(repo, 'Packages'));
  writeFileSync(join(repo, BLOB), randomBytes(BLOB_SIZE));
  blobSha256 = sum('sha256sum', join(repo, BLOB));
  records = (await parseRepomd(join(repo, 'repodata', 'repomd.xml'))).records;
  up = await startUpstream(repo);
});
t.teardown(() => up.close());
t.beforeEach(() => up.reset());

function record(type: string): RepomdRecord {
  return records.find((r) => r.type === type)!;
}

/** Nothing at dest and no temp file beside it. */
function leftovers(path: string): string[] {
  const dir = join(path, '..');
  return existsSync(dir) ? readdirSync(dir) : [];
}

t.test('downloads repodata files and verifies them against repomd.xml', async (t) => {
  const f = fetcher();
  for (const type of ['primary', 'filelists', 'group_gz']) {
    const r = record(type);
    const out = dest(`${type}.gz`);
    const got = await f.fetchFile({ url: up.url }, r.location_href, out, { checksumType: r.checksum_type, checksum: r.checksum, size: r.size });
    t.equal(got.bytes, r.size, `${type}: size`);
    t.equal(sum('sha256sum', out), r.checksum, `${type}: file on disk has the repomd checksum`);
    t.equal(got.sha256, r.checksum, `${type}: reported sha256`);
    t.equal(got.url, up.url + r.location_href);
    t.same(leftovers(out), [`${type}.gz`], 'no temp file left');
  }
  await f.close();
});

t.test('downloaded metadata decompresses to its repomd open-checksum', async (t) => {
  const f = fetcher();
  for (const r of records.filter((x) => x.checksum_open)) {
    const out = dest(r.location_href.split('/').pop());
    await f.fetchFile({ url: up.url }, r.location_href, out, { checksumType: r.checksum_type, checksum: r.checksum, size: r.size });
    const h = createHash('sha256');
    for await (const chunk of openDecompressed(out, { checksumType: r.checksum_open_type!, checksum: r.checksum_open!, size: r.size_open })) h.update(chunk);
    t.equal(h.digest('hex'), r.checksum_open, `${r.type}: open-checksum`);
  }
  await f.close();
});

t.test('md5, sha1, "sha" and sha512 expectations, checked against coreutils', async (t) => {
  const f = fetcher();
  const path = join(repo, BLOB);
  for (const [type, tool] of [['md5', 'md5sum'], ['sha1', 'sha1sum'], ['sha', 'sha1sum'], ['sha512', 'sha512sum']] as const) {
    const got = await f.fetchFile({ url: up.url }, BLOB, dest(), { checksumType: type, checksum: sum(tool, path).toUpperCase() });
    t.equal(got.sha256, blobSha256, `${type} accepted`);
    const bad = sum(tool, path).replace(/^./, (c) => (c === '0' ? '1' : '0'));
    await t.rejects(f.fetchFile({ url: up.url }, BLOB, dest(), { checksumType: type, checksum: bad }), { name: 'FetchError', kind: 'checksum' }, `${type} mismatch refused`);
  }
  await t.rejects(f.fetchFile({ url: up.url }, BLOB, dest(), { checksumType: 'crc32', checksum: 'abcd' }), { name: 'FetchError', kind: 'invalid' });
  await f.close();
});

t.test('resumes a cut download with Range and If-Range', async (t) => {
  up.misbehave(BLOB, { dropAfter: 700_000, times: 1 });
  const f = fetcher({ retries: 1 });
  const out = dest();
  let reported = 0;
  const got = await f.fetchFile({ url: up.url }, BLOB, out, blobExpect(), (b) => (reported += b));
  const log = up.requestsFor(BLOB);
  t.equal(log.length, 2, 'two requests');
  t.match(log[0], { range: null, status: 200, bytesSent: 700_000 });
  // the client may lose the tail of what the server sent before the cut: it resumes from what it holds
  const from = Number(/^bytes=(\d+)-$/.exec(log[1]!.range ?? '')?.[1]);
  t.ok(from > 0 && from <= 700_000, `resumed from byte ${from}`);
  t.match(log[1], { status: 206, bytesSent: BLOB_SIZE - from });
  t.ok(log[1]!.ifRange, 'the resume names the version it continues (If-Range)');
  t.equal(sum('sha256sum', out), blobSha256, 'the stitched file is intact');
  t.equal(got.bytes, BLOB_SIZE);
  t.equal(reported, BLOB_SIZE, 'onBytes counted every byte once');
  await f.close();
});

t.test('a connection cut every 300 kB still completes: progress does not use up retries', async (t) => {
  up.misbehave(BLOB, { dropAfter: 300_000 });
  const f = fetcher({ retries: 1 });
  const out = dest();
  await f.fetchFile({ url: up.url }, BLOB, out, blobExpect());
  const log = up.requestsFor(BLOB);
  t.ok(log.length >= Math.ceil(BLOB_SIZE / 300_000), `${log.length} requests`);
  t.equal(log[0]!.range, null);
  const starts = log.slice(1).map((r) => Number(/^bytes=(\d+)-$/.exec(r.range ?? '')?.[1]));
  const steps = starts.map((s, i) => s - (i === 0 ? 0 : starts[i - 1]!));
  t.ok(steps.every((d) => d > 0 && d <= 300_000), 'each request continues after the bytes the last one delivered');
  t.equal(sum('sha256sum', out), blobSha256);
  await f.close();
});

t.test('a server that ignores Range: the download restarts from zero', async (t) => {
  up.misbehave(BLOB, { dropAfter: 500_000, times: 1, then: { noRange: true } });
  const f = fetcher();
  const out = dest();
  await f.fetchFile({ url: up.url }, BLOB, out, blobExpect());
  const log = up.requestsFor(BLOB);
  // the resume asks from what undici handed over before the cut: up to the 500,000 bytes sent
  t.match(log.map((r) => [r.range, r.status]), [[null, 200], [/^bytes=\d+-$/, 200]]);
  const from = Number(/^bytes=(\d+)-$/.exec(log[1]?.range ?? '')?.[1]);
  t.ok(from > 0 && from <= 500_000, `resumed from byte ${from}, the server answered the whole file`);
  t.equal(sum('sha256sum', out), blobSha256);
  await f.close();
});

t.test('5xx, 408 and 429 are retried with backoff; 404 and 403 fail at once', async (t) => {
  const f = fetcher({ retries: 3 });
  up.misbehave(BLOB, { status: 500, times: 2 });
  await f.fetchFile({ url: up.url }, BLOB, dest(), blobExpect());
  t.same(up.requestsFor(BLOB).map((r) => r.status), [500, 500, 200], 'two 500s then the file');
  up.reset();
  up.misbehave(BLOB, { status: 429, retryAfter: 1, times: 1, then: { status: 408, times: 1 } });
  const started = Date.now();
  await f.fetchFile({ url: up.url }, BLOB, dest(), blobExpect());
  t.same(up.requestsFor(BLOB).map((r) => r.status), [429, 408, 200]);
  t.ok(Date.now() - started >= 950, 'Retry-After: 1 was honoured');
  for (const status of [404, 403, 410]) {
    up.reset();
    up.misbehave(BLOB, { status });
    const out = dest();
    const err = await f.fetchFile({ url: up.url }, BLOB, out, blobExpect()).catch((e: unknown) => e);
    t.ok(err instanceof FetchError, `${status}: FetchError`);
    t.match(err, { kind: 'http', status, retryable: false, url: up.url + BLOB, message: new RegExp(`HTTP ${status}`) });
    t.equal(up.requestsFor(BLOB).length, 1, `${status}: a single request`);
    t.same(leftovers(out), [], `${status}: nothing left at dest`);
  }
  await f.close();
});

t.test('persistent 500: gives up after the retries with a retryable error', async (t) => {
  up.misbehave(BLOB, { status: 503 });
  const f = fetcher({ retries: 2 });
  await t.rejects(f.fetchFile({ url: up.url }, BLOB, dest(), blobExpect()), { name: 'FetchError', kind: 'http', status: 503, retryable: true });
  t.equal(up.requestsFor(BLOB).length, 3, 'first try + 2 retries');
  await f.close();
});

t.test('a corrupted byte: checksum error, nothing at dest', async (t) => {
  up.misbehave(BLOB, { corruptAt: 1_000_000 });
  const f = fetcher();
  const out = dest();
  const err = await f.fetchFile({ url: up.url }, BLOB, out, blobExpect()).catch((e: unknown) => e);
  t.match(err, { name: 'FetchError', kind: 'checksum', retryable: false, message: /sha256 checksum mismatch/ });
  t.equal(up.requestsFor(BLOB).length, 1, 'an unstitched bad copy is not fetched again from the same mirror');
  t.notOk(existsSync(out), 'no file at dest');
  t.same(leftovers(out), [], 'no temp file either');
  await f.close();
});

t.test('a bad copy stitched from a resume gets one clean retry', async (t) => {
  up.misbehave(BLOB, { dropAfter: 400_000, corruptAt: 100, times: 1 });
  const f = fetcher();
  const out = dest();
  await f.fetchFile({ url: up.url }, BLOB, out, blobExpect());
  t.match(up.requestsFor(BLOB).map((r) => r.range), [null, /^bytes=\d+-$/, null], 'cut, resumed, mismatch, whole file again');
  t.equal(sum('sha256sum', out), blobSha256);
  await f.close();
});

t.test('size: a longer body stops at the expected size; a shorter one fails', async (t) => {
  const f = fetcher();
  const out = dest();
  await t.rejects(f.fetchFile({ url: up.url }, BLOB, out, { size: 1000 }), { name: 'FetchError', kind: 'size', retryable: false, message: /more than 1000 bytes/ });
  await t.rejects(f.fetchFile({ url: up.url }, BLOB, dest(), { size: BLOB_SIZE + 1 }), { name: 'FetchError', kind: 'size', message: /expected \d+ bytes, got \d+/ });
  t.same(leftovers(out), []);
  await f.close();
});

t.test('fetchBuffer reads repomd.xml, bounded by maxBytes', async (t) => {
  const f = fetcher();
  const { body, url } = await f.fetchBuffer({ url: up.url }, 'repodata/repomd.xml', 64 * 1024);
  t.same(body, readFileSync(join(repo, 'repodata', 'repomd.xml')));
  t.equal(url, `${up.url}repodata/repomd.xml`);
  await t.rejects(f.fetchBuffer({ url: up.url }, 'repodata/repomd.xml', 100), { name: 'FetchError', kind: 'size' });
  await f.close();
});

t.test('a slow server hits the idle-body timeout, a silent one the response timeout', async (t) => {
  const f = fetcher({ timeoutMs: 300, retries: 1 });
  for (const [fault, what] of [[{ delayMs: 1500 }, /Body Timeout/], [{ headerDelayMs: 1500 }, /Headers Timeout/]] as const) {
    up.reset();
    up.misbehave(BLOB, fault);
    const started = Date.now();
    await t.rejects(f.fetchFile({ url: up.url }, BLOB, dest(), blobExpect()), { name: 'FetchError', kind: 'timeout', retryable: true, message: what });
    t.equal(up.requestsFor(BLOB).length, 2, 'timed out, retried once, timed out again');
    t.ok(Date.now() - started < 4000, 'gave up in time');
  }
  up.reset();
  up.misbehave(BLOB, { delayMs: 100, chunkSize: 256 * 1024 });
  await f.fetchFile({ url: up.url }, BLOB, dest(), blobExpect());
  t.pass('a slow but steady server (100 ms a chunk, under the 300 ms idle limit) is fine');
  await f.close();
});

t.test('the AbortSignal cancels a transfer and a backoff wait', async (t) => {
  up.misbehave(BLOB, { delayMs: 100 });
  const ac = new AbortController();
  const f = fetcher({ signal: ac.signal });
  const out = dest();
  const started = Date.now();
  setTimeout(() => ac.abort(new Error('operator stop')), 300);
  await t.rejects(f.fetchFile({ url: up.url }, BLOB, out, blobExpect()), { name: 'FetchError', kind: 'aborted', retryable: false, message: /operator stop/ });
  t.ok(Date.now() - started < 1500, 'stopped promptly');
  t.same(leftovers(out), [], 'nothing left at dest');
  await t.rejects(f.fetchFile({ url: up.url }, BLOB, dest(), blobExpect()), { name: 'FetchError', kind: 'aborted' }, 'an aborted fetcher starts nothing');

  up.reset();
  up.misbehave(BLOB, { status: 500 });
  const ac2 = new AbortController();
  const f2 = fetcher({ signal: ac2.signal, backoffMs: 20_000 });
  const started2 = Date.now();
  setTimeout(() => ac2.abort(), 200);
  await t.rejects(f2.fetchFile({ url: up.url }, BLOB, dest(), blobExpect()), { name: 'FetchError', kind: 'aborted' });
  t.ok(Date.now() - started2 < 1500, 'the 20 s backoff was cut short');
  await Promise.all([f.close(), f2.close()]);
});

t.test('redirects are followed', async (t) => {
  up.misbehave('mirror/moved.bin', { redirect: `${up.url}${BLOB}` });
  const f = fetcher();
  const out = dest();
  const got = await f.fetchFile({ url: up.url }, 'mirror/moved.bin', out, blobExpect());
  t.equal(got.sha256, blobSha256);
  t.same(up.requests.filter((r) => r.path !== '').map((r) => [r.path, r.status]), [['mirror/moved.bin', 302], [BLOB, 200]]);
  await f.close();
});

t.test('connections per host stay within connectionsPerHost', async (t) => {
  up.misbehave(BLOB, { delayMs: 5, chunkSize: 256 * 1024 });
  const f = fetcher({ connectionsPerHost: 3 });
  const outs = Array.from({ length: 9 }, () => dest());
  const results = await Promise.all(outs.map((o) => f.fetchFile({ url: up.url }, BLOB, o, blobExpect())));
  t.equal(results.length, 9);
  t.ok(up.maxConnections <= 3, `at most 3 connections at once (saw ${up.maxConnections})`);
  t.ok(up.maxConnections >= 2, 'but more than one was used');
  for (const o of outs) t.equal(sum('sha256sum', o), blobSha256);
  t.throws(() => new Fetcher({ connectionsPerHost: 64 }), RangeError);
  await f.close();
});

t.test('sends its User-Agent; relative paths may not leave the repository', async (t) => {
  const f = fetcher({ userAgent: 'skylab-test/1' });
  await f.fetchBuffer({ url: up.url }, 'repodata/repomd.xml', 1 << 20);
  t.equal(up.requestsFor('repodata/repomd.xml')[0]!.userAgent, 'skylab-test/1');
  for (const bad of ['../etc/passwd', '/etc/passwd', 'repodata/../../x', 'http://elsewhere/x']) {
    await t.rejects(f.fetchBuffer({ url: up.url }, bad, 1000), { name: 'FetchError', kind: 'invalid' }, bad);
  }
  await f.close();
});
