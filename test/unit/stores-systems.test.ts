// SystemStore on a real database: registration in one transaction (a refused key or a bad
// channel or group leaves nothing, read back with the sqlite3 shell), the cached identity
// lookup, lists and filters, updates, deletes, batched check-ins, channels and entitlements.
import t from 'tap';
import { Conflict, InvalidArgument, NotFound } from '../../channels/index.js';
import { guestFixture, medianMs, type GuestFixture, refusal } from '../support/guest-fixtures.js';

let f: GuestFixture;
t.before(async () => {
  f = await guestFixture();
});
t.teardown(() => f?.close());

/** Rows of every table that hangs off systems, counted by the sqlite3 shell. */
const footprint = (): string =>
  f.sql(`SELECT (SELECT count(*) FROM systems), (SELECT count(*) FROM system_channels), (SELECT count(*) FROM system_entitlements),
    (SELECT count(*) FROM system_group_members), (SELECT count(*) FROM system_activation_keys), (SELECT seq FROM sqlite_sequence WHERE name = 'systems')`);

t.test('create registers the system with channels, entitlements, groups and key links', async (t) => {
  const group = await f.stores.groups.create(f.org, 'web', '');
  const key = await f.stores.activationKeys.create({ orgId: f.org, key: '1-web', usageLimit: 2 });
  const s = await f.register({
    name: 'web1', username: 'admin', creatorId: f.userId, hostname: 'web1.example.com', ip: '10.0.0.5',
    baseChannelId: f.base, childChannelIds: [f.child2, f.child], entitlements: ['virtualization_host'],
    groupIds: [group.id], activationKeyIds: [key.id], now: new Date('2024-05-01T10:00:00Z'),
  });
  t.ok(s.id >= 1000010000 && s.id <= 2147483647, `id ${s.id} in Spacewalk's range and 31 bits`);
  t.match(s, { orgId: f.org, name: 'web1', osRelease: '7Server', releaseName: 'redhat-release-server', architecture: 'x86_64-redhat-linux',
    username: 'admin', creatorId: f.userId, hostname: 'web1.example.com', ip: '10.0.0.5', baseEntitlement: 'enterprise_entitled',
    baseChannelId: f.base, baseChannelLabel: 'base-el7', profileRevision: 0, lastBoot: null, locked: false, disabled: false });
  t.same(s.created, new Date('2024-05-01T10:00:00Z'));
  t.same(s.lastCheckin, s.created);
  t.same((await f.stores.systems.channels(f.org, s.id)).map((c) => c.label), ['base-el7', 'child-a', 'child-b'], 'base first, children by label');
  t.same(await f.stores.systems.entitlements(f.org, s.id), ['virtualization_host']);
  t.same(await f.stores.groups.memberIds(f.org, group.id), [s.id]);
  t.same(await f.stores.activationKeys.keysOfSystem(f.org, s.id), ['1-web']);
  t.equal(await f.stores.activationKeys.usageCount(key.id), 1);
  t.equal(f.sql(`SELECT secret FROM systems WHERE id = ${s.id}`), f.stores.systems.getAuthSync(s.id)!.secret, 'the secret is stored as given');
});

