// /rpc/api dispatch as Spacewalk's BaseHandler does it (admin-api.md §1.2-§1.4), driven through
// the real app in-process (app.inject): name resolution, overloads, coercions, sessions and
// their sliding expiry, read-only users and role checks.
import t from 'tap';
import { hashPassword } from '../../channels/index.js';
import { buildApp } from '../../server/app.js';
import { NAMESPACES } from '../../server/rpc/namespaces.js';
import { method, Registry, type NamespaceDef } from '../../server/rpc/registry.js';
import { KEY_REGEX, SessionManager } from '../../server/rpc/sessions.js';
import { decodeResponse } from '../../server/xmlrpc/decode.js';
import { Encoder } from '../../server/xmlrpc/encode.js';
import { XmlRpcFault, type XmlRpcValue } from '../../server/xmlrpc/types.js';
import { Zone } from '../../server/xmlrpc/zone.js';
import { inProcessServices } from '../support/in-process.js';

// Echo methods make the coercions visible: each returns what its handler was given.
const echoNamespace: NamespaceDef = {
  namespace: 'test.echo',
  handlerClass: 'EchoHandler',
  methods: [
    method('flag', ['boolean b'], 'struct', (_ctx, b: unknown) => ({ type: typeof b, value: String(b) }), { session: false }),
    method('number', ['int n'], 'struct', (_ctx, n: unknown) => ({ type: typeof n, value: String(n) }), { session: false }),
    method('text', ['string s'], 'struct', (_ctx, s: unknown) => ({ type: typeof s, value: String(s) }), { session: false }),
  ],
};

const ADMIN_PW = 'admin-pw-1';
const USER_PW = 'user-pw-1';
const local = await inProcessServices('dispatch', { env: { SKYLAB_ADMIN_PASSWORD: ADMIN_PW, SKYLAB_SESSION_LIFETIME: '60' } });
const { stores, services } = local;
const app = buildApp({ services, registry: new Registry([...NAMESPACES, echoNamespace]) });
services.log = app.log;
t.teardown(async () => {
  await app.close();
  local.remove();
});

const org = (await stores.users.listOrgs())[0]!;
for (const login of ['plain', 'reader']) {
  await stores.users.createUser({ orgId: org.id, login, passwordHash: await hashPassword(USER_PW), roles: [] });
}
await stores.users.updateUser((await stores.users.getUserByLogin('reader'))!.id, { readOnly: true });

// ---- wire helpers: parameters are written by hand so their XML-RPC types are exact ----
const enc = new Encoder(new Zone('UTC'));
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const s = (v: string): string => `<value><string>${esc(v)}</string></value>`;
const i4 = (n: number): string => `<value><i4>${n}</i4></value>`;
const i8 = (n: number): string => `<value><i8>${n}</i8></value>`;
const dbl = (n: number): string => `<value><double>${n}</double></value>`;
const bool = (b: boolean): string => `<value><boolean>${b ? 1 : 0}</boolean></value>`;
const date = (text: string): string => `<value><dateTime.iso8601>${text}</dateTime.iso8601></value>`;
const val = (v: unknown): string => `<value>${enc.value(v)}</value>`;

type Answer = { value: XmlRpcValue; fault?: undefined } | { fault: XmlRpcFault; value?: undefined };

