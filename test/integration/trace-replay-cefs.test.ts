// Replays CEFS errata-import.pl (--publish) as recorded, twice against one server, with Python's
// xmlrpc.client: every answer checked against admin-api.md's shapes and against what the
// importer's own requests should have left behind (ImportModel), then the server's state.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { replyProblems, SESSION_KEY } from '../support/api-shapes.js';
import { ImportModel } from '../support/cefs-model.js';
import { beanify, forReplay, loadTrace, recordedKeys, replay, replayFlow, shortDateOf, type RecordedCall, type Reply, type Wire } from '../support/replay.js';
import { SHARED, startServer, type RunningServer } from '../support/server.js';
import { BASE, PUBLISHER_ROLES, setupTraceData, TOOLS, TRACE_PACKAGES, type TraceData } from '../support/trace-data.js';

type Row = Record<string, Wire>;
const S = { __session__: true };

let server: RunningServer;
let data: TraceData;
const model = new ImportModel();
const first = loadTrace('cefs-import');
const again = loadTrace('cefs-import-again');

t.before(async () => {
  // The recorded logins are admin/admin: give the server that password so they replay verbatim.
  server = await startServer({ env: { SKYLAB_ADMIN_USER: 'admin', SKYLAB_ADMIN_PASSWORD: 'admin' } });
  data = await setupTraceData(server);
});
t.teardown(() => server?.stop());

/** Binary package file names per advisory synopsis in the CEFS sample feed. */
function sampleAdvisories(): Map<string, string[]> {
  const xml = readFileSync(join(SHARED, 'data', 'cefs-sample', 'errata.latest.xml'), 'utf8');
  const out = new Map<string, string[]>();
  for (const m of xml.matchAll(/<(CE[A-Z]A-\d+--\d+) ([^>]*)>([\s\S]*?)<\/\1>/g)) {
    const synopsis = /synopsis="([^"]*)"/.exec(m[2]!)![1]!;
    const files = [...m[3]!.matchAll(/<packages>([^<]+)<\/packages>/g)].map((p) => p[1]!).filter((f) => !f.endsWith('.src.rpm'));
    out.set(synopsis, files.sort());
  }
  return out;
}

t.test('the recorded-id table agrees with the trace and the CEFS sample feed', async (t) => {
  const sample = sampleAdvisories();
  const fileOf = (id: number): string => TRACE_PACKAGES.find((p) => p.recordedId === id) ? data.fileOf.get(id)! : `unknown id ${id}`;
  for (const c of first.filter((c) => beanify(c.method) === 'errata.create')) {
    const info = c.params[1] as Row;
    t.same((c.params[4] as number[]).map(fileOf).sort(), sample.get(String(info['synopsis'])), `${info['advisory_name']}: packages of the same advisory in errata.latest.xml`);
  }
  let listing = '';
  for (const c of [...first, ...again]) {
    if (beanify(c.method) === 'channel.software.listAllPackages') listing = String(c.params[1]);
    if (beanify(c.method) !== 'packages.getDetails') continue;
    t.equal(TRACE_PACKAGES.find((p) => p.recordedId === c.params[1])?.channel, listing, `#${c.seq} id ${c.params[1]} was fetched after listing its channel`);
  }
  for (const channel of [BASE, TOOLS]) {
    const ids = TRACE_PACKAGES.filter((p) => p.channel === channel).map((p) => p.recordedId);
    t.same(ids.map((id) => data.fileOf.get(id)), ids.map((id) => data.fileOf.get(id)).sort(), `${channel}: recorded ids follow file-name order`);
  }
});

const numeric = (ids: Wire[]): number[] => (ids as number[]).slice().sort((a, b) => a - b);
const ourIds = (recorded: number[]): number[] => numeric(recorded.map((id) => data.idMap.get(id)!));
const labels = (rows: Wire): string[] => (rows as Row[]).map((r) => String(r['label'])).sort();

function checkErrata(t: Test, answer: Wire, info: Row, what: string): void {
  t.match(answer, { advisory_name: info['advisory_name'], advisory_synopsis: info['synopsis'], advisory_type: info['advisory_type'] }, `${what}: Errata struct of the advisory`);
}

