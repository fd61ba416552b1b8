// The action queue on a real server (client-protocol.md 6): queue.get with rhn_check's status
// struct, the state machine (queued -> picked up -> completed/failed), remaining tries,
// prerequisites, the reboot special case, errata result 39, array statuses, undeliverable types
// failed with -99, locked systems, faults 22 and 30, queue.length, get_future_actions and legacy
// version 1. Payloads are read back with Python's xmlrpc.client as rhn_check parses them.
import t, { type Test } from 'tap';
import type { Channel } from '../../channels/index.js';
import { CLIENT_CAPS_TWICE, guestCall, guestCalls, parseAction, serverCapabilities, serverIdOf, type GuestReply } from '../support/guest-client.js';
import { guestWorld, type GuestWorld } from '../support/guest-world.js';

let w: GuestWorld;
let base: Channel;
let key: string;
const QUEUE_HEADERS = { 'X-RHN-Client-Capability': CLIENT_CAPS_TWICE };

t.before(async () => {
  w = await guestWorld();
  base = await w.channel('queue-el8', null);
  key = await w.key('queue', { base });
});
t.teardown(() => w?.stop());

interface Sa {
  status: number;
  remaining_tries: number;
  result_code: number | null;
  result_msg: string | null;
  pickup_time: number | null;
  completion_time: number | null;
}
const sa = (system: number, action: number): Sa => w.one<Sa>('SELECT * FROM server_actions WHERE system_id = ? AND action_id = ?', system, action);

let ago = 600;
/** Schedules an action for one system, each one a little later than the one before. */
function schedule(system: number, type: string, payload: unknown = {}, opts: { prerequisite?: number; remainingTries?: number } = {}): Promise<number> {
  ago -= 1;
  return w.stores.actions.create({
    orgId: w.org, type, name: `${type} by the queue test`, earliest: new Date(Date.now() - ago * 1000), payload, systemIds: [system],
    ...(opts.prerequisite !== undefined ? { prerequisite: opts.prerequisite } : {}),
    ...(opts.remainingTries !== undefined ? { remainingTries: opts.remainingTries } : {}),
  });
}

const status = (uptime: number) => ({ uname: ['Linux', 'guest', '4.18.0-513.el8.x86_64', '#1 SMP', 'x86_64'], uptime: [uptime, 100] });
const get = (doc: string, uptime = 5000): Promise<GuestReply> => guestCall(w.url, 'queue.get', [doc, 2, status(uptime)], QUEUE_HEADERS);
const submit = (doc: string, id: unknown, result: unknown, message = 'done', data: unknown = {}): Promise<GuestReply> =>
  guestCall(w.url, 'queue.submit', [doc, id, result, message, data], QUEUE_HEADERS);

async function registered(name: string): Promise<{ doc: string; id: number }> {
  const doc = await w.register(key, name);
  return { doc, id: serverIdOf(doc) };
}

function delivered(t: Test, r: GuestReply, actionId: number): string {
  const a = r.answer as { id: number; version: number; action: string };
  t.same(Object.keys(a ?? {}).sort(), ['action', 'id', 'version'], 'a struct {id, version, action}');
  t.equal(a?.id, actionId, `action ${actionId} delivered`);
  t.equal(a?.version, 2);
  t.ok(serverCapabilities(r).length > 0, 'capabilities on the answer');
  return a?.action ?? '';
}

t.test('nothing queued: "" and the status struct is stored', async (t) => {
  const { doc, id } = await registered('idle.example.com');
  const before = Date.now() / 1000;
  const r = await get(doc, 3600);
  t.equal(r.answer, '');
  t.match(r.xml, /<value><string><\/string><\/value>/, 'an empty string, not a struct or nil');
  const row = w.one<{ running_kernel: string; last_boot: number }>('SELECT running_kernel, last_boot FROM systems WHERE id = ?', id);
  t.equal(row.running_kernel, '4.18.0-513.el8.x86_64');
  t.ok(Math.abs(row.last_boot - (before - 3600)) <= 2, 'last boot = now - uptime');
  t.same(w.all('SELECT name FROM system_capabilities WHERE system_id = ? ORDER BY name', id).length, 7, 'capabilities kept (duplicates folded)');
  const [future, len, noStatus] = await guestCalls(w.url, [
    { method: 'queue.get_future_actions', params: [doc, 24] },
    { method: 'queue.length', params: [doc] },
    { method: 'queue.get', params: [doc, 2] },
  ]);
  t.same(future!.answer, []);
  t.equal(len!.answer, 0);
  t.equal(noStatus!.answer, '');
});

