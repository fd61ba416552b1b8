// publishChannel on a real database and data directory (no server): a metadata-only import of
// CentOS Stream 9 BaseOS with synced errata, comps and modules, read back with createrepo_c;
// regeneration only on change, the atomic swap and pruning, the publish lease, and failures.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, rm, symlink, unlink } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import t from 'tap';
import { openStores, type Stores, type SyncedErratum } from '../../channels/index.js';
import { importPrimaryFile, publishChannel, publishedRepodataPath, findPublishedFile } from '../../repo-sync/index.js';
import { documentRecords, parseRepomd, parseUpdateinfo, repomdProblems } from '../support/repodata.js';
import { referenceRecords } from '../support/createrepo-reference.js';
import { ROOT, SHARED } from '../support/server.js';

const BASEOS = join(SHARED, 'data', 'cs9-baseos-2022', 'repodata');
const APPSTREAM = join(SHARED, 'data', 'cs9-appstream', 'repodata');
const find = async (dir: string, suffix: string): Promise<string> => join(dir, (await readdir(dir)).find((f) => f.endsWith(suffix))!);

let work: string;
let dataDir: string;
let stores: Stores;
let channelId: number;
let orgId: number;
let primaryFile: string;
let comps: Buffer;
let modules: Buffer;

t.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'skylab-publish-'));
  dataDir = join(work, 'data');
  stores = openStores(join(dataDir, 'skylab.db'), join(ROOT, 'migrations'));
  orgId = (await stores.users.ensureOrg('Publish Org')).id;
  channelId = (await stores.channels.create({ orgId, label: 'cs9-baseos', name: 'CentOS Stream 9 BaseOS', summary: 's', archLabel: 'channel-x86_64', parentId: null, checksumLabel: 'sha1' })).id;
  primaryFile = await find(BASEOS, '-primary.xml.gz');
  await importPrimaryFile(stores, orgId, channelId, primaryFile);
  comps = gunzipSync(await readFile(await find(BASEOS, '-comps-BaseOS.x86_64.xml.gz')));
  modules = execFileSync('xz', ['-dc', await find(APPSTREAM, '-modules.yaml.xz')]);
  const ids = await stores.publish.packageIds(channelId);
  const rows = await stores.publish.packageRows(ids.slice(0, 3));
  const base = { advisoryRelease: 1, product: 'CentOS Stream', topic: 't', description: 'd', solution: 's', issueDate: new Date('2022-01-02T03:04:05Z'), updateDate: new Date('2022-01-03T00:00:00Z') };
  const extras = { status: 'final', version: '2', rights: '', pushcount: '1', rebootSuggested: false, source: 'test' };
  const errata: SyncedErratum[] = [
    { ...base, orgId, advisoryName: 'CESA-2022:0001', advisoryType: 'Security Advisory', synopsis: 'Moderate: fix', severity: 'Moderate', cves: ['CVE-2022-0001'], extras,
      otherReferences: [{ type: 'self', id: 'CESA-2022:0001', href: 'https://example.org/CESA-2022:0001', title: 'CESA' }],
      packages: [{ packageId: rows[0]!.id, module: null }, { packageId: rows[1]!.id, module: 'perl:5.32:9010020210101:abc:x86_64' }] },
    { ...base, orgId, advisoryName: 'CEBA-2022:0002', advisoryType: 'Bug Fix Advisory', synopsis: 'bug fix', extras: { ...extras, rebootSuggested: true }, otherReferences: [],
      packages: [{ packageId: rows[2]!.id, module: null }] },
  ];
  await stores.sync.commit({ channelId, orgId, packageIds: [], errata, metadata: { group: { content: comps, sha256: 'x' }, modules: { content: modules, sha256: 'y' } }, repos: [], syncedAt: new Date() });
});
t.teardown(async () => {
  stores?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const root = (): string => join(dataDir, 'repodata', String(channelId));
const revisionDirs = async (): Promise<string[]> => (await readdir(root())).filter((e) => /^r\d/.test(e)).sort();
const bump = (): unknown => stores.db.prepare('UPDATE channels SET revision = revision + 1 WHERE id = ?').run(channelId);

/** A folder laid out as a yum repository (repodata/ = the published directory), for the oracles. */
async function asRepo(dir: string): Promise<string> {
  const repo = await mkdtemp(join(work, 'view-'));
  await symlink(dir, join(repo, 'repodata'));
  return repo;
}

let first: Awaited<ReturnType<typeof publishChannel>>;

t.test('publishes every package, the errata, comps and modules', async (t) => {
  first = await publishChannel(stores, dataDir, channelId);
  t.match(first, { channelId, label: 'cs9-baseos', generated: true, packages: 1125, errata: 2 });
  t.equal(first.revision, (await stores.publish.state(channelId))!.revision);
  t.equal((await stores.publish.state(channelId))!.publishedRevision, first.revision, 'published_revision recorded');
  t.equal(await publishedRepodataPath(dataDir, { id: channelId }), first.dir);
  const repo = await asRepo(first.dir);
  t.same(await repomdProblems(repo), [], 'sha256 checksums even though the channel says sha1');
  const { records } = await parseRepomd(join(first.dir, 'repomd.xml'));
  t.same(records.map((r) => r.type), ['primary', 'filelists', 'other', 'group', 'group_gz', 'modules', 'updateinfo']);

  const upstream = new Map<string, Record<string, unknown>>();
  for await (const r of referenceRecords('primary', primaryFile)) upstream.set(r['pkgid'] as string, r);
  const ours = await documentRecords(repo, 'primary');
  t.equal(ours.size, 1125);
  let same = 0;
  for (const [pkgid, rec] of ours) {
    const up = upstream.get(pkgid)!;
    if (rec['locationHref'] === `getPackage/${basename(up['locationHref'] as string)}` && JSON.stringify({ ...rec, locationHref: 0 }) === JSON.stringify({ ...up, locationHref: 0 })) same++;
  }
  t.equal(same, 1125, 'every primary record equals upstream apart from the getPackage/ location');
  for (const kind of ['filelists', 'other'] as const) {
    t.same([...(await documentRecords(repo, kind)).keys()].sort(), [...ours.keys()].sort(), `${kind}: same pkgids`);
  }
  const file = (type: string): string => join(repo, records.find((r) => r.type === type)!.location_href);
  t.ok((await readFile(file('group'))).equals(comps), 'group is the stored comps');
  t.ok(gunzipSync(await readFile(file('group_gz'))).equals(comps), 'group_gz too');
  t.ok(gunzipSync(await readFile(file('modules'))).equals(modules), 'modules');
  const updates = await parseUpdateinfo(file('updateinfo'));
  t.same(updates.map((u) => [u.id, u.type, u.severity, u.reboot_suggested, u.collections.length]), [
    ['CEBA-2022:0002', 'bugfix', null, true, 1],
    ['CESA-2022:0001', 'security', 'Moderate', false, 2],
  ], 'same issue date: by advisory name');
  t.match(updates[1]!.collections[1]!.module, { name: 'perl', stream: '5.32' });
});

t.test('publishing again reuses; a change publishes a new revision and keeps the previous one', async (t) => {
  const again = await publishChannel(stores, dataDir, channelId);
  t.match(again, { generated: false, dir: first.dir, revision: first.revision, packages: 1125, errata: 2 });
  t.same(again.files, first.files);

  bump();
  const second = await publishChannel(stores, dataDir, channelId);
  t.match(second, { generated: true, revision: first.revision + 1 });
  t.not(second.dir, first.dir);
  t.same(await revisionDirs(), [basename(first.dir), basename(second.dir)].sort());
  const primary = second.files.find((f) => f.type === 'primary')!.file;
  t.equal(await findPublishedFile(dataDir, { id: channelId }, primary), join(second.dir, primary));
  const oldPrimary = first.files.find((f) => f.type === 'primary')!.file;
  t.equal(oldPrimary, primary, 'unchanged content, same content-addressed name');
  const oldInfo = first.files.find((f) => f.type === 'updateinfo')!.file;
  t.ok(await findPublishedFile(dataDir, { id: channelId }, oldInfo), 'a file of the previous revision is still served');
  t.equal(await findPublishedFile(dataDir, { id: channelId }, '../skylab.db'), null);

  bump();
  const third = await publishChannel(stores, dataDir, channelId);
  t.same(await revisionDirs(), [basename(second.dir), basename(third.dir)].sort(), 'the oldest revision is gone');
  t.equal(await readlink(join(root(), 'current')), basename(third.dir));
});

t.test('missing files are regenerated even without a change', async (t) => {
  const live = await publishChannel(stores, dataDir, channelId);
  await unlink(join(live.dir, live.files.find((f) => f.type === 'other')!.file));
  const fixed = await publishChannel(stores, dataDir, channelId);
  t.equal(fixed.generated, true);
  t.equal(fixed.revision, live.revision);
  t.same(await repomdProblems(await asRepo(fixed.dir)), []);
});

t.test('concurrent calls in one process publish once', async (t) => {
  bump();
  const before = await revisionDirs();
  const [a, b] = await Promise.all([publishChannel(stores, dataDir, channelId), publishChannel(stores, dataDir, channelId)]);
  t.equal(a, b, 'one shared result');
  t.equal((await revisionDirs()).filter((d) => !before.includes(d)).length, 1, 'one new revision directory');
});

t.test('the publish lease: a live holder is waited for, a dead one is taken over', async (t) => {
  bump();
  const other = { host: hostname(), pid: process.pid, token: 'someone-else' };
  t.ok(await stores.publish.acquireLease(channelId, other, () => true, 900));
  const started = Date.now();
  setTimeout(() => void stores.publish.releaseLease(channelId, other), 400);
  const r = await publishChannel(stores, dataDir, channelId);
  t.ok(Date.now() - started >= 350, 'waited for the holder');
  t.equal(r.generated, true);

  bump();
  const gone = spawnSync('true').pid!;
  t.ok(await stores.publish.acquireLease(channelId, { host: hostname(), pid: gone, token: 'dead' }, () => true, 900));
  const quick = Date.now();
  t.equal((await publishChannel(stores, dataDir, channelId)).generated, true);
  t.ok(Date.now() - quick < 2000, 'a dead holder does not block');

  bump();
  t.ok(await stores.publish.acquireLease(channelId, other, () => true, 900));
  await t.rejects(publishChannel(stores, dataDir, channelId, { waitMs: 300 }), { name: 'PublishBusy' });
  await stores.publish.releaseLease(channelId, other);
});

t.test('a failed publish leaves the live revision alone', async (t) => {
  const live = await publishChannel(stores, dataDir, channelId);
  bump();
  const [victim] = await stores.publish.packageIds(channelId);
  const saved = stores.db.prepare('SELECT * FROM package_xml WHERE package_id = ?').get(victim) as Record<string, unknown>;
  stores.db.prepare('DELETE FROM package_xml WHERE package_id = ?').run(victim);
  await t.rejects(publishChannel(stores, dataDir, channelId), /has no stored primary.xml snippet/);
  t.equal(await publishedRepodataPath(dataDir, { id: channelId }), live.dir, 'current unchanged');
  t.same((await readdir(root())).filter((e) => e.startsWith('.tmp-')), [], 'no staging left behind');
  stores.db.prepare('INSERT INTO package_xml (package_id, primary_xml, filelists_xml, other_xml) VALUES (@package_id, @primary_xml, @filelists_xml, @other_xml)').run(saved);
  t.equal((await publishChannel(stores, dataDir, channelId)).generated, true);
});

t.test('an unknown channel is NotFound', async (t) => {
  await t.rejects(publishChannel(stores, dataDir, 999999), { name: 'Error', message: 'no such channel: 999999' });
});
