// up2date.* and errata.* on a real server holding rpmbuild-built packages and an erratum made
// through the admin API (client-protocol.md 4.1-4.4, 7.1, 3.7): the login struct and its token
// checked with a Python oracle of the signature, listChannels as the plugins index it,
// getErrataInfo with the arch rule, the relevance a profile upload brings up to date, and
// spacewalk-channel's child channel (un)subscription.
import t from 'tap';
import { checkSystemId, CLIENT_CAPS_TWICE, guestCall, guestCalls, serverCapabilities, serverIdOf, tokenSignature } from '../support/guest-client.js';
import { guestWorld, type GuestWorld } from '../support/guest-world.js';
import { adminLogin, api } from '../support/push.js';
import { BASE, setupTraceData, TOOLS, type TraceData } from '../support/trace-data.js';

let w: GuestWorld;
let data: TraceData;
let erratum: number;
let toolsErratum: number;
let fullKey: string;
let baseOnlyKey: string;

const info = (name: string, synopsis: string) => ({
  synopsis, advisory_name: name, advisory_release: 1, advisory_type: 'Security Advisory', product: 'Skylab Test Linux',
  topic: synopsis, description: synopsis, references: '', notes: '', solution: 'dnf update',
});

/** Our id of the pushed package file. */
const idOf = (file: string): number => [...data.fileById].find(([, f]) => f === file)![0];

t.before(async () => {
  w = await guestWorld();
  data = await setupTraceData(w.server);
  const answers = await api<unknown[]>(adminLogin(w.server), [
    ['errata.create', info('UPD-2024:0001', 'sw-hello update'), [], [], [idOf('sw-hello-1.1-1.el8.noarch.rpm')], true, [BASE]],
    ['errata.create', info('UPD-2024:0002', 'sw-lib update'), [], [], [idOf('sw-lib-1.0-1.el8.noarch.rpm')], true, [TOOLS]],
  ]);
  if (answers.some((a) => typeof a === 'object' && a !== null && 'fault' in a)) throw new Error(JSON.stringify(answers));
  erratum = (await w.stores.errata.getByName(w.org, 'UPD-2024:0001'))!.id;
  toolsErratum = (await w.stores.errata.getByName(w.org, 'UPD-2024:0002'))!.id;
  const base = (await w.stores.channels.getByLabel(BASE, w.org))!;
  const tools = (await w.stores.channels.getByLabel(TOOLS, w.org))!;
  fullKey = await w.key('up2date-full', { base, children: [tools] });
  baseOnlyKey = await w.key('up2date-base', { base });
});
t.teardown(() => w?.stop());

