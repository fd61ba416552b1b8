// ActivationKeyStore and GroupStore on a real database: keys with everything they grant, the
// universal default, usage, org visibility; groups with counts, membership and refusals.
import t from 'tap';
import { guestFixture, type GuestFixture, refusal } from '../support/guest-fixtures.js';

let f: GuestFixture;
t.before(async () => {
  f = await guestFixture();
});
t.teardown(() => f?.close());

t.test('activation keys: create, read back, duplicates, base channel rules', async (t) => {
  const k = await f.stores.activationKeys.create({ orgId: f.org, key: '1-web', description: 'web servers', baseChannelId: f.base, usageLimit: 10, entitlements: ['virtualization_host'], creatorId: f.userId });
  t.match(k, { orgId: f.org, key: '1-web', description: 'web servers', baseChannelId: f.base, baseChannelLabel: 'base-el7', usageLimit: 10, usageCount: 0,
    universalDefault: false, disabled: false, configDeploy: false, creatorLogin: 'admin', childChannelIds: [], entitlements: ['virtualization_host'], groupIds: [], packages: [] });
  t.match(await refusal(f.stores.activationKeys.create({ orgId: f.otherOrg, key: '1-web' })), { kind: 'AlreadyExists', entity: 'activationkey', field: 'key' }, 'key strings are unique across orgs');
  t.match(await refusal(f.stores.activationKeys.create({ orgId: f.org, key: '1-x', baseChannelId: f.child })), { kind: 'InvalidArgument', reason: 'activationkey.base_channel' });
  t.match(await refusal(f.stores.activationKeys.create({ orgId: f.org, key: '1-y', baseChannelId: f.foreignBase })), { kind: 'NotFound', entity: 'channel' });
  t.equal(await f.stores.activationKeys.getByKey('1-x'), null, 'refused creates leave nothing');
  t.equal((await f.stores.activationKeys.getByKey('1-web'))!.id, k.id, 'registration finds a key without an org');
  t.equal(await f.stores.activationKeys.getByKey('1-web', f.otherOrg), null);
  t.equal(await f.stores.activationKeys.getById(f.otherOrg, k.id), null);
  t.same((await f.stores.activationKeys.list(f.org)).map((x) => x.key), ['1-web']);
  t.same(await f.stores.activationKeys.list(f.otherOrg), []);
});

t.test('activation keys: what a key grants, update and delete', async (t) => {
  const k = await f.stores.activationKeys.create({ orgId: f.org, key: '1-full', baseChannelId: f.base });
  const g1 = await f.stores.groups.create(f.org, 'g1', '');
  const g2 = await f.stores.groups.create(f.org, 'g2', '');
  const theirs = await f.stores.groups.create(f.otherOrg, 'g-theirs', '');
  t.equal(await f.stores.activationKeys.addChildChannels(f.org, k.id, [f.child2, f.child, f.child]), 2);
  t.match(await refusal(f.stores.activationKeys.addChildChannels(f.org, k.id, [f.otherBase])), { kind: 'InvalidArgument', reason: 'activationkey.child_channel' });
  t.equal(await f.stores.activationKeys.addGroups(f.org, k.id, [g2.id, g1.id]), 2);
  t.match(await refusal(f.stores.activationKeys.addGroups(f.org, k.id, [g1.id, theirs.id])), { kind: 'InvalidArgument', reason: 'systemgroup.invalid' });
  t.equal(await f.stores.activationKeys.addEntitlements(f.org, k.id, ['virtualization_host']), 1);
  t.equal(await f.stores.activationKeys.addPackages(f.org, k.id, [{ name: 'zsh', arch: '' }, { name: 'vim', arch: 'x86_64' }, { name: 'zsh', arch: '' }]), 2);
  t.match(await f.stores.activationKeys.getById(f.org, k.id), {
    childChannelIds: [f.child, f.child2], childChannelLabels: ['child-a', 'child-b'], groupIds: [g1.id, g2.id].sort((a, b) => a - b),
    entitlements: ['virtualization_host'], packages: [{ name: 'vim', arch: 'x86_64' }, { name: 'zsh', arch: '' }],
  });
  t.equal(await f.stores.activationKeys.removeChildChannels(f.org, k.id, [f.child, f.otherBase]), 1);
  t.equal(await f.stores.activationKeys.removeGroups(f.org, k.id, [g1.id]), 1);
  t.equal(await f.stores.activationKeys.removeEntitlements(f.org, k.id, ['virtualization_host']), 1);
  t.equal(await f.stores.activationKeys.removePackages(f.org, k.id, [{ name: 'zsh', arch: '' }]), 1);
  t.match(await f.stores.activationKeys.getById(f.org, k.id), { childChannelLabels: ['child-b'], groupIds: [g2.id], entitlements: [], packages: [{ name: 'vim', arch: 'x86_64' }] });
  t.match(await refusal(f.stores.activationKeys.addEntitlements(f.otherOrg, k.id, ['x'])), { kind: 'NotFound', entity: 'activationkey' });

  await f.stores.activationKeys.update(f.org, k.id, { description: 'changed', baseChannelId: f.otherBase, usageLimit: 3, disabled: true, configDeploy: true });
  t.match(await f.stores.activationKeys.getById(f.org, k.id), { description: 'changed', baseChannelLabel: 'base-el8', usageLimit: 3, disabled: true, configDeploy: true });
  await f.stores.activationKeys.update(f.org, k.id, { baseChannelId: null, usageLimit: 0 });
  t.match(await f.stores.activationKeys.getById(f.org, k.id), { baseChannelId: null, baseChannelLabel: null, usageLimit: 0 });
  t.match(await refusal(f.stores.activationKeys.update(f.org, k.id, { baseChannelId: f.child })), { kind: 'InvalidArgument' });
  t.match(await refusal(f.stores.activationKeys.update(f.otherOrg, k.id, { description: 'x' })), { kind: 'NotFound' });
  t.equal(await f.stores.activationKeys.delete(f.otherOrg, k.id), false);
  t.equal(await f.stores.activationKeys.delete(f.org, k.id), true);
  t.equal(f.sql(`SELECT (SELECT count(*) FROM activation_key_channels WHERE key_id = ${k.id}) + (SELECT count(*) FROM activation_key_groups WHERE key_id = ${k.id}) + (SELECT count(*) FROM activation_key_packages WHERE key_id = ${k.id})`), '0');
});

