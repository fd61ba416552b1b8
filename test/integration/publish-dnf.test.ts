// Channel repodata publishing end to end: rpmbuild-built packages pushed with the real CLI,
// errata created with Python's xmlrpc.client, `skylab channel export` while the server runs,
// then createrepo_c's parsers, sha256sum and Debian's dnf (in a throwaway installroot) judge it.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, readlink, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import t from 'tap';
import { openStores, type Stores } from '../../channels/index.js';
import { importPrimaryFile, publishedRepodataPath } from '../../repo-sync/index.js';
import { dnfRoot, type DnfRoot } from '../support/dnf.js';
import { adminEnv, adminLogin, api, runPush, sha256sum } from '../support/push.js';
import { documentRecords, parseRepomd, parseUpdateinfo, repomdProblems, repomdText } from '../support/repodata.js';
import { buildRpm, createRepo, type PkgSpec } from '../support/rpmbuild.js';
import { ROOT, SKYLAB_BIN, startServer, type RunningServer } from '../support/server.js';

const CHANNEL = 'pub-x86';
const STAGING = 'pub-staging';
const changelog = [
  { time: 'Tue Jan 16 2024', author: 'Pat <pat@example.org> - 1.0-1', text: '- second & <last> entry' },
  { time: 'Mon Jan 15 2024', author: 'Pat <pat@example.org> - 0.9-1', text: '- first entry' },
];
const OLD: PkgSpec[] = [
  { name: 'pub-lib', version: '1.0', release: '1.el9', arch: 'x86_64', provides: ['libpub.so.1()(64bit)'], files: [{ path: '/usr/lib64/libpub.so.1', content: 'v1\n' }], changelog },
  {
    name: 'pub-app', version: '1.0', release: '1.el9', arch: 'x86_64', requires: ['pub-lib >= 1.0', 'libpub.so.1()(64bit)', 'pub-data'],
    files: [{ path: '/usr/bin/pub-app', content: 'v1\n', mode: '0755' }, { path: '/etc/pub-app.conf', content: 'a=1\n', config: true }],
  },
  { name: 'pub-doc', version: '1.0', release: '1.el9', summary: 'Docs & <notes> for “pub”', files: [{ path: '/usr/share/doc/pub/README', content: 'v1\n' }] },
  { name: 'pub-data', version: '1.0', release: '1.el9', files: [{ path: '/usr/share/pub/data', content: 'd\n' }] },
];
const NEW: PkgSpec[] = [
  { ...OLD[0]!, version: '1.1', files: [{ path: '/usr/lib64/libpub.so.1', content: 'v2\n' }] },
  { ...OLD[1]!, version: '1.1', requires: ['pub-lib >= 1.1', 'libpub.so.1()(64bit)', 'pub-data'], files: [{ path: '/usr/bin/pub-app', content: 'v2\n', mode: '0755' }] },
  { ...OLD[2]!, version: '1.1', files: [{ path: '/usr/share/doc/pub/README', content: 'v2\n' }] },
];
const SA = 'PUBSA-2024:0001';
const BA = 'PUBBA-2024:0002';
const EA = 'PUBEA-2024:0003';
const BUG = { id: 1001, summary: 'CVE-2024-0001 pub-lib: heap overflow in <parser> & friends', url: 'https://bugzilla.example.org/show_bug.cgi?id=1001' };
const CVES = ['CVE-2024-0001', 'CVE-2024-0002'];

let server: RunningServer;
let work: string;
let newFiles: string[];
let channelId: number;
let stores: Stores;

const info = (name: string, type: string, synopsis: string, severity?: string): Record<string, unknown> => ({
  synopsis, advisory_name: name, advisory_release: 2, advisory_type: type, product: 'Pub Linux 9', topic: `topic of ${name}`,
  description: `What ${name} fixes.\nSecond line.`, solution: 'Update the packages.', ...(severity ? { severity } : {}),
});

function skylab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SKYLAB_BIN, ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
const exportTo = (out: string, ...extra: string[]) => skylab(['channel', 'export', '--data-dir', server.dataDir, ...extra, CHANNEL, out]);

