// ActionStore and ScheduleStore on a real database: the queue state machine of
// client-protocol.md 6.2/6.3 (delivery order, prerequisites and their cascade, the reboot case,
// remaining tries, submit rules) and the schedule API (counts, filters, cancel, reschedule, archive, history).
import t from 'tap';
import { ActionStatus, type QueuedAction } from '../../channels/index.js';
import { guestFixture, type GuestFixture, refusal } from '../support/guest-fixtures.js';

let f: GuestFixture;
t.before(async () => {
  f = await guestFixture();
});
t.teardown(() => f?.close());

const NOW = new Date('2024-06-01T12:00:00Z');
const at = (minutes: number): Date => new Date(NOW.getTime() + minutes * 60_000);

const schedule = (systemIds: number[], over: { type?: string; earliest?: Date; prerequisite?: number | null; payload?: unknown; orgId?: number } = {}): Promise<number> =>
  f.stores.actions.create({
    orgId: over.orgId ?? f.org, type: over.type ?? 'packages.update', name: 'test', schedulerId: f.userId,
    earliest: over.earliest ?? at(-60), prerequisite: over.prerequisite ?? null, payload: over.payload ?? {}, systemIds, now: at(-120),
  });

const ids = (qs: readonly QueuedAction[]): number[] => qs.map((q) => q.actionId);
const state = (systemId: number, actionId: number): string =>
  f.sql(`SELECT status || ',' || remaining_tries || ',' || coalesce(result_code, '') || ',' || coalesce(result_msg, '') FROM server_actions WHERE system_id = ${systemId} AND action_id = ${actionId}`);

t.test('create: one row per system, payload and defaults; refusals leave nothing', async (t) => {
  const a = await f.register();
  const b = await f.register();
  const id = await schedule([a.id, b.id, a.id], { payload: { packages: [['zsh', '5.0.2', '34.el7', '', 'x86_64']] } });
  t.ok(id > 0 && id <= 2147483647);
  t.match(await f.stores.actions.get(f.org, id), { id, orgId: f.org, type: 'packages.update', version: 2, schedulerLogin: 'admin', prerequisite: null, archived: false, payload: { packages: [['zsh', '5.0.2', '34.el7', '', 'x86_64']] } });
  t.equal(await f.stores.actions.get(f.otherOrg, id), null);
  t.equal(f.sql(`SELECT count(*) || ',' || min(status) || ',' || min(remaining_tries) FROM server_actions WHERE action_id = ${id}`), '2,0,5');
  const theirs = await f.register({ orgId: f.otherOrg });
  const count = f.sql('SELECT (SELECT count(*) FROM actions), (SELECT count(*) FROM server_actions)');
  t.match(await refusal(schedule([a.id, theirs.id])), { kind: 'NotFound', entity: 'system' });
  t.match(await refusal(schedule([a.id], { orgId: f.otherOrg })), { kind: 'NotFound', entity: 'system' });
  t.match(await refusal(schedule([a.id], { prerequisite: 999_999 })), { kind: 'InvalidArgument', reason: 'action.prerequisite' });
  t.equal(f.sql('SELECT (SELECT count(*) FROM actions), (SELECT count(*) FROM server_actions)'), count);
  const base = { orgId: f.org, type: 'errata.update', name: 'e', earliest: at(-1), systemIds: [a.id, b.id] };
  const many = await f.stores.actions.createMany([{ ...base, payload: { errataIds: [1] } }, { ...base, payload: { errataIds: [2] } }]);
  t.equal(many.length, 2);
  t.same((await Promise.all(many.map((id) => f.stores.actions.get(f.org, id)))).map((x) => x!.payload), [{ errataIds: [1] }, { errataIds: [2] }], 'ids in the order given');
  const after = f.sql('SELECT (SELECT count(*) FROM actions), (SELECT count(*) FROM server_actions)');
  t.match(await refusal(f.stores.actions.createMany([base, { ...base, systemIds: [theirs.id] }])), { kind: 'NotFound', entity: 'system' });
  t.equal(f.sql('SELECT (SELECT count(*) FROM actions), (SELECT count(*) FROM server_actions)'), after, 'createMany is all or none');
});

