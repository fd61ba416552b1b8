// Mirrorlist and metalink repositories against real loopback upstreams: resolution, failover
// when a mirror errors, is down or serves a stale repomd.xml, resume carried to the next mirror.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Fetcher, type FetcherOptions } from '../../repo-sync/fetch/index.js';
import { parseRepomd, type RepomdRecord } from '../support/repodata.js';
import { SHARED } from '../support/server.js';
import { copyRepo, scratchDir, startUpstream, type Upstream, writeMetalink, writeMirrorlist } from '../support/upstream.js';

const BLOB = 'Packages/blob.bin';
let mirrors: Upstream[];
let listServer: Upstream;
let listDir: string;
let primary: RepomdRecord;
let blob: { checksumType: string; checksum: string; size: number };
const work = scratchDir('skylab-mirrors-');
let n = 0;
const dest = (): string => join(work, `out${++n}`);
const sha256 = (path: string): string => execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]!;
const fetcher = (o: FetcherOptions = {}): Fetcher => new Fetcher({ backoffMs: 5, timeoutMs: 5000, retries: 1, ...o });

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((ok) => s.close(ok));
  return port;
}

t.before(async () => {
  const content = randomBytes(1_500_000);
  const repos = [0, 1, 2].map(() => {
    const dir = copyRepo(join(SHARED, 'data', 'cs9-baseos-2022'));
    mkdirSync(join(dir, 'Packages'));
    writeFileSync(join(dir, BLOB), content);
    return dir;
  });
  mirrors = await Promise.all(repos.map((d) => startUpstream(d)));
  listDir = scratchDir('skylab-lists-');
  listServer = await startUpstream(listDir);
  primary = (await parseRepomd(join(repos[0]!, 'repodata', 'repomd.xml'))).records.find((r) => r.type === 'primary')!;
  blob = { checksumType: 'sha256', checksum: sha256(join(repos[0]!, BLOB)), size: content.length };
});
t.teardown(() => Promise.all([...mirrors, listServer].map((u) => u.close())));
t.beforeEach(() => {
  for (const u of [...mirrors, listServer]) u.reset();
});

const primaryExpect = (): { checksumType: string; checksum: string; size: number } => ({ checksumType: primary.checksum_type, checksum: primary.checksum, size: primary.size });

