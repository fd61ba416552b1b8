// Replays every /XMLRPC POST the real clients sent in the recorded guest flows (rhnreg_ks with a
// key and with username/password, idle rhn_check, rhn_check running packages.update and
// errata.update, rhn-profile-sync), in order and with their recorded headers, against a server
// holding matching data: the recorded key, the dist channel map and a universal default key for
// the username flow, rpmbuild-built packages pushed into the two channels, an erratum made
// through the admin API, and the two actions the flows pick up. Recorded systemids, action ids and
// the erratum id are swapped for ours (traces/README.md); every answer is checked against
// client-protocol.md. Then every recorded GET-REQ request (dnf through the plugin, in the dnf
// flows and inside rhn_check) is sent again with its recorded headers, in their order, the
// token headers swapped for the login the flow made, and each answer checked against the
// repodata and the pushed files.
import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { checkSystemId, guestCalls, parseAction, serverCapabilities, serverIdOf, tokenSignature, type GuestCall, type GuestReply } from '../support/guest-client.js';
import { guestWorld, type GuestWorld } from '../support/guest-world.js';
import { adminLogin, api } from '../support/push.js';
import { TRACES } from '../support/replay.js';
import { BASE, setupTraceData, TOOLS, type TraceData } from '../support/trace-data.js';

const FLOWS = ['rhnreg_ks-activationkey', 'rhnreg_ks-userpass', 'rhn_check-idle', 'rhn_check-packages-update', 'rhn-profile-sync', 'rhn_check-errata-update',
  'dnf-install', 'dnf-installroot'];

/** What client-protocol.md 1.9 says a server offering these methods SENDs. */
const EXPECTED_CAPABILITIES = [
  'registration.finish_message(1)=1', 'registration.remaining_subscriptions(1)=1', 'registration.update_contact_info(1)=1',
  'registration.delta_packages(1)=1', 'registration.smbios(1)=1', 'xmlrpc.packages.extended_profile(1-2)=1',
  'xmlrpc.login.extra_data(1)=1', 'ipv6(1)=1', 'cpu_sockets(1)=1', 'staging_content(1)=1',
];

interface TraceRecord {
  seq: number;
  flow: string;
  endpoint: string;
  http: { method: string; path: string; headers: Record<string, string> };
  call?: { method: string; params: unknown[] };
}

function loadFlow(flow: string): TraceRecord[] {
  return readFileSync(join(TRACES, `${flow}.jsonl`), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as TraceRecord);
}

const isSystemId = (v: unknown): v is string => typeof v === 'string' && v.startsWith('<?xml') && v.includes('<name>system_id</name>');

// Python's http.client writes these itself.
const TRANSPORT_HEADERS = new Set(['host', 'content-length', 'accept-encoding', 'content-type']);

let w: GuestWorld;
let data: TraceData;
let erratumId: number;
const skipped: number[] = [];
/** recorded server id -> our systemid document */
const systemIds = new Map<number, string>();
/** recorded action id -> ours; recorded erratum id -> ours */
const actionIds = new Map<number, number>();
const errataIds = new Map<number, number>();
/** our action id -> its type */
const actionTypes = new Map<number, string>();
/** recorded server id -> the last up2date.login answer our server gave that system */
const logins = new Map<number, Record<string, unknown>>();

t.before(async () => {
  // The recorded username flow logs in as admin/admin: the server gets that password.
  w = await guestWorld({ env: { SKYLAB_ADMIN_USER: 'admin', SKYLAB_ADMIN_PASSWORD: 'admin' } });
  data = await setupTraceData(w.server);
  const base = (await w.stores.channels.getByLabel(BASE, w.org))!;
  const tools = (await w.stores.channels.getByLabel(TOOLS, w.org))!;
  await w.key('test-key', { base, children: [tools] });
  await w.key('universal', { children: [tools], universal: true });
  await w.stores.distMaps.setForOrg(w.org, 'redhat-release', '8', 'channel-x86_64', base.id);
  const hello = [...data.fileById].find(([, f]) => f === 'sw-hello-1.1-1.el8.noarch.rpm')![0];
  const r = await api<unknown[]>(adminLogin(w.server), [[
    'errata.create',
    { synopsis: 'sw-hello update', advisory_name: 'CESA-9101', advisory_release: 1, advisory_type: 'Security Advisory', product: 'Skylab Test Linux',
      topic: 'sw-hello 1.1', description: 'sw-hello 1.1', references: '', notes: '', solution: 'dnf update sw-hello' },
    [], [], [hello], true, [BASE],
  ]]);
  if (typeof r[0] !== 'object' || r[0] === null || 'fault' in r[0]) throw new Error(`errata.create: ${JSON.stringify(r)}`);
  erratumId = (await w.stores.errata.getByName(w.org, 'CESA-9101'))!.id;
});
t.teardown(() => w?.stop());

