// `skylab package push` end to end: the real CLI uploads rpmbuild-built packages to the real
// server; Python's xmlrpc.client reads them back, checked against rpm -qp and sha256sum.
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import t, { type Test } from 'tap';
import { buildRpm, buildSrpm, signRpm, type PkgSpec } from '../support/rpmbuild.js';
import { adminEnv, adminLogin, api, blobListing, pushedLines, rpmDeps, rpmQuery, runPush, sha256sum } from '../support/push.js';
import { startServer, type RunningServer } from '../support/server.js';

const CHANNEL = 'push-x86';
const OTHER_CHANNEL = 'push-x86-b';

const SPECS: PkgSpec[] = [
  {
    name: 'sw-hello', version: '1.0', release: '1.el8', arch: 'noarch',
    summary: 'Hello — “quoted” & <angled> ünïcode', description: 'First line.\n\nThird line: 100% sure & <b>.',
    license: 'GPL-2.0-or-later AND MIT', vendor: 'Skylab Tests', url: 'https://example.org/hello?a=1&b=2',
    packager: 'Pat <pat@example.org>', group: 'Applications/System',
    requires: ['bash >= 4.2', '(pre) /bin/sh', 'coreutils'], provides: ['hello-api = 2.0'],
    files: [
      { path: '/usr/bin/sw-hello', content: '#!/bin/sh\necho hello\n', mode: '0755' },
      { path: '/etc/sw-hello.conf', content: 'greeting=hi\n', config: true },
    ],
  },
  {
    name: 'sw-tool', version: '2.3', release: '4.el9', arch: 'x86_64',
    requires: ['glibc >= 2.28', 'openssl-libs < 1:4', 'libfoo <= 3:2.0-1', 'zlib = 1.2.11-40.el9'],
    provides: ['tool(api) = 1', 'bundled(thing) = 0.3'],
    files: [{ path: '/usr/lib64/sw-tool/data.bin', content: 'not a library\n' }],
  },
  {
    name: 'sw-epoch', version: '0.9', release: '7', epoch: 3, arch: 'x86_64', vendor: 'Epoch Vendor',
    conflicts: ['sw-old < 0.5'], obsoletes: ['sw-legacy <= 1:0.8'],
    files: [{ path: '/opt/sw-epoch/README', content: 'epoch 3\n' }],
  },
  { name: 'sw-compat', version: '1.1', release: '1', arch: 'i686', files: [{ path: '/usr/lib/sw-compat/x', content: 'i686\n' }] },
];

let server: RunningServer;
let files: string[];
let firstIds: number[];

t.before(async () => {
  files = [];
  for (const spec of SPECS) files.push(await buildRpm(spec));
  server = await startServer();
  const created = await api(adminLogin(server), [
    ['channel.software.create', CHANNEL, 'Push x86_64', 'packages pushed by tests', 'channel-x86_64', ''],
    ['channel.software.create', OTHER_CHANNEL, 'Push x86_64 B', 'a second channel', 'channel-x86_64', ''],
  ]);
  if (JSON.stringify(created) !== '[1,1]') throw new Error(`channel setup failed: ${JSON.stringify(created)}`);
});
t.teardown(() => server?.stop());

const push = (args: string[], env = adminEnv(server)) => runPush(['--server', server.url, ...args], env);

type Details = Record<string, string | number | string[]>;
type Dep = { dependency: string; dependency_type: string; dependency_modifier: string };
type Listed = { id: number; name: string; epoch: string; version: string; release: string; arch_label: string; checksum: string };

async function checkDetails(t: Test, file: string, details: Details, row: Listed | undefined): Promise<void> {
  const rpm = await rpmQuery(file);
  const sum = await sha256sum(file);
  const pick = (...keys: string[]) => keys.map((k) => details[k]);
  t.same(
    pick('name', 'epoch', 'version', 'release', 'arch_label', 'summary', 'description', 'license', 'vendor', 'build_host', 'cookie', 'payload_size'),
    [rpm.NAME, rpm.EPOCH, rpm.VERSION, rpm.RELEASE, rpm.ARCH, rpm.SUMMARY, rpm.DESCRIPTION, rpm.LICENSE, rpm.VENDOR, rpm.BUILDHOST, rpm.COOKIE, rpm.ARCHIVESIZE],
    `getDetails of ${basename(file)} says what rpm -qp says`,
  );
  t.same(pick('file', 'size', 'checksum', 'checksum_type'), [basename(file), String(statSync(file).size), sum, 'sha256'], 'file name, size and sha256sum');
  t.same(details['providing_channels'], [CHANNEL]);
  t.same(row && [row.name, row.epoch, row.version, row.release, row.arch_label, row.checksum], [rpm.NAME, rpm.EPOCH, rpm.VERSION, rpm.RELEASE, rpm.ARCH, sum], 'listAllPackages row');
}

async function checkDeps(t: Test, file: string, deps: Dep[]): Promise<void> {
  const shown = (type: string): string[] =>
    deps.filter((d) => d.dependency_type === type).map((d) => (d.dependency_modifier ? `${d.dependency} ${d.dependency_modifier}` : d.dependency)).sort();
  // primary.xml (what the API reads) leaves out rpmlib() requires, as createrepo_c does.
  const requires = (await rpmDeps(file, 'requires')).filter((d) => !d.startsWith('rpmlib(')).sort();
  t.same(shown('requires'), requires, `requires of ${basename(file)} match rpm --requires`);
  t.same(shown('provides'), (await rpmDeps(file, 'provides')).sort(), `provides of ${basename(file)} match rpm --provides`);
}

