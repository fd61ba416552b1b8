// Notes, custom info keys and values, stored package profiles and distribution channel maps on
// a real database, with org visibility and all-or-none refusals.
import t from 'tap';
import { guestFixture, type GuestFixture, refusal } from '../support/guest-fixtures.js';

let f: GuestFixture;
t.before(async () => {
  f = await guestFixture();
});
t.teardown(() => f?.close());

t.test('notes', async (t) => {
  const s = await f.register();
  const n1 = await f.stores.systemExtras.addNote(f.org, s.id, f.userId, 'first', 'body 1');
  f.stores.db.prepare('UPDATE system_notes SET modified = modified - 10 WHERE id = ?').run(n1);
  const n2 = await f.stores.systemExtras.addNote(f.org, s.id, null, 'second', '');
  t.match(await refusal(f.stores.systemExtras.addNote(f.otherOrg, s.id, null, 'x', '')), { kind: 'NotFound', entity: 'system' });
  t.match(await f.stores.systemExtras.notes(f.org, s.id), [
    { id: n2, subject: 'second', note: '', creatorId: null, creatorLogin: null, systemId: s.id },
    { id: n1, subject: 'first', note: 'body 1', creatorLogin: 'admin' },
  ]);
  t.same(await f.stores.systemExtras.notes(f.otherOrg, s.id), []);
  t.equal(await f.stores.systemExtras.deleteNote(f.otherOrg, s.id, n1), false);
  t.equal(await f.stores.systemExtras.deleteNote(f.org, s.id, n1), true);
  t.equal(await f.stores.systemExtras.deleteNotes(f.org, s.id), 1);
  t.same(await f.stores.systemExtras.notes(f.org, s.id), []);
});

t.test('custom info keys and values', async (t) => {
  const s = await f.register();
  const other = await f.register();
  const k = await f.stores.systemExtras.createCustomKey(f.org, 'asset_tag', 'Asset tag');
  t.match(k, { label: 'asset_tag', description: 'Asset tag', orgId: f.org, systemCount: 0 });
  await f.stores.systemExtras.createCustomKey(f.org, 'owner', '');
  t.match(await refusal(f.stores.systemExtras.createCustomKey(f.org, 'owner', '')), { kind: 'Conflict', reason: 'customkey.label' });
  await f.stores.systemExtras.setCustomValues(f.org, s.id, { asset_tag: 'A-1', owner: 'ops' });
  await f.stores.systemExtras.setCustomValues(f.org, other.id, { owner: 'dev' });
  await f.stores.systemExtras.setCustomValues(f.org, s.id, { owner: 'sre' });
  t.same(await f.stores.systemExtras.customValues(f.org, s.id), { asset_tag: 'A-1', owner: 'sre' });
  t.match(await refusal(f.stores.systemExtras.setCustomValues(f.org, s.id, { owner: 'x', nope: 'y' })), { kind: 'InvalidArgument', reason: 'customkey.unknown' });
  t.same(await f.stores.systemExtras.customValues(f.org, s.id), { asset_tag: 'A-1', owner: 'sre' }, 'all or none');
  t.same((await f.stores.systemExtras.customKeys(f.org)).map((x) => [x.label, x.systemCount]), [['asset_tag', 1], ['owner', 2]]);
  t.same(await f.stores.systemExtras.customKeys(f.otherOrg), []);
  t.match(await refusal(f.stores.systemExtras.customValues(f.otherOrg, s.id)), { kind: 'NotFound' });
  t.equal(await f.stores.systemExtras.deleteCustomValues(f.org, s.id, ['asset_tag']), 1);
  t.match(await refusal(f.stores.systemExtras.deleteCustomValues(f.org, s.id, ['owner', 'nope'])), { kind: 'InvalidArgument' });
  t.same(await f.stores.systemExtras.customValues(f.org, s.id), { owner: 'sre' });
  t.equal(await f.stores.systemExtras.deleteCustomKey(f.org, 'owner'), true);
  t.same(await f.stores.systemExtras.customValues(f.org, other.id), {}, 'values go with their key');
});

