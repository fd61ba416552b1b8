// What `skylab package push` and POST /api/packages refuse: cut, corrupt and foreign files leave
// no row and no blob; bad credentials, missing rights and unknown channels fail cleanly.
import { randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readRpmFile } from '../../repo-sync/rpm/header.js';
import { buildRpm } from '../support/rpmbuild.js';
import { adminEnv, adminLogin, api, blobListing, pushedLines, runPush, sessionKey } from '../support/push.js';
import { startServer, type RunningServer } from '../support/server.js';

const CHANNEL = 'refuse-x86';

let server: RunningServer;
let work: string;
let good: string;

t.before(async () => {
  good = await buildRpm({
    name: 'sw-refuse', version: '1.0', release: '1', arch: 'x86_64', requires: ['bash'],
    files: Array.from({ length: 20 }, (_, i) => ({ path: `/usr/share/sw-refuse/f${i}`, content: `file ${i} `.repeat(400) })),
  });
  work = await mkdtemp(join(tmpdir(), 'skylab-push-'));
  server = await startServer();
  const setup = await api(adminLogin(server), [
    ['channel.software.create', CHANNEL, 'Refusals', 'refusal tests', 'channel-x86_64', ''],
    ['user.create', 'plainuser', 'plainpass', 'Plain', 'User', 'plain@example.org'],
  ]);
  if (JSON.stringify(setup) !== '[1,1]') throw new Error(`setup failed: ${JSON.stringify(setup)}`);
  const r = await runPush(['--server', server.url, '--channel', CHANNEL, good], adminEnv(server));
  if (r.code !== 0) throw new Error(`setup push failed: ${r.stderr}`);
});
t.teardown(async () => {
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const push = (args: string[], env: Record<string, string | undefined> = adminEnv(server)) => runPush(['--server', server.url, ...args], env);
const channelIds = async (): Promise<number[]> => {
  const [list] = await api<{ id: number }[][]>(adminLogin(server), [['channel.software.listAllPackages', CHANNEL]]);
  return list!.map((p) => p.id).sort((a, b) => a - b);
};

async function variants(): Promise<[string, Buffer][]> {
  const bytes = await readFile(good);
  const { headerRange } = await readRpmFile(good);
  const payloadAt = headerRange.end;
  const cuts = [1, 50, 96, 100, 200, headerRange.start, headerRange.start + 40, payloadAt - 1, payloadAt, payloadAt + 100, bytes.length - 1];
  const out: [string, Buffer][] = cuts.map((n) => [`cut-at-${n}.rpm`, bytes.subarray(0, n)]);
  const badMagic = Buffer.from(bytes);
  badMagic[0] ^= 0xff;
  out.push(['bad-magic.rpm', badMagic]);
  const badHeader = Buffer.from(bytes);
  badHeader[headerRange.start + 8] = 0x7f; // the main header's index count
  out.push(['bad-main-header.rpm', badHeader]);
  const headerFlip = Buffer.from(bytes);
  const inStrings = bytes.lastIndexOf(Buffer.from('sw-refuse'), payloadAt);
  headerFlip[inStrings] ^= 0x20; // a letter's case in the name: the structure stays valid, the digest does not
  out.push(['header-bit-flip.rpm', headerFlip]);
  const flipped = Buffer.from(bytes);
  flipped[payloadAt + Math.floor((bytes.length - payloadAt) / 2)] ^= 0x01;
  out.push(['payload-bit-flip.rpm', flipped]);
  out.push(['trailing-bytes.rpm', Buffer.concat([bytes, Buffer.from('extra')])]);
  out.push(['random.rpm', randomBytes(8192)]);
  out.push(['text.rpm', Buffer.from('this is not a package\n'.repeat(100))]);
  return out;
}

t.test('cut, corrupt and foreign files are refused and store nothing', async (t) => {
  const ids = await channelIds();
  const blobs = await blobListing(server.dataDir);
  t.equal(blobs.stored.length, 1);
  const cases = await variants();
  const files = cases.map(([name]) => join(work, name));
  await Promise.all(cases.map(([, data], i) => writeFile(files[i]!, data)));
  // One CLI run per file, four at a time: the server also sees concurrent uploads.
  const results = [];
  for (let i = 0; i < files.length; i += 4) results.push(...(await Promise.all(files.slice(i, i + 4).map((f) => push(['--channel', CHANNEL, f])))));
  for (const [i, [name]] of cases.entries()) {
    const r = results[i]!;
    t.equal(r.code, 1, `${name}: non-zero exit`);
    t.equal(r.stdout, '', `${name}: nothing pushed`);
    t.match(r.stderr, new RegExp(`^failed ${files[i]}: not a valid RPM package: .+ \\(HTTP 400\\)\\n`), `${name}: clear message`);
    t.comment(`${name}: ${r.stderr.split('\n')[0]!.slice(files[i]!.length + 9)}`);
  }
  t.same(await channelIds(), ids, 'channel package list unchanged');
  t.same(await blobListing(server.dataDir), blobs, 'blob store unchanged, nothing left in staging');
});

t.test('an empty file is refused', async (t) => {
  const file = join(work, 'empty.rpm');
  await writeFile(file, '');
  const r = await push(['--channel', CHANNEL, file]);
  t.equal(r.code, 1);
  t.match(r.stderr, /failed .*empty\.rpm: not a valid RPM package: truncated lead: needs 96 bytes, file has 0 \(HTTP 400\)/);
});

t.test('good and bad files in one run: the good ones go in, the exit code says some failed', async (t) => {
  const file = join(work, 'junk.rpm');
  await writeFile(file, 'junk');
  const r = await push(['--channel', CHANNEL, file, good, join(work, 'missing.rpm')]);
  t.equal(r.code, 1);
  t.equal(pushedLines(r.stdout).length, 1);
  t.match(r.stderr, /failed .*junk\.rpm: not a valid RPM package/);
  t.match(r.stderr, /failed .*missing\.rpm: no such file/);
  t.match(r.stderr, /skylab: 2 of 3 package\(s\) not pushed/);
});

/** A loopback port nobody listens on (it was free a moment ago). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

t.test('credentials, rights and channels', async (t) => {
  const bad = await push(['--channel', CHANNEL, good], { SKYLAB_USER: 'admin', SKYLAB_PASSWORD: 'wrong-password' });
  t.equal(bad.code, 1);
  t.equal(bad.stderr, 'skylab: login as admin failed: Either the password or username is incorrect.\n');

  const none = await push(['--channel', CHANNEL, good], { SKYLAB_USER: undefined, SKYLAB_PASSWORD: undefined });
  t.equal(none.code, 1);
  t.match(none.stderr, /^skylab: no credentials: set SKYLAB_USER and SKYLAB_PASSWORD/);

  const plain = await push(['--channel', CHANNEL, good], { SKYLAB_USER: 'plainuser', SKYLAB_PASSWORD: 'plainpass' });
  t.equal(plain.code, 1);
  t.match(plain.stderr, /failed .*: you may not change channel refuse-x86: it needs the channel_admin role .* \(HTTP 403\)/);

  const unknown = await push(['--channel', 'no-such-channel', good]);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /failed .*: no such channel: no-such-channel \(HTTP 404\)/);

  const closed = await closedPort();
  const unreachable = await runPush(['--server', `http://127.0.0.1:${closed}`, '--channel', CHANNEL, good], adminEnv(server));
  t.equal(unreachable.code, 1);
  t.match(unreachable.stderr, new RegExp(`^skylab: cannot reach http://127\\.0\\.0\\.1:${closed}: .*ECONNREFUSED`));

  const usage = await runPush([good], adminEnv(server));
  t.equal(usage.code, 2);
  t.match(usage.stderr, /package push needs --channel LABEL/);
});

interface Raw {
  status: number;
  body: string;
}

function rawPost(path: string, headers: Record<string, string>, body: Buffer): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

t.test('HTTP answers of /api/packages, and /rpc/api still buffers its bodies', async (t) => {
  const key = await sessionKey(adminLogin(server));
  const rpm = await readFile(good);
  const path = `/api/packages?channel=${CHANNEL}`;
  const badKey = await rawPost(path, { 'Content-Type': 'application/x-rpm', 'X-Skylab-Session': '1x' + '0'.repeat(64) }, rpm);
  t.same([badKey.status, JSON.parse(badKey.body)], [401, { error: 'invalid or expired session key: log in again' }]);
  const noKey = await rawPost(path, { 'Content-Type': 'application/x-rpm' }, rpm);
  t.equal(noKey.status, 401);
  // Only the header goes out: the server must answer from Content-Length without reading 3 GiB.
  const huge = await new Promise<Raw>((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-rpm', 'Content-Length': String(3 * 1024 ** 3), 'X-Skylab-Session': key } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.write(rpm.subarray(0, 1000));
  });
  t.same([huge.status, JSON.parse(huge.body)], [413, { error: 'package too big: the limit is 2147483648 bytes' }]);
  const wrongType = await rawPost(path, { 'Content-Type': 'text/plain', 'X-Skylab-Session': key }, rpm);
  t.equal(wrongType.status, 415);
  const octet = await rawPost(path, { 'Content-Type': 'application/octet-stream', 'X-Skylab-Session': key }, rpm);
  t.equal(octet.status, 200);
  t.match(JSON.parse(octet.body), { name: 'sw-refuse', epoch: '', version: '1.0', release: '1', arch: 'x86_64', checksumType: 'sha256', filename: 'sw-refuse-1.0-1.x86_64.rpm', channel: CHANNEL, new: false });
  const call = Buffer.from('<?xml version="1.0"?><methodCall><methodName>api.getVersion</methodName><params/></methodCall>');
  for (const type of ['application/octet-stream', 'application/x-rpm', 'text/xml']) {
    const r = await rawPost('/rpc/api', { 'Content-Type': type }, call);
    t.match(r, { status: 200, body: /<methodResponse><params><param><value><string>[\d.]+<\/string>/ }, `/rpc/api with ${type}`);
  }
  t.same((await blobListing(server.dataDir)).staging, [], 'staging empty');
});
