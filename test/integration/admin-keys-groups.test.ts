// activationkey.*, systemgroup.* and distchannel.* against a real server with Python's
// xmlrpc.client: keys with the `<org id>-` prefix and everything a key grants, groups and their
// systems, distribution channel maps; roles on writes, and Spacewalk's faults.
import t, { type Test } from 'tap';
import type { Reply, Wire } from '../support/replay.js';
import { startServer, type RunningServer } from '../support/server.js';
import { answer, call, openDb, registerSystem, S, type Db } from '../support/system-fixtures.js';
import { problems } from '../support/system-shapes.js';

type Row = Record<string, Wire>;
let server: RunningServer;
let db: Db;
const BASE = 'keys-base-x86_64';
const CHILD = 'keys-child-x86_64';
const OTHER = 'keys-other-x86_64';
const OTHER_CHILD = 'keys-other-child-x86_64';
const PLAIN: [string, string] = ['plainkeys', 'plain-keys-pw-1'];

t.before(async () => {
  server = await startServer();
  db = await openDb(server);
  const made = await call(server, [
    { method: 'channel.software.create', params: [S, BASE, 'Keys Base', 'base', 'channel-x86_64', ''] },
    { method: 'channel.software.create', params: [S, CHILD, 'Keys Child', 'child', 'channel-x86_64', BASE] },
    { method: 'channel.software.create', params: [S, OTHER, 'Keys Other', 'other base', 'channel-x86_64', ''] },
    { method: 'channel.software.create', params: [S, OTHER_CHILD, 'Keys Other Child', 'other child', 'channel-x86_64', OTHER] },
    { method: 'user.create', params: [S, PLAIN[0], PLAIN[1], 'P', 'K', 'pk@example.invalid'] },
  ]);
  made.forEach((r) => t.equal(answer(r), 1));
});
t.teardown(async () => {
  db?.close();
  await server?.stop();
});

async function run(t: Test, calls: [string, ...unknown[]][], login?: [string, string]): Promise<Reply[]> {
  const replies = await call(server, calls.map(([method, ...params]) => ({ method, params: [S, ...params] })), login);
  replies.forEach((r, i) => {
    if (!r.fault) t.same(problems(calls[i]![0], calls[i]!.length, r), [], `${calls[i]![0]}: answer as admin-api.md says`);
  });
  return replies;
}
const faults = (rs: Reply[]): (number | undefined)[] => rs.map((r) => r.fault?.faultCode);
const rows = (r: Reply): Row[] => answer<Row[]>(r);

t.test('activation keys: the org prefix, random keys, details, and refusals', async (t) => {
  const r = await run(t, [
    ['activationkey.create', 'mykey', 'my key', BASE, 10, [], false], ['activationkey.create', '', 'random', '', [], false],
    ['activationkey.create', 'mykey', 'again', '', [], false], ['activationkey.getDetails', `${db.org}-mykey`],
  ]);
  t.equal(answer(r[0]!), `${db.org}-mykey`, 'create(mykey) -> <org>-mykey');
  t.match(answer(r[1]!), new RegExp(`^${db.org}-[0-9a-f]{32}$`), 'an empty key gets random hex with the prefix');
  t.equal(r[2]!.fault?.faultCode, 1090);
  t.equal(r[2]!.fault?.faultString, 'redstone.xmlrpc.XmlRpcFault: activation_key_already_exists');
  t.same(answer(r[3]!), {
    key: `${db.org}-mykey`, description: 'my key', usage_limit: 10, base_channel_label: BASE, child_channel_labels: [], entitlements: [],
    server_group_ids: [], package_names: [], packages: [], universal_default: false, disabled: false,
  });
  const random = await run(t, [['activationkey.getDetails', answer<string>(r[1]!)]]);
  t.match(answer(random[0]!), { usage_limit: 0, base_channel_label: 'none' }, 'unlimited and no base: 0 and "none"');
  const bad = await run(t, [
    ['activationkey.create', 'k1', 'd', 'no-such-channel', [], false], ['activationkey.create', 'k2', 'd', CHILD, [], false],
    ['activationkey.create', 'k'.repeat(46), 'd', '', [], false], ['activationkey.create', 'a,b', 'd', '', [], false],
    ['activationkey.create', 'k3', 'd', '', -1, [], false], ['activationkey.create', 'k4', 'd', '', ['bogus_ent'], false],
    ['activationkey.getDetails', `${db.org}-nokey`], ['activationkey.delete', 'nokey'],
  ]);
  t.same(faults(bad), [-211, -211, 2800, 2800, 2800, -212, -212, -212]);
  t.equal(bad[6]!.fault?.faultString, `redstone.xmlrpc.XmlRpcFault: Activation Key [${db.org}-nokey] Not Found!`);
});

