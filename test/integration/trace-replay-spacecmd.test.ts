// Replays what spacecmd sent (softwarechannel_list, softwarechannel_listpackages, errata_details)
// with Python's xmlrpc.client against a real server holding the same channels and real RPMs;
// every answer is checked against admin-api.md's shapes and against the data behind it.
import t, { type Test } from 'tap';
import { replyProblems, SESSION_KEY } from '../support/api-shapes.js';
import { pythonJson } from '../support/python.js';
import { beanify, forReplay, loadTrace, recordedKeys, replay, replayFlow, shortDateOf, type RecordedCall, type Reply, type Wire } from '../support/replay.js';
import { startServer, type RunningServer } from '../support/server.js';
import { BASE, setupTraceData, TOOLS, TRACE_PACKAGES, type TraceData } from '../support/trace-data.js';

type Row = Record<string, Wire>;

const ADVISORY = 'SWHA-2024:0001';
const SWHA_INFO = {
  synopsis: 'Moderate: sw-hello security update',
  advisory_name: ADVISORY,
  advisory_release: 2,
  advisory_type: 'Security Advisory',
  product: 'Skylab Test Linux',
  errataFrom: 'security@skylab.invalid',
  topic: 'An update for sw-hello is now available.',
  description: 'sw-hello greets & says <goodbye>.\n\nSecurity Fix(es):\n* greeting overflow',
  references: 'https://skylab-test.example.invalid/SWHA-2024-0001',
  notes: 'Made by the trace replay test.',
  solution: 'dnf update sw-hello',
  severity: 'Moderate',
};
const SWHA_ISSUED = '20240201T09:30:00';
const SWHA_UPDATED = '20240203T16:05:07';
const SWHA_CVES = ['CVE-2024-0101', 'CVE-2024-0102'];
const SWHA_FILE = 'sw-hello-1.1-1.el8.noarch.rpm';

let server: RunningServer;
let data: TraceData;

/** Creates and publishes the erratum errata_details looks at, through the API. */
async function createSwha(): Promise<void> {
  const pkgId = [...data.fileById].find(([, f]) => f === SWHA_FILE)![0];
  const replies = await replay(server.apiUrl, [
    { method: 'auth.login', params: [server.adminUser, server.adminPassword] },
    { method: 'errata.create', params: [{ __session__: true }, SWHA_INFO, [{ id: 4101, summary: 'greeting overflow', url: 'https://bugs.example.invalid/4101' }], ['security'], [pkgId], false, []] },
    { method: 'errata.setDetails', params: [{ __session__: true }, ADVISORY, { issue_date: { __datetime__: SWHA_ISSUED }, update_date: { __datetime__: SWHA_UPDATED } }] },
    { method: 'errata.publish', params: [{ __session__: true }, ADVISORY, [BASE]] },
    { method: 'errata.setDetails', params: [{ __session__: true }, ADVISORY, { cves: SWHA_CVES }] },
    { method: 'auth.logout', params: [{ __session__: true }] },
  ]);
  const faults = replies.filter((r) => r.fault);
  if (faults.length > 0) throw new Error(`creating ${ADVISORY} failed: ${JSON.stringify(faults)}`);
}

t.before(async () => {
  // The recorded logins are admin/admin: give the server that password so they replay verbatim.
  server = await startServer({ env: { SKYLAB_ADMIN_USER: 'admin', SKYLAB_ADMIN_PASSWORD: 'admin' } });
  data = await setupTraceData(server);
  await createSwha();
});
t.teardown(() => server?.stop());

/** Replays a flow and checks every answer's shape; returns the answers by position. */
async function replayChecked(t: Test, flow: RecordedCall[]): Promise<Reply[]> {
  t.equal(recordedKeys(flow).length, 1, 'the flow logs in once and uses that key');
  const replies = await replayFlow(server.apiUrl, flow, data.idMap);
  t.equal(replies.length, flow.length, 'one answer per recorded call');
  flow.forEach((c, i) => t.same(replyProblems(c.method, c.params.length, replies[i]!), [], `#${c.seq} ${c.method}: answer as admin-api.md says`));
  return replies;
}

function checkConnect(t: Test, flow: RecordedCall[], replies: Reply[]): void {
  t.same(flow.slice(0, 2).map((c) => beanify(c.method)), ['api.getVersion', 'auth.login'], 'spacecmd connects with getVersion, then login');
  t.equal(replies[0]!.answer, '23', 'api.getVersion is "23"');
  t.ok(Number(replies[0]!.answer) >= 10.8, 'spacecmd accepts the version (float >= 10.8)');
  t.match(replies[1]!.answer, SESSION_KEY, 'session key format');
}

t.test('spacecmd softwarechannel_list', async (t) => {
  const flow = loadTrace('spacecmd-softwarechannel_list');
  const replies = await replayChecked(t, flow);
  checkConnect(t, flow, replies);
  const nodes = replies[2]!.answer as Row[];
  for (const label of [BASE, TOOLS]) {
    const node = nodes.filter((n) => n['label'] === label);
    t.equal(node.length, 1, `${label} listed once`);
    t.equal(node[0]?.['id'], data.channelId[label], `${label}: id as channel.software.getDetails gives it`);
    t.equal(node[0]?.['packages'], TRACE_PACKAGES.filter((p) => p.channel === label).length, `${label}: package count`);
    t.equal(node[0]?.['systems'], 0, `${label}: no systems subscribed`);
  }
});

