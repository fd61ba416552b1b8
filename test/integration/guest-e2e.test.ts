// A guest's whole life against a real `skylab serve`, driven from Python as the stock clients do
// it (test/support/guest_e2e.py): rhnreg_ks with an activation key, hardware and package profiles,
// up2date.login and listChannels, python3-dnf installing the old builds through GET-REQ with the
// dnf plugin's five X-RHN-* headers (the empty user id sent with the libcurl CRLF workaround),
// the administrator scheduling the advisory, rhn_check running errata.update (getErrataInfo, dnf
// through GET-REQ, update_packages, queue.submit) and the advisory leaving the system's relevant
// list. Then the bad paths from the guest's side: forged systemids, expired and altered tokens,
// another guest's channel, traversal paths, malformed profiles, unknown action ids.
import t from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attachStores } from '../../channels/index.js';
import { serverIdOf, tokenSignature } from '../support/guest-client.js';
import { ADVISORY, CHANNEL, OTHER, profileOf, setupE2e, tupleOf, type E2eData } from '../support/guest-e2e-data.js';
import { newGuest, type GetAnswer, type Guest, type ProfilePackage } from '../support/guest-e2e.js';
import { adminLogin, api } from '../support/push.js';
import { startServer, type RunningServer } from '../support/server.js';

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
type Login = Record<string, string | number>;

let server: RunningServer;
let data: E2eData;
let guest: Guest;
let sid: number;
let actionId: number;
const admin = (calls: unknown[][]): Promise<unknown[]> => api<unknown[]>(adminLogin(server), calls);
const relevant = async (id: number): Promise<string[]> => ((await admin([['system.getRelevantErrata', id]]))[0] as { advisory_name: string }[]).map((e) => e.advisory_name);
const affected = async (): Promise<number[]> => ((await admin([['errata.listAffectedSystems', ADVISORY]]))[0] as { id: number }[]).map((s) => s.id);
const nevras = (profile: ProfilePackage[]): string[] => profile.map((p) => `${p.name}-${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}.${p.arch}`);

t.before(async () => {
  server = await startServer();
  data = await setupE2e(server);
  guest = await newGuest(`${server.url}/XMLRPC`);
});
t.teardown(async () => {
  await guest?.remove();
  await server?.stop();
});

t.test('rhnreg_ks with the key: new_system, hardware and the old builds as the profile', async (t) => {
  t.equal(data.key, '1-e2e', 'activationkey.create gives the key its org prefix');
  const r = await guest.step<{ systemid: string; add_hw_profile: number; add_packages: number }>({
    op: 'rhnreg_ks', token: data.key, profile_name: 'e2e-guest.example.com', hardware: data.hardware, packages: profileOf(data.old, 1700000000),
  });
  t.same(r.calls, ['registration.welcome_message', 'registration.welcome_message', 'registration.new_system', 'registration.welcome_message',
    'registration.add_hw_profile', 'registration.welcome_message', 'registration.add_packages']);
  t.same([r.result!.add_hw_profile, r.result!.add_packages], [0, 0]);
  sid = serverIdOf(r.result!.systemid);
  t.ok(sid >= 1000010000, `server id ${sid}`);
  const [details, channels, packages] = await admin([['system.getDetails', sid], ['system.getSubscribedBaseChannel', sid], ['system.listPackages', sid]]);
  t.equal((details as { profile_name: string }).profile_name, 'e2e-guest.example.com');
  t.equal((channels as { label: string }).label, CHANNEL, 'the key subscribed the system to its channel');
  t.same((packages as { name: string; version: string }[]).map((p) => `${p.name}-${p.version}`).sort(), ['e2e-app-1.0', 'e2e-lib-1.0']);
  t.same(await relevant(sid), [ADVISORY], 'the profile alone makes the advisory relevant');
});