t.before(async () => {
  const oldFiles = await Promise.all(OLD.map(buildRpm));
  newFiles = await Promise.all(NEW.map(buildRpm));
  work = await mkdtemp(join(tmpdir(), 'skylab-publish-'));
  server = await startServer();
  const login = adminLogin(server);
  const created = await api(login, [
    ['channel.software.create', CHANNEL, 'Pub x86_64', 'published channel', 'channel-x86_64', ''],
    ['channel.software.create', STAGING, 'Pub staging', 'new builds land here', 'channel-x86_64', ''],
  ]);
  if (JSON.stringify(created) !== '[1,1]') throw new Error(`channel setup failed: ${JSON.stringify(created)}`);
  for (const [channel, files] of [[CHANNEL, oldFiles], [STAGING, newFiles]] as const) {
    const r = await runPush(['--server', server.url, '--channel', channel, ...files], adminEnv(server));
    if (r.code !== 0) throw new Error(`push failed: ${r.stderr}`);
  }
  const [staged] = await api<{ id: number; name: string }[][]>(login, [['channel.software.listAllPackages', STAGING]]);
  const id = (name: string): number => staged!.find((p) => p.name === name)!.id;
  const made = await api<unknown[]>(login, [
    ['errata.create', info(SA, 'Security Advisory', 'Important: pub-lib security update', 'Important'), [BUG], ['reboot_suggested'], [id('pub-lib')], true, [CHANNEL]],
    ['errata.setDetails', SA, { cves: CVES }],
    ['errata.create', info(BA, 'Bug Fix Advisory', 'pub-app bug fix update'), [], [], [id('pub-app')], true, [CHANNEL]],
    ['errata.create', info(EA, 'Product Enhancement Advisory', 'pub-doc enhancement update'), [], [], [id('pub-doc')], true, [CHANNEL]],
  ]);
  if (made.some((m) => typeof m === 'object' && m !== null && 'fault' in m)) throw new Error(`errata setup failed: ${JSON.stringify(made)}`);
  stores = openStores(join(server.dataDir, 'skylab.db'), join(ROOT, 'migrations'));
  channelId = (await stores.channels.getByLabelAnyOrg(CHANNEL))!.id;
});

