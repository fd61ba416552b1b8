// GET /XMLRPC/GET-REQ/...: token headers (405/401 with X-RHN-Fault-* headers), per-channel
// authorisation, repodata and packages with Last-Modified, 304 and Range, on-demand fetch from
// upstream, traversal attempts, and the old plugins' lone-LF header line. The system and its
// token are made with Skylab's own stores and client-shim, as registration and up2date.login do.
import t from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { openStores, type Stores } from '../../channels/index.js';
import { issueLoginToken, newSecret } from '../../client-shim/index.js';
import { buildRpm } from '../support/rpmbuild.js';
import { adminEnv, adminLogin, api, runPush } from '../support/push.js';
import { startServer, ROOT } from '../support/server.js';
import { join } from 'node:path';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

t.test('GET-REQ', async (t) => {
  const server = await startServer();
  t.teardown(() => server.stop());
  const login = adminLogin(server);
  await api(login, [
    ['channel.software.create', 'getreq-base-x86_64', 'GetReq Base', 'base', 'channel-x86_64', ''],
    ['channel.software.create', 'getreq-other-x86_64', 'GetReq Other', 'other', 'channel-x86_64', ''],
  ]);
  const rpm = await buildRpm({ name: 'getreq-hello', version: '1.0', release: '1', arch: 'noarch', files: [{ path: '/usr/share/getreq/hello', content: 'hello\n'.repeat(5000) }] });
  const other = await buildRpm({ name: 'getreq-other', version: '2.0', release: '1', arch: 'noarch' });
  t.equal((await runPush(['--server', server.url, '--channel', 'getreq-base-x86_64', rpm], adminEnv(server))).code, 0);
  t.equal((await runPush(['--server', server.url, '--channel', 'getreq-other-x86_64', other], adminEnv(server))).code, 0);

  const stores: Stores = openStores(join(server.dataDir, 'skylab.db'), join(ROOT, 'migrations'));
  t.teardown(() => stores.close());
  const base = (await stores.channels.getByLabelAnyOrg('getreq-base-x86_64'))!;
  const system = await stores.systems.create({ orgId: 1, name: 'getreq-guest', secret: newSecret(), osRelease: '8', releaseName: 'centos-release', architecture: 'x86_64', baseChannelId: base.id });
  const key = (await stores.users.getSetting('client_auth_key'))!;
  const token = issueLoginToken(key, system.id, Date.now());
  const headers: Record<string, string> = Object.fromEntries(Object.entries(token).map(([k, v]) => [k, String(v)]));
  const url = (rest: string): string => `${server.url}/XMLRPC/GET-REQ/${rest}`;
  const get = (rest: string, extra: Record<string, string> = {}): Promise<Response> => fetch(url(rest), { headers: { ...headers, ...extra } });
  const faultOf = (res: Response): { code: string | null; text: string } => ({
    code: res.headers.get('x-rhn-fault-code'),
    text: Buffer.from((res.headers.get('x-rhn-fault-string') ?? '').replace(/, /g, ''), 'base64').toString(),
  });

  t.test('token headers', async (t) => {
    t.equal((await fetch(url('getreq-base-x86_64/repodata/repomd.xml'))).status, 405, 'no X-RHN-Server-Id: 405');
    const { 'X-RHN-Auth': _drop, ...fourOnly } = headers;
    t.equal((await fetch(url('getreq-base-x86_64/repodata/repomd.xml'), { headers: fourOnly })).status, 405, 'a missing token header: 405');
    const forged = await get('getreq-base-x86_64/repodata/repomd.xml', { 'X-RHN-Auth': 'A'.repeat(44) });
    t.equal(forged.status, 401, 'a forged token: 401');
    t.equal(faultOf(forged).code, '-33');
    t.match(faultOf(forged).text, /Error Class Code: 33/, 'the fault text decodes from X-RHN-Fault-String');
    const old = issueLoginToken(key, system.id, Date.now() - 7200_000);
    const expired = await get('getreq-base-x86_64/repodata/repomd.xml', Object.fromEntries(Object.entries(old).map(([k, v]) => [k, String(v)])));
    t.equal(expired.status, 401, 'an expired token: 401');
    t.equal(faultOf(expired).code, '-34');
  });

  t.test('repodata of a subscribed channel, with Last-Modified, 304 and Range', async (t) => {
    const res = await get('getreq-base-x86_64/repodata/repomd.xml');
    t.equal(res.status, 200);
    t.match(res.headers.get('content-type'), /text\/xml/);
    const body = Buffer.from(await res.arrayBuffer());
    t.equal(Number(res.headers.get('content-length')), body.length);
    const lastModified = res.headers.get('last-modified')!;
    t.match(lastModified, /GMT$/);
    t.equal((await get('getreq-base-x86_64/repodata/repomd.xml', { 'If-Modified-Since': lastModified })).status, 304, 'the same Last-Modified: 304');
    const primary = /href="repodata\/([^"]*primary\.xml\.gz)"/.exec(body.toString())![1]!;
    const whole = Buffer.from(await (await get(`getreq-base-x86_64/repodata/${primary}`)).arrayBuffer());
    const part = await get(`getreq-base-x86_64/repodata/${primary}`, { Range: 'bytes=10-' });
    t.equal(part.status, 206);
    t.equal(part.headers.get('content-range'), `bytes 10-${whole.length - 1}/${whole.length}`);
    t.same(Buffer.from(await part.arrayBuffer()), whole.subarray(10), 'the rest of the file');
    t.equal((await get(`getreq-base-x86_64/repodata/${primary}`, { Range: 'bytes=5-2,7-9' })).status, 200, 'an unusable range gets the whole file');
  });

  t.test('authorisation', async (t) => {
    const notMine = await get('getreq-other-x86_64/repodata/repomd.xml');
    t.equal(notMine.status, 401, "another channel's repodata: 401");
    t.equal(faultOf(notMine).code, '-39');
    const pkg = await get('getreq-other-x86_64/getPackage/getreq-other-2.0-1.noarch.rpm');
    t.equal(pkg.status, 404, "another channel's package: 404");
    t.equal(faultOf(pkg).code, '-17');
    const unknown = await get('no-such-channel/repodata/repomd.xml');
    t.equal(unknown.status, 404);
    t.equal(faultOf(unknown).code, '-40');
    const missing = await get('getreq-base-x86_64/getPackage/getreq-hello-9.9-1.noarch.rpm');
    t.equal(faultOf(missing).code, '-17', 'a package the channel lacks: 17');
    t.equal((await get('getreq-base-x86_64/repodata/nothing.xml.gz')).status, 404, 'an unknown repodata file: 404');
    t.equal(faultOf(await get('getreq-base-x86_64/repodata/nothing.xml.gz')).code, '-6');
    t.equal(faultOf(await get('getreq-base-x86_64/listPackages/1')).code, '-1', 'an unknown function: -1');
    const media = await get('getreq-base-x86_64/media.1/media.repo');
    t.equal(media.status, 404);
    t.equal(media.headers.get('x-rhn-fault-code'), null, 'media.1: 404 without fault headers');
    for (const evil of ['getreq-base-x86_64/getPackage/..%2F..%2Fskylab.db', 'getreq-base-x86_64/repodata/..%2F..%2F..%2Fskylab.db', 'getreq-base-x86_64/repodata/%2e%2e', '..%2F..%2F/x/y/z']) {
      const r = await get(evil);
      t.ok(r.status === 404 || r.status === 401, `${evil}: ${r.status}`);
      t.notMatch(Buffer.from(await r.arrayBuffer()).toString('latin1'), /SQLite format/, 'nothing outside the repository is served');
    }
  });

  t.test('packages', async (t) => {
    const res = await get('getreq-base-x86_64/getPackage/getreq-hello-1.0-1.noarch.rpm');
    t.equal(res.status, 200);
    t.equal(res.headers.get('content-type'), 'application/octet-stream');
    t.equal(res.headers.get('x-package-filename'), 'getreq-hello-1.0-1.noarch.rpm');
    t.equal(sha(Buffer.from(await res.arrayBuffer())), sha(readFileSync(rpm)), 'the pushed file, byte for byte');
    const part = await get('getreq-base-x86_64/getPackage/getreq-hello-1.0-1.noarch.rpm', { Range: 'bytes=-100' });
    t.equal(part.status, 206);
    t.same(Buffer.from(await part.arrayBuffer()), readFileSync(rpm).subarray(-100), 'the last 100 bytes');
    const head = await fetch(url('getreq-base-x86_64/getPackage/getreq-hello-1.0-1.noarch.rpm'), { method: 'HEAD', headers });
    t.equal(head.status, 200, 'HEAD answers too');
  });

  t.test("the old plugins' header line with a lone LF", async (t) => {
    const { port } = new URL(server.url);
    const lines = [
      `GET /XMLRPC/GET-REQ/getreq-base-x86_64/repodata/repomd.xml HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      `X-RHN-Server-Id: ${headers['X-RHN-Server-Id']}`,
      `X-RHN-Auth: ${headers['X-RHN-Auth']}`,
      `X-RHN-Auth-Server-Time: ${headers['X-RHN-Auth-Server-Time']}`,
      `X-RHN-Auth-Expire-Offset: ${headers['X-RHN-Auth-Expire-Offset']}`,
      // what yum-rhn-plugin before 2017 wrote for the empty user id
      `X-RHN-Auth-User-Id: \nX-libcurl-Empty-Header-Workaround: *`,
      'Connection: close',
    ];
    const answer = await new Promise<string>((resolve, reject) => {
      const s = net.connect(Number(port), '127.0.0.1', () => s.write(lines.join('\r\n') + '\r\n\r\n'));
      let out = '';
      s.on('data', (d: Buffer) => (out += d.toString('latin1')));
      s.on('end', () => resolve(out));
      s.on('error', reject);
    });
    t.match(answer, /^HTTP\/1\.1 200/, 'served');
  });
});