/** YYYYMMDDHHMMSS (UTC) of a channel's stored last change. */
function stampOf(label: string): string {
  const seconds = w.one<{ last_modified: number }>('SELECT last_modified FROM channels WHERE label = ?', label).last_modified;
  const d = new Date(seconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

t.test('up2date.login: the token struct, signed as Spacewalk signs it', async (t) => {
  const doc = await w.register(fullKey, 'login.example.com');
  const id = serverIdOf(doc);
  const before = Date.now() / 1000;
  const r = await guestCall(w.url, 'up2date.login', [doc], { 'X-RHN-Client-Capability': CLIENT_CAPS_TWICE });
  const s = r.answer as Record<string, unknown>;
  t.same(Object.keys(s).sort(), ['X-RHN-Auth', 'X-RHN-Auth-Channels', 'X-RHN-Auth-Expire-Offset', 'X-RHN-Auth-Server-Time', 'X-RHN-Auth-User-Id', 'X-RHN-Server-Id']);
  t.equal(s['X-RHN-Server-Id'], id);
  t.match(r.xml, new RegExp(`<name>X-RHN-Server-Id</name><value><(i4|int)>${id}</`), 'the server id is an int');
  t.equal(s['X-RHN-Auth-User-Id'], '');
  t.equal(s['X-RHN-Auth-Expire-Offset'], '3600.0');
  const time = s['X-RHN-Auth-Server-Time'] as string;
  t.match(time, /^\d+\.\d+$/);
  t.ok(Math.abs(Number(time) - before) < 5, 'issued now');
  t.match(s['X-RHN-Auth'], /^[A-Za-z0-9+/]{43}=$/);
  const key = (await w.stores.users.getSetting('client_auth_key'))!;
  t.equal(s['X-RHN-Auth'], await tokenSignature(key, id, '', time, '3600.0'), 'computeSignature over the five fields');
  t.same(s['X-RHN-Auth-Channels'], [[BASE, stampOf(BASE), '1', '1'], [TOOLS, stampOf(TOOLS), '0', '1']]);
  t.ok(serverCapabilities(r).includes('xmlrpc.login.extra_data(1)=1'));
  t.equal((await guestCall(w.url, 'up2date.login', [doc, { extra: 'ignored' }])).answer !== undefined, true, 'extra_data is accepted');
  t.ok((await checkSystemId(doc, w.one<{ secret: string }>('SELECT secret FROM systems WHERE id = ?', id).secret)).valid);
});

t.test('up2date.listChannels: base first, every value a string, last_modified as the cache key', async (t) => {
  const doc = await w.register(fullKey, 'channels.example.com');
  const r = await guestCall(w.url, 'up2date.listChannels', [doc]);
  const list = r.answer as Record<string, unknown>[];
  t.same(list.map((c) => c['label']), [BASE, TOOLS]);
  const keys = ['arch', 'description', 'gpg_key_url', 'id', 'label', 'last_modified', 'local_channel', 'name', 'org_id', 'parent_channel', 'summary'];
  for (const c of list) {
    t.same(Object.keys(c).sort(), keys);
    for (const k of keys) t.type(c[k], 'string', `${String(c['label'])}.${k} is a string`);
    t.match(c['last_modified'], /^\d{14}$/);
    t.equal(c['last_modified'], stampOf(c['label'] as string));
    t.equal(c['arch'], 'channel-x86_64');
    t.equal(c['org_id'], String(w.org));
    t.equal(c['local_channel'], '1');
  }
  t.notMatch(r.xml, /<i4>|<int>|<nil/, 'no numbers and no nil in the answer');
  t.equal(list[0]!['parent_channel'], '');
  t.equal(list[1]!['parent_channel'], list[0]!['id']);
  t.equal(list[0]!['id'], String(data.channelId[BASE]));
  const bare = await w.register(await w.key('up2date-none'), 'no-channels.example.com');
  t.same((await guestCall(w.url, 'up2date.listChannels', [bare])).answer, [], 'no channels: []');
});

t.test('errata.getErrataInfo: packages in the system channels; the arch for packages.update(2) clients', async (t) => {
  const full = await w.register(fullKey, 'errata.example.com');
  const baseOnly = await w.register(baseOnlyKey, 'errata-base.example.com');
  const oldCaps = { 'X-RHN-Client-Capability': 'caneatCheese(1)=1,packages.update(1)=1' };
  const r = await guestCalls(w.url, [
    { method: 'errata.getErrataInfo', params: [full, erratum] },
    { method: 'errata.getErrataInfo', params: [full, erratum], headers: oldCaps },
    { method: 'errata.getErrataInfo', params: [full, toolsErratum] },
    { method: 'errata.getErrataInfo', params: [baseOnly, toolsErratum] },
    { method: 'errata.getErrataInfo', params: [full, 999999] },
    { method: 'errata.getErrataInfo', params: [full, String(erratum)] },
  ]);
  t.same(r[0]!.answer, [['sw-hello', '1.1', '1.el8', '', 'noarch']]);
  t.same(r[1]!.answer, [['sw-hello', '1.1', '1.el8', '', '']]);
  t.same(r[2]!.answer, [['sw-lib', '1.0', '1.el8', '', 'noarch']]);
  t.same(r[3]!.answer, [], 'the tools erratum for a system without the tools channel');
  t.same(r[4]!.answer, [], 'an unknown erratum');
  t.same(r[5]!.answer, [['sw-hello', '1.1', '1.el8', '', 'noarch']], 'an id Python int() reads');
});

t.test('profile uploads bring the relevant errata and upgrades up to date', async (t) => {
  const doc = await w.register(fullKey, 'relevance.example.com');
  const id = serverIdOf(doc);
  const profile = (version: string) => [
    { name: 'sw-hello', epoch: '', version, release: '1.el8', arch: 'noarch', installtime: 1795611997 },
    { name: 'rhnlib', epoch: '', version: '2.11.0', release: '1.el8', arch: 'noarch', installtime: 1795611997 },
  ];
  t.equal((await guestCall(w.url, 'registration.add_packages', [doc, profile('1.0')])).answer, 0);
  t.same((await w.stores.relevance.getRelevantErrata(id)).map((e) => e.advisoryName), ['UPD-2024:0001']);
  t.same((await w.stores.relevance.listLatestUpgradablePackages(id)).map((p) => `${p.name}-${p.to.version}`), ['sw-hello-1.1']);
  t.equal((await guestCall(w.url, 'registration.update_packages', [doc, profile('1.1')])).answer, 0);
  t.same(await w.stores.relevance.getRelevantErrata(id), [], 'updated: nothing relevant');
  t.equal((await guestCall(w.url, 'registration.delta_packages', [doc, { deleted: [profile('1.1')[0]], added: [profile('1.0')[0]] }])).answer, 0);
  t.same((await w.stores.relevance.getRelevantErrata(id)).map((e) => e.advisoryName), ['UPD-2024:0001'], 'downgraded by delta');
});

t.test('subscribeChannels / unsubscribeChannels (spacewalk-channel)', async (t) => {
  const doc = await w.register(baseOnlyKey, 'sub.example.com');
  const id = serverIdOf(doc);
  const pw = w.server.adminPassword;
  const other = w.newOrg('Up2date Other Org');
  await w.user('up2date-outsider', 'outsider-pw', other);
  const labels = () => w.all<{ label: string }>('SELECT c.label FROM system_channels sc JOIN channels c ON c.id = sc.channel_id WHERE sc.system_id = ? ORDER BY c.label', id).map((r) => r.label);
  const r = await guestCalls(w.url, [
    { method: 'up2date.subscribeChannels', params: [doc, [TOOLS], 'admin', 'wrong'] },
    { method: 'up2date.subscribeChannels', params: [doc, [TOOLS], 'up2date-outsider', 'outsider-pw'] },
    { method: 'up2date.subscribeChannels', params: [doc, ['no-such-channel'], 'admin', pw] },
    { method: 'up2date.subscribeChannels', params: [doc, [BASE], 'admin', pw] },
    { method: 'up2date.subscribeChannels', params: [doc, [TOOLS], 'admin', pw] },
    { method: 'up2date.subscribeChannels', params: [doc, [TOOLS], 'admin', pw] },
  ]);
  t.same(r.map((x) => x.fault?.faultCode ?? x.answer), [-2, -37, -40, -32, 0, -38]);
  t.same(labels(), [BASE, TOOLS]);
  const u = await guestCalls(w.url, [
    { method: 'up2date.unsubscribeChannels', params: [doc, [BASE], 'admin', pw] },
    { method: 'up2date.unsubscribeChannels', params: [doc, [TOOLS], 'admin', pw] },
    { method: 'up2date.unsubscribeChannels', params: [doc, [TOOLS], 'admin', pw] },
  ]);
  t.same(u.map((x) => x.fault?.faultCode ?? x.answer), [-72, 0, -39]);
  t.same(labels(), [BASE]);
});