t.test('what a key grants: channels, entitlements, packages, groups, config deployment', async (t) => {
  const key = `${db.org}-mykey`;
  const [group] = await run(t, [['systemgroup.create', 'key-group', 'for keys']]);
  const gid = answer<Row>(group!)['id'];
  const r = await run(t, [
    ['activationkey.addChildChannels', key, [CHILD]], ['activationkey.addChildChannels', key, [OTHER_CHILD]], ['activationkey.addChildChannels', key, [OTHER]],
    ['activationkey.addEntitlements', key, ['virtualization_host']], ['activationkey.addEntitlements', key, ['monitoring_entitled']],
    ['activationkey.addPackages', key, [{ name: 'vim-enhanced' }, { name: 'bash', arch: 'x86_64' }]],
    ['activationkey.addPackages', key, [{ name: 'x', version: '1' }]], ['activationkey.addPackages', key, [{ name: 'two names' }]],
    ['activationkey.addServerGroups', key, [gid]], ['activationkey.addServerGroups', key, [424242]],
    ['activationkey.checkConfigDeployment', key], ['activationkey.enableConfigDeployment', key], ['activationkey.checkConfigDeployment', key],
    ['activationkey.getDetails', key],
  ]);
  t.same(faults(r), [undefined, -211, -211, undefined, -212, undefined, 2801, 2801, undefined, 2200, undefined, undefined, undefined, undefined]);
  t.equal(answer(r[10]!), 0);
  t.equal(answer(r[12]!), 1);
  t.match(answer(r[13]!), {
    child_channel_labels: [CHILD], entitlements: ['virtualization_host'], package_names: ['bash', 'vim-enhanced'],
    packages: [{ name: 'bash', arch: 'x86_64' }, { name: 'vim-enhanced' }], server_group_ids: [gid],
  });
  t.notOk('arch' in (answer<Row>(r[13]!)['packages'] as Row[])[1]!, 'no arch member for any-arch packages');
  const undo = await run(t, [
    ['activationkey.removeChildChannels', key, [CHILD]], ['activationkey.removeEntitlements', key, ['virtualization_host']],
    ['activationkey.removePackages', key, [{ name: 'bash', arch: 'x86_64' }]], ['activationkey.removeServerGroups', key, [gid]],
    ['activationkey.disableConfigDeployment', key], ['activationkey.getDetails', key], ['activationkey.checkConfigDeployment', key],
  ]);
  t.match(answer(undo[5]!), { child_channel_labels: [], entitlements: [], package_names: ['vim-enhanced'], server_group_ids: [] });
  t.equal(answer(undo[6]!), 0);
});

