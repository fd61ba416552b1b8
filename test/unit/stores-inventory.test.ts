// InventoryStore and SystemSearchStore on a real database: package profiles replaced by
// difference (counts, revision bumps only on change, timings for 1,500 packages), add and
// delete, systems with a package, hardware items, client capabilities, and system.search.
import t from 'tap';
import type { InstalledPackage } from '../../channels/index.js';
import { attachStores } from '../../channels/index.js';
import { guestFixture, medianMs, type GuestFixture, refusal } from '../support/guest-fixtures.js';

let f: GuestFixture;
t.before(async () => {
  f = await guestFixture();
});
t.teardown(() => f?.close());

/** A plausible installed set: n packages, some with epochs, some noarch, a few multilib pairs. */
function profile(n: number): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (let i = 0; out.length < n; i++) {
    const name = `pkg-${String(i).padStart(4, '0')}`;
    const base = { name, epoch: i % 7 === 0 ? String(i % 3) : '', version: `${1 + (i % 5)}.${i % 11}`, release: `${i % 4}.el7`, installtime: 1_600_000_000 + i };
    out.push({ ...base, arch: i % 9 === 0 ? 'noarch' : 'x86_64' });
    if (i % 50 === 0 && out.length < n) out.push({ ...base, arch: 'i686' });
  }
  return out;
}

const key = (p: InstalledPackage): string => JSON.stringify([p.name, p.epoch, p.version, p.release, p.arch, p.installtime]);
const asSet = (ps: readonly InstalledPackage[]): string[] => ps.map(key).sort();

t.test('replacePackages writes only the difference and bumps the revision only on change', async (t) => {
  const s = await f.register();
  const a = profile(1500);
  const first = await f.stores.inventory.replacePackages(f.org, s.id, a);
  t.same(first, { added: 1500, removed: 0, retimed: 0, changed: true, profileRevision: 1 });
  t.same(asSet(await f.stores.inventory.packages(f.org, s.id)), asSet(a), 'read back equals what was sent');
  t.equal(f.sql(`SELECT count(*) FROM system_packages WHERE system_id = ${s.id}`), '1500');

  t.same(await f.stores.inventory.replacePackages(f.org, s.id, [...a].reverse()), { added: 0, removed: 0, retimed: 0, changed: false, profileRevision: 1 }, 'same set in another order: nothing');

  // a handful of changes: two removed, one upgraded (a remove plus an add), one new, one reinstalled (installtime only)
  const b = a.filter((_p, i) => i !== 10 && i !== 20).map((p, i) => (i === 30 ? { ...p, release: `${p.release}.1` } : i === 40 ? { ...p, installtime: 1_700_000_000 } : p));
  b.push({ name: 'brand-new', epoch: '', version: '1.0', release: '1', arch: 'x86_64', installtime: null });
  const second = await f.stores.inventory.replacePackages(f.org, s.id, b);
  t.same(second, { added: 2, removed: 3, retimed: 1, changed: true, profileRevision: 2 });
  t.same(asSet(await f.stores.inventory.packages(f.org, s.id)), asSet(b));
  t.equal((await f.stores.systems.get(f.org, s.id))!.profileRevision, 2);

  const onlyTime = b.map((p, i) => (i === 0 ? { ...p, installtime: 1 } : p));
  t.same(await f.stores.inventory.replacePackages(f.org, s.id, onlyTime), { added: 0, removed: 0, retimed: 1, changed: false, profileRevision: 2 }, 'installtime alone is not a profile change');

  const dup = [...onlyTime, { ...onlyTime[5]!, installtime: 42 }];
  t.same(await f.stores.inventory.replacePackages(f.org, s.id, dup), { added: 0, removed: 0, retimed: 1, changed: false, profileRevision: 2 }, 'a duplicate counts once, last installtime wins');

  const upload = await medianMs(21, (i) => f.stores.inventory.replacePackages(f.org, s.id, i % 2 ? a : b));
  const unchanged = await medianMs(21, () => f.stores.inventory.replacePackages(f.org, s.id, b));
  const fresh = await f.register();
  const initial = await medianMs(1, () => f.stores.inventory.replacePackages(f.org, fresh.id, a));
  t.comment(`replacePackages, 1,500 packages: ${upload.toFixed(2)} ms with 6 changes, ${unchanged.toFixed(2)} ms unchanged, ${initial.toFixed(2)} ms into an empty profile`);
  t.ok(upload < 50, 'a handful of changes to a 1,500-package profile takes milliseconds');
  t.match(await refusal(f.stores.inventory.replacePackages(f.otherOrg, s.id, a)), { kind: 'NotFound' }, 'another org cannot write it');
  t.match(await refusal(f.stores.inventory.packages(f.otherOrg, s.id)), { kind: 'NotFound' });
});

