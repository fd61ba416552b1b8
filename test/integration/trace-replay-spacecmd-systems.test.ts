// Replays what spacecmd sent for system_list and system_listupgrades with Python's
// xmlrpc.client against a real server holding matching data: the traced channels and packages,
// and two systems registered with the traced guests' profile (the recorded system id 1000010001
// is the second). Answers are checked against admin-api.md and against python3-rpm.
import t, { type Test } from 'tap';
import { replyProblems, SESSION_KEY } from '../support/api-shapes.js';
import { pythonJson } from '../support/python.js';
import { beanify, loadTrace, recordedKeys, replayFlow, type Reply, type Wire } from '../support/replay.js';
import { startServer, type RunningServer } from '../support/server.js';
import { answer, call, openDb, registerSystem, S, tracedHardware, tracedPackages, type Db } from '../support/system-fixtures.js';
import { problems, RESULTS } from '../support/system-shapes.js';
import { BASE, setupTraceData, TOOLS, type TraceData } from '../support/trace-data.js';

type Row = Record<string, Wire>;
let server: RunningServer;
let db: Db;
let data: TraceData;
const RECORDED_SYSTEM = 1000010001;

t.before(async () => {
  // the recorded logins are admin/admin: the server gets that password so they replay verbatim
  server = await startServer({ env: { SKYLAB_ADMIN_USER: 'admin', SKYLAB_ADMIN_PASSWORD: 'admin' } });
  data = await setupTraceData(server);
  db = await openDb(server);
  // as rhnreg_ks-activationkey and rhnreg_ks-userpass registered them: the base channel, the same profile
  await registerSystem(db, { name: 'vm', packages: tracedPackages(), hardware: tracedHardware(), base: data.channelId[BASE]!, children: [data.channelId[TOOLS]!] });
  await registerSystem(db, { name: 'skylab-test-userpass', packages: tracedPackages(), base: data.channelId[BASE]! });
});
t.teardown(async () => {
  db?.close();
  await server?.stop();
});

function checked(t: Test, flow: ReturnType<typeof loadTrace>, replies: Reply[]): void {
  t.equal(recordedKeys(flow).length, 1, 'the flow logs in once and uses that key');
  t.equal(replies.length, flow.length, 'one answer per recorded call');
  flow.forEach((c, i) => {
    const mine = RESULTS[`${beanify(c.method)}/${c.params.length}`] !== undefined;
    const found = mine ? problems(c.method, c.params.length, replies[i]!) : replyProblems(c.method, c.params.length, replies[i]!);
    t.same(found, [], `#${c.seq} ${c.method}: answer as admin-api.md says`);
  });
  t.same(flow.slice(0, 2).map((c) => beanify(c.method)), ['api.getVersion', 'auth.login']);
  t.equal(replies[0]!.answer, '23');
  t.match(replies[1]!.answer, SESSION_KEY);
}

t.test('spacecmd system_list', async (t) => {
  const flow = loadTrace('spacecmd-system_list');
  const replies = await replayFlow(server.apiUrl, flow, data.idMap);
  checked(t, flow, replies);
  const systems = answer<Row[]>(replies[2]!);
  t.same(systems.map((s) => [s['id'], s['name']]), [[RECORDED_SYSTEM, 'skylab-test-userpass'], [RECORDED_SYSTEM - 1, 'vm']], 'both systems, by name, ids from 1000010000');
  t.ok(systems.every((s) => typeof s['last_checkin'] === 'object'), 'last_checkin is a dateTime (spacecmd prints it)');
});

// The newest build of each installed name with a matching arch that rpm orders above it.
const UPGRADES = String.raw`
import json, sys, rpm
installed, builds = json.load(sys.stdin)
ev = lambda p: ((p.get('epoch') or '').strip() or None, p['version'], p['release'])
match = lambda a, b: a == b or a == 'noarch' or b == 'noarch'
out = []
for p in sorted(installed, key=lambda p: (p['name'], p['arch'])):
    newer = [b for b in builds if b['name'] == p['name'] and match(p['arch'], b['arch_label']) and rpm.labelCompare(ev(b), ev(p)) > 0]
    if newer:
        best = newer[0]
        for b in newer[1:]:
            if rpm.labelCompare(ev(b), ev(best)) > 0: best = b
        out.append([p['name'], p['version'], p['release'], best['version'], best['release'], best['id']])
print(json.dumps(out))
`;

t.test('spacecmd system_listupgrades', async (t) => {
  const flow = loadTrace('spacecmd-system_listupgrades');
  t.equal(flow[3]!.params[1], RECORDED_SYSTEM, 'the recorded call names the second system');
  const replies = await replayFlow(server.apiUrl, flow, data.idMap);
  checked(t, flow, replies);
  const rows = answer<Row[]>(replies[3]!);
  const [base] = await call(server, [{ method: 'channel.software.listAllPackages', params: [S, BASE] }]);
  const expected = await pythonJson<unknown[][]>(UPGRADES, [], JSON.stringify([tracedPackages(), answer(base!)]));
  t.same(rows.map((r) => [r['name'], r['from_version'], r['from_release'], r['to_version'], r['to_release'], r['to_package_id']]), expected, 'the upgrades python3-rpm finds');
  t.same(rows.map((r) => r['to_package_id']), [data.idMap.get(1006)], 'sw-hello-1.1-1.el8 (recorded id 1006) is the target');
  t.ok(rows.every((r) => r['from_epoch'] === ' ' && r['to_epoch'] === ' '), 'a missing epoch is " "');
  t.ok(rows.every((r) => r['from_arch'] === 'noarch' && r['to_arch'] === 'noarch'));
});