t.test('a refused create leaves nothing behind, not even a used id', async (t) => {
  const key = await f.stores.activationKeys.create({ orgId: f.org, key: '1-once', usageLimit: 1 });
  await f.register({ activationKeyIds: [key.id] });
  const before = footprint();
  const foreignGroup = await f.stores.groups.create(f.otherOrg, 'theirs', '');
  const otherKey = await f.stores.activationKeys.create({ orgId: f.otherOrg, key: '2-k' });
  const disabled = await f.stores.activationKeys.create({ orgId: f.org, key: '1-off' });
  await f.stores.activationKeys.update(f.org, disabled.id, { disabled: true });
  const refusals: [string, Parameters<GuestFixture['register']>[0], new (...a: never[]) => Error, string][] = [
    ['usage limit reached', { activationKeyIds: [key.id], baseChannelId: f.base }, Conflict, 'activationkey.usage_limit'],
    ['key of another org', { activationKeyIds: [otherKey.id] }, NotFound, 'activationkey'],
    ['disabled key', { activationKeyIds: [disabled.id] }, Conflict, 'activationkey.disabled'],
    ['invisible base channel', { baseChannelId: f.foreignBase }, NotFound, 'channel'],
    ['child as base', { baseChannelId: f.child }, InvalidArgument, 'system.base_channel'],
    ['child of another base', { baseChannelId: f.otherBase, childChannelIds: [f.child] }, InvalidArgument, 'system.child_channel'],
    ['children without a base', { childChannelIds: [f.child] }, InvalidArgument, 'system.child_channel'],
    // refused after the systems row and its channels were written: the rollback must take them too
    ['group of another org', { baseChannelId: f.base, childChannelIds: [f.child], entitlements: ['x'], groupIds: [foreignGroup.id] }, InvalidArgument, 'systemgroup.invalid'],
  ];
  for (const [what, over, type, reason] of refusals) {
    const err = await f.register(over).then(() => null, (e: unknown) => e);
    t.type(err, type, what);
    t.equal((err as { reason?: string; entity?: string }).reason ?? (err as { entity?: string }).entity, reason, `${what}: ${reason}`);
    t.equal(footprint(), before, `${what}: no rows, same id sequence`);
  }
  t.equal(await f.stores.activationKeys.usageCount(key.id), 1);
});

t.test('usage limit counts existing systems: deleting one frees a use', async (t) => {
  const key = await f.stores.activationKeys.create({ orgId: f.org, key: '1-two', usageLimit: 2 });
  const a = await f.register({ activationKeyIds: [key.id] });
  await f.register({ activationKeyIds: [key.id] });
  t.match(await refusal(f.register({ activationKeyIds: [key.id] })), { kind: 'Conflict' });
  await f.stores.systems.delete(f.org, [a.id]);
  t.ok(await f.register({ activationKeyIds: [key.id, key.id] }), 'a key given twice counts once');
  t.equal(await f.stores.activationKeys.usageCount(key.id), 2);
});

t.test('getAuthSync: identity, invalidated by this store\'s writes, and its speed', async (t) => {
  const s = await f.register({ username: 'u1' });
  const auth = f.stores.systems.getAuthSync(s.id)!;
  t.match(auth, { id: s.id, orgId: f.org, disabled: false, locked: false, name: s.name, osRelease: '7Server', releaseName: 'redhat-release-server', architecture: 'x86_64-redhat-linux', username: 'u1' });
  t.match(auth.secret, /^[0-9a-f]{64}$/);
  t.equal(f.stores.systems.getAuthSync(999), null);
  await f.stores.systems.update(f.org, s.id, { secret: 'b'.repeat(64), disabled: true, osRelease: '7.9' });
  t.match(f.stores.systems.getAuthSync(s.id), { secret: 'b'.repeat(64), disabled: true, osRelease: '7.9' }, 'update seen at once');
  const n = 200_000;
  const cached = await medianMs(5, () => {
    for (let i = 0; i < n; i++) f.stores.systems.getAuthSync(s.id);
  });
  t.comment(`getAuthSync cached: ${((cached / n) * 1e3).toFixed(3)} µs per lookup`);
  t.ok((cached / n) * 1e3 < 5, 'cached lookup is a few microseconds at most');
  await f.stores.systems.delete(f.org, [s.id]);
  t.equal(f.stores.systems.getAuthSync(s.id), null, 'delete drops the cached identity');
});