t.test('activation keys: one universal default per org', async (t) => {
  t.equal(await f.stores.activationKeys.universalDefault(f.org), null);
  const a = await f.stores.activationKeys.create({ orgId: f.org, key: '1-default-a', universalDefault: true });
  const theirs = await f.stores.activationKeys.create({ orgId: f.otherOrg, key: '2-default', universalDefault: true });
  t.equal((await f.stores.activationKeys.universalDefault(f.org))!.id, a.id);
  const b = await f.stores.activationKeys.create({ orgId: f.org, key: '1-default-b', universalDefault: true });
  t.equal((await f.stores.activationKeys.universalDefault(f.org))!.id, b.id);
  t.equal((await f.stores.activationKeys.getById(f.org, a.id))!.universalDefault, false, 'the previous default stepped down');
  await f.stores.activationKeys.update(f.org, a.id, { universalDefault: true });
  t.equal((await f.stores.activationKeys.universalDefault(f.org))!.id, a.id);
  t.equal(f.sql(`SELECT count(*) FROM activation_keys WHERE org_id = ${f.org} AND universal_default = 1`), '1');
  t.equal((await f.stores.activationKeys.universalDefault(f.otherOrg))!.id, theirs.id, 'other orgs keep theirs');
});

t.test('activation keys: usage and the systems a key registered', async (t) => {
  const k = await f.stores.activationKeys.create({ orgId: f.org, key: '1-used' });
  const s1 = await f.register({ name: 'k1', hostname: 'k1.example.com', activationKeyIds: [k.id] });
  const s2 = await f.register({ name: 'k2', activationKeyIds: [k.id] });
  t.equal(await f.stores.activationKeys.usageCount(k.id), 2);
  t.equal((await f.stores.activationKeys.getById(f.org, k.id))!.usageCount, 2);
  t.match(await f.stores.activationKeys.activatedSystems(f.org, k.id), [{ id: s1.id, name: 'k1', hostname: 'k1.example.com', lastCheckin: s1.lastCheckin }, { id: s2.id, name: 'k2' }]);
  t.same(await f.stores.activationKeys.activatedSystems(f.otherOrg, k.id), []);
  t.same(await f.stores.activationKeys.keysOfSystem(f.otherOrg, s1.id), []);
});

t.test('groups: create, look up, describe, counts, delete', async (t) => {
  const g = await f.stores.groups.create(f.org, 'Databases', 'db hosts');
  t.match(g, { orgId: f.org, name: 'Databases', description: 'db hosts', systemCount: 0 });
  t.match(await refusal(f.stores.groups.create(f.org, 'Databases', '')), { kind: 'Conflict', reason: 'systemgroup.name' });
  t.ok(await f.stores.groups.create(f.otherOrg, 'Databases', ''), 'names are per org');
  t.equal((await f.stores.groups.getByName(f.org, 'Databases'))!.id, g.id);
  t.equal(await f.stores.groups.get(f.otherOrg, g.id), null);
  t.equal(await f.stores.groups.setDescription(f.org, g.id, 'all databases'), true);
  t.equal(await f.stores.groups.setDescription(f.otherOrg, g.id, 'x'), false);
  const [a, b] = [await f.register(), await f.register()];
  const theirs = await f.register({ orgId: f.otherOrg });
  t.equal(await f.stores.groups.addSystems(f.org, g.id, [a.id, b.id, a.id]), 2);
  t.match(await refusal(f.stores.groups.addSystems(f.org, g.id, [theirs.id])), { kind: 'NotFound', entity: 'system' });
  t.match(await refusal(f.stores.groups.addSystems(f.otherOrg, g.id, [theirs.id])), { kind: 'InvalidArgument', reason: 'systemgroup.invalid' });
  t.match(await f.stores.groups.get(f.org, g.id), { description: 'all databases', systemCount: 2 });
  t.same(await f.stores.groups.memberIds(f.org, g.id), [a.id, b.id]);
  t.same(await f.stores.groups.memberIds(f.otherOrg, g.id), []);
  t.same((await f.stores.groups.groupsOf(f.org, a.id)).map((x) => x.name), ['Databases']);
  t.equal(await f.stores.groups.removeSystems(f.org, g.id, [a.id]), 1);
  t.same((await f.stores.groups.list(f.org)).filter((x) => x.name === 'Databases').map((x) => x.systemCount), [1]);
  t.equal(await f.stores.groups.delete(f.otherOrg, g.id), false);
  t.equal(await f.stores.groups.delete(f.org, g.id), true);
  t.same(await f.stores.groups.groupsOf(f.org, b.id), []);
});