t.test('setDetails, config channels, listing, activated systems, deletion', async (t) => {
  const key = `${db.org}-mykey`;
  const r = await run(t, [
    ['activationkey.setDetails', key, { description: 'changed', base_channel_label: 'none', usage_limit: 5, universal_default: true, disabled: true }],
    ['activationkey.getDetails', key], ['activationkey.setDetails', key, { unlimited_usage_limit: true, base_channel_label: OTHER }], ['activationkey.getDetails', key],
    ['activationkey.setDetails', key, { colour: 'red' }], ['activationkey.setDetails', key, { base_channel_label: OTHER_CHILD }],
    ['activationkey.listConfigChannels', key], ['activationkey.addConfigChannels', [key], [], true], ['activationkey.setConfigChannels', [key], []],
    ['activationkey.removeConfigChannels', [key], []], ['activationkey.addConfigChannels', [key], ['no-such-config'], false], ['activationkey.setConfigChannels', ['1-nokey'], []],
  ]);
  t.match(answer(r[1]!), { description: 'changed', base_channel_label: 'none', usage_limit: 5, universal_default: true, disabled: true });
  t.match(answer(r[3]!), { usage_limit: 0, base_channel_label: OTHER });
  t.same(faults(r.slice(4)), [2801, -211, undefined, undefined, undefined, undefined, -1, -212]);
  t.same(answer(r[6]!), [], 'no configuration channels');
  const k = (await db.stores.activationKeys.getByKey(key, db.org))!;
  await db.stores.activationKeys.update(db.org, k.id, { disabled: false });
  const sys = await db.stores.systems.create({ orgId: db.org, name: 'keyed.example.com', secret: 'b'.repeat(64), osRelease: '8', releaseName: 'r', architecture: 'x86_64', hostname: 'keyed.example.com', activationKeyIds: [k.id] });
  const l = await run(t, [['activationkey.listActivationKeys'], ['activationkey.listActivatedSystems', key], ['system.listActivationKeys', sys.id]]);
  t.same(rows(l[0]!).map((x) => x['key']).sort(), (await db.stores.activationKeys.list(db.org)).map((x) => x.key).sort(), 'every key of the org');
  t.match(rows(l[1]!), [{ id: sys.id, hostname: 'keyed.example.com' }]);
  t.same(answer(l[2]!), [key]);
  const d = await run(t, [['activationkey.delete', key], ['activationkey.getDetails', key]]);
  t.same(faults(d), [undefined, -212]);
});

t.test('activation keys need the activation key admin role', async (t) => {
  const [made] = await run(t, [['activationkey.create', 'adminonly', 'd', '', [], false]]);
  const r = await run(t, [
    ['activationkey.create', 'plain', 'd', '', [], false], ['activationkey.getDetails', answer<string>(made!)], ['activationkey.listActivationKeys'],
  ], PLAIN);
  t.equal(r[0]!.fault?.faultCode, -23);
  t.equal(r[1]!.fault?.faultCode, -212, 'keys are invisible without the role');
  t.same(answer(r[2]!), []);
});