t.test('login and listChannels as the dnf plugin needs them', async (t) => {
  const login = (await guest.step<Login>({ op: 'login' })).result!;
  t.same([login['X-RHN-Server-Id'], login['X-RHN-Auth-User-Id'], login['X-RHN-Auth-Expire-Offset']], [sid, '', '3600.0']);
  const channels = (await guest.step<Record<string, string>[]>({ op: 'list_channels' })).result!;
  t.same(channels.map((c) => c['label']), [CHANNEL]);
  t.match(channels[0]!['last_modified'], /^\d{14}$/, 'a version, so the plugin makes it a repo');
});

t.test('dnf installs the old builds through GET-REQ with the plugin headers', async (t) => {
  const r = await guest.step<{ transaction: string[]; cache: Record<string, Record<string, string>> }>({ op: 'dnf_install', specs: data.old.map((p) => p.nevra) });
  t.same(r.calls, ['up2date.listChannels'], 'the plugin asks for the channels; every file comes over GET');
  t.same(r.result!.transaction.sort(), data.old.map((p) => p.nevra).sort(), 'the pinned old builds');
  const cache = r.result!.cache[CHANNEL]!;
  for (const p of data.old) t.equal(cache[p.file], sha(p.path), `${p.file}: the pushed file, byte for byte`);
  const repodata = Object.keys(cache).filter((f) => !f.endsWith('.rpm'));
  for (const type of ['repomd.xml', 'primary.xml.gz', 'filelists.xml.gz', 'updateinfo.xml.gz']) t.ok(repodata.some((f) => f.endsWith(type)), `dnf fetched ${type}`);
  for (const f of repodata) {
    const served = (await guest.step<GetAnswer>({ op: 'get', path: `${CHANNEL}/repodata/${f}` })).result!;
    t.same([served.status, served.sha256], [200, cache[f]], `repodata/${f} is what GET-REQ serves`);
  }
  const installed = (await guest.step<ProfilePackage[]>({ op: 'installed' })).result!;
  t.same(nevras(installed).sort(), data.old.map((p) => p.nevra).sort(), 'rpm in the installroot has the old builds');
  const sent = await guest.step<{ profile: ProfilePackage[]; answer: number }>({ op: 'update_packages' });
  t.same(sent.calls, ['registration.welcome_message', 'registration.update_packages']);
  t.equal(sent.result!.answer, 0);
  const listed = (await admin([['system.listPackages', sid]]))[0] as Record<string, string>[];
  t.same(listed.map((p) => [p['name'], p['version'], p['release'], p['epoch'], p['arch']]).sort(),
    sent.result!.profile.map((p) => [p.name, p.version, p.release, p.epoch === '' ? ' ' : p.epoch, p.arch]).sort(), 'the admin API shows the profile rpm gave');
  const info = (await guest.step<{ advisories: { id: string; type: string; package: string; installed: boolean }[] }>({ op: 'updateinfo' })).result!;
  t.same(info.advisories.map((a) => [a.id, a.type, a.installed]), [[ADVISORY, 'security', false], [ADVISORY, 'security', false]], 'dnf sees the advisory in updateinfo.xml.gz');
});

t.test('the administrator schedules the advisory', async (t) => {
  t.same(await relevant(sid), [ADVISORY]);
  t.ok((await affected()).includes(sid), 'errata.listAffectedSystems lists the guest');
  const [ids] = await admin([['system.scheduleApplyErrata', sid, [data.erratumId]]]);
  t.equal((ids as number[]).length, 1, 'one action');
  actionId = (ids as number[])[0]!;
  const queued = (await admin([['schedule.listInProgressSystems', actionId]]))[0] as { server_id: number }[];
  t.same(queued.map((s) => s.server_id), [sid], 'queued for the guest');
});

