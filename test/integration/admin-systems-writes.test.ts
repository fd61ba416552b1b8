// system.* writes against a real server with Python's xmlrpc.client: details and their
// validation faults, notes, custom values, entitlements, channel subscriptions (relevance
// follows them), package profiles and comparisons (checked against python3-rpm), deletion.
import t, { type Test } from 'tap';
import { pythonJson } from '../support/python.js';
import type { Reply, Wire } from '../support/replay.js';
import { answer, call, S } from '../support/system-fixtures.js';
import { problems } from '../support/system-shapes.js';
import { BASE, CHILD, systemWorld, type SystemWorld } from '../support/system-world.js';

type Row = Record<string, Wire>;
let w: SystemWorld;

t.before(async () => {
  w = await systemWorld();
});
t.teardown(() => w?.stop());

async function run(t: Test, calls: [string, ...unknown[]][], login?: [string, string]): Promise<Reply[]> {
  const replies = await call(w.server, calls.map(([method, ...params]) => ({ method, params: [S, ...params] })), login);
  replies.forEach((r, i) => {
    if (!r.fault) t.same(problems(calls[i]![0], calls[i]!.length, r), [], `${calls[i]![0]}: answer as admin-api.md says`);
  });
  return replies;
}
const rows = (r: Reply): Row[] => answer<Row[]>(r);
const faults = (rs: Reply[]): (number | undefined)[] => rs.map((r) => r.fault?.faultCode);

t.test('setDetails changes what getDetails shows; bad values fault as Spacewalk', async (t) => {
  const details = { profile_name: '  web-renamed  ', description: 'renamed', address1: 'Main St 1', city: 'Berlin', country: 'DE', room: '101', rack: 'R7', building: 'B' };
  const ok = await run(t, [['system.setDetails', w.web.id, details], ['system.getDetails', w.web.id]]);
  t.equal(answer(ok[0]!), 1);
  t.match(answer(ok[1]!), { profile_name: 'web-renamed', description: 'renamed', address1: 'Main St 1', city: 'Berlin', country: 'DE', room: '101', rack: 'R7', building: 'B' }, 'trimmed name, location');
  const bad = await run(t, [
    ['system.setDetails', w.web.id, { bogus: 1 }], ['system.setDetails', w.web.id, { country: 'XX' }], ['system.setDetails', w.web.id, { country: 'Germany' }],
    ['system.setDetails', w.web.id, { profile_name: 'a' }], ['system.setDetails', w.web.id, { profile_name: 'x'.repeat(129) }],
    ['system.setProfileName', w.web.id, ' '], ['system.setDetails', 42, { description: 'x' }],
  ]);
  t.same(faults(bad), [2801, 2280, 2280, 1060, 1061, 1060, -208]);
  t.equal(bad[0]!.fault!.faultString, 'redstone.xmlrpc.XmlRpcFault: Invalid argument(s): bogus');
  const renamed = await run(t, [['system.setProfileName', w.web.id, 'web1.example.com'], ['system.getName', w.web.id]]);
  t.equal(answer<Row>(renamed[1]!)['name'], 'web1.example.com');
  const [made] = await call(w.server, [{ method: 'user.create', params: [S, 'plainsys', 'plain-pw-123', 'P', 'S', 'p@example.invalid'] }]);
  t.equal(answer(made!), 1);
  const plain = await run(t, [['system.setDetails', w.web.id, { base_entitlement: 'enterprise_entitled' }], ['system.setDetails', w.web.id, { description: 'by plain' }]], ['plainsys', 'plain-pw-123']);
  t.equal(plain[0]!.fault?.faultCode, -23, 'base_entitlement needs org_admin');
  t.equal(answer(plain[1]!), 1, 'other details need no role');
});

