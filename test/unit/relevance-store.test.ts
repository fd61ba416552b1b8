// The relevance store on a real SQLite database: needed packages and errata computed and stored,
// channel indexes read once per revision, freshness after profile, channel and subscription
// changes, one transaction per recompute, and the reads behind the admin API.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { openStores, type NewPackage, type PackageNevra, type Stores } from '../../channels/index.js';
import { RelevanceStore } from '../../channels/stores/relevance.js';
import { ROOT } from '../support/server.js';

let work: string;
let stores: Stores;
let org: number;
let otherOrg: number;
let base: number; // channel A: foo, bar, baz
let child: number; // channel B: kernel
let foreign: number; // channel C: nobody in org 1 is subscribed
const pkg: Record<string, number> = {};
const erratum: Record<string, number> = {};

function newPackage(nevra: string): NewPackage {
  const m = /^(.+)-(?:(\d+):)?([^-]+)-([^-]+)\.([^.]+)$/.exec(nevra)!;
  const checksum = createHash('sha256').update(nevra).digest('hex');
  return { name: m[1]!, epoch: m[2] ?? '', version: m[3]!, release: m[4]!, arch: m[5]!, checksumType: 'sha256', checksum, filename: `${nevra}.rpm`, primaryXml: '<package/>' };
}

async function addPackages(channelId: number, nevras: string[]): Promise<void> {
  const r = await stores.packages.importPackages(org, nevras.map(newPackage), channelId);
  nevras.forEach((n, i) => (pkg[n] = r.ids[i]!));
}

/** An advisory linked to channels without copying its packages into them (as CEFS imports do). */
async function addErratum(name: string, packages: string[], channels: number[], updated: string): Promise<void> {
  const date = new Date(updated);
  const e = { orgId: org, advisoryName: name, advisoryType: 'Security Advisory', advisoryRelease: 1, synopsis: `${name} synopsis`, product: 'p', topic: 't',
    description: 'd', solution: 's', severity: 'Important', issueDate: date, updateDate: date, packageIds: packages.map((p) => pkg[p]!) };
  erratum[name] = (await stores.errata.importAdvisory(e, {}, channels)).erratumId;
}

// Systems and profiles are written with SQL here: the systems store is another engineer's work.
// Every profile change bumps profile_revision, as the schema requires of that store.
function addSystem(orgId: number, name: string, channels: number[], profile: string[]): number {
  const now = Math.floor(Date.now() / 1000);
  const id = Number(stores.db.prepare(`INSERT INTO systems (org_id, name, secret, os_release, release_name, architecture, created)
    VALUES (?, ?, 'x', '9', 'centos-release', 'x86_64', ?)`).run(orgId, name, now).lastInsertRowid);
  for (const c of channels) stores.db.prepare('INSERT INTO system_channels (system_id, channel_id) VALUES (?, ?)').run(id, c);
  setProfile(id, profile);
  return id;
}

function setProfile(systemId: number, profile: string[]): void {
  stores.db.transaction(() => {
    stores.db.prepare('DELETE FROM system_packages WHERE system_id = ?').run(systemId);
    const ins = stores.db.prepare('INSERT INTO system_packages (system_id, name, epoch, version, release, arch) VALUES (?, ?, ?, ?, ?, ?)');
    for (const n of profile) {
      const p = newPackage(n);
      ins.run(systemId, p.name, p.epoch, p.version, p.release, p.arch);
    }
    stores.db.prepare('UPDATE systems SET profile_revision = profile_revision + 1 WHERE id = ?').run(systemId);
  })();
}

const evr = (p: PackageNevra): string => `${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}.${p.arch}`;
/** "from-nevra -> to-evr.arch", and "#ok" when toPackageId is the id of that build. */
const upgrades = async (systemId: number): Promise<string[]> =>
  (await stores.relevance.listLatestUpgradablePackages(systemId)).map(
    (u) => `${u.from.name}-${evr(u.from)} -> ${evr(u.to)} #${u.toPackageId === pkg[`${u.to.name}-${evr(u.to)}`] ? 'ok' : u.toPackageId}`,
  );