t.test('package profiles', async (t) => {
  const s = await f.register({ baseChannelId: f.base });
  const pkgs = [
    { name: 'zsh', epoch: '', version: '5.0.2', release: '34.el7', arch: 'x86_64', installtime: 1 },
    { name: 'bash', epoch: '', version: '4.2.46', release: '35.el7_9', arch: 'x86_64', installtime: 2 },
  ];
  await f.stores.inventory.replacePackages(f.org, s.id, pkgs);
  const p = await f.stores.packageProfiles.createFromSystem(f.org, s.id, 'golden', 'the reference');
  t.match(p, { orgId: f.org, name: 'golden', description: 'the reference', channelId: f.base, channelLabel: 'base-el7' });
  t.match(await refusal(f.stores.packageProfiles.createFromSystem(f.org, s.id, 'golden', '')), { kind: 'Conflict', reason: 'packageprofile.name' });
  t.match(await refusal(f.stores.packageProfiles.createFromSystem(f.otherOrg, s.id, 'x', '')), { kind: 'NotFound', entity: 'system' });
  t.same(await f.stores.packageProfiles.packages(f.org, p.id), pkgs.map(({ installtime: _, ...n }) => n).sort((a, b) => (a.name < b.name ? -1 : 1)));
  await f.stores.inventory.replacePackages(f.org, s.id, []);
  t.equal((await f.stores.packageProfiles.packages(f.org, p.id))!.length, 2, 'a copy, not a view');
  t.equal(await f.stores.packageProfiles.packages(f.otherOrg, p.id), null);
  t.equal((await f.stores.packageProfiles.getByName(f.org, 'golden'))!.id, p.id);
  t.same((await f.stores.packageProfiles.list(f.org)).map((x) => x.name), ['golden']);
  t.same(await f.stores.packageProfiles.list(f.otherOrg), []);
  t.equal(await f.stores.packageProfiles.delete(f.otherOrg, p.id), false);
  t.equal(await f.stores.packageProfiles.delete(f.org, p.id), true);
  t.equal(f.sql(`SELECT count(*) FROM package_profile_packages WHERE profile_id = ${p.id}`), '0');
});

t.test('dist channel maps: defaults, org overrides, resolution', async (t) => {
  await f.stores.distMaps.setDefault('Red Hat Enterprise Linux', '7Server', 'channel-x86_64', f.base);
  await f.stores.distMaps.setDefault('Red Hat Enterprise Linux', '7Server', 'channel-x86_64', f.base);
  await f.stores.distMaps.setDefault('CentOS', '8', 'channel-x86_64', f.otherBase);
  t.same((await f.stores.distMaps.listDefaults()).map((m) => [m.orgId, m.os, m.release, m.archLabel, m.channelLabel]), [
    [null, 'CentOS', '8', 'channel-x86_64', 'base-el8'],
    [null, 'Red Hat Enterprise Linux', '7Server', 'channel-x86_64', 'base-el7'],
  ], 'setting a default twice keeps one row');
  t.equal(await f.stores.distMaps.resolve(f.org, '7Server', 'channel-x86_64'), f.base);
  await f.stores.distMaps.setForOrg(f.org, 'RHEL', '7Server', 'channel-x86_64', f.otherBase);
  t.equal(await f.stores.distMaps.resolve(f.org, '7Server', 'channel-x86_64'), f.otherBase, 'the org mapping wins');
  t.equal(await f.stores.distMaps.resolve(f.otherOrg, '7Server', 'channel-x86_64'), f.base, 'other orgs keep the default');
  t.same((await f.stores.distMaps.listForOrg(f.org)).map((m) => [m.orgId, m.release, m.channelLabel]), [[null, '8', 'base-el8'], [f.org, '7Server', 'base-el8']]);
  t.match(await refusal(f.stores.distMaps.setForOrg(f.org, 'RHEL', '7Server', 'channel-x86_64', f.foreignBase)), { kind: 'NotFound', entity: 'channel' });
  t.match(await refusal(f.stores.distMaps.setForOrg(f.org, 'RHEL', '7Server', 'channel-x86_64', f.child)), { kind: 'InvalidArgument' });
  t.equal(await f.stores.distMaps.resolve(f.org, '7Server', 'channel-x86_64'), f.otherBase, 'refusals change nothing');
  await f.stores.distMaps.setForOrg(f.org, 'RHEL', '7Server', 'channel-x86_64', null);
  t.equal(await f.stores.distMaps.resolve(f.org, '7Server', 'channel-x86_64'), f.base, 'cleared: back to the default');
  t.equal(await f.stores.distMaps.resolve(f.org, '9', 'channel-x86_64'), null);
});