t.test('lock status, notes and custom values', async (t) => {
  await w.db.stores.systemExtras.createCustomKey(w.db.org, 'asset_tag', 'asset tag');
  await w.db.stores.systemExtras.createCustomKey(w.db.org, 'owner', 'owner');
  const r = await run(t, [
    ['system.setLockStatus', w.web.id, true], ['system.getDetails', w.web.id],
    ['system.addNote', w.web.id, 'first', 'body one'], ['system.addNote', w.web.id, 'second', ''], ['system.listNotes', w.web.id],
    ['system.setCustomValues', w.web.id, { asset_tag: 'A-1', owner: 'ops' }], ['system.setCustomValues', w.web.id, { owner: 'dev', undefined_key: 'x', asset_tag: ' ' }],
    ['system.getCustomValues', w.web.id], ['system.deleteCustomValues', w.web.id, ['owner', 'nope']], ['system.getCustomValues', w.web.id],
  ]);
  t.equal(answer<Row>(r[1]!)['lock_status'], true);
  const notes = rows(r[4]!);
  t.same(notes.map((n) => [n['subject'], n['note'] ?? null, n['system_id'], n['creator']]).sort(), [['first', 'body one', w.web.id, w.server.adminUser], ['second', null, w.web.id, w.server.adminUser]]);
  t.equal(answer(r[5]!), 1);
  t.equal(r[6]!.fault?.faultCode, 1000, 'undefined (and blank) keys are reported');
  t.match(r[6]!.fault?.faultString, /undefined_key[\s\S]*asset_tag|asset_tag[\s\S]*undefined_key/);
  t.same(answer(r[7]!), { asset_tag: 'A-1', owner: 'dev' }, 'the defined key was still set');
  t.equal(r[8]!.fault?.faultCode, 1000);
  t.same(answer(r[9]!), { asset_tag: 'A-1' }, 'the known key was still deleted');
  const del = await run(t, [['system.deleteNote', w.web.id, notes[0]!['id']], ['system.listNotes', w.web.id], ['system.deleteNotes', w.web.id], ['system.listNotes', w.web.id], ['system.setLockStatus', w.web.id, false]]);
  t.equal(rows(del[1]!).length, 1);
  t.same(answer(del[3]!), []);
});

t.test('entitlements', async (t) => {
  const r = await run(t, [
    ['system.addEntitlements', w.dbServer.id, ['virtualization_host']], ['system.getEntitlements', w.dbServer.id], ['system.getDetails', w.dbServer.id],
    ['system.addEntitlements', w.dbServer.id, ['no_such_entitlement']], ['system.removeEntitlements', w.dbServer.id, ['virtualization_host']], ['system.getEntitlements', w.dbServer.id],
  ]);
  t.same(answer(r[1]!), ['enterprise_entitled', 'virtualization_host']);
  t.same(answer<Row>(r[2]!)['addon_entitlements'], ['virtualization_host']);
  t.equal(r[3]!.fault?.faultCode, -212);
  t.same(answer(r[5]!), ['enterprise_entitled']);
});

t.test('channel subscriptions, and relevance follows them', async (t) => {
  const before = await run(t, [['system.getRelevantErrata', w.dbServer.id]]);
  t.notOk(rows(before[0]!).some((e) => e['advisory_name'] === 'SYS-BA-4'), 'no child channel: no zeta erratum');
  const r = await run(t, [
    ['system.setChildChannels', w.dbServer.id, [CHILD]], ['system.listSubscribedChildChannels', w.dbServer.id], ['system.getRelevantErrata', w.dbServer.id],
    ['system.setChildChannels', w.dbServer.id, [CHILD, 5]], ['system.setChildChannels', w.dbServer.id, ['no-such-channel']],
    ['system.setBaseChannel', w.dbServer.id, 'no-such-channel'], ['system.setBaseChannel', w.dbServer.id, CHILD],
    ['system.setBaseChannel', w.dbServer.id, ''], ['system.getSubscribedBaseChannel', w.dbServer.id], ['system.getRelevantErrata', w.dbServer.id],
    ['system.setBaseChannel', w.dbServer.id, w.channel[BASE]], ['system.getSubscribedBaseChannel', w.dbServer.id], ['system.listSubscribedChildChannels', w.dbServer.id],
    ['system.setBaseChannel', w.dbServer.id, 999999],
  ]);
  t.same(rows(r[1]!).map((c) => c['label']), [CHILD]);
  t.ok(rows(r[2]!).some((e) => e['advisory_name'] === 'SYS-BA-4'), 'subscribed to the child: its erratum is relevant');
  t.same(faults(r.slice(3, 7)), [1209, 1201, 1201, -211]);
  t.same(answer(r[8]!), {}, 'an empty label drops the base channel');
  t.same(answer(r[9]!), [], 'no channels: nothing relevant');
  t.equal(answer<Row>(r[11]!)['label'], BASE, 'the deprecated id form sets it back');
  t.same(answer(r[12]!), [], 'a new base starts without children');
  t.equal(r[13]!.fault?.faultCode, -211, 'an unknown channel id is an invalid channel');
});