t.test('delivery order: earliest, then no prerequisite first, then id; future actions wait', async (t) => {
  const s = await f.register();
  const other = await f.register();
  const late = await schedule([s.id], { earliest: at(-10) });
  const early = await schedule([s.id], { earliest: at(-50) });
  const parentOnOther = await schedule([other.id], { earliest: at(-90) });
  const withPrereq = await schedule([s.id], { earliest: at(-30), prerequisite: parentOnOther });
  const noPrereq = await schedule([s.id], { earliest: at(-30) });
  const future = await schedule([s.id], { earliest: at(30) });
  const poll = await f.stores.actions.poll(s.id, NOW);
  // the prerequisite is not an action of this system, so (as queue.py) it does not block
  t.same(ids(poll.candidates), [early, noPrereq, withPrereq, late]);
  t.same(poll.invalidated, []);
  t.equal(poll.rebootPending, null);
  t.notOk(ids(poll.candidates).includes(future), 'not due yet');
  t.same(ids(await f.stores.actions.candidates(s.id, at(31))), [early, noPrereq, withPrereq, late, future]);
  t.equal(await f.stores.actions.queueLength(s.id), 5);
});

t.test('pickup, remaining tries and submit rules', async (t) => {
  const s = await f.register();
  const id = await schedule([s.id]);
  t.equal(await f.stores.actions.markPickedUp(s.id, id, NOW), true);
  t.equal(state(s.id, id), '1,4,,');
  t.match(await f.stores.actions.systemAction(s.id, id), { status: ActionStatus.PickedUp, remainingTries: 4, pickupTime: NOW, type: 'packages.update' });
  t.same(ids((await f.stores.actions.poll(s.id, NOW)).candidates), [id], 'a picked-up action is delivered again');
  for (let i = 0; i < 4; i++) await f.stores.actions.markPickedUp(s.id, id, NOW);
  const exhausted = (await f.stores.actions.poll(s.id, NOW)).candidates[0]!;
  t.equal(exhausted.remainingTries, 0, 'the protocol sees the tries are used up');
  const msg = 'This action has been picked up multiple times without a successful transaction; this action is now failed for this system.';
  t.same(await f.stores.actions.finish(s.id, id, { status: ActionStatus.Failed, resultCode: null, message: msg }, { anyOpen: true, now: NOW }), { updated: true, failedDependants: [] });
  t.equal(state(s.id, id), `3,0,,${msg}`);
  t.same(await f.stores.actions.finish(s.id, id, { status: ActionStatus.Completed, resultCode: 0, message: 'late' }), { updated: false, failedDependants: [] }, 'a finished action cannot be submitted again');

  const queued = await schedule([s.id]);
  t.same(await f.stores.actions.finish(s.id, queued, { status: ActionStatus.Completed, resultCode: 0, message: 'x' }), { updated: false, failedDependants: [] }, 'submit needs a picked-up action');
  t.equal(await f.stores.actions.markPickedUp((await f.register()).id, queued), false, 'another system cannot pick it up');
  await f.stores.actions.markPickedUp(s.id, queued, NOW);
  const long = 'x'.repeat(2000);
  t.same(await f.stores.actions.finish(s.id, queued, { status: ActionStatus.Completed, resultCode: 0, message: long }, { now: NOW }), { updated: true, failedDependants: [] });
  t.equal(state(s.id, queued), `2,4,0,${'x'.repeat(1024)}`, 'message clipped to 1024 characters');
  t.match(await f.stores.actions.systemAction(s.id, queued), { completionTime: NOW, resultCode: 0 });
  t.equal(await f.stores.actions.queueLength(s.id), 0);
  t.same(await f.stores.actions.poll(s.id, NOW), { invalidated: [], rebootPending: null, candidates: [] });
});

t.test('prerequisites: blocked until completed, failure cascades down the chain', async (t) => {
  const s = await f.register();
  const root = await schedule([s.id], { earliest: at(-50) });
  const child = await schedule([s.id], { earliest: at(-40), prerequisite: root });
  const grandchild = await schedule([s.id], { earliest: at(-30), prerequisite: child });
  const sibling = await schedule([s.id], { earliest: at(-20) });
  t.same(ids((await f.stores.actions.poll(s.id, NOW)).candidates), [root, sibling], 'children wait for the root');
  await f.stores.actions.markPickedUp(s.id, root, NOW);
  t.same(await f.stores.actions.finish(s.id, root, { status: ActionStatus.Completed, resultCode: 0, message: 'ok' }, { now: NOW }), { updated: true, failedDependants: [] });
  t.same(ids((await f.stores.actions.poll(s.id, NOW)).candidates), [child, sibling]);
  await f.stores.actions.markPickedUp(s.id, child, NOW);
  t.same(await f.stores.actions.finish(s.id, child, { status: ActionStatus.Failed, resultCode: 32, message: 'Failed: Packages failed to install properly' }, { now: NOW }),
    { updated: true, failedDependants: [grandchild] });
  t.equal(state(s.id, child), '3,4,32,Failed: Packages failed to install properly');
  t.equal(state(s.id, grandchild), '3,5,-100,Prerequisite failed');
  t.equal(state(s.id, sibling), '0,5,,', 'unrelated actions untouched');
  t.same(ids((await f.stores.actions.poll(s.id, NOW)).candidates), [sibling]);
});