t.test('packages.update: queued -> picked up -> completed; the payload as rhn_check reads it', async (t) => {
  const { doc, id } = await registered('update.example.com');
  const pkgs = [['sw-hello', '1.1', '1.el8', '', 'noarch'], ['zsh', '', '', '', 'x86_64']];
  const a = await schedule(id, 'packages.update', { packages: pkgs });
  t.equal((await guestCall(w.url, 'queue.length', [doc])).answer, 1);
  const action = delivered(t, await get(doc), a);
  t.same(await parseAction(action), { method: 'packages.update', params: [pkgs] });
  t.match(sa(id, a), { status: 1, remaining_tries: 4 });
  t.ok(sa(id, a).pickup_time !== null);
  t.equal((await submit(doc, a, 0, 'Update Succeeded')).answer, 0);
  t.match(sa(id, a), { status: 2, result_code: 0, result_msg: 'Update Succeeded' });
  t.ok(sa(id, a).completion_time !== null);
  t.equal((await get(doc)).answer, '');
  const again = await submit(doc, a, 0);
  t.equal(again.fault?.faultCode, -22, 'a second submit: fault 22');
  t.match(again.fault?.faultString, `Action ${a} does not belong to server ${id}`);
  const noArch = await schedule(id, 'packages.update', { packages: [pkgs[0]] });
  const old = await guestCall(w.url, 'queue.get', [doc, 2, {}], { 'X-RHN-Client-Capability': 'caneatCheese(1)=1,packages.update(1)=1' });
  t.same((await parseAction(delivered(t, old, noArch))).params, [[['sw-hello', '1.1', '1.el8', '', '']]], 'no arch for packages.update(1) clients');
});

t.test('faults 22 and 30', async (t) => {
  const mine = await registered('mine.example.com');
  const other = await registered('other.example.com');
  const a = await schedule(other.id, 'packages.refresh_list');
  const queued = await schedule(mine.id, 'hardware.refresh_list');
  delivered(t, await get(other.doc), a);
  const r = await guestCalls(w.url, [
    { method: 'queue.submit', params: [mine.doc, a, 0, 'x', {}] },
    { method: 'queue.submit', params: [mine.doc, 2147483000, 0, 'x', {}] },
    { method: 'queue.submit', params: [mine.doc, 'abc', 0, 'x', {}] },
    { method: 'queue.submit', params: [mine.doc, queued, 0, 'x', {}] },
    { method: 'queue.submit', params: [other.doc, String(a), 0, 'as text', {}] },
  ]);
  t.equal(r[0]!.fault?.faultCode, -22, "another system's action");
  t.equal(r[1]!.fault?.faultCode, -22, 'an unknown action id');
  t.equal(r[2]!.fault?.faultCode, -30, 'an action id that is not an int');
  t.match(r[2]!.fault?.faultString, "Invalid action value type abc (<type 'str'>)");
  t.equal(r[3]!.fault?.faultCode, -22, 'an action that was never picked up');
  t.equal(r[4]!.answer, 0, 'an id Python int() reads is accepted');
  t.match(sa(other.id, a), { status: 2, result_msg: 'as text' });
  t.match(sa(mine.id, queued), { status: 0 });
});

t.test('prerequisites: dependants wait, then fail with their prerequisite', async (t) => {
  const { doc, id } = await registered('prereq.example.com');
  const a = await schedule(id, 'packages.update', { packages: [['a', '', '', '', 'noarch']] });
  const b = await schedule(id, 'packages.refresh_list', {}, { prerequisite: a });
  const c = await schedule(id, 'hardware.refresh_list', {}, { prerequisite: b });
  delivered(t, await get(doc), a);
  // b waits for a: until a is submitted, a is what goes out again
  delivered(t, await get(doc), a);
  t.equal((await submit(doc, a, 32, 'Failed: Packages failed to install properly', { version: '1', name: 'package_install_failure' })).answer, 0);
  t.match(sa(id, a), { status: 3, result_code: 32 });
  t.match(sa(id, b), { status: 3, result_code: -100, result_msg: 'Prerequisite failed' });
  t.match(sa(id, c), { status: 3, result_code: -100 });
  t.equal((await get(doc)).answer, '');

  const d = await schedule(id, 'packages.refresh_list');
  const e = await schedule(id, 'hardware.refresh_list', {}, { prerequisite: d });
  delivered(t, await get(doc), d);
  await submit(doc, d, 0, 'rpmlist refreshed');
  delivered(t, await get(doc), e);
  await submit(doc, e, 0, 'hardware list refreshed');
  t.match(sa(id, e), { status: 2 });

  // a prerequisite that failed behind queue.get's back: the next queue.get fails the dependant
  const f = await schedule(id, 'packages.refresh_list');
  const g = await schedule(id, 'hardware.refresh_list', {}, { prerequisite: f });
  w.stores.db.prepare('UPDATE server_actions SET status = 3 WHERE system_id = ? AND action_id = ?').run(id, f);
  t.equal((await get(doc)).answer, '');
  t.match(sa(id, g), { status: 3, result_msg: 'Prerequisite failed' });
});

t.test('remaining tries: an action never submitted fails after its last pickup', async (t) => {
  const { doc, id } = await registered('tries.example.com');
  const a = await schedule(id, 'packages.refresh_list', {}, { remainingTries: 2 });
  const next = await schedule(id, 'hardware.refresh_list');
  delivered(t, await get(doc), a);
  t.equal(sa(id, a).remaining_tries, 1);
  delivered(t, await get(doc), a);
  t.equal(sa(id, a).remaining_tries, 0);
  delivered(t, await get(doc), next);
  t.match(sa(id, a), {
    status: 3, result_code: null,
    result_msg: 'This action has been picked up multiple times without a successful transaction; this action is now failed for this system.',
  });
});