/** A recorded param as replayed: systemids, action ids and erratum ids swapped for ours. */
function substitute(method: string, params: unknown[]): unknown[] {
  return params.map((p, i) => {
    if (isSystemId(p)) {
      const recorded = serverIdOf(p);
      return systemIds.get(recorded) ?? { __ref__: `sid:${recorded}` };
    }
    if (method === 'queue.submit' && i === 1) return actionIds.get(p as number) ?? p;
    if (method === 'errata.getErrataInfo' && i === 1) return errataIds.get(p as number) ?? p;
    return p;
  });
}

/** The server id the calls after a new_system carry: the id it recorded for the new system. */
function recordedNewId(records: readonly TraceRecord[], at: number): number {
  for (const r of records.slice(at + 1)) for (const p of r.call?.params ?? []) if (isSystemId(p)) return serverIdOf(p);
  throw new Error('no call after new_system carries its systemid');
}

function toCalls(records: readonly TraceRecord[]): { calls: GuestCall[]; replayed: TraceRecord[] } {
  const calls: GuestCall[] = [];
  const replayed: TraceRecord[] = [];
  records.forEach((r, i) => {
    if (r.endpoint !== 'client-xmlrpc' || r.http.method !== 'POST' || !r.call) {
      skipped.push(r.seq);
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.http.headers)) if (!TRANSPORT_HEADERS.has(k.toLowerCase())) headers[k] = v;
    const call: GuestCall = { method: r.call.method, params: substitute(r.call.method, r.call.params), headers };
    if (r.call.method === 'registration.new_system') call.save = `sid:${recordedNewId(records, i)}`;
    calls.push(call);
    replayed.push(r);
  });
  return { calls, replayed };
}

/** The action a queue.get should hand out: the one the flow submits before it asks again. */
function expectedAction(records: readonly TraceRecord[], at: number): number | null {
  for (const r of records.slice(at + 1)) {
    if (r.call?.method === 'queue.get') return null;
    if (r.call?.method === 'queue.submit') return actionIds.get(r.call.params[1] as number) ?? null;
  }
  return null;
}

/** Our id of the system a recorded call is about. */
const ourSystem = (params: unknown[]): number => serverIdOf(systemIds.get(serverIdOf(params.find(isSystemId) as string))!);
const secretOf = (id: number): string => w.one<{ secret: string }>('SELECT secret FROM systems WHERE id = ?', id).secret;