t.test('poll fails open actions whose prerequisite failed by other means, with their descendants', async (t) => {
  const s = await f.register();
  const other = await f.register();
  const root = await schedule([s.id, other.id]);
  const child = await schedule([s.id, other.id], { prerequisite: root });
  const grandchild = await schedule([s.id], { prerequisite: child });
  // the root failed without the cascade (as an admin's failSystemAction or an old server would leave it)
  f.stores.db.prepare('UPDATE server_actions SET status = 3 WHERE action_id = ?').run(root);
  const poll = await f.stores.actions.poll(s.id, NOW);
  t.same(poll.invalidated, [child, grandchild].sort((a, b) => a - b));
  t.same(poll.candidates, []);
  t.equal(state(s.id, grandchild), '3,5,-100,Prerequisite failed');
  t.equal(state(other.id, child), '0,5,,', "another system's queue is its own");
  t.same(await f.stores.actions.failBrokenPrerequisites(other.id, NOW), [child]);
});

t.test('reboot: a picked-up reboot holds the queue until the boot time moves', async (t) => {
  const s = await f.register();
  const reboot = await schedule([s.id], { type: 'reboot.reboot', earliest: at(-50) });
  const after = await schedule([s.id], { earliest: at(-40) });
  t.same(ids((await f.stores.actions.poll(s.id, NOW)).candidates), [reboot, after]);
  await f.stores.actions.markPickedUp(s.id, reboot, NOW);
  t.equal(await f.stores.actions.pickedUpReboot(s.id), reboot);
  t.same(await f.stores.actions.poll(s.id, NOW), { invalidated: [], rebootPending: reboot, candidates: [] });
  const boot = NOW.getTime() / 1000;
  t.same(await f.stores.systems.recordStatus(s.id, { bootTime: boot, bootToleranceSeconds: 5 }), { bootChanged: true });
  t.same(await f.stores.actions.completePickedUpReboots(s.id, undefined, NOW), [reboot]);
  t.equal(state(s.id, reboot), '2,4,0,Reboot completed.');
  t.same(await f.stores.actions.completePickedUpReboots(s.id), [], 'nothing left to complete');
  t.same(ids((await f.stores.actions.poll(s.id, NOW)).candidates), [after]);
});

t.test('schedule lists: counts per status and the five filters', async (t) => {
  const [a, b, c] = [await f.register({ name: 'sa' }), await f.register({ name: 'sb', baseChannelId: f.base }), await f.register({ name: 'sc' })];
  const id = await schedule([a.id, b.id, c.id], { type: 'errata.update', earliest: at(500) });
  await f.stores.actions.markPickedUp(b.id, id, NOW);
  await f.stores.actions.finish(b.id, id, { status: ActionStatus.Completed, resultCode: 0, message: 'done' }, { now: NOW });
  await f.stores.actions.markPickedUp(c.id, id, NOW);
  await f.stores.actions.finish(c.id, id, { status: ActionStatus.Failed, resultCode: 6, message: 'broken' }, { now: NOW });
  const pending = await schedule([a.id], { earliest: at(400) });
  const find = async (filter: 'all' | 'completed' | 'failed' | 'inProgress' | 'archived'): Promise<number[]> => (await f.stores.schedule.list(f.org, filter)).map((x) => x.id);
  t.match((await f.stores.schedule.list(f.org, 'all')).find((x) => x.id === id), { type: 'errata.update', schedulerLogin: 'admin', completedSystems: 1, failedSystems: 1, inProgressSystems: 1 });
  t.ok((await find('completed')).includes(id) && !(await find('completed')).includes(pending));
  t.ok((await find('failed')).includes(id));
  t.ok((await find('inProgress')).includes(id) && (await find('inProgress')).includes(pending));
  t.same(await f.stores.schedule.list(f.otherOrg, 'all'), []);
  t.match(await f.stores.schedule.systems(f.org, id, 'completed'), [{ systemId: b.id, systemName: 'sb', baseChannelLabel: 'base-el7', resultMessage: 'done', completionTime: NOW }]);
  t.match(await f.stores.schedule.systems(f.org, id, 'failed'), [{ systemId: c.id, resultCode: 6 }]);
  t.match(await f.stores.schedule.systems(f.org, id, 'inProgress'), [{ systemId: a.id, status: 0, baseChannelLabel: null }]);
  t.same(await f.stores.schedule.systems(f.otherOrg, id, 'completed'), []);
  t.equal(await f.stores.schedule.archive(f.org, [id]), 1);
  t.notOk((await find('completed')).includes(id), 'archived actions leave the status lists');
  t.ok((await find('archived')).includes(id) && (await find('all')).includes(id));
  t.match(await refusal(f.stores.schedule.archive(f.org, [pending, 999_999])), { kind: 'InvalidArgument', reason: 'action.unknown' });
  t.notOk((await find('archived')).includes(pending), 'all or none');
});