t.test('pushes packages and the API describes them as rpm does', async (t) => {
  const r = await push(['--channel', CHANNEL, ...files]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stderr, '');
  const lines = pushedLines(r.stdout);
  t.same(lines.map((l) => l.file), files.map((f) => basename(f)), 'one line per file, canonical names = rpmbuild names');
  t.same(lines.map((l) => l.state), files.map(() => 'new'));
  firstIds = lines.map((l) => l.id);

  const [list, ...rest] = await api<unknown[]>(adminLogin(server), [
    ['channel.software.listAllPackages', CHANNEL],
    ...firstIds.flatMap((id) => [['packages.getDetails', id], ['packages.listDependencies', id], ['packages.getPackageUrl', id]]),
  ]);
  const listed = list as Listed[];
  t.same(listed.map((p) => p.id).sort((a, b) => a - b), [...firstIds].sort((a, b) => a - b), 'listAllPackages lists exactly the pushed ids');
  for (const [i, file] of files.entries()) {
    await checkDetails(t, file, rest[i * 3] as Details, listed.find((p) => p.id === firstIds[i]));
    await checkDeps(t, file, rest[i * 3 + 1] as Dep[]);
  }

  const urls = files.map((_, i) => rest[i * 3 + 2] as string);
  const downloads = await api<{ sha256: string; size: number }[]>(adminLogin(server), urls.map((u) => ['download', u]));
  for (const [i, file] of files.entries()) {
    t.same(downloads[i], { sha256: await sha256sum(file), size: statSync(file).size }, `getPackageUrl serves ${basename(file)} byte for byte`);
  }
});

t.test('re-pushing the same files is idempotent', async (t) => {
  const before = await blobListing(server.dataDir);
  t.equal(before.stored.length, files.length, 'one blob per package');
  const r = await push(['--channel', CHANNEL, ...files]);
  t.equal(r.code, 0, r.stderr);
  const lines = pushedLines(r.stdout);
  t.same(lines.map((l) => l.id), firstIds, 'same package ids');
  t.same(lines.map((l) => l.state), files.map(() => 'already in the channel'));
  const [list] = await api<{ id: number }[][]>(adminLogin(server), [['channel.software.listAllPackages', CHANNEL]]);
  t.equal(list!.length, files.length, 'no duplicate rows');
  t.same(await blobListing(server.dataDir), { ...before, staging: [] }, 'blob store unchanged, staging empty');

  const again = await push(['--channel', OTHER_CHANNEL, files[0]!]);
  t.equal(again.code, 0, again.stderr);
  t.same(pushedLines(again.stdout), [{ file: basename(files[0]!), id: firstIds[0], state: 'already stored, added to the channel' }]);
});

t.test('refuses what the channel cannot hold', async (t) => {
  const arm = await buildRpm({ name: 'sw-arm', version: '1', release: '1', arch: 'aarch64', files: [{ path: '/opt/arm', content: 'arm' }] });
  const srpm = await buildSrpm(SPECS[0]!);
  const rebuilt = await buildRpm({ ...SPECS[0]!, description: 'Another build of the same NEVRA.' });
  const cases: [string, RegExp, number][] = [
    [arm, /sw-arm-1-1\.aarch64\.rpm has arch aarch64, which channel push-x86 \(channel-x86_64\) does not accept \(HTTP 400\)/, 400],
    [srpm, /sw-hello-1\.0-1\.el8\.src\.rpm is a source package; channel push-x86 holds binary packages only \(HTTP 400\)/, 400],
    [rebuilt, /channel push-x86 already holds another build of sw-hello-1\.0-1\.el8\.noarch\.rpm \(package id \d+, sha256 [0-9a-f]{64}\) \(HTTP 409\)/, 409],
  ];
  const blobs = await blobListing(server.dataDir);
  for (const [file, message] of cases) {
    const r = await push(['--channel', CHANNEL, file]);
    t.equal(r.code, 1, `${basename(file)} refused`);
    t.equal(r.stdout, '');
    t.match(r.stderr, message);
  }
  t.same(await blobListing(server.dataDir), blobs, 'nothing stored');
  const [list] = await api<unknown[][]>(adminLogin(server), [['channel.software.listAllPackages', CHANNEL]]);
  t.equal(list!.length, files.length);
});

t.test('a signed copy (another checksum) may go into a channel without that NEVRA', async (t) => {
  const signed = await signRpm(files[1]!);
  const r = await push(['--channel', OTHER_CHANNEL, signed]);
  t.equal(r.code, 0, r.stderr);
  const [line] = pushedLines(r.stdout);
  t.equal(line?.state, 'new');
  t.not(line?.id, firstIds[1]);
  const [details] = await api<Record<string, string>[]>(adminLogin(server), [['packages.getDetails', line!.id]]);
  t.equal(details!['checksum'], await sha256sum(signed));
});