t.test('system groups', async (t) => {
  const web = await registerSystem(db, { name: 'g-web.example.com' });
  const old = await registerSystem(db, { name: 'g-old.example.com', lastCheckin: Math.floor(Date.now() / 1000) - 3 * 86400 });
  const r = await run(t, [
    ['systemgroup.create', 'webservers', 'the web tier'], ['systemgroup.create', 'webservers', 'twice'],
    ['systemgroup.addOrRemoveSystems', 'webservers', [web.id, old.id], true], ['systemgroup.getDetails', 'webservers'],
    ['systemgroup.listSystems', 'webservers'], ['systemgroup.listSystemsMinimal', 'webservers'], ['systemgroup.listActiveSystemsInGroup', 'webservers'],
    ['systemgroup.listInactiveSystemsInGroup', 'webservers'], ['systemgroup.listInactiveSystemsInGroup', 'webservers', 5], ['systemgroup.listAllGroups'],
    ['system.listGroups', web.id], ['systemgroup.update', 'webservers', 'web tier v2'],
    ['systemgroup.getDetails', 'no-such-group'], ['systemgroup.getDetails', 987654], ['systemgroup.addOrRemoveSystems', 'webservers', [31337], true],
    ['systemgroup.listSystems', 'no-such-group'],
  ]);
  const g = answer<Row>(r[0]!);
  t.match(g, { name: 'webservers', description: 'the web tier', org_id: db.org, system_count: 0 });
  t.equal(r[1]!.fault?.faultCode, 2200, 'a name the org uses');
  t.match(answer(r[3]!), { id: g['id'], system_count: 2 });
  const byId = await run(t, [['systemgroup.getDetails', g['id']]]);
  t.match(answer(byId[0]!), { id: g['id'], name: 'webservers', org_id: db.org, system_count: 2 }, 'by id as by name');
  t.same(rows(r[4]!).map((x) => x['profile_name']).sort(), ['g-old.example.com', 'g-web.example.com'], 'Server structs');
  t.same(rows(r[5]!).map((x) => x['id']).sort(), [web.id, old.id].sort());
  t.same(answer(r[6]!), [web.id]);
  t.same(answer(r[7]!), [old.id]);
  t.same(answer(r[8]!), []);
  t.ok(rows(r[9]!).some((x) => x['name'] === 'webservers'));
  t.match(rows(r[10]!).find((x) => x['system_group_name'] === 'webservers'), { id: g['id'], subscribed: 1, sgid: String(g['id']) });
  t.match(answer(r[11]!), { description: 'web tier v2' });
  t.same(faults(r.slice(12)), [2201, 2201, -208, 2201]);
  const plain = await run(t, [['systemgroup.create', 'plain-group', 'x'], ['systemgroup.delete', 'webservers'], ['systemgroup.listAllGroups']], PLAIN);
  t.same(faults(plain), [-23, -23, undefined], 'create and delete need system_group_admin');
  const del = await run(t, [['systemgroup.addOrRemoveSystems', 'webservers', [old.id], false], ['systemgroup.listSystemsMinimal', 'webservers'], ['systemgroup.delete', 'webservers'], ['systemgroup.getDetails', 'webservers']]);
  t.same(rows(del[1]!).map((x) => x['id']), [web.id]);
  t.same(faults(del.slice(2)), [undefined, 2201]);
});

t.test('distribution channel maps', async (t) => {
  const base = (await db.stores.channels.getByLabel(BASE, db.org))!;
  await db.stores.distMaps.setDefault('Red Hat Enterprise Linux', '8', 'channel-x86_64', base.id);
  const r = await run(t, [
    ['distchannel.listDefaultMaps'], ['distchannel.setMapForOrg', 'Red Hat Enterprise Linux', '8', 'x86_64', OTHER], ['distchannel.listMapsForOrg'],
    ['distchannel.listMapsForOrg', db.org], ['distchannel.listMapsForOrg', 999], ['distchannel.setMapForOrg', 'RHEL', '8', 'VAX', OTHER],
    ['distchannel.setMapForOrg', 'RHEL', '8', 'x86_64', 'no-such-channel'],
  ]);
  t.same(answer(r[0]!), [{ os: 'Red Hat Enterprise Linux', release: '8', arch_name: 'x86_64', channel_label: BASE }]);
  t.same(answer(r[2]!), [{ os: 'Red Hat Enterprise Linux', release: '8', arch_name: 'x86_64', channel_label: OTHER }], "the org's map overrides the default");
  t.same(answer(r[3]!), answer(r[2]!), 'a satellite admin may read any org');
  t.same(faults(r.slice(4)), [2850, 1205, -210]);
  const other = (await db.stores.channels.getByLabel(OTHER, db.org))!;
  t.equal(await db.stores.distMaps.resolve(db.org, '8', 'channel-x86_64'), other.id, 'username/password registration resolves to it');
  const plain = await run(t, [['distchannel.setMapForOrg', 'RHEL', '8', 'x86_64', BASE], ['distchannel.listMapsForOrg', db.org], ['distchannel.listMapsForOrg']], PLAIN);
  t.same(faults(plain), [-23, -23, undefined]);
  const rm = await run(t, [['distchannel.setMapForOrg', 'Red Hat Enterprise Linux', '8', 'channel-x86_64', ''], ['distchannel.listMapsForOrg'], ['distchannel.setMapForOrg', 'Red Hat Enterprise Linux', '8', 'x86_64', '']]);
  t.same(answer(rm[1]!), answer(r[0]!), 'an empty label removes the org map: the default applies again');
  t.equal(rm[2]!.fault?.faultCode, -215, 'nothing left to remove');
});