async function rpc(methodName: string, ...params: string[]): Promise<Answer> {
  const payload = `<?xml version="1.0"?><methodCall><methodName>${esc(methodName)}</methodName><params>${params.map((p) => `<param>${p}</param>`).join('')}</params></methodCall>`;
  const res = await app.inject({ method: 'POST', url: '/rpc/api', payload, headers: { 'content-type': 'text/xml' } });
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${res.body}`);
  try {
    return { value: decodeResponse(res.rawPayload, services.zone) };
  } catch (err) {
    if (err instanceof XmlRpcFault) return { fault: err };
    throw err;
  }
}
async function ok(methodName: string, ...params: string[]): Promise<XmlRpcValue> {
  const a = await rpc(methodName, ...params);
  if (a.fault) throw new Error(`${methodName} faulted: ${a.fault.faultCode} ${a.fault.faultString}`);
  return a.value;
}
async function faultOf(methodName: string, ...params: string[]): Promise<XmlRpcFault> {
  const a = await rpc(methodName, ...params);
  if (!a.fault) throw new Error(`${methodName} answered ${JSON.stringify(a.value)} instead of a fault`);
  return a.fault;
}
const login = async (user: string, pw: string): Promise<string> => String(await ok('auth.login', s(user), s(pw)));

const admin = await login('admin', ADMIN_PW);
const LABEL = 'dispatch-base-x86_64';
await ok('channel.software.create', s(admin), s(LABEL), s('Dispatch Base'), s('summary'), s('channel-x86_64'), s(''));
const channelId = Number((await ok('channel.software.getDetails', s(admin), s(LABEL)) as Record<string, XmlRpcValue>)['id']);

t.test('method names: namespace at the last dot, beanified, case-sensitive after', async (t) => {
  for (const name of ['api.getVersion', 'api.get_version', 'api.get-version', 'api.get__version', 'api.get version']) {
    t.equal(await ok(name), '23', name);
  }
  t.equal((await ok('channel.software.list_all_packages', s(admin), s(LABEL)) as unknown[]).length, 0, 'channel.software.list_all_packages');
  t.ok(Array.isArray(await ok('channel.list-all-channels', s(admin))), 'channel.list-all-channels');
  t.ok(Array.isArray(await ok('channel.list_all_channels', s(admin))), 'channel.list_all_channels');

  for (const name of ['getVersion', 'API.getVersion', 'channelsoftware.getDetails', 'channel.software.extra.getDetails', '.getVersion']) {
    const f = await faultOf(name);
    t.equal(f.faultCode, -1, `${name}: unknown namespace is -1`);
  }
  const cases: [string, string[], string][] = [
    ['api.GetVersion', [], 'Could not find method: GetVersion in class: com.redhat.rhn.frontend.xmlrpc.api.ApiHandler with params: []'],
    ['api.getversion', [], 'Could not find method: getversion in class: com.redhat.rhn.frontend.xmlrpc.api.ApiHandler with params: []'],
    ['api._get_version', [], 'Could not find method: GetVersion in class: com.redhat.rhn.frontend.xmlrpc.api.ApiHandler with params: []'],
    ['api.getVersion', [s('x')], 'Could not find method: getVersion in class: com.redhat.rhn.frontend.xmlrpc.api.ApiHandler with params: [java.lang.String]'],
    ['channel.software.list_all_channels', [s(admin)],
      'Could not find method: listAllChannels in class: com.redhat.rhn.frontend.xmlrpc.channel.software.ChannelSoftwareHandler with params: [java.lang.String]'],
    ['channel.software.getDetails', [s(admin), '<value><base64>aGk=</base64></value>'],
      'Could not find method: getDetails in class: com.redhat.rhn.frontend.xmlrpc.channel.software.ChannelSoftwareHandler with params: [java.lang.String, [B]'],
    ['channel.software.getDetails', [s(admin), s(LABEL), i4(1)],
      'Could not find method: getDetails in class: com.redhat.rhn.frontend.xmlrpc.channel.software.ChannelSoftwareHandler with params: [java.lang.String, java.lang.String, java.lang.Integer]'],
    ['auth.login', [s('admin'), s(ADMIN_PW), i4(60), bool(true)],
      'Could not find method: login in class: com.redhat.rhn.frontend.xmlrpc.auth.AuthHandler with params: [java.lang.String, java.lang.String, java.lang.Integer, java.lang.Boolean]'],
  ];
  for (const [name, params, text] of cases) {
    const f = await faultOf(name, ...params);
    t.equal(f.faultCode, -1);
    t.equal(f.faultString, `redstone.xmlrpc.XmlRpcFault: ${text}`, `${name}(${params.length} params)`);
  }
});

t.test('overloads by arity and by argument type', async (t) => {
  const byLabel = (await ok('channel.software.getDetails', s(admin), s(LABEL))) as Record<string, XmlRpcValue>;
  const byId = (await ok('channel.software.getDetails', s(admin), i4(channelId))) as Record<string, XmlRpcValue>;
  const byLong = (await ok('channel.software.getDetails', s(admin), i8(channelId))) as Record<string, XmlRpcValue>;
  t.equal(byLabel['label'], LABEL, 'string -> getDetails(label)');
  t.equal(byId['label'], LABEL, 'int -> getDetails(id)');
  t.equal(byLong['label'], LABEL, 'i8 -> getDetails(id), not the label overload');
  t.equal((await faultOf('channel.software.getDetails', s(admin), s(String(channelId)))).faultCode, -210, 'a numeric string is a label');
  t.equal((await faultOf('channel.software.getDetails', s(admin), dbl(1.5))).faultCode, -210, 'a double becomes a label, as Translator would');

  // listAllPackages: dateTime bounds vs the deprecated "YYYY-MM-DD" strings.
  t.same(await ok('channel.software.listAllPackages', s(admin), s(LABEL), date('20240101T00:00:00')), []);
  t.same(await ok('channel.software.listAllPackages', s(admin), s(LABEL), date('20240101T00:00:00'), date('20250101T00:00:00')), []);
  t.same(await ok('channel.software.listAllPackages', s(admin), s(LABEL), s('2024-01-01')), []);
  t.same(await ok('channel.software.listAllPackages', s(admin), s(LABEL), s('2024-01-01 00:00:00'), s('2025-01-01')), []);
  t.equal((await faultOf('channel.software.listAllPackages', s(admin), s(LABEL), s('20240101T00:00:00'))).faultCode, 1213, 'a string date goes to the string overload');

  // listErrata: each overload answers with its own struct shape.
  await ok('errata.create', s(admin), val({
    synopsis: 'dispatch test', advisory_name: 'CESA-2024:0001', advisory_release: 1, advisory_type: 'Security Advisory',
    product: 'CentOS', topic: 'topic', description: 'description', solution: 'solution',
  }), val([]), val([]), val([]), bool(true), val([LABEL]));
  const shape = async (...extra: string[]): Promise<string[]> => {
    const list = (await ok('channel.software.listErrata', s(admin), s(LABEL), ...extra)) as Record<string, XmlRpcValue>[];
    t.equal(list.length, 1);
    return Object.keys(list[0]!).sort();
  };
  const plain = await shape();
  const legacy = await shape(s('2000-01-01'));
  const dated = await shape(date('20000101T00:00:00'));
  t.ok(plain.includes('advisory_name') && plain.includes('last_modified_date'), `listErrata(label): ${plain}`);
  t.ok(legacy.includes('advisory') && !legacy.includes('advisory_name'), `listErrata(label, string): ${legacy}`);
  t.notSame(dated, legacy, `listErrata(label, dateTime): ${dated}`);
  t.same(await shape(s('2000-01-01'), s('2100-01-01 00:00:00')), legacy, 'listErrata(label, string, string)');
  t.same(await shape(date('20000101T00:00:00'), date('21000101T00:00:00')), dated, 'listErrata(label, dateTime, dateTime)');
  t.same(await shape(date('20000101T00:00:00'), date('21000101T00:00:00'), bool(false)), dated, 'listErrata(label, dt, dt, boolean)');
  t.same(await shape(date('20000101T00:00:00'), date('21000101T00:00:00'), i4(1)), dated, 'listErrata(label, dt, dt, int 1 as boolean)');

  // auth.login with 2 and 3 arguments.
  t.match(await ok('auth.login', s('admin'), s(ADMIN_PW), i4(60)), KEY_REGEX, 'login(user, password, duration)');
  const tooLong = await faultOf('auth.login', s('admin'), s(ADMIN_PW), i4(100_000));
  t.equal(tooLong.faultCode, -1, 'a duration above the lifetime is -1');
  t.match(tooLong.faultString, /^redstone\.xmlrpc\.XmlRpcFault: unhandled internal exception: /);
});

t.test('coercions: i8 -> int, int/string -> boolean, scalars -> string', async (t) => {
  const echo = async (m: string, p: string): Promise<unknown> => ok(`test.echo.${m}`, p);
  t.same(await echo('number', i8(42)), { type: 'number', value: '42' });
  t.equal((await faultOf('test.echo.number', i8(2 ** 40))).faultCode, -1, 'an i8 beyond 32 bits is no int');
  t.same(await echo('number', s('17')), { type: 'number', value: '17' });
  t.equal((await faultOf('test.echo.number', s('99999999999'))).faultCode, -1, 'a numeric string beyond 32 bits is no int');
  const flags: [string, string][] = [
    [i4(1), 'true'], [i4(0), 'false'], [i4(2), 'false'], [i8(1), 'true'],
    [s('true'), 'true'], [s('TRUE'), 'true'], [s('1'), 'true'], [s('y'), 'true'], [s('Y'), 'true'],
    [s('yes'), 'false'], [s('false'), 'false'], [s('0'), 'false'], [bool(true), 'true'],
  ];
  for (const [p, want] of flags) t.same(await echo('flag', p), { type: 'boolean', value: want }, `${p} as a boolean`);
  t.same(await echo('text', i4(5)), { type: 'string', value: '5' }, 'int -> string');
  t.same(await echo('text', i8(2 ** 40)), { type: 'string', value: String(2 ** 40) }, 'i8 -> string');
  t.same(await echo('text', `<value><nil/></value>`), { type: 'string', value: '' }, '<nil/> -> ""');
  t.equal((await faultOf('test.echo.text', val([1]))).faultCode, -1, 'an array is no string');
});

t.test('sessions: key format, invalid and forged keys', async (t) => {
  t.match(admin, KEY_REGEX);
  const [id, hash] = admin.split('x') as [string, string];
  const flipped = hash.slice(0, -1) + (hash.endsWith('0') ? '1' : '0');
  const bad = [
    '', 'garbage', `${id}x${flipped}`, `${id}x${hash.toUpperCase()}`, `0${id}x${hash}`, `99999x${hash}`, `${admin}\n`,
    `${id}x${hash}0`, `18446744073709551617x${hash}`, 'x'.repeat(100_000),
  ];
  for (const key of bad) {
    const f = await faultOf('channel.listAllChannels', s(key));
    t.equal(f.faultCode, -1);
    t.match(f.faultString, /Could not find session/, `key ${JSON.stringify(key.slice(0, 30))}`);
    t.ok(f.faultString.length < 200, 'the fault does not echo a long key back');
  }
  const second = await login('admin', ADMIN_PW);
  t.equal(await ok('auth.logout', s(second)), 1);
  t.match((await faultOf('channel.listAllChannels', s(second))).faultString, /Could not find session/, 'a logged-out key');
  t.match((await faultOf('auth.logout', s(second))).faultString, /Could not find session/, 'logging out twice');
  const longLogout = await faultOf('auth.logout', s('7'.repeat(100_000)));
  t.match(longLogout.faultString, /Could not find session/);
  t.ok(longLogout.faultString.length < 200, 'logout does not echo a long key back');
  t.equal((await faultOf('auth.login', s('admin'), s('wrong'))).faultCode, 2950);
});

t.test('sessions slide: a key in use stays valid, an idle one expires', async (t) => {
  const realNow = Date.now;
  let now = realNow();
  Date.now = () => now;
  t.teardown(() => {
    Date.now = realNow;
  });
  const busy = await login('admin', ADMIN_PW);
  const idle = await login('admin', ADMIN_PW);
  for (let step = 0; step < 5; step++) {
    now += 45_000; // lifetime is 60 s: each call lands inside it
    t.ok(Array.isArray(await ok('channel.listAllChannels', s(busy))), `busy key still valid after ${(step + 1) * 45} s`);
  }
  t.match((await faultOf('channel.listAllChannels', s(idle))).faultString, /Could not find session/, 'the idle key expired');
  now += 61_000;
  t.match((await faultOf('channel.listAllChannels', s(busy))).faultString, /Could not find session/, 'the busy key expired once idle');

  // A restart (a fresh SessionManager on the same database) keeps live keys and refuses expired ones.
  const live = await login('admin', ADMIN_PW);
  const restarted = new SessionManager(stores, 60);
  t.equal(restarted.check(live).ok, true, 'a live key survives a restart');
  now += 61_000;
  t.equal(restarted.check(live).ok, false, 'and expires after the lifetime');
});

t.test('read-only users may only list/get/is/find', async (t) => {
  const reader = await login('reader', USER_PW);
  t.ok(Array.isArray(await ok('channel.listAllChannels', s(reader))));
  t.equal(((await ok('channel.software.getDetails', s(reader), s(LABEL))) as Record<string, XmlRpcValue>)['label'], LABEL);
  t.ok(Array.isArray(await ok('errata.find_by_cve', s(reader), s('CVE-2024-0001'))));
  for (const [name, params, bean] of [
    ['channel.software.create', [s('ro-test-chan'), s('RO test'), s('sum'), s('channel-x86_64'), s('')], 'create'],
    ['channel.software.set_details', [s(LABEL), val({ summary: 'x' })], 'setDetails'],
    ['channel.software.delete', [s(LABEL)], 'delete'],
  ] as [string, string[], string][]) {
    const f = await faultOf(name, s(reader), ...params);
    t.equal(f.faultCode, -1);
    t.equal(f.faultString, `java.lang.SecurityException: The ${bean} API is not available to read-only API users`);
  }
  t.equal(((await ok('channel.software.getDetails', s(admin), s(LABEL))) as Record<string, XmlRpcValue>)['summary'], 'summary', 'nothing changed');
});

t.test('role checks: -23 with Spacewalk text', async (t) => {
  const plain = await login('plain', USER_PW);
  const f = await faultOf('channel.software.create', s(plain), s('plain-user-chan'), s('Plain Chan'), s('sum'), s('channel-x86_64'), s(''));
  t.equal(f.faultCode, -23);
  t.equal(f.faultString, 'redstone.xmlrpc.XmlRpcFault: You do not have permissions to perform this action. You need to have at least a Channel Administrator role to perform this action');
  const g = await faultOf('channel.software.delete', s(plain), s(LABEL));
  t.equal(g.faultCode, -23);
  t.match(g.faultString, /^redstone\.xmlrpc\.XmlRpcFault: You do not have permissions to perform this action\./);
  t.equal((await faultOf('channel.software.list_arches', s(plain))).faultCode, -23);
  t.ok(Array.isArray(await ok('channel.software.list_arches', s(admin))), 'the admin may');
});
