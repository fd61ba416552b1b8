// Scheduling through the admin API against a real server with Python's xmlrpc.client: all eight
// scheduleApplyErrata overloads and their 1213/2107/2600 rules (one action per erratum, update
// stack errata first), package installs and removals, refreshes, reboots, scripts and syncs;
// the actions' payloads go through client-shim's encoders and are read back by Python's
// xmlrpc.client as rhn_check would. schedule.* and the event lists follow the action states,
// which the test moves as queue.get/queue.submit do (through the action store).
import t, { type Test } from 'tap';
import { encodeAction, parseClientCapabilities } from '../../client-shim/index.js';
import { pythonJson } from '../support/python.js';
import type { Reply, Wire } from '../support/replay.js';
import { answer, call, dateTime, S } from '../support/system-fixtures.js';
import { problems } from '../support/system-shapes.js';
import { systemWorld, type SystemWorld } from '../support/system-world.js';

type Row = Record<string, Wire>;
let w: SystemWorld;
const NOW = (): { __datetime__: string } => dateTime(new Date());

t.before(async () => {
  w = await systemWorld();
});
t.teardown(() => w?.stop());

async function run(t: Test, calls: [string, ...unknown[]][]): Promise<Reply[]> {
  const replies = await call(w.server, calls.map(([method, ...params]) => ({ method, params: [S, ...params] })));
  replies.forEach((r, i) => {
    if (!r.fault) t.same(problems(calls[i]![0], calls[i]!.length, r), [], `${calls[i]![0]}: answer as admin-api.md says`);
  });
  return replies;
}
const rows = (r: Reply): Row[] => answer<Row[]>(r);
const faults = (rs: Reply[]): (number | undefined)[] => rs.map((r) => r.fault?.faultCode);
const actionCount = (): number => (w.db.stores.db.prepare('SELECT count(*) AS n FROM actions').get() as { n: number }).n;

/** The <methodCall> rhn_check would get for an action, as Python's xmlrpc.client reads it. */
async function delivered(actionId: number, serverId: number): Promise<{ method: string; params: unknown[] }> {
  const a = (await w.db.stores.actions.get(w.db.org, actionId))!;
  const enc = encodeAction(a.type, a.payload, { actionId, serverId, capabilities: parseClientCapabilities('packages.update(2)=1') });
  if (!enc.ok) throw new Error(`action ${actionId} cannot be encoded: ${enc.reason}`);
  const [params, method] = await pythonJson<[unknown[], string]>('import json, sys, xmlrpc.client\nprint(json.dumps(xmlrpc.client.loads(sys.stdin.read())))', [], enc.methodCall);
  return { method, params };
}

t.test('scheduleApplyErrata: one action per erratum, the update stack first, payloads the client reads', async (t) => {
  const { errata } = w;
  const r = await run(t, [['system.scheduleApplyErrata', w.web.id, [errata['SYS-SA-1'], errata['SYS-BA-2']]], ['system.getUnscheduledErrata', w.web.id]]);
  const ids = answer<number[]>(r[0]!);
  t.equal(ids.length, 2, 'two errata, two actions');
  const first = (await w.db.stores.actions.get(w.db.org, ids[0]!))!;
  t.same(first.payload, { errata: [errata['SYS-BA-2']] }, 'restart_suggested erratum first');
  t.same((await delivered(ids[0]!, w.web.id)), { method: 'errata.update', params: [[errata['SYS-BA-2']]] });
  t.same((await delivered(ids[1]!, w.web.id)), { method: 'errata.update', params: [[errata['SYS-SA-1']]] });
  t.same(rows(r[1]!).map((e) => e['advisory_name']).sort(), ['SYS-BA-4', 'SYS-SA-5'], 'scheduled errata leave the unscheduled list');
  const again = await run(t, [['system.scheduleApplyErrata', w.web.id, [errata['SYS-SA-1']]]]);
  t.same(faults(again), [2600], 'already scheduled');
  t.equal(again[0]!.fault!.faultString.startsWith('redstone.xmlrpc.XmlRpcFault: Invalid errata'), true);
  await run(t, [['schedule.cancelActions', ids]]);
});

