// Proxies (per repository, global, HTTP(S)_PROXY with NO_PROXY, credentials) and HTTPS (a
// repository CA as PEM text or path, client certificates required by the server, both through a
// CONNECT tunnel) against real loopback servers; the test PKI is made by openssl.
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Fetcher, type FetcherOptions, type RepoAccess } from '../../repo-sync/fetch/index.js';
import { parseRepomd, type RepomdRecord } from '../support/repodata.js';
import { SHARED } from '../support/server.js';
import { copyRepo, scratchDir, startProxy, startUpstream, testPki, type TestProxy, type Upstream } from '../support/upstream.js';

let plain: Upstream;
let secure: Upstream;
let mutual: Upstream;
let proxyA: TestProxy;
let proxyB: TestProxy;
let authProxy: TestProxy;
let group: RepomdRecord;
const work = scratchDir('skylab-proxy-');
let n = 0;
const dest = (): string => join(work, `out${++n}`);
const sha256 = (path: string): string => execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]!;
const NO_ENV = {};
const fetcher = (o: FetcherOptions = {}): Fetcher => new Fetcher({ backoffMs: 5, timeoutMs: 5000, retries: 1, env: NO_ENV, ...o });

t.before(async () => {
  const repo = copyRepo(join(SHARED, 'data', 'cs9-baseos-2022'));
  group = (await parseRepomd(join(repo, 'repodata', 'repomd.xml'))).records.find((r) => r.type === 'group_gz')!;
  [plain, secure, mutual, proxyA, proxyB, authProxy] = await Promise.all([
    startUpstream(repo), startUpstream(repo, { tls: true }), startUpstream(repo, { tls: true, requireClientCert: true }),
    startProxy(), startProxy(), startProxy({ auth: 'sky:l@b' }),
  ]);
});
t.teardown(() => Promise.all([plain, secure, mutual, proxyA, proxyB, authProxy].map((s) => s.close())));
t.beforeEach(() => {
  for (const u of [plain, secure, mutual]) u.reset();
});

const expect = (): { checksumType: string; checksum: string; size: number } => ({ checksumType: group.checksum_type, checksum: group.checksum, size: group.size });

/** Fetches the comps file and checks it; returns the upstream's log entries for it. */
async function fetchGroup(t: Test, f: Fetcher, access: RepoAccess, up: Upstream): Promise<Upstream['requests']> {
  const out = dest();
  await f.fetchFile(access, group.location_href, out, expect());
  t.equal(sha256(out), group.checksum, 'file intact');
  return up.requestsFor(group.location_href);
}

t.test('a repository proxy: plain forwarding for http://, a CONNECT tunnel for https://', async (t) => {
  const f = fetcher();
  const before = proxyA.hits;
  const log = await fetchGroup(t, f, { url: plain.url, proxyUrl: proxyA.url }, plain);
  t.match(log, [{ viaProxy: true }], 'the upstream saw the proxy connect');
  t.ok(proxyA.log.some((l) => l.method === 'GET' && l.target === plain.url + group.location_href), 'forwarded as an absolute-form GET');
  const viaTunnel = await fetchGroup(t, f, { url: secure.url, proxyUrl: proxyA.url, sslCaCert: testPki().caCert }, secure);
  t.match(viaTunnel, [{ viaProxy: true }]);
  t.ok(proxyA.log.some((l) => l.method === 'CONNECT' && l.target === `127.0.0.1:${secure.port}`), 'https went through CONNECT');
  t.ok(proxyA.hits > before);
  await f.close();
});

t.test('a bare host:port proxy (as Spacewalk stores it) and proxy credentials', async (t) => {
  const f = fetcher();
  const hostPort = proxyA.url.replace('http://', '');
  t.match(await fetchGroup(t, f, { url: plain.url, proxyUrl: hostPort }, plain), [{ viaProxy: true }]);
  const withAuth = authProxy.url.replace('http://', 'http://sky:l%40b@');
  t.match(await fetchGroup(t, f, { url: plain.url, proxyUrl: withAuth }, plain), [{ viaProxy: true }], 'forwarding with credentials');
  plain.reset();
  t.match(await fetchGroup(t, f, { url: secure.url, proxyUrl: withAuth, sslCaCert: testPki().caCert }, secure), [{ viaProxy: true }], 'tunnel with credentials');
  const wrong = authProxy.url.replace('http://', 'http://sky:nope@');
  for (const up of [plain, secure]) {
    const refusals = authProxy.log.filter((l) => l.status === 407).length;
    const err = await f.fetchFile({ url: up.url, proxyUrl: wrong, sslCaCert: testPki().caCert }, group.location_href, dest(), expect()).catch((e: unknown) => e);
    t.match(err, { name: 'FetchError', kind: 'http', status: 407, retryable: false }, `wrong proxy credentials, ${up.url}: ${(err as Error).message}`);
    t.equal(authProxy.log.filter((l) => l.status === 407).length, refusals + 1, 'refused once (407), not retried');
  }
  await f.close();
});