/** What one answer should say, given the model before the call. */
function checkAnswer(t: Test, c: RecordedCall, r: Reply): void {
  const what = `#${c.seq} ${c.method}`;
  const a = r.answer!;
  const p = c.params;
  switch (beanify(c.method)) {
    case 'api.getVersion': return void t.equal(a, '23', `${what}: "23"`);
    case 'api.systemVersion': return void t.equal(a, '2.10', `${what}: "2.10"`);
    case 'auth.login': return void t.match(a, SESSION_KEY, `${what}: key format`);
    case 'auth.logout': return void t.equal(a, 1, `${what}: 1`);
    case 'errata.setDetails': return void t.equal(a, 1, `${what}: 1`);
    case 'user.listRoles': return void t.ok((a as string[]).some((role) => PUBLISHER_ROLES.includes(role)), `${what}: a role CEFS may publish with`);
    case 'channel.listAllChannels': {
      const nodes = (a as Row[]).filter((n) => n['label'] === BASE || n['label'] === TOOLS);
      return void t.same(nodes.map((n) => [n['label'], n['packages']]).sort(), [BASE, TOOLS].map((l) => [l, model.channelPackages(l).length]), `${what}: both channels, package counts`);
    }
    case 'errata.listUnpublishedErrata': return void t.same((a as Row[]).map((e) => e['advisory_name']).sort(), model.unpublished(), `${what}: unpublished advisories`);
    case 'channel.software.listErrata': return void t.same((a as Row[]).map((e) => e['advisory_name']).sort(), model.channelErrata(String(p[1])), `${what}: each advisory once`);
    case 'channel.software.listAllPackages': {
      const rows = a as Row[];
      t.same(numeric(rows.map((row) => row['id'])), ourIds(model.channelPackages(String(p[1]))), `${what}: the channel's packages`);
      return void t.ok(rows.every((row) => row['epoch'] === ''), `${what}: no epoch is "" in PackageDto`);
    }
    case 'packages.getDetails': {
      const id = p[1] as number;
      t.match(a, { id: data.idMap.get(id), file: data.fileOf.get(id) }, `${what}: our id, and the file name CEFS keys on`);
      return void t.same([...((a as Row)['providing_channels'] as string[])].sort(), [...model.membership.get(id)!].sort(), `${what}: providing_channels`);
    }
    case 'errata.create': return checkErrata(t, a, p[1] as Row, what);
    case 'errata.publish': return checkErrata(t, a, model.advisory(String(p[1])).info, what);
    case 'packages.listProvidingChannels': return void t.same(labels(a), [...model.membership.get(p[1] as number)!].sort(), `${what}: original channel plus publish's copies`);
    case 'errata.listPackages': return void t.same(numeric((a as Row[]).map((row) => row['id'])), ourIds(model.advisory(String(p[1])).packageIds), `${what}: the advisory's packages`);
    case 'errata.addPackages': return void t.equal(a, 0, `${what}: 0, every package is already there`);
    case 'errata.applicableToChannels': return void t.same(labels(a), [...model.advisory(String(p[1])).channels].sort(), `${what}: the channels it was published in`);
    default: t.fail(`${what}: no check written for this method`);
  }
}

async function replayImport(t: Test, flow: RecordedCall[]): Promise<void> {
  t.equal(recordedKeys(flow).length, 1, 'the flow logs in once and uses that key');
  const replies = await replayFlow(server.apiUrl, flow, data.idMap);
  t.equal(replies.length, flow.length, 'one answer per recorded call');
  flow.forEach((c, i) => {
    const r = replies[i]!;
    t.same(replyProblems(c.method, c.params.length, r), [], `#${c.seq} ${c.method}: answer as admin-api.md says`);
    if (!r.fault) checkAnswer(t, c, r);
    model.apply(c);
  });
}