t.test('all eight overloads', async (t) => {
  const e = w.errata;
  const when = dateTime(new Date(Date.now() + 3600_000));
  const forms: [string, ...unknown[]][] = [
    ['system.scheduleApplyErrata', [w.web.id, w.dbServer.id], [e['SYS-BA-2']]],
    ['system.scheduleApplyErrata', [w.web.id, w.dbServer.id], [e['SYS-BA-2']], true],
    ['system.scheduleApplyErrata', [w.web.id, w.dbServer.id], [e['SYS-BA-2']], when],
    ['system.scheduleApplyErrata', [w.web.id, w.dbServer.id], [e['SYS-BA-2']], when, false],
    ['system.scheduleApplyErrata', w.web.id, [e['SYS-BA-4']]],
    ['system.scheduleApplyErrata', w.web.id, [e['SYS-BA-4']], true],
    ['system.scheduleApplyErrata', w.web.id, [e['SYS-BA-4']], when],
    ['system.scheduleApplyErrata', w.web.id, [e['SYS-BA-4']], when, true],
  ];
  for (const form of forms) {
    const before = actionCount();
    const [got] = await run(t, [form]);
    const ids = answer<number[]>(got!);
    t.equal(ids.length, 1, `${form.length - 1} arguments, ${Array.isArray(form[1]) ? 'int[]' : 'int'} systems: one action`);
    t.equal(actionCount(), before + 1);
    const [systems, all] = await run(t, [['schedule.listInProgressSystems', ids[0]], ['schedule.listAllActions']]);
    t.same(rows(systems!).map((s) => s['server_id']).sort(), (Array.isArray(form[1]) ? form[1] as number[] : [form[1] as number]).sort(), 'every listed system');
    const listed = rows(all!).find((a) => a['id'] === ids[0])!;
    t.match(listed, { type: 'Errata Update', scheduler: w.server.adminUser, inProgressSystems: rows(systems!).length, completedSystems: 0, failedSystems: 0 });
    if (form.some((x) => x === when)) t.same(listed['earliest'], when, 'earliest as given');
    await run(t, [['schedule.cancelActions', ids]]);
  }
});

t.test('scheduleApplyErrata refusals: 1213, -208, 2600 (nothing created), 2107', async (t) => {
  const e = w.errata;
  const before = actionCount();
  const r = await run(t, [
    ['system.scheduleApplyErrata', [], [e['SYS-SA-1']]], ['system.scheduleApplyErrata', w.web.id, []],
    ['system.scheduleApplyErrata', [w.web.id, 12345], [e['SYS-SA-1']]],
    ['system.scheduleApplyErrata', w.web.id, [e['SYS-EA-3']]], ['system.scheduleApplyErrata', [w.web.id, w.dbServer.id], [e['SYS-SA-1']]],
    ['system.scheduleApplyErrata', w.web.id, [999999]], ['system.scheduleApplyErrata', w.web.id, [e['SYS-SA-1'], e['SYS-EA-3']]],
  ]);
  t.same(faults(r), [1213, 1213, -208, 2600, 2600, 2600, 2600], 'empty lists; unknown system; not relevant (arch, other system, unknown id, one of two)');
  t.equal(r[0]!.fault!.faultString, 'redstone.xmlrpc.XmlRpcFault: No systems specified.');
  t.equal(actionCount(), before, 'nothing was scheduled');
  // a module stream document on the base channel makes it modular
  w.db.stores.db.prepare('INSERT INTO channel_metadata (channel_id, kind, content, sha256) VALUES (?, ?, ?, ?)').run(w.channel['sys-base-x86_64'], 'modules', Buffer.from('---\ndocument: modulemd\nversion: 2\n'), 'x'.repeat(64));
  const m = await run(t, [
    ['system.scheduleApplyErrata', w.web.id, [e['SYS-SA-1']]], ['system.scheduleApplyErrata', w.web.id, [e['SYS-SA-1']], false],
    ['system.schedulePackageInstall', w.web.id, [w.pkg['alpha-1.2-1.noarch']], NOW()],
    ['system.scheduleApplyErrata', w.web.id, [e['SYS-SA-1']], true], ['system.schedulePackageInstall', w.web.id, [w.pkg['alpha-1.2-1.noarch']], NOW(), true],
  ]);
  t.same(faults(m), [2107, 2107, 2107, undefined, undefined], 'modular channel: only with allowModules');
  w.db.stores.db.prepare("DELETE FROM channel_metadata WHERE kind = 'modules'").run();
  await run(t, [['schedule.cancelActions', [...answer<number[]>(m[3]!), answer<number>(m[4]!)]]]);
});