t.test('cancel: top-level only, not once picked up, deletes what no system picked up (descendants too)', async (t) => {
  const [a, b] = [await f.register(), await f.register()];
  const root = await schedule([a.id, b.id]);
  const child = await schedule([a.id, b.id], { prerequisite: root });
  t.match(await refusal(f.stores.schedule.cancel(f.org, [child])), { kind: 'Conflict', reason: 'action.child' });
  await f.stores.actions.markPickedUp(a.id, root, NOW);
  t.match(await refusal(f.stores.schedule.cancel(f.org, [root])), { kind: 'Conflict', reason: 'action.picked_up' });
  await f.stores.actions.finish(a.id, root, { status: ActionStatus.Completed, resultCode: 0, message: 'ok' }, { now: NOW });
  const lone = await schedule([a.id]);
  t.match(await refusal(f.stores.schedule.cancel(f.org, [lone, 999_999])), { kind: 'InvalidArgument', reason: 'action.unknown' });
  t.equal(f.sql(`SELECT count(*) FROM server_actions WHERE action_id = ${lone}`), '1', 'all or none');
  t.equal(await f.stores.schedule.cancel(f.org, [root, lone]), 4, "b's root and child, a's child, the lone action");
  t.equal(f.sql(`SELECT group_concat(system_id || ':' || action_id || ':' || status) FROM server_actions WHERE action_id IN (${root}, ${child}, ${lone})`), `${a.id}:${root}:2`, 'the completed run stays as history');
  t.ok(await f.stores.actions.get(f.org, root), 'the action itself is kept');
});

t.test('reschedule: failed (or all) systems back to queued with fresh tries', async (t) => {
  const [a, b] = [await f.register(), await f.register()];
  const id = await schedule([a.id, b.id]);
  for (const s of [a, b]) await f.stores.actions.markPickedUp(s.id, id, NOW);
  await f.stores.actions.finish(a.id, id, { status: ActionStatus.Failed, resultCode: 1, message: 'no' }, { now: NOW });
  await f.stores.actions.finish(b.id, id, { status: ActionStatus.Completed, resultCode: 0, message: 'yes' }, { now: NOW });
  t.equal(await f.stores.schedule.reschedule(f.org, [id], true), 1);
  t.equal(state(a.id, id), '0,5,,');
  t.match(await f.stores.actions.systemAction(a.id, id), { pickupTime: null, completionTime: null });
  t.equal(state(b.id, id), '2,4,0,yes');
  t.equal(await f.stores.schedule.reschedule(f.org, [id], false), 2);
  t.equal(state(b.id, id), '0,5,,');
  t.match(await refusal(f.stores.schedule.reschedule(f.otherOrg, [id], false)), { kind: 'InvalidArgument' });
});

t.test('history and open actions of systems', async (t) => {
  const [a, b] = [await f.register(), await f.register()];
  const first = await schedule([a.id, b.id], { type: 'errata.update', payload: { errataIds: [7] } });
  const second = await schedule([a.id], { type: 'packages.refresh_list' });
  await f.stores.actions.markPickedUp(b.id, first, NOW);
  await f.stores.actions.finish(b.id, first, { status: ActionStatus.Failed, resultCode: 6, message: 'x' }, { now: NOW });
  const h = await f.stores.schedule.history(f.org, a.id);
  t.same(h.map((e) => e.actionId), [second, first].sort((x, y) => y - x), 'newest first');
  t.match(h.find((e) => e.actionId === first), { type: 'errata.update', status: 0, schedulerLogin: 'admin', successfulCount: 0, failedCount: 1, archived: false });
  t.same((await f.stores.schedule.history(f.org, a.id, 'packages.refresh_list')).map((e) => e.actionId), [second]);
  t.same(await f.stores.schedule.history(f.otherOrg, a.id), []);
  t.same((await f.stores.schedule.openActions(f.org, [a.id, b.id], 'errata.update')).map((q) => [q.systemId, q.actionId, q.payload]), [[a.id, first, { errataIds: [7] }]]);
});