// rpm's ordering decides each comparison; the row set is every (name, arch) either side has.
const COMPARE = String.raw`
import json, sys, rpm
a, b = json.load(sys.stdin)
ev = lambda p: (p['epoch'].strip() or None, p['version'], p['release'])
def newest(pkgs):
    out = {}
    for p in pkgs:
        k = (p['name'], p['arch'])
        if k not in out or rpm.labelCompare(ev(p), ev(out[k])) > 0: out[k] = p
    return out
x, y = newest(a), newest(b)
rows = []
for k in sorted(set(x) | set(y)):
    if k not in y: c = 1
    elif k not in x: c = 3
    else:
        r = rpm.labelCompare(ev(x[k]), ev(y[k]))
        c = 0 if r == 0 else 2 if r > 0 else 4
    rows.append([k[0], k[1], c])
print(json.dumps(rows))
`;

t.test('package profiles and comparisons agree with python3-rpm', async (t) => {
  const r = await run(t, [
    ['system.createPackageProfile', w.web.id, 'web-profile', 'web as registered'], ['system.createPackageProfile', w.web.id, 'web-profile', 'again'],
    ['system.createPackageProfile', w.old.id, 'old-profile', 'no base'], ['system.listPackageProfiles'],
    ['system.comparePackages', w.web.id, w.dbServer.id], ['system.comparePackageProfile', w.dbServer.id, 'web-profile'],
    ['system.comparePackageProfile', w.dbServer.id, 'no-such-profile'], ['system.comparePackages', w.web.id, w.old.id], ['system.comparePackages', w.web.id, w.web.id],
    ['system.listPackages', w.web.id], ['system.listPackages', w.dbServer.id],
  ]);
  t.equal(answer(r[0]!), 1);
  t.same(faults([r[1]!, r[2]!]), [1213, 1065], 'duplicate name; system without a base channel');
  const profiles = rows(r[3]!);
  t.same(profiles.map((p) => [p['name'], p['channel']]), [['web-profile', BASE]]);
  const web = rows(r[9]!);
  const dbs = rows(r[10]!);
  const toRows = (m: Reply): unknown[] => rows(m).map((x) => [x['package_name'], x['package_arch'], x['comparison']]);
  t.same(toRows(r[4]!), await pythonJson(COMPARE, [], JSON.stringify([web, dbs])), 'web against db');
  t.same(toRows(r[5]!), await pythonJson(COMPARE, [], JSON.stringify([dbs, web])), 'db against the stored web profile');
  const alpha = rows(r[4]!).find((x) => x['package_name'] === 'alpha')!;
  t.match(alpha, { this_system: '1.0-1', other_system: '1.2-1', comparison: 4 });
  t.same(faults(r.slice(6, 9)), [2756, 1204, 1204], 'unknown profile; no base channel on the other side; the same system');
  const del = await run(t, [['system.deletePackageProfile', profiles[0]!['id']], ['system.deletePackageProfile', profiles[0]!['id']], ['system.listPackageProfiles']]);
  t.equal(answer(del[0]!), 1);
  t.equal(del[1]!.fault?.faultCode, -1, 'an unknown profile is a lookup failure');
  t.same(answer(del[2]!), []);
});

t.test('deleteSystems deletes the caller systems and reports the others', async (t) => {
  const r = await run(t, [['system.deleteSystems', [w.old.id, 999]], ['system.listSystems'], ['system.getDetails', w.old.id]]);
  t.equal(r[0]!.fault?.faultCode, 1003);
  t.match(r[0]!.fault?.faultString, /NOT deleted: \n999$/);
  t.notOk(rows(r[1]!).some((s) => s['id'] === w.old.id), 'the known system is gone');
  t.equal(r[2]!.fault?.faultCode, -208);
});