/** Reads back every advisory the importer made and what it should say. */
async function checkState(t: Test): Promise<void> {
  const advisories = [...model.advisories.values()];
  const calls = advisories.flatMap((a) => ['getDetails', 'listPackages', 'applicableToChannels', 'listCves', 'listKeywords'].map((m) => ({ method: `errata.${m}`, params: [S, a.name] })));
  const lists = [BASE, TOOLS].map((l) => ({ method: 'channel.software.listErrata', params: [S, l] }));
  const replies = await replay(server.apiUrl, [{ method: 'auth.login', params: [server.adminUser, server.adminPassword] }, ...calls, ...lists]);
  [...calls, ...lists].forEach((c, i) => t.same(replyProblems(c.method, c.params.length, replies[i + 1]!), [], `${c.method} ${c.params[1]}: shape`));
  advisories.forEach((a, i) => {
    const [details, pkgs, channels, cves, keywords] = replies.slice(1 + i * 5, 6 + i * 5).map((r) => r.answer!);
    const info = a.info;
    t.match(details, {
      synopsis: info['synopsis'], release: info['advisory_release'], type: info['advisory_type'], product: info['product'], topic: info['topic'],
      description: info['description'], references: info['references'], notes: info['notes'], solution: info['solution'], errataFrom: '',
      issue_date: shortDateOf(a.issueDate!), update_date: shortDateOf(a.updateDate!),
    }, `${a.name}: getDetails shows create + set_details (dates as M/d/yy)`);
    t.equal((details as Row)['severity'], a.severity, `${a.name}: severity ${a.severity ?? '(none)'}`);
    t.same((pkgs as Row[]).map((p) => p['file']).sort(), a.packageIds.map((id) => data.fileOf.get(id)).sort(), `${a.name}: listPackages`);
    t.same(labels(channels), [...a.channels].sort(), `${a.name}: published in the listed channels`);
    t.same(cves, [...a.cves].sort(), `${a.name}: listCves`);
    t.same(keywords, [...a.keywords].sort(), `${a.name}: listKeywords`);
  });
  [BASE, TOOLS].forEach((l, i) => {
    const names = (replies[1 + calls.length + i]!.answer as Row[]).map((e) => e['advisory_name']).sort();
    t.same(names, model.channelErrata(l), `${l}: listErrata has each advisory once`);
  });
}

t.test('cefs-import: first run creates, dates, publishes and tags every advisory', async (t) => {
  await replayImport(t, first);
  t.same([...model.advisories.keys()].sort(), ['CEBA-2024:9102', 'CEEA-2024:9103', 'CEEA-2024:9105', 'CESA-2024:9101'], 'four advisories imported');
  t.equal(model.advisory('CESA-2024:9101').severity, 'Important', 'the security advisory was sent severity Important');
  await checkState(t);
});

t.test('cefs-import-again: the same feed again duplicates nothing', async (t) => {
  await replayImport(t, again);
  await checkState(t);
  const create = first.find((c) => beanify(c.method) === 'errata.create')!;
  const [, dup] = await replay(server.apiUrl, [{ method: 'auth.login', params: [server.adminUser, server.adminPassword] }, forReplay(create, data.idMap)]);
  t.equal(dup!.fault?.faultCode, 2601, 'errata.create of an existing advisory: fault code 2601 (what CEFS reuses on)');
  t.match(dup!.fault?.faultString, /^redstone\.xmlrpc\.XmlRpcFault: Errata already exists with advisory CEBA-2024:9102/, 'Spacewalk fault text');
});

t.test('errata.listUnpublishedErrata shows an unpublished erratum with dateTime fields', async (t) => {
  const info = { synopsis: 'Unpublished check', advisory_name: 'SKYT-2024:0003', advisory_release: 1, advisory_type: 'Bug Fix Advisory', product: 'Skylab Test', topic: 't', description: 'd', solution: 's' };
  const replies = await replay(server.apiUrl, [
    { method: 'auth.login', params: [server.adminUser, server.adminPassword] },
    { method: 'errata.create', params: [S, info, [], [], [], false, []] },
    { method: 'errata.listUnpublishedErrata', params: [S] },
  ]);
  t.same(replyProblems('errata.create', 7, replies[1]!), [], 'errata.create: Errata struct');
  t.same(replyProblems('errata.listUnpublishedErrata', 1, replies[2]!), [], 'listUnpublishedErrata: struct with dateTime created/update_date');
  const rows = replies[2]!.answer as Row[];
  t.equal(rows.length, 1, 'one unpublished erratum: the importer left none');
  t.match(rows[0], { advisory_name: info.advisory_name, advisory: info.advisory_name, published: 0, synopsis: info.synopsis, advisory_type: info.advisory_type }, 'the new erratum');
});