const errataNames = async (systemId: number): Promise<string[]> => (await stores.relevance.getRelevantErrata(systemId)).map((e) => e.advisoryName);
const affected = async (name: string, orgId = org): Promise<number[]> => (await stores.relevance.listAffectedSystems(erratum[name]!, orgId)).map((s) => s.id);
const outOfDate = async (orgId = org): Promise<number[]> => (await stores.relevance.listOutOfDateSystems(orgId)).map((s) => s.id);

const PROFILE = ['foo-1.0-1.x86_64', 'bar-1.0-1.noarch', 'kernel-5.14.0-1.x86_64', 'kernel-5.14.0-3.x86_64', 'baz-1:1.0-1.x86_64', 'local-1.0-1.x86_64'];
let s1: number; // A + B, PROFILE
let s2: number; // A only, PROFILE
let s3: number; // A + B, everything current
let s4: number; // other org, A, PROFILE

t.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'skylab-relevance-'));
  stores = openStores(join(work, 'skylab.db'), join(ROOT, 'migrations'));
  org = (await stores.users.ensureOrg('Relevance Org')).id;
  // no store creates a second org yet (ensureOrg returns the first one)
  otherOrg = Number(stores.db.prepare("INSERT INTO orgs (name, created) VALUES ('Other Org', 0)").run().lastInsertRowid);
  const channel = async (label: string, parentId: number | null): Promise<number> =>
    (await stores.channels.create({ orgId: org, label, name: label, summary: 's', archLabel: 'channel-x86_64', parentId, checksumLabel: 'sha256' })).id;
  base = await channel('base', null);
  child = await channel('child', base);
  foreign = await channel('foreign', null);
  await addPackages(base, ['foo-1.0-1.x86_64', 'foo-1.0-2.x86_64', 'foo-1.1-1.x86_64', 'foo-1.2-1.i686', 'bar-2.0-1.noarch', 'baz-2.0-1.x86_64', 'baz-1:1.0-1.x86_64']);
  await addPackages(child, ['kernel-5.14.0-2.x86_64', 'kernel-5.14.0-4.x86_64']);
  await addPackages(foreign, ['bar-3.0-1.noarch']);
  await stores.packages.importPackages(org, [newPackage('foo-9.0-1.x86_64')]).then((r) => (pkg['foo-9.0-1.x86_64'] = r.ids[0]!));
  await addErratum('FOO-1', ['foo-1.0-2.x86_64'], [base], '2024-01-01T00:00:00Z');
  await addErratum('FOO-OUTSIDE', ['foo-9.0-1.x86_64'], [base], '2024-06-01T00:00:00Z'); // its package is in no channel
  await addErratum('KERNEL-OLD', ['kernel-5.14.0-2.x86_64'], [child], '2024-02-01T00:00:00Z'); // older than the newest kernel
  await addErratum('KERNEL-NEW', ['kernel-5.14.0-4.x86_64'], [base], '2024-03-01T00:00:00Z'); // package in B, erratum in A
  await addErratum('BAR-FOREIGN', ['bar-3.0-1.noarch'], [foreign], '2024-04-01T00:00:00Z');
  await addErratum('BAR-2', ['bar-2.0-1.noarch', 'foo-1.2-1.i686'], [base, child], '2024-05-01T00:00:00Z');
  s1 = addSystem(org, 's1', [base, child], PROFILE);
  s2 = addSystem(org, 's2', [base], PROFILE);
  s3 = addSystem(org, 's3', [base, child], ['foo-1.1-1.x86_64', 'bar-2.0-1.noarch', 'kernel-5.14.0-4.x86_64', 'baz-1:1.0-1.x86_64']);
  s4 = addSystem(otherOrg, 's4', [base], PROFILE);
});
t.teardown(async () => {
  stores?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

t.test('computes and stores what a system needs', async (t) => {
  t.equal(await stores.relevance.ensureFresh(s1), true, 'a new system is computed');
  t.equal(await stores.relevance.ensureFresh(s1), false, 'and then fresh');
  t.same(await upgrades(s1), [
    'bar-1.0-1.noarch -> 2.0-1.noarch #ok',
    'foo-1.0-1.x86_64 -> 1.1-1.x86_64 #ok',
    'kernel-5.14.0-3.x86_64 -> 5.14.0-4.x86_64 #ok',
  ], 'newest same-arch or noarch build; baz 2.0 loses to the installed epoch 1; from the newest kernel');
  t.same(await errataNames(s1), ['BAR-2', 'KERNEL-NEW', 'FOO-1'], 'newest update first; no erratum without a channel package, of an older build, or outside the channels');
  const stored = stores.db.prepare('SELECT profile_revision AS p, channels_state AS c FROM system_relevance_state WHERE system_id = ?').get(s1) as { p: number; c: string };
  const rev = (id: number): number => (stores.db.prepare('SELECT revision FROM channels WHERE id = ?').get(id) as { revision: number }).revision;
  t.same(stored, { p: 1, c: `${base}:${rev(base)},${child}:${rev(child)}` }, 'the state it was computed from');
  const e = (await stores.relevance.getRelevantErrata(s1))[0]!;
  t.match(e, { id: erratum['BAR-2'], advisoryType: 'Security Advisory', synopsis: 'BAR-2 synopsis', severity: 'Important', updateDate: new Date('2024-05-01T00:00:00Z') });
});

t.test('a channel is indexed once per revision, not once per system', async (t) => {
  const before = stores.relevance.indexCacheStats().builds;
  t.equal(await stores.relevance.ensureFresh(s2), true);
  t.equal(await stores.relevance.ensureFresh(s3), true);
  await stores.relevance.recompute(s1);
  t.equal(stores.relevance.indexCacheStats().builds, before, 'both channels were already indexed for s1');
  t.same(await upgrades(s2), ['bar-1.0-1.noarch -> 2.0-1.noarch #ok', 'foo-1.0-1.x86_64 -> 1.1-1.x86_64 #ok']);
  t.same(await errataNames(s2), ['BAR-2', 'FOO-1'], 'the kernel erratum ships a package of a channel s2 lacks');
  t.same(await upgrades(s3), []);
});

t.test('the index cache is bounded by builds, least recently used first', async (t) => {
  const small = new RelevanceStore(stores.db, 7); // channel A holds 7 builds, B 2
  await small.recompute(s1);
  t.match(small.indexCacheStats(), { cached: 1, cachedBuilds: 2, builds: 2 }, 'A was dropped for B');
  await small.recompute(s2);
  t.match(small.indexCacheStats(), { cached: 1, cachedBuilds: 7, builds: 3 }, 'A read again, B dropped');
  await small.recompute(s2);
  t.match(small.indexCacheStats(), { builds: 3 }, 'and reused');
  t.same(await upgrades(s2), ['bar-1.0-1.noarch -> 2.0-1.noarch #ok', 'foo-1.0-1.x86_64 -> 1.1-1.x86_64 #ok'], 'same result');
});

t.test('fresh again after a profile change', async (t) => {
  setProfile(s2, ['foo-1.1-1.x86_64', 'bar-1.0-1.noarch', 'bar-1.0-1.x86_64']);
  t.same(await upgrades(s2), ['bar-1.0-1.noarch -> 2.0-1.noarch #ok', 'bar-1.0-1.x86_64 -> 2.0-1.noarch #ok'], 'read after the change, without an explicit refresh');
  t.same(await errataNames(s2), ['BAR-2']);
  t.equal(await stores.relevance.ensureFresh(s2), false);
  setProfile(s2, ['foo-1.0-1.x86_64', 'bar-1.0-1.noarch']);
  t.same(await upgrades(s2), ['bar-1.0-1.noarch -> 2.0-1.noarch #ok', 'foo-1.0-1.x86_64 -> 1.1-1.x86_64 #ok']);
  setProfile(s2, ['foo-1.0-2.x86_64', 'bar-1.0-1.noarch']);
  t.same(await upgrades(s2), ['bar-1.0-1.noarch -> 2.0-1.noarch #ok', 'foo-1.0-2.x86_64 -> 1.1-1.x86_64 #ok'], 'same target, new installed build');
  t.same(await errataNames(s2), ['BAR-2'], 'FOO-1 ships 1.0-2, which is now installed');
});

t.test('fresh again after a channel change, with one index read', async (t) => {
  const before = stores.relevance.indexCacheStats().builds;
  await addPackages(base, ['foo-1.3-1.x86_64']);
  t.equal(await stores.relevance.refreshSubscribers(base), 4, 'every subscriber, of either org, was stale');
  t.equal(await stores.relevance.refreshSubscribers(base), 0, 'and is fresh now');
  t.equal(stores.relevance.indexCacheStats().builds, before + 1, 'the changed channel only, once');
  t.same((await upgrades(s3)), ['foo-1.1-1.x86_64 -> 1.3-1.x86_64 #ok']);
  t.same(await outOfDate(), [s1, s2, s3]);
  await stores.channels.removePackages(base, [pkg['foo-1.3-1.x86_64']!]);
  t.same(await outOfDate(), [s1, s2], 'removed again: s3 is current');
});

t.test('subscriptions count: leaving a channel drops what it provided', async (t) => {
  t.same(await affected('KERNEL-NEW'), [s1]);
  stores.db.prepare('DELETE FROM system_channels WHERE system_id = ? AND channel_id = ?').run(s1, child);
  t.same(await affected('KERNEL-NEW'), [], 's1 was a candidate only through its stored rows');
  t.same(await errataNames(s1), ['BAR-2', 'FOO-1']);
  stores.db.prepare('INSERT INTO system_channels (system_id, channel_id) VALUES (?, ?)').run(s1, child);
  t.same(await affected('KERNEL-NEW'), [s1]);
});

t.test('reads stay within the org', async (t) => {
  t.same(await affected('FOO-1'), [s1]);
  t.same(await affected('FOO-1', otherOrg), [s4]);
  t.same(await affected('FOO-OUTSIDE'), []);
  t.same(await affected('BAR-FOREIGN'), []);
  t.same(await outOfDate(otherOrg), [s4]);
  const [row] = await stores.relevance.listAffectedSystems(erratum['FOO-1']!, otherOrg);
  t.match(row, { id: s4, name: 's4', lastBoot: null });
  t.ok(row!.lastCheckin instanceof Date && row!.created instanceof Date);
  t.same(await upgrades(999_999), [], 'an unknown system needs nothing');
});

t.test('a recompute is one transaction: a failure keeps the previous result and state', async (t) => {
  const needed = (): unknown => stores.db.prepare('SELECT package_id, from_arch FROM system_needed_packages WHERE system_id = ? ORDER BY 1, 2').all(s1);
  const before = needed();
  stores.db.exec(`CREATE TEMP TRIGGER fail_state BEFORE INSERT ON main.system_relevance_state BEGIN SELECT RAISE(ABORT, 'state write failed'); END`);
  setProfile(s1, ['foo-1.0-1.x86_64']);
  await t.rejects(stores.relevance.ensureFresh(s1), /state write failed/);
  t.same(needed(), before, 'needed packages untouched');
  stores.db.exec('DROP TRIGGER fail_state');
  t.equal(await stores.relevance.ensureFresh(s1), true, 'still stale, so computed on the next read');
  t.same(await upgrades(s1), ['foo-1.0-1.x86_64 -> 1.1-1.x86_64 #ok']);
  t.same(await errataNames(s1), ['FOO-1']);
});