t.test('a mirrorlist over http and as a file:// URL', async (t) => {
  const text = writeMirrorlist(join(listDir, 'mirrorlist'), mirrors.map((m) => m.url));
  t.match(text, /^# /, 'the list has a comment line');
  const f = fetcher();
  t.same(await f.resolveMirrors({ url: `${listServer.url}mirrorlist` }), mirrors.map((m) => m.url));
  t.same(await f.resolveMirrors({ url: pathToFileURL(join(listDir, 'mirrorlist')).href }), mirrors.map((m) => m.url));
  const got = await f.fetchFile({ url: `${listServer.url}mirrorlist` }, primary.location_href, dest(), primaryExpect());
  t.equal(got.url, mirrors[0]!.url + primary.location_href, 'the first mirror served it');
  await f.close();
});

t.test('a plain base URL resolves to itself (directory listing, 404 or a big file are no mirror documents)', async (t) => {
  const f = fetcher();
  t.same(await f.resolveMirrors({ url: mirrors[0]!.url }), [mirrors[0]!.url]);
  t.match(mirrors[0]!.requestsFor(''), [{ status: 200 }], 'the URL was read once (an HTML index)');
  const noSlash = mirrors[1]!.url.replace(/\/$/, '');
  t.same(await f.resolveMirrors({ url: noSlash }), [mirrors[1]!.url], 'a base URL gains its trailing slash');
  mirrors[2]!.misbehave('', { status: 404 });
  t.same(await f.resolveMirrors({ url: mirrors[2]!.url }), [mirrors[2]!.url], '404 at the base URL');
  t.same(await f.resolveMirrors({ url: pathToFileURL(mirrors[0]!.dir).href }), [pathToFileURL(mirrors[0]!.dir).href + '/']);
  await f.close();
});

t.test('failover: a mirror that keeps failing is left for the next, which is then preferred', async (t) => {
  writeMirrorlist(join(listDir, 'ml-fail'), mirrors.map((m) => m.url));
  mirrors[0]!.misbehave('*', { status: 500 });
  mirrors[1]!.misbehave(primary.location_href, { status: 404 });
  const f = fetcher({ retries: 2 });
  const access = { url: `${listServer.url}ml-fail` };
  const got = await f.fetchFile(access, primary.location_href, dest(), primaryExpect());
  t.equal(got.url, mirrors[2]!.url + primary.location_href);
  t.equal(mirrors[0]!.requestsFor(primary.location_href).length, 3, 'mirror 1: first try + 2 retries of its 500');
  t.equal(mirrors[1]!.requestsFor(primary.location_href).length, 1, 'mirror 2: its 404 is not retried');
  await f.fetchFile(access, BLOB, dest(), blob);
  t.equal(mirrors[2]!.requestsFor(BLOB).length, 1, 'the next file goes straight to the mirror that worked');
  t.equal(mirrors[0]!.requestsFor(BLOB).length + mirrors[1]!.requestsFor(BLOB).length, 0);
  await f.close();
});

t.test('the mirror list is read again after mirrorTtlMs', async (t) => {
  const list = join(listDir, 'ml-ttl');
  writeMirrorlist(list, [mirrors[0]!.url]);
  const cached = fetcher();
  const fresh = fetcher({ mirrorTtlMs: 0 });
  const access = { url: `${listServer.url}ml-ttl` };
  t.same(await cached.resolveMirrors(access), [mirrors[0]!.url]);
  t.same(await fresh.resolveMirrors(access), [mirrors[0]!.url]);
  writeMirrorlist(list, [mirrors[1]!.url, mirrors[0]!.url]);
  t.same(await cached.resolveMirrors(access), [mirrors[0]!.url], 'within the TTL: the list read before');
  t.same(await fresh.resolveMirrors(access), [mirrors[1]!.url, mirrors[0]!.url], 'after it: the new list');
  t.equal(listServer.requestsFor('ml-ttl').length, 3);
  await Promise.all([cached.close(), fresh.close()]);
});

t.test('failover past a mirror that is down', async (t) => {
  const dead = `http://127.0.0.1:${await deadPort()}/`;
  writeMirrorlist(join(listDir, 'ml-dead'), [dead, mirrors[1]!.url]);
  const f = fetcher();
  const got = await f.fetchFile({ url: `${listServer.url}ml-dead` }, BLOB, dest(), blob);
  t.equal(got.url, mirrors[1]!.url + BLOB);
  await f.close();
});

t.test('every mirror failing: one error naming each', async (t) => {
  writeMirrorlist(join(listDir, 'ml-none'), [mirrors[0]!.url, mirrors[1]!.url]);
  for (const m of mirrors.slice(0, 2)) m.misbehave(BLOB, { status: 404 });
  const f = fetcher();
  const out = dest();
  const err = await f.fetchFile({ url: `${listServer.url}ml-none` }, BLOB, out, blob).catch((e: unknown) => e);
  t.match(err, { name: 'FetchError', kind: 'http', status: 404, retryable: false, message: /all 2 mirrors failed/ });
  for (const m of mirrors.slice(0, 2)) t.match((err as Error).message, m.url + BLOB);
  await f.close();
});

t.test('a cut download continues on the next mirror with Range (the checksum vouches for the whole)', async (t) => {
  writeMirrorlist(join(listDir, 'ml-resume'), [mirrors[0]!.url, mirrors[1]!.url]);
  mirrors[0]!.misbehave(BLOB, { dropAfter: 600_000, times: 1, then: { status: 503 } });
  const f = fetcher({ retries: 0 });
  const out = dest();
  const got = await f.fetchFile({ url: `${listServer.url}ml-resume` }, BLOB, out, blob);
  t.equal(got.url, mirrors[1]!.url + BLOB);
  t.match(mirrors[1]!.requestsFor(BLOB), [{ range: /^bytes=\d+-$/, status: 206 }], 'mirror 2 was asked only for the rest');
  t.equal(sha256(out), blob.checksum);
  await f.close();
});

t.test('metalink: mirrors by preference, repomd.xml checked against its hash (stale mirrors skipped)', async (t) => {
  const repomd = join(mirrors[0]!.dir, 'repodata', 'repomd.xml');
  writeMetalink(join(listDir, 'metalink'), [mirrors[1]!.url, mirrors[0]!.url, mirrors[2]!.url], repomd);
  const f = fetcher();
  const access = { url: `${listServer.url}metalink?repo=test&arch=x86_64` };
  t.same(await f.resolveMirrors(access), [mirrors[1]!.url, mirrors[0]!.url, mirrors[2]!.url], 'preference order');

  const stale = join(mirrors[1]!.dir, 'repodata', 'repomd.xml');
  const original = readFileSync(stale);
  writeFileSync(stale, original.toString().replace(/<revision>(\d+)</, (_, r: string) => `<revision>${Number(r) - 1}<`));
  try {
    const { body, url } = await f.fetchBuffer(access, 'repodata/repomd.xml', 1 << 20);
    t.equal(url, `${mirrors[0]!.url}repodata/repomd.xml`, 'the stale first mirror was passed over');
    t.same(body, readFileSync(repomd));
    t.equal(mirrors[1]!.requestsFor('repodata/repomd.xml').length, 1);
  } finally {
    writeFileSync(stale, original);
  }
  await f.close();
});