t.test('addPackages and deletePackages (exact, name-only, name and arch)', async (t) => {
  const s = await f.register();
  const pk = (name: string, version: string, arch: string, installtime: number | null = null): InstalledPackage => ({ name, epoch: '', version, release: '1', arch, installtime });
  t.same(await f.stores.inventory.addPackages(f.org, s.id, [pk('a', '1', 'x86_64'), pk('a', '1', 'i686'), pk('b', '1', 'noarch'), pk('b', '2', 'noarch')]),
    { added: 4, removed: 0, retimed: 0, changed: true, profileRevision: 1 });
  t.same(await f.stores.inventory.addPackages(f.org, s.id, [pk('a', '1', 'x86_64', 5)]), { added: 0, removed: 0, retimed: 1, changed: false, profileRevision: 1 });
  t.same(await f.stores.inventory.deletePackages(f.org, s.id, [{ name: 'a', arch: 'i686' }, { name: 'zzz' }]), { added: 0, removed: 1, retimed: 0, changed: true, profileRevision: 2 });
  t.same(await f.stores.inventory.deletePackages(f.org, s.id, [{ name: 'b', version: '2', release: '1', epoch: '' }]), { added: 0, removed: 1, retimed: 0, changed: true, profileRevision: 3 });
  t.same((await f.stores.inventory.packages(f.org, s.id)).map((p) => `${p.name}-${p.version}.${p.arch}:${p.installtime}`), ['a-1.x86_64:5', 'b-1.noarch:null']);
  t.same(await f.stores.inventory.deletePackages(f.org, s.id, [{ name: 'b' }, { name: 'a' }]), { added: 0, removed: 2, retimed: 0, changed: true, profileRevision: 4 });
  t.same(await f.stores.inventory.deletePackages(f.org, s.id, [{ name: 'a' }]), { added: 0, removed: 0, retimed: 0, changed: false, profileRevision: 4 });
});

t.test('systemsWithPackage by name-version-release and by package id', async (t) => {
  const withIt = await f.register({ name: 'has-zsh' });
  const other = await f.register({ name: 'other-zsh' });
  const theirs = await f.register({ orgId: f.otherOrg, name: 'theirs' });
  const zsh = { name: 'zsh', epoch: '', version: '5.0.2', release: '34.el7', arch: 'x86_64' };
  await f.stores.inventory.addPackages(f.org, withIt.id, [{ ...zsh, installtime: 1 }]);
  await f.stores.inventory.addPackages(f.org, other.id, [{ ...zsh, arch: 'i686', installtime: 1 }]);
  await f.stores.inventory.addPackages(f.otherOrg, theirs.id, [{ ...zsh, installtime: 1 }]);
  const { ids } = await f.stores.packages.importPackages(f.org, [{ ...zsh, checksumType: 'sha256', checksum: 'a'.repeat(64), filename: 'zsh-5.0.2-34.el7.x86_64.rpm', primaryXml: '<package/>' }]);
  t.same((await f.stores.inventory.systemsWithPackage(f.org, { name: 'zsh', version: '5.0.2', release: '34.el7' })).map((s) => s.name), ['has-zsh', 'other-zsh']);
  t.same((await f.stores.inventory.systemsWithPackage(f.org, { name: 'zsh', version: '5.0.2', release: '34.el7', arch: 'i686' })).map((s) => s.name), ['other-zsh']);
  t.same((await f.stores.inventory.systemsWithPackage(f.org, { packageId: ids[0]! })).map((s) => s.name), ['has-zsh'], 'exact NEVRA of the package');
  t.same(await f.stores.inventory.systemsWithPackage(f.org, { name: 'zsh', version: '5.0.3', release: '34.el7' }), []);
});