async function checkAnswer(t: Test, rec: TraceRecord, records: readonly TraceRecord[], reply: GuestReply): Promise<void> {
  const method = rec.call!.method;
  const what = `#${rec.seq} ${method}`;
  t.notOk(reply.fault, `${what}: no fault ${reply.fault ? JSON.stringify(reply.fault) : ''}`);
  const caps = serverCapabilities(reply);
  t.ok(EXPECTED_CAPABILITIES.every((c) => caps.includes(c)), `${what}: X-RHN-Server-Capability lines`);
  const a = reply.answer;
  switch (method) {
    case 'registration.welcome_message':
      return void t.type(a, 'string', what);
    case 'registration.new_system': {
      const id = serverIdOf(a as string);
      t.ok((await checkSystemId(a as string, secretOf(id))).valid, `${what}: a systemid signed with the system's secret`);
      return;
    }
    case 'registration.add_hw_profile':
    case 'registration.refresh_hw_profile':
    case 'registration.add_packages':
    case 'registration.update_packages':
    case 'queue.submit':
      t.equal(a, 0, `${what}: 0`);
      return void t.match(reply.xml, /<value><(i4|int)>0<\/(i4|int)><\/value>/, `${what}: an int`);
    case 'queue.get_future_actions':
      return void t.same(a, [], `${what}: []`);
    case 'queue.get': {
      const expected = expectedAction(records, records.indexOf(rec));
      if (expected === null) return void t.equal(a, '', `${what}: "" (nothing to do)`);
      const s = a as { id: number; version: number; action: string };
      t.same([s.id, s.version], [expected, 2], `${what}: action ${expected}, version 2`);
      const parsed = await parseAction(s.action);
      t.equal(parsed.method, actionTypes.get(expected), `${what}: ${parsed.method}`);
      return;
    }
    case 'up2date.login': {
      const s = a as Record<string, unknown>;
      const id = ourSystem(rec.call!.params);
      t.same(Object.keys(s).sort(), ['X-RHN-Auth', 'X-RHN-Auth-Channels', 'X-RHN-Auth-Expire-Offset', 'X-RHN-Auth-Server-Time', 'X-RHN-Auth-User-Id', 'X-RHN-Server-Id'], `${what}: keys`);
      t.same([s['X-RHN-Server-Id'], s['X-RHN-Auth-User-Id'], typeof s['X-RHN-Auth-Server-Time'], s['X-RHN-Auth-Expire-Offset']], [id, '', 'string', '3600.0'], `${what}: types`);
      const key = (await w.stores.users.getSetting('client_auth_key'))!;
      t.equal(s['X-RHN-Auth'], await tokenSignature(key, id, '', s['X-RHN-Auth-Server-Time'] as string, '3600.0'), `${what}: signature`);
      t.same((s['X-RHN-Auth-Channels'] as string[][]).map((c) => [c[0], c[2], c[3]]), [[BASE, '1', '1'], [TOOLS, '0', '1']], `${what}: channels`);
      return;
    }
    case 'up2date.listChannels': {
      const list = a as Record<string, unknown>[];
      t.same(list.map((c) => c['label']), [BASE, TOOLS], `${what}: base first`);
      t.ok(list.every((c) => Object.values(c).every((v) => typeof v === 'string')), `${what}: all strings`);
      t.ok(list.every((c) => /^\d{14}$/.test(c['last_modified'] as string) && 'gpg_key_url' in c), `${what}: last_modified, gpg_key_url`);
      return;
    }
    case 'errata.getErrataInfo':
      return void t.same(a, [['sw-hello', '1.1', '1.el8', '', 'noarch']], `${what}: the erratum's package in the system's channels`);
    default:
      t.fail(`${what}: no expectation for this method`);
  }
}

/** Schedules what a flow picks up and maps the recorded ids to ours. */
async function prepare(flow: string, records: readonly TraceRecord[]): Promise<void> {
  const submit = records.find((r) => r.call?.method === 'queue.submit');
  if (!submit) return;
  const system = serverIdOf(systemIds.get(serverIdOf(submit.call!.params[0] as string))!);
  const errata = records.find((r) => r.call?.method === 'errata.getErrataInfo');
  if (errata) errataIds.set(errata.call!.params[1] as number, erratumId);
  const [type, payload] = flow === 'rhn_check-errata-update'
    ? ['errata.update', { errata: [erratumId] }]
    : ['packages.update', { packages: [['sw-hello', '1.1', '1.el8', '', 'noarch']] }];
  const id = await w.stores.actions.create({ orgId: w.org, type, name: `${flow} replay`, earliest: new Date(Date.now() - 60_000), payload, systemIds: [system] });
  actionIds.set(submit.call!.params[1] as number, id);
  actionTypes.set(id, type);
}

t.test('every recorded /XMLRPC call, in order', async (t) => {
  for (const flow of FLOWS) {
    const records = loadFlow(flow);
    await prepare(flow, records);
    const { calls, replayed } = toCalls(records);
    const replies = await guestCalls(w.url, calls, {});
    t.equal(replies.length, replayed.length);
    for (const [i, rec] of replayed.entries()) {
      const reply = replies[i]!;
      if (rec.call!.method === 'registration.new_system' && typeof reply.answer === 'string') systemIds.set(Number(calls[i]!.save!.slice(4)), reply.answer);
      if (rec.call!.method === 'up2date.login' && !reply.fault) logins.set(serverIdOf(rec.call!.params[0] as string), reply.answer as Record<string, unknown>);
      await checkAnswer(t, rec, records, reply);
    }
  }
  const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  t.same(skipped, [...range(30, 37), ...range(104, 111), ...range(51, 59), ...range(63, 71)], 'the GET-REQ requests, replayed next');
});

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One GET with exactly these header lines, in this order, on a new connection. */
function rawGet(url: string, path: string, headers: [string, string][]): Promise<RawAnswer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, method: 'GET', agent: false, setHost: false, headers: headers.flat() }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const TOKEN_HEADERS = ['X-RHN-Server-Id', 'X-RHN-Auth-User-Id', 'X-RHN-Auth', 'X-RHN-Auth-Server-Time', 'X-RHN-Auth-Expire-Offset'];
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