t.test('the global proxy, overridden by the repository proxy', async (t) => {
  const f = fetcher({ globalProxy: proxyB.url });
  const [a, b] = [proxyA.hits, proxyB.hits];
  t.match(await fetchGroup(t, f, { url: plain.url }, plain), [{ viaProxy: true }]);
  t.ok(proxyB.hits > b, 'global proxy used (the base URL probe and the file)');
  const b2 = proxyB.hits;
  plain.reset();
  await fetchGroup(t, f, { url: plain.url, proxyUrl: proxyA.url }, plain);
  t.ok(proxyA.hits > a, 'the repository proxy wins');
  t.equal(proxyB.hits, b2, 'the global one is not used for it');
  await f.close();
});

t.test('HTTP_PROXY / HTTPS_PROXY from the environment, NO_PROXY exempting hosts', async (t) => {
  const b = proxyB.hits;
  const env = { http_proxy: proxyB.url, HTTPS_PROXY: proxyB.url };
  const f = fetcher({ env });
  t.match(await fetchGroup(t, f, { url: plain.url }, plain), [{ viaProxy: true }], 'http_proxy');
  t.match(await fetchGroup(t, f, { url: secure.url, sslCaCert: testPki().caCert }, secure), [{ viaProxy: true }], 'HTTPS_PROXY');
  t.ok(proxyB.hits >= b + 2, 'both went through the proxy');
  await f.close();
  for (const noProxy of ['127.0.0.1', '127.0.0.0/8', `127.0.0.1:${plain.port}`, '*', 'example.org, 127.0.0.1']) {
    plain.reset();
    const g = fetcher({ env: { ...env, NO_PROXY: noProxy } });
    const hits = proxyB.hits;
    t.match(await fetchGroup(t, g, { url: plain.url }, plain), [{ viaProxy: false }], `NO_PROXY=${noProxy}: direct`);
    t.equal(proxyB.hits, hits);
    await g.close();
  }
  plain.reset();
  const g = fetcher({ globalProxy: proxyB.url, env: { no_proxy: '127.0.0.1' } });
  t.match(await fetchGroup(t, g, { url: plain.url }, plain), [{ viaProxy: false }], 'NO_PROXY exempts from the global proxy too');
  plain.reset();
  t.match(await fetchGroup(t, g, { url: plain.url, proxyUrl: proxyA.url }, plain), [{ viaProxy: true }], 'but not from a repository proxy');
  await g.close();
});

t.test('https: the repository CA as PEM text or a path; the system trust store refuses the test CA', async (t) => {
  const f = fetcher();
  t.match(await fetchGroup(t, f, { url: secure.url, sslCaCert: testPki().caCert }, secure), [{ status: 200, viaProxy: false }]);
  secure.reset();
  t.match(await fetchGroup(t, f, { url: secure.url, sslCaCert: testPki().caCertPath }, secure), [{ status: 200 }]);
  const started = Date.now();
  const err = await f.fetchFile({ url: secure.url }, group.location_href, dest(), expect()).catch((e: unknown) => e);
  t.match(err, { name: 'FetchError', kind: 'tls', retryable: false, message: /certificate/i });
  t.ok(Date.now() - started < 2000, 'a certificate failure is not retried');
  await t.rejects(f.fetchFile({ url: secure.url, sslCaCert: '/nonexistent/ca.pem' }, group.location_href, dest(), expect()), {
    name: 'FetchError', kind: 'invalid', message: /not PEM text and not a readable file/,
  });
  await f.close();
});

t.test('a server that requires a client certificate', async (t) => {
  const pki = testPki();
  const f = fetcher();
  const base = { url: mutual.url, sslCaCert: pki.caCert };
  t.match(await fetchGroup(t, f, { ...base, sslClientCert: pki.clientCert, sslClientKey: pki.clientKey }, mutual), [{ status: 200 }], 'PEM text');
  mutual.reset();
  t.match(await fetchGroup(t, f, { ...base, sslClientCert: pki.clientCertPath, sslClientKey: pki.clientKeyPath }, mutual), [{ status: 200 }], 'paths');
  mutual.reset();
  const combined = join(work, 'client-combined.pem');
  writeFileSync(combined, pki.clientCert + pki.clientKey);
  t.match(await fetchGroup(t, f, { ...base, sslClientCert: combined }, mutual), [{ status: 200 }], 'certificate and key in one file');
  mutual.reset();
  const tunnelled = await fetchGroup(t, f, { ...base, sslClientCert: pki.clientCert, sslClientKey: pki.clientKey, proxyUrl: proxyA.url }, mutual);
  t.match(tunnelled, [{ status: 200, viaProxy: true }], 'through a CONNECT tunnel');
  mutual.reset();
  const err = await f.fetchFile(base, group.location_href, dest(), expect()).catch((e: unknown) => e);
  t.match(err, { name: 'FetchError', kind: 'tls', retryable: false }, `refused without the certificate: ${(err as Error).message}`);
  t.same(mutual.requestsFor(group.location_href), [], 'no request got through');
  await t.rejects(f.fetchFile({ ...base, sslClientCert: pki.clientCert }, group.location_href, dest(), expect()), { name: 'FetchError', kind: 'invalid', message: /without its key/ });
  await f.close();
});