t.test('rhn_check runs errata.update: getErrataInfo, dnf through GET-REQ, update_packages, submit', async (t) => {
  type Trail = { id: number; version: number; method: string; params: unknown[]; errataInfo: string[][][]; result: unknown[]; transaction: string[]; submit: number };
  const r = await guest.step<{ actions: Trail[]; future: unknown[] }>({ op: 'rhn_check' });
  t.same(r.calls, [
    'queue.get', 'up2date.login', 'errata.getErrataInfo', 'up2date.listChannels', 'registration.welcome_message', 'registration.update_packages',
    'queue.submit', 'queue.get', 'registration.welcome_message', 'queue.get_future_actions',
  ], 'the calls of rhn_check with one errata.update (8.4)');
  const [a] = r.result!.actions;
  t.same([a!.id, a!.version, a!.method, a!.params], [actionId, 2, 'errata.update', [[data.erratumId]]], 'the methodCall decodes with xmlrpc.client.loads');
  t.same(a!.errataInfo[0]!.slice().sort(), data.new.map(tupleOf).sort(), "getErrataInfo: the advisory's builds, epoch and arch as strings");
  t.same(a!.result, [0, 'Update Succeeded', {}]);
  t.same(a!.transaction.sort(), data.new.map((p) => p.nevra).sort(), 'dnf installed the new builds');
  t.equal(a!.submit, 0);
  t.same(r.result!.future, []);
  const installed = (await guest.step<ProfilePackage[]>({ op: 'installed' })).result!;
  t.same(nevras(installed).sort(), data.new.map((p) => p.nevra).sort(), 'rpm in the installroot has the new builds');
  const cache = (await guest.step<Record<string, Record<string, string>>>({ op: 'cache' })).result![CHANNEL]!;
  for (const p of data.new) t.equal(cache[p.file], sha(p.path), `${p.file} came through GET-REQ byte for byte`);
  const info = (await guest.step<{ advisories: { id: string; installed: boolean }[] }>({ op: 'updateinfo' })).result!;
  t.same(info.advisories.map((a) => [a.id, a.installed]), [[ADVISORY, true], [ADVISORY, true]], 'dnf now shows the advisory installed');
});

t.test('the admin API sees the action completed and the advisory gone', async (t) => {
  const [done, failed, rel, listed] = await admin([
    ['schedule.listCompletedSystems', actionId], ['schedule.listFailedSystems', actionId], ['system.getRelevantErrata', sid], ['system.listPackages', sid],
  ]);
  t.same((done as { server_id: number }[]).map((s) => s.server_id), [sid], 'completed for the guest');
  t.same(failed, []);
  t.same(rel, [], 'no relevant errata left');
  t.notOk((await affected()).includes(sid), 'errata.listAffectedSystems no longer lists the guest');
  t.same((listed as { name: string; version: string }[]).map((p) => `${p.name}-${p.version}`).sort(), ['e2e-app-1.1', 'e2e-lib-1.1']);
  const again = await guest.step<{ actions: unknown[] }>({ op: 'rhn_check' });
  t.same(again.calls, ['queue.get', 'registration.welcome_message', 'queue.get_future_actions'], 'nothing more to do');
});