// rpm.labelCompare is the oracle for "latest": the newest EVR per name and arch.
const LATEST_SCRIPT = `
import functools, json, rpm, sys
best = {}
for p in json.load(sys.stdin):
    key = (p['name'], p['arch'])
    evr = (p['epoch'] or None, p['version'], p['release'])
    if key not in best or rpm.labelCompare(evr, best[key][0]) > 0:
        best[key] = (evr, p['file'])
print(json.dumps(sorted(f for _, f in best.values())))
`;

t.test('spacecmd softwarechannel_listpackages', async (t) => {
  const flow = loadTrace('spacecmd-softwarechannel_listpackages');
  t.same(flow[2]!.params.slice(1), [BASE], 'lists the base channel');
  const replies = await replayChecked(t, flow);
  checkConnect(t, flow, replies);
  const base = TRACE_PACKAGES.filter((p) => p.channel === BASE);
  const expected = await pythonJson<string[]>(LATEST_SCRIPT, [], JSON.stringify(base.map((p) => ({
    name: p.spec.name, arch: p.spec.arch, epoch: '', version: p.spec.version, release: p.spec.release, file: data.fileOf.get(p.recordedId),
  }))));
  const rows = replies[2]!.answer as Row[];
  t.same(rows.map((r) => data.fileById.get(r['id'] as number)).sort(), expected, 'the newest build of each name, by rpm.labelCompare');
  for (const r of rows) {
    t.equal(r['epoch'], ' ', `${r['name']}: no epoch is a single space`);
    t.equal(`${r['name']}-${r['version']}-${r['release']}.${r['arch_label']}.rpm`, data.fileById.get(r['id'] as number), `${r['name']}: NVRA of the id`);
  }
});

t.test('spacecmd errata_details', async (t) => {
  const flow = loadTrace('spacecmd-errata_details');
  const replies = await replayChecked(t, flow);
  checkConnect(t, flow, replies);
  const at = (method: string, arg?: string): Reply => replies[flow.findIndex((c) => beanify(c.method) === method && (arg === undefined || c.params[1] === arg))]!;

  const channels = at('channel.listSoftwareChannels').answer as Row[];
  t.same(channels.filter((c) => c['label'] === BASE).map((c) => c['parent_label']), [''], 'base channel: no parent');
  t.same(channels.filter((c) => c['label'] === TOOLS).map((c) => c['parent_label']), [BASE], 'child channel: parent label');

  const inBase = at('channel.software.listErrata', BASE).answer as Row[];
  t.same(inBase.map((e) => e['advisory_name']), [ADVISORY], `${ADVISORY} listed once in the base channel`);
  t.match(inBase[0], { advisory: ADVISORY, advisory_synopsis: SWHA_INFO.synopsis, synopsis: SWHA_INFO.synopsis, advisory_type: SWHA_INFO.advisory_type }, 'listErrata row');
  t.equal(inBase[0]?.['issue_date'], SWHA_ISSUED.replace(/^(\d{4})(\d{2})(\d{2})T/, '$1-$2-$3 '), 'issue_date as YYYY-MM-DD HH24:MI:SS');
  t.same(at('channel.software.listErrata', TOOLS).answer, [], 'nothing in the child channel');

  const { advisory_name: _name, advisory_release, advisory_type, ...texts } = SWHA_INFO;
  t.match(at('errata.getDetails').answer, { ...texts, release: advisory_release, type: advisory_type, issue_date: shortDateOf(SWHA_ISSUED), update_date: shortDateOf(SWHA_UPDATED) }, 'getDetails says what was created');
  const pkgs = at('errata.listPackages').answer as Row[];
  t.same(pkgs.map((p) => p['file']), [SWHA_FILE], 'listPackages: the package it was created with');
  t.ok((pkgs[0]?.['providing_channels'] as string[]).includes(BASE), 'providing_channels has the base channel');
  t.same(at('errata.listAffectedSystems').answer, [], 'no system is affected (none registered)');
  t.same(at('errata.listCves').answer, [...SWHA_CVES].sort(), 'listCves: the CVEs set after publishing');
  t.same(at('errata.applicableToChannels').answer, [{ channel_id: data.channelId[BASE], label: BASE, name: 'Skylab test EL8 x86_64', parent_channel_label: '' }], 'published in the base channel only');
});

t.test('a logged-out key mid-flow faults -1 "Could not find session"; logging in again recovers', async (t) => {
  const flow = loadTrace('spacecmd-softwarechannel_listpackages');
  const [, login, list] = flow.map((c) => forReplay(c, data.idMap));
  const replies = await replay(server.apiUrl, [login!, list!, { method: 'auth.logout', params: [{ __session__: true }] }, list!, login!, list!]);
  t.same(replyProblems('channel.software.listLatestPackages', 2, replies[1]!), [], 'first listing answers');
  t.equal(replies[2]!.answer, 1, 'auth.logout answers 1');
  t.equal(replies[3]!.fault?.faultCode, -1, 'the logged-out key faults -1');
  t.match(replies[3]!.fault?.faultString, /Could not find session/, 'with the text spacecmd re-logs in on');
  t.same(replies[5]!.answer, replies[1]!.answer, 'after a new login the same call answers as before');
});