t.test('every recorded GET-REQ request, with its recorded headers', async (t) => {
  const host = new URL(w.url).host;
  /** channel label -> (href under repodata/ -> sha256) from the repomd.xml this replay fetched */
  const repomd = new Map<string, Map<string, string>>();
  let count = 0;
  for (const flow of FLOWS) {
    for (const rec of loadFlow(flow)) {
      if (rec.http.method !== 'GET') continue;
      count++;
      const what = `${flow} #${rec.seq} ${rec.http.path.replace('/XMLRPC/GET-REQ/', '')}`;
      const recordedId = Number(rec.http.headers['X-RHN-Server-Id']);
      const login = logins.get(recordedId);
      if (!login) {
        t.fail(`${what}: the flows made no login for server ${recordedId}`);
        continue;
      }
      const headers: [string, string][] = Object.entries(rec.http.headers).map(([k, v]) =>
        [k, k === 'Host' ? host : TOKEN_HEADERS.includes(k) ? String(login[k]) : v]);
      const res = await rawGet(w.url, rec.http.path, headers);
      t.equal(res.status, 200, `${what}: 200`);
      t.equal(Number(res.headers['content-length']), res.body.length, `${what}: Content-Length`);
      t.match(res.headers['last-modified'], /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/, `${what}: Last-Modified`);
      const [, label, fn, file] = /^\/XMLRPC\/GET-REQ\/([^/]+)\/(repodata|getPackage)\/(.+)$/.exec(rec.http.path)!;
      if (fn === 'getPackage') {
        t.equal(res.headers['content-type'], 'application/octet-stream', `${what}: content type`);
        t.equal(res.headers['x-package-filename'], file, `${what}: X-Package-FileName`);
        t.equal(sha256(res.body), sha256(readFileSync(data.pathOf.get(file!)!)), `${what}: the pushed RPM, byte for byte`);
      } else if (file === 'repomd.xml') {
        t.match(res.headers['content-type'], /^text\/xml/, `${what}: content type`);
        const xml = res.body.toString();
        const files = new Map<string, string>();
        for (const m of xml.matchAll(/<data type="[^"]+">\s*<checksum type="sha256">([0-9a-f]{64})<\/checksum>(?:(?!<\/data>)[\s\S])*?<location href="repodata\/([^"]+)"/g)) files.set(m[2]!, m[1]!);
        t.ok(files.size >= 4, `${what}: repomd.xml lists ${[...files.keys()].join(', ')}`);
        repomd.set(label!, files);
      } else {
        t.equal(res.headers['content-type'], 'application/x-gzip', `${what}: content type`);
        const listed = [...(repomd.get(label!) ?? new Map<string, string>())].find(([href]) => href === file || href.endsWith(`-${file}`));
        t.ok(listed, `${what}: repomd.xml of this replay lists it`);
        t.equal(sha256(res.body), listed?.[1], `${what}: the bytes repomd.xml describes`);
        t.match(gunzipSync(res.body).toString('utf8', 0, 200), /^<\?xml/, `${what}: gzip of an XML document`);
      }
    }
  }
  t.equal(count, 34, 'all 34 recorded GET-REQ requests');
});

t.test('what the replayed flows left on the server', async (t) => {
  const [keySystem, userSystem] = [...systemIds.values()].map(serverIdOf);
  const labels = (id: number) => w.all<{ label: string }>('SELECT c.label FROM system_channels sc JOIN channels c ON c.id = sc.channel_id WHERE sc.system_id = ? ORDER BY c.parent_id IS NOT NULL', id).map((r) => r.label);
  t.same(labels(keySystem!), [BASE, TOOLS], 'the key gave both channels');
  t.same(labels(userSystem!), [BASE, TOOLS], 'the map gave the base, the universal key the child');
  for (const id of [keySystem!, userSystem!]) {
    t.same(w.all('SELECT status, result_code FROM server_actions WHERE system_id = ?', id), [{ status: 2, result_code: 0 }], `system ${id}: its action completed`);
    t.equal(w.one<{ version: string }>("SELECT version FROM system_packages WHERE system_id = ? AND name = 'sw-hello'", id).version, '1.1');
    t.same(await w.stores.relevance.getRelevantErrata(id), [], `system ${id}: the erratum is no longer relevant`);
  }
  t.ok(w.one<{ n: number }>('SELECT count(*) AS n FROM system_hardware WHERE system_id = ?', keySystem).n > 0, 'the hardware profile was stored');
  t.equal(w.one<{ running_kernel: string }>('SELECT running_kernel FROM systems WHERE id = ?', keySystem).running_kernel, '6.18.44-fc-v669');
});