t.test('list, get and count respect the org and the filters', async (t) => {
  const g = await f.stores.groups.create(f.org, 'listed', '');
  const old = await f.register({ name: 'zz-old', creatorId: f.userId, now: new Date('2020-01-01T00:00:00Z'), groupIds: [g.id] });
  const recent = await f.register({ name: 'AA-recent', now: new Date('2030-01-01T00:00:00Z') });
  const theirs = await f.register({ orgId: f.otherOrg, name: 'zz-old' });
  const all = await f.stores.systems.list(f.org);
  t.equal(all.length, await f.stores.systems.count(f.org));
  t.notOk(all.some((s) => s.id === theirs.id), 'other org invisible');
  const names = all.map((s) => s.name);
  t.same(names, [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())), 'by name, any case');
  t.same((await f.stores.systems.list(f.org, { name: 'zz-old' })).map((s) => s.id), [old.id]);
  t.same((await f.stores.systems.list(f.org, { groupId: g.id })).map((s) => s.id), [old.id]);
  t.same((await f.stores.systems.list(f.org, { creatorId: f.userId, checkedInBefore: new Date('2021-01-01') })).map((s) => s.id), [old.id]);
  t.same((await f.stores.systems.list(f.org, { checkedInSince: new Date('2029-01-01') })).map((s) => s.id), [recent.id]);
  t.same((await f.stores.systems.list(f.org, { ids: [recent.id, theirs.id, old.id] })).map((s) => s.id), [recent.id, old.id]);
  t.equal(await f.stores.systems.get(f.org, theirs.id), null);
  t.equal((await f.stores.systems.get(f.otherOrg, theirs.id))!.name, 'zz-old');
});

t.test('update and recordStatus', async (t) => {
  const s = await f.register();
  await f.stores.systems.update(f.org, s.id, {
    name: 'renamed', description: 'd', address1: 'a1', address2: 'a2', city: 'c', state: 'st', country: 'DE', building: 'b', room: 'r', rack: 'k',
    autoUpdate: true, locked: true, baseEntitlement: 'unentitled', runningKernel: '3.10.0', lastBoot: new Date('2024-01-01T00:00:00Z'),
  });
  t.match(await f.stores.systems.get(f.org, s.id), {
    name: 'renamed', description: 'd', address1: 'a1', address2: 'a2', city: 'c', state: 'st', country: 'DE', building: 'b', room: 'r', rack: 'k',
    autoUpdate: true, locked: true, baseEntitlement: 'unentitled', runningKernel: '3.10.0', lastBoot: new Date('2024-01-01T00:00:00Z'),
  });
  t.equal(f.stores.systems.getAuthSync(s.id)!.locked, true);
  t.match(await refusal(f.stores.systems.update(f.otherOrg, s.id, { name: 'x' })), { kind: 'NotFound' }, 'another org cannot update it');
  const boot = Date.parse('2024-01-01T00:00:00Z') / 1000;
  t.same(await f.stores.systems.recordStatus(s.id, { runningKernel: '3.10.0', bootTime: boot + 4, bootToleranceSeconds: 5 }), { bootChanged: false });
  t.same(await f.stores.systems.recordStatus(s.id, { runningKernel: '3.10.1', bootTime: boot + 600, bootToleranceSeconds: 5 }), { bootChanged: true });
  t.match(await f.stores.systems.get(f.org, s.id), { runningKernel: '3.10.1', lastBoot: new Date((boot + 600) * 1000) });
});

t.test('delete is all or none within the org', async (t) => {
  const a = await f.register();
  const b = await f.register();
  const theirs = await f.register({ orgId: f.otherOrg });
  t.match(await refusal(f.stores.systems.delete(f.org, [a.id, theirs.id])), { kind: 'NotFound' });
  t.ok(await f.stores.systems.get(f.org, a.id), 'nothing deleted');
  t.equal(await f.stores.systems.delete(f.org, [a.id, b.id]), 2);
  t.equal(f.sql(`SELECT count(*) FROM systems WHERE id IN (${a.id}, ${b.id})`), '0');
});

