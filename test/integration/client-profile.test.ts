// Calls on a registered profile against a real server (client-protocol.md 2.3, 3.6-3.8, 3.10,
// 3.12, 3.13): hardware and package profiles in both wire shapes, malformed ones (21, 53), the
// client capabilities kept, upgrade_version and update_systemid (checked with a Python oracle of
// the checksum), systemid faults 9 (forged, altered, unknown, deleted) and 28, fault 31 for a
// disabled system outside registration.*, and the buffered check-in time.
import t, { type Test } from 'tap';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { attachStores, type Channel } from '../../channels/index.js';
import { checkSystemId, CLIENT_CAPS, guestCall, guestCalls, serverCapabilities, serverIdOf, type GuestReply } from '../support/guest-client.js';
import { guestWorld, type GuestWorld } from '../support/guest-world.js';
import { pythonJson } from '../support/python.js';
import { TRACES } from '../support/replay.js';

let w: GuestWorld;
let el8: Channel;
let el9: Channel;
let key: string;

t.before(async () => {
  w = await guestWorld();
  el8 = await w.channel('prof-el8', null);
  el9 = await w.channel('prof-el9', null);
  await w.channel('prof-el8-child', el8);
  key = await w.key('profile', { base: el8 });
});
t.teardown(() => w?.stop());