t.test('hardware items: add, replace with system fields, read back', async (t) => {
  const s = await f.register();
  const cpu = { class: 'CPU', data: { desc: 'Processor', platform: 'x86_64', count: 2, model: 'Xeon' } };
  const nic = { class: 'NETWORK', data: { bus: 'pci', driver: 'e1000', desc: 'Intel Corporation|82540EM Gigabit Ethernet Controller', prop1: '8086', prop2: '100e' } };
  await f.stores.inventory.storeHardware(f.org, s.id, [cpu, nic], { replace: false });
  await f.stores.inventory.storeHardware(f.org, s.id, [{ class: 'MEMORY', data: { ram: '3789', swap: '2047' } }], { replace: false });
  t.same((await f.stores.inventory.hardware(f.org, s.id)).map((h) => h.class), ['CPU', 'NETWORK', 'MEMORY'], 'appended in order');
  t.same((await f.stores.inventory.hardware(f.org, s.id))[1], nic, 'members round-trip');
  await f.stores.inventory.storeHardware(f.org, s.id, [nic, { class: 'NETINFO', data: { hostname: 'h.example.com', ipaddr: '192.168.1.9' } }], {
    replace: true, update: { hostname: 'h.example.com', ip: '192.168.1.9' },
  });
  t.same((await f.stores.inventory.hardware(f.org, s.id)).map((h) => h.class), ['NETWORK', 'NETINFO']);
  t.match(await f.stores.systems.get(f.org, s.id), { hostname: 'h.example.com', ip: '192.168.1.9' });
  t.match(await refusal(f.stores.inventory.storeHardware(f.otherOrg, s.id, [cpu], { replace: true })), { kind: 'NotFound' });
  t.equal((await f.stores.inventory.hardware(f.org, s.id)).length, 2, 'refused write changed nothing');
});

t.test('client capabilities: replaced only when they differ, also for a fresh connection', async (t) => {
  const s = await f.register();
  const caps = [{ name: 'packages.update', version: 1, value: '2' }, { name: 'reboot.reboot', version: 1, value: '1' }];
  t.equal(await f.stores.inventory.setCapabilities(s.id, caps), true);
  t.equal(await f.stores.inventory.setCapabilities(s.id, [...caps].reverse()), false, 'same set, another order');
  const other = attachStores(f.file);
  const changes = (): number => other.db.prepare('SELECT total_changes()').pluck().get() as number;
  const before = changes();
  t.equal(await other.inventory.setCapabilities(s.id, caps), false, 'another connection compares with what is stored');
  t.equal(changes(), before, 'and writes no row');
  other.close();
  t.equal(await f.stores.inventory.setCapabilities(s.id, [caps[0]!]), true);
  t.same(await f.stores.inventory.capabilities(s.id), [caps[0]]);
  t.equal(await f.stores.inventory.setCapabilities(999, caps), false, 'unknown system: nothing written');
});

t.test('system.search: fields and devices, wildcards taken literally, one org only', async (t) => {
  const a = await f.register({ name: 'db-primary', description: 'Postgres 100%', hostname: 'db1.Search.test', ip: '10.1.2.3', uuid: 'ABCD-1234' });
  await f.register({ name: 'db_replica', description: 'replica', hostname: 'db2.search.test', ip: '10.1.2.4' });
  await f.register({ orgId: f.otherOrg, name: 'db-theirs', hostname: 'db9.search.test' });
  const names = async (field: 'hostname' | 'ip' | 'nameAndDescription' | 'uuid', term: string): Promise<string[]> =>
    (await f.stores.systemSearch.systems(f.org, field, term)).map((h) => h.name);
  t.same(await names('hostname', 'SEARCH.TEST'), ['db-primary', 'db_replica'], 'any case');
  t.same(await names('ip', '10.1.2.3'), ['db-primary']);
  t.same(await names('nameAndDescription', '100%'), ['db-primary'], 'matched in the description');
  t.same(await names('nameAndDescription', 'db_'), ['db_replica'], '_ is not a wildcard');
  t.same(await names('uuid', 'abcd'), ['db-primary']);
  await f.stores.inventory.storeHardware(f.org, a.id, [
    { class: 'NETWORK', data: { driver: 'acmenet', desc: 'Acme Corporation|Widget 9000', prop1: 'a0a0', prop2: '9000' } },
    { class: 'CPU', data: { desc: 'Acme Xeon', driver: 'none' } },
  ], { replace: true });
  const hits = await f.stores.systemSearch.devices(f.org, 'description', 'acme');
  t.same(hits.map((h) => [h.name, h.deviceClass, h.deviceDriver, h.deviceVendorId, h.deviceId]), [['db-primary', 'NETWORK', 'acmenet', 'a0a0', '9000']], 'CPU items are not devices');
  t.equal((await f.stores.systemSearch.devices(f.org, 'driver', 'ACMENET')).length, 1);
  t.equal((await f.stores.systemSearch.devices(f.org, 'vendorId', 'a0a0')).length, 1);
  t.same(await f.stores.systemSearch.devices(f.otherOrg, 'vendorId', 'a0a0'), []);
});