t.test('bad paths from the guest side', async (t) => {
  const other = await newGuest(`${server.url}/XMLRPC`);
  t.teardown(() => other.remove());
  const reg = await other.step<{ systemid: string }>({ op: 'rhnreg_ks', token: data.otherKey, profile_name: 'other.example.com', hardware: [], packages: [] });
  const otherSid = serverIdOf(reg.result!.systemid);
  await other.step({ op: 'login' });
  const call = async (method: string, params: unknown[]): Promise<{ answer?: unknown; fault?: { faultCode: number } }> =>
    (await guest.step<{ answer?: unknown; fault?: { faultCode: number } }>({ op: 'call', method, params })).result!;
  const get = async (g: Guest, path: string, extra: Record<string, unknown> = {}): Promise<GetAnswer> => (await g.step<GetAnswer>({ op: 'get', path, ...extra })).result!;

  t.test('forged systemids: fault -9', async (t) => {
    const methods = [['up2date.login', []], ['queue.get', [2, {}]], ['registration.update_packages', [[]]], ['up2date.listChannels', []]] as const;
    for (const how of ['checksum', 'field:os_release', 'field:system_id', `id:${otherSid}`, 'id:1000099999']) {
      for (const [method, rest] of methods) t.equal((await call(method, [{ __systemid__: how }, ...rest])).fault?.faultCode, -9, `${how}: ${method}`);
    }
    // controls: the forging itself is not what the server refuses
    t.equal(((await call('up2date.listChannels', [{ __systemid__: 'redumped' }])).answer as unknown[]).length, 1, 're-encoded unchanged: accepted');
    t.equal(((await call('up2date.listChannels', [{ __systemid__: 'unsigned:profile_name' }])).answer as unknown[]).length, 1, 'a field outside `fields` is not signed (2.2)');
    t.equal((await other.step<{ answer: unknown[] }>({ op: 'call', method: 'up2date.listChannels', params: [{ __systemid__: 'own' }] })).result!.answer.length, 1, "the other guest still works");
  });

  t.test('tokens: expired (-34), altered (-33), another server id (-33)', async (t) => {
    const stores = attachStores(join(server.dataDir, 'skylab.db'));
    const key = (await stores.users.getSetting('client_auth_key'))!;
    stores.close();
    const time = (Date.now() / 1000 - 7200).toFixed(2);
    const expired: Login = { 'X-RHN-Server-Id': sid, 'X-RHN-Auth-User-Id': '', 'X-RHN-Auth': await tokenSignature(key, sid, '', time, '3600.0'), 'X-RHN-Auth-Server-Time': time, 'X-RHN-Auth-Expire-Offset': '3600.0' };
    const e = await get(guest, `${CHANNEL}/repodata/repomd.xml`, { login: expired });
    t.same([e.status, e.faultCode], [401, '-34'], 'an expired token: 401 with X-RHN-Fault-Code -34');
    t.match(e.faultString, /Error Class Code: 34\n/, 'X-RHN-Fault-String decodes to the fault text');
    const dnf = (await guest.run([{ op: 'dnf_install', specs: ['e2e-app'], login: expired, fresh_cache: true }]))[0]!;
    t.ok(dnf.error, `dnf with an expired token fails: ${dnf.error?.slice(0, 120)}`);
    const fresh = (await guest.step<Login>({ op: 'login' })).result!;
    const altered = await get(guest, `${CHANNEL}/repodata/repomd.xml`, { login: { ...fresh, 'X-RHN-Auth-Expire-Offset': '999999.0' } });
    t.same([altered.status, altered.faultCode], [401, '-33'], 'a longer lifetime than was signed: 401 -33');
    const moved = await get(guest, `${OTHER}/repodata/repomd.xml`, { login: { ...fresh, 'X-RHN-Server-Id': otherSid } });
    t.same([moved.status, moved.faultCode], [401, '-33'], "this guest's token under the other server id: 401 -33");
    const missing = await get(guest, `${CHANNEL}/repodata/repomd.xml`, { headers: { 'X-RHN-Auth-User-Id': null } });
    t.equal(missing.status, 405, 'without the (empty) user id header: 405');
  });

  t.test("another guest's channel: 401 -39 for repodata, 404 -17 for packages", async (t) => {
    const repomd = await get(guest, `${OTHER}/repodata/repomd.xml`);
    t.same([repomd.status, repomd.faultCode], [401, '-39']);
    const pkg = await get(guest, `${OTHER}/getPackage/${data.foreign.file}`);
    t.same([pkg.status, pkg.faultCode, pkg.length], [404, '-17', 0]);
    const own = await get(other, `${OTHER}/getPackage/${data.foreign.file}`);
    t.same([own.status, own.sha256], [200, sha(data.foreign.path)], 'its own guest gets it');
    const back = await get(other, `${CHANNEL}/getPackage/${data.new[0]!.file}`);
    t.same([back.status, back.faultCode], [404, '-17'], 'and not ours');
    const channels = [{ label: OTHER, name: OTHER, last_modified: '20240101000000' }];
    const dnf = (await guest.run([{ op: 'dnf_install', specs: [data.foreign.nevra], channels }]))[0]!;
    t.ok(dnf.error, `dnf on the other channel with our login fails: ${dnf.error?.slice(0, 120)}`);
    t.notOk(nevrasOf(await guest.step<ProfilePackage[]>({ op: 'installed' })).includes(data.foreign.nevra));
  });

  t.test('traversal paths', async (t) => {
    const file = data.new[0]!.file;
    const evil = [
      `${CHANNEL}/getPackage/..%2F..%2Fskylab.db`, `${CHANNEL}/getPackage/../../skylab.db`, `${CHANNEL}/repodata/..%2F..%2F..%2Fskylab.db`,
      `${CHANNEL}/repodata/../../../../skylab.db`, `${CHANNEL}/repodata/%2e%2e%2f%2e%2e%2fskylab.db`, `${CHANNEL}/getPackage/../../${OTHER}/getPackage/${data.foreign.file}`,
      `${OTHER}/../${CHANNEL}/getPackage/${data.foreign.file}`, `${CHANNEL}/getPackage/..%2F..%2F..%2F${OTHER}%2FgetPackage%2F${data.foreign.file}`,
      `../../etc/passwd`, `${CHANNEL}/getPackage/%2Fetc%2Fpasswd`, `${CHANNEL}/repodata/%00repomd.xml`, `${CHANNEL}/getPackage/${file}%00.rpm`,
    ];
    for (const path of evil) {
      const r = await get(guest, path);
      t.ok(r.status === 404 || r.status === 401 || r.status === 400, `${path}: ${r.status} ${r.faultCode ?? ''}`);
      t.notOk(r.sqlite || r.sha256 === sha(data.foreign.path) || r.length > 0, `${path}: nothing served`);
    }
  });

  t.test('malformed profiles: fault -21, profile unchanged', async (t) => {
    const before = (await admin([['system.listPackages', sid]]))[0];
    const bad: [string, unknown][] = [
      ['registration.add_packages', 'not a list'], ['registration.update_packages', 42], ['registration.update_packages', [['e2e-lib', '1.0', '1.el8']]],
      ['registration.update_packages', [7]], ['registration.add_packages', [{ __systemid__: 'own' }]], ['registration.delete_packages', 'x'],
      ['registration.delta_packages', 'not a struct'], ['registration.delta_packages', ['added']],
    ];
    for (const [method, arg] of bad) {
      const r = await call(method, [{ __systemid__: 'own' }, arg]);
      t.equal(r.fault?.faultCode, -21, `${method}(${JSON.stringify(arg).slice(0, 40)}): -21`);
    }
    t.same((await admin([['system.listPackages', sid]]))[0], before, 'the stored profile is unchanged');
  });

  t.test('unknown action ids: fault -22 (-30 for a non-integer)', async (t) => {
    for (const id of [999999999, actionId, -1, 0]) {
      const r = await call('queue.submit', [{ __systemid__: 'own' }, id, 0, 'Update Succeeded', {}]);
      t.equal(r.fault?.faultCode, -22, `submit of action ${id}: -22`);
    }
    t.equal((await call('queue.submit', [{ __systemid__: 'own' }, 'abc', 0, 'x', {}])).fault?.faultCode, -30, 'a non-integer id: -30');
    const [done] = await admin([['schedule.listCompletedSystems', actionId]]);
    t.same((done as { server_id: number }[]).map((s) => s.server_id), [sid], 'the completed action stays completed');
  });
});

function nevrasOf(r: { result?: ProfilePackage[] }): string[] {
  return nevras(r.result ?? []);
}