t.test('reboot.reboot stays picked up until the uptime shows a new boot', async (t) => {
  const { doc, id } = await registered('reboot.example.com');
  const reboot = await schedule(id, 'reboot.reboot');
  const after = await schedule(id, 'packages.refresh_list');
  t.same(await parseAction(delivered(t, await get(doc, 10_000), reboot)), { method: 'reboot.reboot', params: [] });
  t.equal((await submit(doc, reboot, 0, 'Reboot sucessfully started', { version: '0' })).answer, 0);
  t.match(sa(id, reboot), { status: 1, result_code: null }, 'still picked up');
  t.equal((await get(doc, 10_001)).answer, '', 'same boot: nothing, the next action waits');
  t.same((await guestCall(w.url, 'queue.get_future_actions', [doc, 24])).answer, []);
  t.match(sa(id, after), { status: 0 });
  delivered(t, await get(doc, 30), after);
  t.match(sa(id, reboot), { status: 2 }, 'completed by the new boot');
  await submit(doc, after, 0, 'rpmlist refreshed');
  const failing = await schedule(id, 'reboot.reboot');
  delivered(t, await get(doc, 40), failing);
  await submit(doc, failing, 38, 'Up2date is configured not to allow reboots');
  t.match(sa(id, failing), { status: 3, result_code: 38 });
});

t.test('result decisions: errata 39 completes, an array status fails, a double is not a status', async (t) => {
  const { doc, id } = await registered('results.example.com');
  const e = await schedule(id, 'errata.update', { errata: [42] });
  t.same(await parseAction(delivered(t, await get(doc), e)), { method: 'errata.update', params: [[42]] });
  await submit(doc, e, 39, 'No packages from that errata are available', { version: '0', name: 'errata.update.no_packages', erratas: [42] });
  t.match(sa(id, e), { status: 2, result_code: 39 });
  const p = await schedule(id, 'packages.update', { packages: [['x', '', '', '', '']] });
  delivered(t, await get(doc), p);
  await submit(doc, p, [6], 'Error while executing packages action: boom');
  t.match(sa(id, p), { status: 3, result_code: -1, result_msg: 'Error while executing packages action: boom [[6]]' });
  const q = await schedule(id, 'packages.refresh_list');
  delivered(t, await get(doc), q);
  await submit(doc, q, { __double__: 0 }, 'float');
  t.match(sa(id, q), { status: 3, result_code: -1, result_msg: /^float \[/ });
  const m = await schedule(id, 'packages.update', { packages: [['y', '', '', '', '']] });
  delivered(t, await get(doc), m);
  await submit(doc, m, 18, 'Failed: packages requested raised dependency problems', { missing_packages: ['libfoo'] });
  t.match(sa(id, m), { status: 3, result_code: 18, result_msg: "Failed: packages requested raised dependency problems Missing-Packages: ['libfoo']" });
});

t.test('undeliverable actions fail with -99 instead of blocking the queue', async (t) => {
  const { doc, id } = await registered('undeliverable.example.com');
  const script = await schedule(id, 'script.run', { script: '#!/bin/sh' });
  const empty = await schedule(id, 'packages.update', { packages: [] });
  const fine = await schedule(id, 'packages.refresh_list');
  delivered(t, await get(doc), fine);
  t.match(sa(id, script), { status: 3, result_code: -99, result_msg: 'Could not get a valid method for script.run' });
  t.match(sa(id, empty), { status: 3, result_code: -99, result_msg: `Packages scheduled in action ${empty} for server ${id} could not be found.` });
});

t.test('a locked system is not given actions that need an unlocked one', async (t) => {
  const { doc, id } = await registered('locked.example.com');
  // before the server has looked at this system: no cached identity to wait out
  await w.stores.systems.update(w.org, id, { locked: true });
  const blocked = await schedule(id, 'packages.update', { packages: [['a', '', '', '', '']] });
  const allowed = await schedule(id, 'hardware.refresh_list');
  delivered(t, await get(doc), allowed);
  await submit(doc, allowed, 0);
  t.equal((await get(doc)).answer, '');
  t.match(sa(id, blocked), { status: 0 });
  t.equal((await guestCall(w.url, 'queue.length', [doc])).answer, 1);
});

t.test('legacy version 1 callers get "" and nothing is picked up', async (t) => {
  const { doc, id } = await registered('legacy.example.com');
  const a = await schedule(id, 'packages.refresh_list');
  const [v1, none] = await guestCalls(w.url, [
    { method: 'queue.get', params: [doc, 1, status(100)] },
    { method: 'queue.get', params: [doc] },
  ]);
  t.equal(v1!.answer, '');
  t.equal(none!.answer, '');
  t.match(sa(id, a), { status: 0, remaining_tries: 5 });
});