t.test('package installs and removals', async (t) => {
  const p = w.pkg;
  const r = await run(t, [
    ['system.schedulePackageInstall', w.web.id, [p['alpha-1.2-1.noarch'], p['beta-1:1.5-1.x86_64']], NOW()],
    ['system.schedulePackageInstall', [w.web.id, w.dbServer.id], [p['epsilon-5.0-1.noarch']], NOW()],
    ['system.schedulePackageRemove', w.web.id, [p['kern-4.18-1.x86_64']], NOW()],
    ['system.schedulePackageRemove', [w.dbServer.id], [p['kern-4.18-3.x86_64']], NOW(), false],
    ['system.schedulePackageInstall', w.web.id, [999999], NOW()], ['system.schedulePackageInstall', w.web.id, [], NOW()],
    ['system.schedulePackageRemove', 4242, [p['kern-4.18-1.x86_64']], NOW()],
  ]);
  const single = answer<number>(r[0]!);
  t.same(await delivered(single, w.web.id), { method: 'packages.update', params: [[['alpha', '1.2', '1', '', 'noarch'], ['beta', '1.5', '1', '1', 'x86_64']]] });
  t.equal(answer<number[]>(r[1]!).length, 2, 'one action per system');
  t.same(await delivered(answer<number>(r[2]!), w.web.id), { method: 'packages.remove', params: [[['kern', '4.18', '1', '', 'x86_64']]] });
  t.equal(answer<number[]>(r[3]!).length, 1);
  t.same(faults(r.slice(4)), [2300, 1213, -208]);
  t.equal(r[4]!.fault!.faultString, 'redstone.xmlrpc.XmlRpcFault: Invalid package: 999999');
  // an unentitled system cannot get actions (MissingEntitlementException)
  const u = await run(t, [
    ['system.removeEntitlements', w.old.id, ['enterprise_entitled']], ['system.getDetails', w.old.id],
    ['system.schedulePackageInstall', w.old.id, [p['alpha-1.2-1.noarch']], NOW()], ['system.scheduleHardwareRefresh', w.old.id, NOW()],
    ['system.addEntitlements', w.old.id, ['enterprise_entitled']],
  ]);
  t.equal(answer<Row>(u[1]!)['base_entitlement'], 'unentitled');
  t.same(faults(u.slice(2)), [2400, 2400, undefined]);
});

t.test('refreshes, reboot, scripts and their results', async (t) => {
  const r = await run(t, [
    ['system.scheduleHardwareRefresh', w.dbServer.id, NOW()], ['system.schedulePackageRefresh', w.dbServer.id, NOW()], ['system.scheduleReboot', w.dbServer.id, NOW()],
    ['system.scheduleScriptRun', w.dbServer.id, 'root', 'root', 60, '#!/bin/sh\necho hi\n', NOW()],
  ]);
  for (const [i, method] of [[0, 'hardware.refresh_list'], [1, 'packages.refresh_list'], [2, 'reboot.reboot']] as const) {
    t.same(await delivered(answer<number>(r[i]!), w.dbServer.id), { method, params: [] }, method);
  }
  t.equal(r[3]!.fault?.faultCode, 2401, 'the client has not announced script.run');
  await w.db.stores.inventory.setCapabilities(w.dbServer.id, [{ name: 'script.run', version: 1, value: '1' }]);
  await w.db.stores.inventory.setCapabilities(w.web.id, [{ name: 'script.run', version: 1, value: '1' }]);
  const s = await run(t, [
    ['system.scheduleScriptRun', w.dbServer.id, 'root', 'root', 60, '#!/bin/sh\necho hi\n', NOW()],
    ['system.scheduleScriptRun', [w.dbServer.id, w.web.id], 'root', 'root', 60, 'echo two', NOW()],
    ['system.scheduleScriptRun', 'labelled one', w.dbServer.id, 'root', 'root', 60, 'echo three', NOW()],
    ['system.scheduleScriptRun', 'labelled many', [w.dbServer.id], 'nobody', 'nobody', 30, 'echo four', NOW()],
  ]);
  const [one, many, labelled] = s.map((x) => answer<number>(x));
  t.same(await run(t, [['system.getScriptResults', one]]).then((x) => answer(x[0]!)), [], 'no results before a client reports');
  await w.db.stores.actions.markPickedUp(w.dbServer.id, one!);
  await w.db.stores.actions.finish(w.dbServer.id, one!, { status: 2, resultCode: 0, message: 'hi' });
  const res = await run(t, [['system.getScriptResults', one], ['schedule.listInProgressSystems', many], ['schedule.listAllActions'], ['system.getScriptResults', answer<number>(r[0]!)], ['system.getScriptResults', 99999]]);
  t.match(rows(res[0]!), [{ serverId: w.dbServer.id, returnCode: 0, output: 'hi', output_enc64: false }]);
  t.equal(rows(res[1]!).length, 2, 'one action for both systems');
  t.ok(rows(res[2]!).some((a) => a['id'] === labelled && a['name'] === 'labelled one' && a['type'] === 'Run an arbitrary script'), 'the label names the action');
  t.same(faults(res.slice(3)), [2701, 2700], 'not a script action; no such action');
});