t.teardown(async () => {
  stores?.close();
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const exported = (): string => join(work, 'export');

t.test('skylab channel export writes repodata and package files while the server runs', async (t) => {
  const r = await exportTo(exported());
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^pub-x86: repodata revision \d+ generated in [\d.]+ s \(7 packages, 3 errata\)$/m);
  t.match(r.stdout, /^exported 7 package files /m);
  const files = (await readdir(join(exported(), 'getPackage'))).sort();
  t.same(files, ['pub-app-1.0-1.el9.x86_64.rpm', 'pub-app-1.1-1.el9.x86_64.rpm', 'pub-data-1.0-1.el9.noarch.rpm', 'pub-doc-1.0-1.el9.noarch.rpm',
    'pub-doc-1.1-1.el9.noarch.rpm', 'pub-lib-1.0-1.el9.x86_64.rpm', 'pub-lib-1.1-1.el9.x86_64.rpm']);
  for (const f of newFiles) t.equal(await sha256sum(join(exported(), 'getPackage', basename(f))), await sha256sum(f), `${basename(f)} byte for byte`);
});

t.test('repomd.xml: sha256 checksums and sizes that sha256sum and zcat confirm', async (t) => {
  t.same(await repomdProblems(exported()), []);
  const { revision, records } = await parseRepomd(join(exported(), 'repodata', 'repomd.xml'));
  t.equal(revision, String((await stores.publish.state(channelId))!.revision), 'revision = channel revision');
  t.same(records.map((r) => r.type).sort(), ['filelists', 'other', 'primary', 'updateinfo']);
  for (const r of records) t.match(r.location_href, new RegExp(`^repodata/${r.checksum}-${r.type}\\.xml\\.gz$`), `${r.type} named by its sha256`);
});

t.test('primary, filelists and other match what createrepo_c writes for the same files', async (t) => {
  const reference = join(work, 'reference');
  await cp(join(exported(), 'getPackage'), reference, { recursive: true });
  await createRepo(reference, { noDatabase: true });
  for (const kind of ['primary', 'filelists', 'other'] as const) {
    const ours = await documentRecords(exported(), kind);
    const theirs = await documentRecords(reference, kind);
    t.same([...ours.keys()].sort(), [...theirs.keys()].sort(), `${kind}: the same packages (pkgids)`);
    for (const [pkgid, rec] of theirs) {
      const mine = { ...ours.get(pkgid) };
      if (kind === 'primary') {
        t.equal(mine['locationHref'], `getPackage/${rec['locationHref']}`, `${rec['name']}: location is getPackage/<file>`);
        t.equal(mine['locationBase'], '');
        // the file time is the upload's, not the copy's
        for (const k of ['locationHref', 'timeFile']) {
          delete mine[k];
          delete rec[k];
        }
      }
      t.same(mine, rec, `${kind} record of ${rec['name']}-${rec['version']}`);
    }
  }
});

t.test('updateinfo: the three advisories as createrepo_c reads them', async (t) => {
  const { records } = await parseRepomd(join(exported(), 'repodata', 'repomd.xml'));
  const updates = await parseUpdateinfo(join(exported(), records.find((r) => r.type === 'updateinfo')!.location_href));
  t.same(updates.map((u) => [u.id, u.type, u.severity]).sort(), [[BA, 'bugfix', null], [EA, 'enhancement', null], [SA, 'security', 'Important']]);
  const sa = updates.find((u) => u.id === SA)!;
  t.match(sa, {
    title: 'Important: pub-lib security update', status: 'final', version: '2', release: 'Pub Linux 9', summary: `topic of ${SA}`,
    description: `What ${SA} fixes.\nSecond line.`, solution: 'Update the packages.', reboot_suggested: true,
  });
  t.match(sa.issued, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  t.same(sa.references, [
    { type: 'bugzilla', id: '1001', href: BUG.url, title: BUG.summary },
    ...CVES.map((c) => ({ type: 'cve', id: c, href: `https://www.cve.org/CVERecord?id=${c}`, title: c })),
  ]);
  const lib = newFiles[0]!;
  t.same(sa.collections, [{
    short: CHANNEL, name: 'Pub x86_64', module: null,
    packages: [{ name: 'pub-lib', version: '1.1', release: '1.el9', epoch: '0', arch: 'x86_64', src: 'pub-lib-1.1-1.el9.src.rpm',
      filename: basename(lib), sum: await sha256sum(lib), sum_type: 'sha256', reboot_suggested: true }],
  }]);
  t.same(updates.find((u) => u.id === BA)!.collections[0]!.packages.map((p) => p.filename), ['pub-app-1.1-1.el9.x86_64.rpm']);
  t.equal(updates.find((u) => u.id === BA)!.reboot_suggested, false);
});

let dnf: DnfRoot;
t.test('dnf resolves and installs the old builds from the export', async (t) => {
  dnf = await dnfRoot('pub', exported());
  t.teardown(() => dnf.remove());
  const r = await dnf.dnf(['-y', 'install', 'pub-app-1.0-1.el9', 'pub-lib-1.0-1.el9', 'pub-doc-1.0-1.el9']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /Installing dependencies:\s+pub-data\s+noarch\s+1\.0-1\.el9/, 'pub-data pulled in by pub-app\'s requirement');
  t.same(await dnf.installed(), ['pub-app-1.0-1.el9.x86_64', 'pub-data-1.0-1.el9.noarch', 'pub-doc-1.0-1.el9.noarch', 'pub-lib-1.0-1.el9.x86_64']);

  const list = await dnf.dnf(['updateinfo', 'list', '--all']);
  t.equal(list.code, 0, list.stderr);
  const rows = list.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((c) => c[0]?.startsWith('PUB'));
  t.same(rows.sort(), [[BA, 'bugfix', 'pub-app-1.1-1.el9.x86_64'], [EA, 'enhancement', 'pub-doc-1.1-1.el9.noarch'], [SA, 'Important/Sec.', 'pub-lib-1.1-1.el9.x86_64']]);

  const details = await dnf.dnf(['updateinfo', 'info']);
  t.equal(details.code, 0, details.stderr);
  const blocks = details.stdout.split(/^=+$/m).join('\n').split(/(?=^\s*Update ID:)/m).filter((b) => /Update ID:/.test(b));
  const field = (b: string, k: string): string | undefined => new RegExp(`^\\s*${k}: (.*)$`, 'm').exec(b)?.[1]?.trim();
  const byId = new Map(blocks.map((b) => [field(b, 'Update ID'), b]));
  t.same([...byId.keys()].sort(), [BA, EA, SA]);
  t.equal(field(byId.get(SA)!, 'Type'), 'security');
  t.equal(field(byId.get(SA)!, 'Severity'), 'Important');
  t.match(byId.get(SA)!, /CVEs: CVE-2024-0001\s+: CVE-2024-0002/);
  t.match(byId.get(SA)!, /Bugs: 1001 - CVE-2024-0001 pub-lib/);
  t.equal(field(byId.get(BA)!, 'Type'), 'bugfix');
  t.equal(field(byId.get(EA)!, 'Type'), 'enhancement');

  const security = await dnf.dnf(['updateinfo', 'list', '--security']);
  t.same(security.stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('PUB')).map((l) => l.split(/\s+/)[0]), [SA]);
  const up = await dnf.dnf(['-y', 'upgrade', '--security']);
  t.equal(up.code, 0, up.stderr);
  t.same(await dnf.installed(), ['pub-app-1.0-1.el9.x86_64', 'pub-data-1.0-1.el9.noarch', 'pub-doc-1.0-1.el9.noarch', 'pub-lib-1.1-1.el9.x86_64'], 'only the security fix');
  const after = await dnf.dnf(['updateinfo', 'list', '--all']);
  t.match(after.stdout, new RegExp(`^i ${SA} `, 'm'), 'the security advisory now shows as installed');
});

async function liveDir(): Promise<string> {
  return (await publishedRepodataPath(server.dataDir, { id: channelId }))!;
}
const revisionDirs = async (): Promise<string[]> => (await readdir(join(server.dataDir, 'repodata', String(channelId)))).filter((e) => /^r\d/.test(e)).sort();

t.test('publishing again without a change is a no-op; a change makes a new revision', async (t) => {
  const before = await liveDir();
  const repomd = await repomdText(exported());
  const again = await exportTo(exported());
  t.equal(again.code, 0, again.stderr);
  t.match(again.stdout, /repodata revision \d+ already current/);
  t.equal(await liveDir(), before, 'same revision directory');
  t.equal(await repomdText(exported()), repomd, 'same repomd.xml');

  await api(adminLogin(server), [['errata.setDetails', BA, { synopsis: 'pub-app bug fix update (revised)' }]]);
  const oldFiles = (await readdir(before)).sort();
  const changed = await exportTo(exported());
  t.equal(changed.code, 0, changed.stderr);
  t.match(changed.stdout, /generated in/);
  const second = await liveDir();
  t.not(second, before, 'a new revision directory');
  t.equal(await readlink(join(server.dataDir, 'repodata', String(channelId), 'current')), basename(second));
  t.same((await readdir(before)).sort(), oldFiles, 'the previous revision stays whole for readers mid-download');
  const { records } = await parseRepomd(join(before, 'repomd.xml'));
  for (const r of records) t.equal(await sha256sum(join(before, basename(r.location_href))), r.checksum, `old ${r.type} still readable`);
  t.not(await repomdText(exported()), repomd, 'the export has the new repomd.xml');
  const { records: now } = await parseRepomd(join(exported(), 'repodata', 'repomd.xml'));
  const updates = await parseUpdateinfo(join(exported(), now.find((r) => r.type === 'updateinfo')!.location_href));
  t.equal(updates.find((u) => u.id === BA)!.title, 'pub-app bug fix update (revised)');
  t.same(await readdir(join(exported(), 'repodata')).then((f) => f.length), now.length + 1, 'old repodata files of the export replaced');

  await api(adminLogin(server), [['errata.setDetails', EA, { synopsis: 'pub-doc enhancement update (revised)' }]]);
  t.equal((await exportTo(exported())).code, 0);
  const third = await liveDir();
  t.same(await revisionDirs(), [basename(second), basename(third)].sort(), 'only the live and the previous revision are kept');
});

t.test('two exports at once publish once', async (t) => {
  await api(adminLogin(server), [['errata.setDetails', EA, { synopsis: 'pub-doc enhancement update (again)' }]]);
  const [a, b] = await Promise.all([exportTo(join(work, 'a')), exportTo(join(work, 'b'))]);
  t.equal(a.code, 0, a.stderr);
  t.equal(b.code, 0, b.stderr);
  const generated = [a, b].filter((r) => /generated in/.test(r.stdout)).length;
  t.equal(generated, 1, 'one generated, the other found it current');
  t.equal(await repomdText(join(work, 'a')), await repomdText(join(work, 'b')), 'both exported the same revision');
});

t.test('--metadata-only, and packages not downloaded yet', async (t) => {
  const meta = join(work, 'meta');
  const r = await exportTo(meta, '--metadata-only');
  t.equal(r.code, 0, r.stderr);
  t.same((await readdir(meta)).sort(), ['repodata']);
  t.same(await repomdProblems(meta), []);

  // A metadata-only import (as an on_demand sync makes): primary snippet only, no blob.
  const extraRpm = await buildRpm({ name: 'pub-extra', version: '1.0', release: '1.el9', files: [{ path: '/usr/share/pub/extra', content: 'x\n' }], changelog });
  const upstream = join(work, 'upstream');
  await mkdir(upstream);
  await cp(extraRpm, join(upstream, basename(extraRpm)));
  await createRepo(upstream, { noDatabase: true });
  const primary = (await readdir(join(upstream, 'repodata'))).find((f) => f.endsWith('-primary.xml.gz'))!;
  const org = (await stores.channels.getByLabelAnyOrg(CHANNEL))!.orgId!;
  await importPrimaryFile(stores, org, channelId, join(upstream, 'repodata', primary));

  const refused = await exportTo(join(work, 'full'));
  t.equal(refused.code, 1);
  t.match(refused.stderr, /pub-extra-1\.0-1\.el9\.noarch\.rpm is not downloaded yet/);
  t.equal(await stat(join(work, 'full', 'repodata')).catch(() => null), null, 'no repodata written for an incomplete export');

  const ok = await exportTo(meta, '--metadata-only');
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /\(8 packages, 3 errata\)/);
  const [primaryRecs, filelists, other] = await Promise.all((['primary', 'filelists', 'other'] as const).map((k) => documentRecords(meta, k)));
  const extra = [...primaryRecs!.values()].find((p) => p['name'] === 'pub-extra')!;
  t.equal(extra['locationHref'], 'getPackage/pub-extra-1.0-1.el9.noarch.rpm');
  t.same(filelists!.get(extra['pkgid'] as string), { pkgid: extra['pkgid'], name: 'pub-extra', arch: 'noarch', epoch: '0', version: '1.0', release: '1.el9', files: [] },
    'a minimal filelists entry with the same pkgid');
  t.same(other!.get(extra['pkgid'] as string)?.['changelogs'], [], 'a minimal other entry');
  t.same([...filelists!.keys()].sort(), [...primaryRecs!.keys()].sort());
  t.same([...other!.keys()].sort(), [...primaryRecs!.keys()].sort());
  t.ok(await realpath(join(meta, 'repodata', 'repomd.xml')));
  t.match(await readFile(join(meta, 'repodata', 'repomd.xml'), 'utf8'), /<revision>\d+<\/revision>/);
});

t.test('command-line mistakes', async (t) => {
  const unknown = await skylab(['channel', 'export', '--data-dir', server.dataDir, 'no-such-channel', join(work, 'x')]);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /^skylab: no channel labelled no-such-channel in /);
  const usage = await skylab(['channel', 'export', '--data-dir', server.dataDir, CHANNEL]);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /channel export needs LABEL and OUTDIR/);
  t.equal((await skylab(['channel', 'frobnicate'])).code, 2);
});