t.test('touchCheckins: 10,000 check-ins in one transaction, never backwards', async (t) => {
  const ids: number[] = [];
  for (let i = 0; i < 10_000; i++) ids.push((await f.register({ now: new Date('2024-01-01T00:00:00Z') })).id);
  const t1 = process.hrtime.bigint();
  for (const id of ids) f.stores.systems.getAuthSync(id);
  t.comment(`getAuthSync uncached (prepared raw statement): ${(Number(process.hrtime.bigint() - t1) / 1e3 / ids.length).toFixed(2)} µs per lookup`);
  const at = Date.parse('2024-06-01T00:00:00Z') / 1000;
  const batch = new Map(ids.map((id, i) => [id, at + i]));
  const t0 = process.hrtime.bigint();
  t.equal(await f.stores.systems.touchCheckins(batch), 10_000);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  t.comment(`touchCheckins: 10,000 systems in ${ms.toFixed(1)} ms`);
  t.equal(f.sql(`SELECT count(*) FROM system_checkins WHERE system_id BETWEEN ${ids[0]} AND ${ids[9999]} AND last_checkin >= ${at}`), '10000');
  t.equal(f.sql(`SELECT last_checkin FROM system_checkins WHERE system_id = ${ids[9999]}`), String(at + 9999));
  t.equal(await f.stores.systems.touchCheckins(new Map([[ids[0]!, at - 100], [12345, at]])), 0, 'older times and unknown ids change nothing');
  t.equal(f.sql(`SELECT last_checkin FROM system_checkins WHERE system_id = ${ids[0]}`), String(at));
  await f.stores.systems.delete(f.org, ids);
});

t.test('channels: set base and children, child-only changes, subscribers', async (t) => {
  const s = await f.register({ baseChannelId: f.base, childChannelIds: [f.child] });
  t.equal(await f.stores.systems.setChannels(f.org, s.id, f.base, [f.child]), false, 'unchanged');
  t.equal(await f.stores.systems.setChildChannels(f.org, s.id, [f.child2]), true);
  t.same((await f.stores.systems.channels(f.org, s.id)).map((c) => c.label), ['base-el7', 'child-b']);
  t.match(await refusal(f.stores.systems.setChildChannels(f.org, s.id, [f.otherBase])), { kind: 'InvalidArgument' });
  t.match(await refusal(f.stores.systems.setChannels(f.org, s.id, f.foreignBase, [])), { kind: 'NotFound' });
  t.equal(await f.stores.systems.setChannels(f.org, s.id, f.otherBase, []), true);
  const cs = await f.stores.systems.channels(f.org, s.id);
  t.match(cs, [{ id: f.otherBase, label: 'base-el8', parentId: null, parentLabel: null, archLabel: 'channel-x86_64' }]);
  t.type(cs[0]!.lastModified, Date);
  t.equal((await f.stores.systems.get(f.org, s.id))!.baseChannelLabel, 'base-el8');
  t.ok((await f.stores.systems.subscribers(f.org, f.otherBase)).some((x) => x.id === s.id));
  t.same(await f.stores.systems.subscribers(f.otherOrg, f.otherBase), []);
  t.ok((await f.stores.systems.subscriberIds(f.otherBase)).includes(s.id));
  t.equal(await f.stores.systems.setChannels(f.org, s.id, null, []), true);
  t.same(await f.stores.systems.channels(f.org, s.id), []);
  t.same(await f.stores.systems.channels(f.otherOrg, s.id), [], 'another org reads nothing');
});

t.test('add-on entitlements', async (t) => {
  const s = await f.register();
  t.equal(await f.stores.systems.addEntitlements(f.org, s.id, ['virtualization_host', 'virtualization_host']), 1);
  t.same(await f.stores.systems.entitlements(f.org, s.id), ['virtualization_host']);
  t.equal(await f.stores.systems.removeEntitlements(f.org, s.id, ['virtualization_host', 'none']), 1);
  t.same(await f.stores.systems.entitlements(f.org, s.id), []);
  t.match(await refusal(f.stores.systems.addEntitlements(f.otherOrg, s.id, ['x'])), { kind: 'NotFound' });
});