/** The hardware list rhnreg_ks sent in the recorded activation-key flow. */
const TRACE_HW = (() => {
  for (const line of readFileSync(join(TRACES, 'rhnreg_ks-activationkey.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const rec = JSON.parse(line) as { call?: { method: string; params: unknown[] } };
    if (rec.call?.method === 'registration.add_hw_profile') return rec.call.params[1] as Record<string, unknown>[];
  }
  throw new Error('no add_hw_profile in the trace');
})();

const pkg = (name: string, version: string, arch = 'noarch', epoch = '', installtime = 1700000000) => ({ name, epoch, version, release: '1.el8', arch, installtime });
const profileOf = (id: number) => w.all('SELECT name, epoch, version, release, arch, installtime FROM system_packages WHERE system_id = ? ORDER BY name, version', id);

function isFault(t: Test, r: GuestReply, code: number, text?: string): void {
  t.equal(r.fault?.faultCode, -code, `fault -${code}`);
  if (text) t.match(r.fault?.faultString ?? '', text);
  t.ok(serverCapabilities(r).length > 0, 'capabilities on the fault');
}

t.test('hardware profiles: add appends, refresh replaces, NETINFO names the system', async (t) => {
  const doc = await w.register(key, 'hw.example.com');
  const id = serverIdOf(doc);
  const net = { class: 'NETINFO', hostname: 'renamed.example.com', ipaddr: '010.000.000.007', ip6addr: 'fe80::1' };
  const [added, refreshed] = await guestCalls(w.url, [
    { method: 'registration.add_hw_profile', params: [doc, TRACE_HW] },
    { method: 'registration.refresh_hw_profile', params: [doc, [{ class: 'CPU', platform: 'x86_64', count: 4 }, net, { class: 'FROBNICATOR', x: '1' }]] },
  ]);
  t.equal(added!.answer, 0);
  t.match(added!.xml, /<value><i4>0<\/i4><\/value>|<value><int>0<\/int><\/value>/, 'an int 0');
  t.equal(refreshed!.answer, 0);
  const classes = w.all<{ class: string }>('SELECT class FROM system_hardware WHERE system_id = ? ORDER BY seq', id).map((r) => r.class);
  t.same(classes, ['CPU', 'NETINFO'], 'refresh replaced the 13 items; the unknown class is ignored');
  t.match(w.one('SELECT hostname, ip, ip6 FROM systems WHERE id = ?', id), { hostname: 'renamed.example.com', ip: '10.0.0.7', ip6: 'fe80::1' });
  const [noMac, notList, add2] = await guestCalls(w.url, [
    { method: 'registration.add_hw_profile', params: [doc, [{ class: 'NETINTERFACES', eth0: { module: 'virtio_net', ipaddr: '10.0.0.7' } }]] },
    { method: 'registration.add_hw_profile', params: [doc, { class: 'CPU' }] },
    { method: 'registration.add_hw_profile', params: [doc, TRACE_HW] },
  ]);
  isFault(t, noMac!, 53, 'hwaddr');
  isFault(t, notList!, 21);
  t.equal(add2!.answer, 0);
  t.equal(w.one<{ n: number }>('SELECT count(*) AS n FROM system_hardware WHERE system_id = ?', id).n, 2 + TRACE_HW.length);
});

t.test('package profiles in both shapes; capabilities kept; malformed lists are fault 21', async (t) => {
  const doc = await w.register(key, 'pkgs.example.com');
  const id = serverIdOf(doc);
  const r = await guestCalls(w.url, [
    { method: 'registration.add_packages', params: [doc, [pkg('bash', '5.1'), pkg('zsh', '5.8', 'x86_64', '1')]] },
    { method: 'registration.add_packages', params: [doc, [['vim', '8.2', '1.el8', '2', 'x86_64'], ['ed', '1.14', '1.el8', '(none)']]] },
  ]);
  t.same(r.map((x) => x.answer), [0, 0]);
  t.same(profileOf(id), [
    { name: 'bash', epoch: '', version: '5.1', release: '1.el8', arch: 'noarch', installtime: 1700000000 },
    { name: 'ed', epoch: '', version: '1.14', release: '1.el8', arch: '', installtime: null },
    { name: 'vim', epoch: '2', version: '8.2', release: '1.el8', arch: 'x86_64', installtime: null },
    { name: 'zsh', epoch: '1', version: '5.8', release: '1.el8', arch: 'x86_64', installtime: 1700000000 },
  ]);
  const caps = w.all<{ name: string; version: number; value: string }>('SELECT name, version, value FROM system_capabilities WHERE system_id = ? ORDER BY name', id);
  t.same(caps.map((c) => `${c.name}(${c.version})=${c.value}`), CLIENT_CAPS.split(',').sort(), 'the request capabilities are stored');
  const s = await guestCalls(w.url, [
    { method: 'registration.update_packages', params: [doc, [pkg('bash', '5.2'), pkg('zsh', '5.8', 'x86_64', '1', 1700000500)]] },
    { method: 'registration.delete_packages', params: [doc, [pkg('zsh', '5.8', 'x86_64', '1')]] },
    { method: 'registration.delta_packages', params: [doc, { added: [pkg('tmux', '3.2')], deleted: [['bash', '5.2', '1.el8', '']] }] },
    { method: 'registration.delta_packages', params: [doc, { added: [pkg('git', '2.39')] }] },
  ]);
  t.same(s.map((x) => x.answer), [0, 0, 0, 0]);
  t.same(profileOf(id).map((p) => (p as { name: string }).name), ['git', 'tmux'], 'update replaced, delete and delta removed');
  const bad = await guestCalls(w.url, [
    { method: 'registration.update_packages', params: [doc, 'bash'] },
    { method: 'registration.update_packages', params: [doc, { name: 'bash' }] },
    { method: 'registration.add_packages', params: [doc, [['bash', '5.1', '1.el8']]] },
    { method: 'registration.add_packages', params: [doc, [['bash']]] },
    { method: 'registration.add_packages', params: [doc, ['bash-5.1-1.el8']] },
    { method: 'registration.add_packages', params: [doc, [{ version: '1', release: '1' }]] },
    { method: 'registration.delta_packages', params: [doc, [pkg('git', '2.39')]] },
    { method: 'registration.delta_packages', params: [doc, { added: 'git' }] },
  ]);
  for (const b of bad) isFault(t, b, 21);
  t.same(profileOf(id).map((p) => (p as { name: string }).name), ['git', 'tmux'], 'nothing changed');
});

t.test('upgrade_version: a new systemid with the same secret and the mapped base channel', async (t) => {
  await w.stores.distMaps.setForOrg(w.org, 'redhat-release', '9', 'channel-x86_64', el9.id);
  const doc = await w.register(key, 'upgrade.example.com');
  const id = serverIdOf(doc);
  const secret = w.one<{ secret: string }>('SELECT secret FROM systems WHERE id = ?', id).secret;
  const [up, empty, old] = await guestCalls(w.url, [
    { method: 'registration.upgrade_version', params: [doc, '9'] },
    { method: 'registration.upgrade_version', params: [doc, ''] },
    { method: 'registration.finish_message', params: [doc] },
  ]);
  const next = up!.answer as string;
  const check = await checkSystemId(next, secret);
  t.ok(check.valid, 'signed with the unchanged secret');
  t.equal(w.one<{ secret: string }>('SELECT secret FROM systems WHERE id = ?', id).secret, secret);
  t.match(check.struct, { os_release: '9', system_id: `ID-${id}`, architecture: 'x86_64-redhat-linux', profile_name: 'upgrade.example.com' });
  t.equal(w.one<{ os_release: string }>('SELECT os_release FROM systems WHERE id = ?', id).os_release, '9');
  t.same(w.all('SELECT channel_id FROM system_channels WHERE system_id = ?', id), [{ channel_id: el9.id }], 'moved to the base channel mapped for 9');
  isFault(t, empty!, 21, 'Invalid system release version requested');
  t.same(old!.answer, [0, '', ''], 'the old document still authenticates (only the secret signs it)');
});

// A systemid re-signed as Spacewalk did with a legacy 32-character secret (MD5).
const LEGACY_SIGN = `
import hashlib, json, sys, xmlrpc.client
a = json.load(sys.stdin)
s = xmlrpc.client.loads(a['doc'])[0][0]
h = hashlib.md5(a['secret'].encode())
for f in s['fields']: h.update(str(s[f]).encode())
for f in s['fields']: h.update(f.encode())
s['checksum'] = h.hexdigest()
print(json.dumps('<?xml version="1.0"?>\\n' + xmlrpc.client.dumps((s,))))
`;

t.test('update_systemid: unchanged for 64-character secrets, re-signed for legacy ones', async (t) => {
  const doc = await w.register(key, 'legacy.example.com');
  const id = serverIdOf(doc);
  const legacySecret = '0123456789abcdef0123456789abcdef';
  const legacy = await pythonJson<string>(LEGACY_SIGN, [], JSON.stringify({ doc, secret: legacySecret }));
  // before the server has looked at this system, so no cached identity is involved
  await w.stores.systems.update(w.org, id, { secret: legacySecret });
  const [first, same] = await guestCalls(w.url, [
    { method: 'registration.update_systemid', params: [legacy] },
    { method: 'registration.update_systemid', params: [doc] },
  ]);
  isFault(t, same!, 9);
  const renewed = first!.answer as string;
  const secret = w.one<{ secret: string }>('SELECT secret FROM systems WHERE id = ?', id).secret;
  t.match(secret, /^[0-9a-f]{64}$/);
  t.ok((await checkSystemId(renewed, secret)).valid, 're-signed with the new secret');
  const [stale, again] = await guestCalls(w.url, [
    { method: 'registration.finish_message', params: [legacy] },
    { method: 'registration.update_systemid', params: [renewed] },
  ]);
  isFault(t, stale!, 9, 'Please run rhn_register as root on this client');
  t.equal(again!.answer, renewed, 'a 64-character secret: the same document back');
});

// Edits a systemid the way a tamperer would, keeping it well-formed.
const TAMPER = `
import json, sys, xmlrpc.client
a = json.load(sys.stdin)
s = xmlrpc.client.loads(a['doc'])[0][0]
for k, v in a['set'].items():
    s[k] = v
for k in a.get('drop', []):
    del s[k]
print(json.dumps('<?xml version="1.0"?>\\n' + xmlrpc.client.dumps((s,))))
`;
const tamper = (doc: string, set: Record<string, unknown>, drop: string[] = []): Promise<string> => pythonJson<string>(TAMPER, [], JSON.stringify({ doc, set, drop }));

t.test('forged, altered, unknown and deleted systemids are fault 9; ANONYMOUS is 28', async (t) => {
  const doc = await w.register(key, 'victim.example.com');
  const id = serverIdOf(doc);
  const sum = /<name>checksum<\/name>\s*<value><string>([0-9a-f]+)</.exec(doc)![1]!;
  const forged = doc.replace(sum, `${sum.slice(0, -1)}${sum.endsWith('0') ? '1' : '0'}`);
  const docs = [
    forged,
    await tamper(doc, { os_release: '9' }),
    await tamper(doc, { username: 'root' }),
    await tamper(doc, { system_id: 'ID-1999999999' }),
    await tamper(doc, { system_id: `ID-${id + 1000}` }),
    await tamper(doc, { fields: ['system_id'] }),
    await tamper(doc, { fields: ['system_id', 'nonexistent'] }),
    await tamper(doc, {}, ['fields']),
    '<params><param><value><string>x</string></value></param></params>',
    'not xml at all',
    '',
  ];
  const calls = docs.flatMap((d) => [
    { method: 'registration.add_packages', params: [d, []] },
    { method: 'queue.get', params: [d, 2, {}] },
  ]);
  calls.push({ method: 'up2date.login', params: [42] as never[] });
  for (const r of await guestCalls(w.url, calls)) isFault(t, r, 9, 'Please run rhn_register as root on this client');
  const anon = await tamper(doc, { type: 'ANONYMOUS' });
  isFault(t, await guestCall(w.url, 'queue.get', [anon, 2, {}]), 28, 'anonymous server functionality');
  t.equal((await guestCall(w.url, 'registration.add_packages', [doc, []])).answer, 0, 'the genuine one still works');
  const gone = await w.register(key, 'deleted.example.com');
  await w.stores.systems.delete(w.org, [serverIdOf(gone)]);
  isFault(t, await guestCall(w.url, 'queue.get', [gone, 2, {}]), 9);
});

t.test('a disabled system: fault 31 outside registration.*', async (t) => {
  const doc = await w.register(key, 'disabled.example.com');
  await w.stores.systems.update(w.org, serverIdOf(doc), { disabled: true });
  const r = await guestCalls(w.url, [
    { method: 'registration.add_packages', params: [doc, [pkg('bash', '5.1')]] },
    { method: 'queue.get', params: [doc, 2, {}] },
    { method: 'queue.length', params: [doc] },
    { method: 'queue.get_future_actions', params: [doc, 24] },
    { method: 'up2date.login', params: [doc] },
    { method: 'up2date.listChannels', params: [doc] },
    { method: 'errata.getErrataInfo', params: [doc, 1] },
  ]);
  t.equal(r[0]!.answer, 0, 'registration does not check entitlement');
  for (const x of r.slice(1)) isFault(t, x, 31, 'Service not enabled for system profile: "disabled.example.com"');
});

t.test('check-ins are recorded (written behind, about once a second)', async (t) => {
  const doc = await w.register(key, 'checkin.example.com');
  const id = serverIdOf(doc);
  const created = w.one<{ last_checkin: number }>('SELECT last_checkin FROM system_checkins WHERE system_id = ?', id).last_checkin;
  await sleep(2100);
  const before = Math.floor(Date.now() / 1000);
  t.equal((await guestCall(w.url, 'queue.get', [doc, 2, {}])).answer, '');
  let seen = created;
  for (let i = 0; i < 30 && seen < before; i++) {
    await sleep(100);
    seen = w.one<{ last_checkin: number }>('SELECT last_checkin FROM system_checkins WHERE system_id = ?', id).last_checkin;
  }
  t.ok(seen >= before, `last_checkin moved from ${created} to ${seen} (call at ${before})`);
});

t.test('a check-in just before SIGTERM is written at shutdown', async (t) => {
  const own = await guestWorld({ keepData: true });
  const k = await own.key('shutdown', {});
  const doc = await own.register(k, 'shutdown.example.com');
  const id = serverIdOf(doc);
  await sleep(2100);
  const before = Math.floor(Date.now() / 1000);
  t.equal((await guestCall(own.url, 'queue.get', [doc, 2, {}])).answer, '');
  await own.stop();
  const db = attachStores(join(own.server.dataDir, 'skylab.db'));
  t.teardown(() => {
    db.close();
    rmSync(own.server.dataDir, { recursive: true, force: true });
  });
  const seen = db.db.prepare('SELECT last_checkin FROM system_checkins WHERE system_id = ?').pluck().get(id) as number;
  t.ok(seen >= before, `last_checkin ${seen} >= ${before}`);
});

t.test('finish_message, virt_notify and the obsolete calls', async (t) => {
  const doc = await w.register(key, 'misc.example.com');
  const r = await guestCalls(w.url, [
    { method: 'registration.finish_message', params: [doc] },
    { method: 'registration.virt_notify', params: [doc, [[1700000000, 'exists', 'system', { uuid: 'x' }]]] },
    { method: 'registration.send_serial', params: [doc, 'SN123'] },
    { method: 'registration.update_transactions', params: [doc, 1700000000, []] },
    { method: 'registration.register_product', params: [doc, { product: 'x' }] },
    { method: 'registration.register_product', params: [doc, 'x'] },
  ]);
  t.same(r.slice(0, 5).map((x) => x.answer), [[0, '', ''], 0, 0, 0, 0]);
  isFault(t, r[5]!, 21);
});