t.test('scheduleSyncPackagesWithSystem', async (t) => {
  const p = w.pkg;
  const r = await run(t, [
    ['system.scheduleSyncPackagesWithSystem', w.web.id, w.dbServer.id, [p['alpha-1.2-1.noarch'], p['kern-4.18-3.x86_64']], NOW()],
    ['system.scheduleSyncPackagesWithSystem', w.web.id, w.old.id, [p['alpha-1.2-1.noarch']], NOW()],
    ['system.scheduleSyncPackagesWithSystem', w.web.id, w.dbServer.id, [p['beta-2.0-1.x86_64']], NOW()],
    ['system.scheduleSyncPackagesWithSystem', w.dbServer.id, w.web.id, [p['epsilon-5.0-1.noarch']], NOW()],
  ]);
  t.same(await delivered(answer<number>(r[0]!), w.web.id), {
    method: 'packages.runTransaction',
    params: [{ packages: [[['alpha', '1.2', '1', '', 'noarch'], 'u'], [['kern', '4.18', '3', '', 'x86_64'], 'u']] }],
  }, 'web gets db1s newer builds');
  t.same(faults(r.slice(1, 3)), [1204, 1213], 'old1 has no base channel; beta 2.0-1 is the same on both');
  t.same(await delivered(answer<number>(r[3]!), w.dbServer.id), { method: 'packages.runTransaction', params: [{ packages: [[['epsilon', '5.0', '1', '', 'noarch'], 'i']] }] }, 'db1 gets what only web1 has');
});

