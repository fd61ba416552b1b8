// The X-RHN-Auth token of client-protocol.md §4.2: the spec's vector, signatures against Python's
// hashlib on random fields, issue/check round trips, and every way a GET's headers can be wrong
// (405 missing, 33 forged or altered, 34 expired), with the GET fault headers they turn into.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { pythonJson } from '../support/python.js';
import { checkAuthHeaders, getFaultReply, issueLoginToken, signAuthToken, type AuthTokenFields } from '../../client-shim/index.js';

const KEY = randomBytes(32).toString('hex');
const NOW = Date.UTC(2024, 4, 1, 12, 0, 0, 120);

/** The headers a plugin sends, as Node hands them to a route (lower-case names). */
function headersOf(login: ReturnType<typeof issueLoginToken>): Record<string, string> {
  return {
    'x-rhn-server-id': String(login['X-RHN-Server-Id']),
    'x-rhn-auth-user-id': login['X-RHN-Auth-User-Id'],
    'x-rhn-auth': login['X-RHN-Auth'],
    'x-rhn-auth-server-time': login['X-RHN-Auth-Server-Time'],
    'x-rhn-auth-expire-offset': login['X-RHN-Auth-Expire-Offset'],
  };
}

t.test('§4.2 test vector', async (t) => {
  const f: AuthTokenFields = { serverId: '1000010000', userId: '', serverTime: '1591178434.12', expireOffset: '3600.0' };
  t.equal(signAuthToken('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', f), 'qlpBc0i76jL1c32QXZ085o6HE7Ih+384uNMqTTTtleA=');
});

t.test('signatures agree with hashlib + base64 on random fields', async (t) => {
  const cases = Array.from({ length: 30 }, (_, i) => ({
    key: randomBytes(8 + i).toString('hex'),
    f: { serverId: String(1000010000 + i), userId: i % 3 ? '' : `u\u00e9${i}`, serverTime: `${1700000000 + i * 37}.${i}`, expireOffset: `${3600 + i}.0` },
  }));
  const expected = await pythonJson<string[]>(
    String.raw`
import json, sys, hashlib, base64
out = []
for c in json.loads(sys.stdin.read()):
    f = c['f']
    msg = '\n'.join([c['key'], f['serverId'], f['userId'], f['serverTime'], f['expireOffset']]) + '\n'
    out.append(base64.b64encode(hashlib.sha256(msg.encode()).digest()).decode())
print(json.dumps(out))
`,
    [],
    JSON.stringify(cases),
  );
  t.same(cases.map((c) => signAuthToken(c.key, c.f)), expected);
});

t.test('issued tokens: the login fields, and they check out until they expire', async (t) => {
  const login = issueLoginToken(KEY, 1000010000, NOW);
  t.equal(login['X-RHN-Server-Id'], 1000010000);
  t.equal(login['X-RHN-Auth-User-Id'], '');
  t.equal(login['X-RHN-Auth'].length, 44, 'base64 of a SHA-256 digest');
  t.equal(login['X-RHN-Auth-Server-Time'], '1714564800.12', "str(time.time())'s shape");
  t.equal(login['X-RHN-Auth-Expire-Offset'], '3600.0');
  t.equal(issueLoginToken(KEY, 1, Date.UTC(2024, 0, 1), 900)['X-RHN-Auth-Expire-Offset'], '900.0');
  t.equal(issueLoginToken(KEY, 1, Date.UTC(2024, 0, 1))['X-RHN-Auth-Server-Time'], '1704067200.0');
  const h = headersOf(login);
  const ok = checkAuthHeaders(h, KEY, NOW + 1000);
  t.same(ok, { ok: true, serverId: 1000010000, userId: '', expiresAt: (1714564800.12 + 3600) * 1000 });
  t.equal(checkAuthHeaders(h, KEY, NOW + 3600_000).ok, true, 'still valid at the last moment');
  const late = checkAuthHeaders(h, KEY, NOW + 3601_000);
  t.equal(late.ok, false);
  if (!late.ok && late.status === 401) {
    t.equal(late.fault.code, 34, 'expired: fault 34');
    t.equal(late.fault.text, 'Expired client authentication token');
  } else t.fail('expected a 401');
  const upper = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toUpperCase(), v]));
  t.equal(checkAuthHeaders(upper, KEY, NOW).ok, true, 'header names in any case');
  t.equal(checkAuthHeaders({ ...h, 'x-rhn-server-id': [h['x-rhn-server-id']!, '1'] }, KEY, NOW).ok, true, 'a repeated header: the first value counts');
});

t.test('altered or forged headers are fault 33 (HTTP 401)', async (t) => {
  const h = headersOf(issueLoginToken(KEY, 1000010000, NOW));
  const tamper: [string, Record<string, string>][] = [
    ['another server id', { 'x-rhn-server-id': '1000010001' }],
    ['a later issue time', { 'x-rhn-auth-server-time': '1714568400.12' }],
    ['a longer lifetime', { 'x-rhn-auth-expire-offset': '999999.0' }],
    ['a user id', { 'x-rhn-auth-user-id': 'admin' }],
    ['a token from another key', { 'x-rhn-auth': signAuthToken(randomBytes(32).toString('hex'), { serverId: '1000010000', userId: '', serverTime: h['x-rhn-auth-server-time']!, expireOffset: '3600.0' }) }],
    ['a truncated token', { 'x-rhn-auth': h['x-rhn-auth']!.slice(0, 40) }],
    ['text after the signed offset', { 'x-rhn-auth-expire-offset': '3600.0\n' }],
    ['an offset that is not a plain number', { 'x-rhn-auth-expire-offset': '3.6e3' }],
    ['a server id that is not digits', { 'x-rhn-server-id': 'ID-1000010000' }],
  ];
  for (const [why, change] of tamper) {
    const r = checkAuthHeaders({ ...h, ...change }, KEY, NOW);
    if (r.ok || r.status !== 401) {
      t.fail(why);
      continue;
    }
    t.equal(r.fault.code, 33, why);
    const reply = getFaultReply(r.fault.toWire());
    t.equal(reply.status, 401);
    t.equal(reply.headers['X-RHN-Fault-Code'], '-33');
    t.match(Buffer.from(reply.headers['X-RHN-Fault-String'].join(''), 'base64').toString(), /Error Message:\n {4}Invalid client session key\nError Class Code: 33\n/);
  }
  t.equal(checkAuthHeaders(h, randomBytes(32).toString('hex'), NOW).ok, false, 'a changed install key invalidates every token');
});

t.test('a missing header is 405, checked before the signature', async (t) => {
  const h = headersOf(issueLoginToken(KEY, 1000010000, NOW));
  for (const name of Object.keys(h)) {
    const rest = { ...h };
    delete rest[name];
    t.same(checkAuthHeaders(rest, KEY, NOW), { ok: false, status: 405 }, `without ${name}`);
  }
  t.same(checkAuthHeaders({}, KEY, NOW), { ok: false, status: 405 });
  t.equal(checkAuthHeaders({ ...h, 'x-rhn-auth-user-id': '' }, KEY, NOW).ok, true, 'an empty user id is present, not missing');
});