t.test('schedule.* and the system history follow the action states', async (t) => {
  const e = w.errata;
  const [sched] = await run(t, [['system.scheduleApplyErrata', [w.web.id, w.dbServer.id], [e['SYS-BA-2']]]]);
  const [id] = answer<number[]>(sched!);
  const [inProgress] = await run(t, [['schedule.listInProgressActions']]);
  t.match(rows(inProgress!).find((a) => a['id'] === id), { inProgressSystems: 2, completedSystems: 0, failedSystems: 0 }, 'queued on both systems');
  const { actions } = w.db.stores;
  await actions.markPickedUp(w.web.id, id!);
  await actions.markPickedUp(w.dbServer.id, id!);
  const picked = await run(t, [['schedule.cancelActions', [id]]]);
  t.equal(picked[0]!.fault?.faultCode, 1233, 'a picked-up action cannot be cancelled');
  await actions.finish(w.web.id, id!, { status: 2, resultCode: 0, message: 'Update Succeeded' });
  await actions.finish(w.dbServer.id, id!, { status: 3, resultCode: 1, message: 'dnf failed' });
  const r = await run(t, [
    ['schedule.listCompletedActions'], ['schedule.listFailedActions'], ['schedule.listCompletedSystems', id], ['schedule.listFailedSystems', id],
    ['schedule.listInProgressSystems', id], ['system.listSystemEvents', w.web.id], ['system.listSystemEvents', w.web.id, 'Errata Update'],
    ['system.listSystemEvents', w.web.id, 'Package Install'], ['system.getEventHistory', w.web.id],
  ]);
  t.match(rows(r[0]!).find((a) => a['id'] === id), { completedSystems: 1, failedSystems: 1, inProgressSystems: 0 });
  t.ok(rows(r[1]!).some((a) => a['id'] === id));
  t.match(rows(r[2]!), [{ server_id: w.web.id, server_name: 'web1.example.com', base_channel: 'sys-base-x86_64', message: 'Update Succeeded' }]);
  t.match(rows(r[3]!), [{ server_id: w.dbServer.id, message: 'dnf failed' }]);
  t.same(answer(r[4]!), []);
  const [after] = await run(t, [['schedule.listInProgressActions']]);
  t.notOk(rows(after!).some((a) => a['id'] === id), 'finished on every system: no longer in progress');
  const ev = rows(r[5]!).find((x) => x['id'] === id)!;
  t.match(ev, { action_type: 'Errata Update', successful_count: 1, failed_count: 1, result_msg: 'Update Succeeded', scheduler_user: w.server.adminUser, additional_info: [{ detail: 'SYS-BA-2 (SYS-BA-2 synopsis)' }] });
  t.ok(rows(r[6]!).every((x) => x['action_type'] === 'Errata Update'), 'filtered by type name');
  t.ok(rows(r[7]!).every((x) => x['action_type'] === 'Package Install') && rows(r[7]!).length > 0);
  t.ok(rows(r[8]!).some((h) => /Errata Update scheduled by/.test(h['summary'] as string)));
  const again = await run(t, [['schedule.rescheduleActions', [id], true], ['schedule.listInProgressSystems', id], ['schedule.listFailedSystems', id]]);
  t.same(rows(again[1]!).map((s) => s['server_id']), [w.dbServer.id], 'only the failed system is queued again');
  t.same(answer(again[2]!), []);
  await w.db.stores.schedule.archive(w.db.org, [id!]);
  const arch = await run(t, [['schedule.listArchivedActions'], ['schedule.listCompletedActions'], ['schedule.listInProgressSystems', 999999], ['system.listSystemEvents', w.web.id, 'No such type']]);
  t.ok(rows(arch[0]!).some((a) => a['id'] === id), 'archived');
  t.notOk(rows(arch[1]!).some((a) => a['id'] === id), 'archived actions leave the other lists');
  t.same(faults(arch.slice(2)), [2700, -1], 'unknown action; unknown action type (IllegalArgumentException in Spacewalk)');
  const cancelled = await run(t, [['schedule.cancelActions', [id]], ['system.getUnscheduledErrata', w.dbServer.id]]);
  t.equal(answer(cancelled[0]!), 1, 'the queued (rescheduled) part can be cancelled');
  t.ok(rows(cancelled[1]!).some((x) => x['advisory_name'] === 'SYS-BA-2'), 'and the erratum is unscheduled for db1 again');
});

t.test('a completed errata update: the erratum leaves the relevant list; reboot suggested; auto updates', async (t) => {
  const e = w.errata;
  const [s] = await run(t, [['system.scheduleApplyErrata', w.web.id, [e['SYS-SA-5']]]]);
  const [id] = answer<number[]>(s!);
  await w.db.stores.actions.markPickedUp(w.web.id, id!);
  await w.db.stores.actions.finish(w.web.id, id!, { status: 2, resultCode: 0, message: 'Update Succeeded' });
  const profile = await w.db.stores.inventory.packages(w.db.org, w.web.id);
  await w.db.stores.inventory.replacePackages(w.db.org, w.web.id, [...profile.filter((p) => p.name !== 'kern'), { name: 'kern', epoch: '', version: '4.18', release: '3', arch: 'x86_64', installtime: null }]);
  const r = await run(t, [['system.getRelevantErrata', w.web.id], ['system.listSuggestedReboot'], ['errata.listAffectedSystems', 'SYS-SA-5']]);
  t.notOk(rows(r[0]!).some((x) => x['advisory_name'] === 'SYS-SA-5'), 'installed: no longer relevant');
  t.same(answer(r[1]!), [{ id: w.web.id, name: 'web1.example.com' }], 'reboot_suggested erratum applied since the last boot');
  t.same(answer(r[2]!), []);
  const before = actionCount();
  const auto = await run(t, [['system.setDetails', w.dbServer.id, { auto_errata_update: true }], ['system.getDetails', w.dbServer.id], ['system.getUnscheduledErrata', w.dbServer.id]]);
  t.equal(answer<Row>(auto[1]!)['auto_update'], true);
  t.equal(actionCount(), before + 1, 'turning auto updates on schedules what the system needs');
  t.same(answer(auto[2]!), [], 'so nothing is left unscheduled');
});
