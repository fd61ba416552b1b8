// queue.* (client-protocol.md 6.2-6.4): rhn_check's queue.get with the status struct (running
// kernel, last boot and the reboot completion it implies), delivery of the first deliverable
// action (remaining tries, locked systems, undeliverable types failed with -99 instead of blocking
// the queue), queue.submit's decision table, queue.length and get_future_actions.
import type { QueuedAction, SystemAuth } from '../channels/index.js';
import { decideSubmit, encodeAction, parseActionId } from './actions.js';
import { isStruct, storeCapabilities, textArg, type ClientEnv } from './client-env.js';
import type { ClientCallContext, ClientMethod, ClientNamespace } from './dispatch.js';
import { ClientFault } from './faults.js';

const TOO_MANY_TRIES =
  'This action has been picked up multiple times without a successful transaction; this action is now failed for this system.';

/** Action types a locked system is not given (rhnActionType.unlocked_only = 'Y'). */
const UNLOCKED_ONLY = new Set([
  'packages.update', 'packages.remove', 'errata.update', 'up2date_config.get', 'up2date_config.update', 'packages.delta',
  'reboot.reboot', 'rollback.config', 'rollback.rollback', 'packages.autoupdate', 'packages.runTransaction',
  'configfiles.deploy', 'kickstart.initiate', 'kickstart_guest.initiate',
]);

/** Spacewalk moves last_boot only when the reported boot is more than this far from the stored one. */
const BOOT_TOLERANCE_SECONDS = 5;

/** Python's float() of uptime[0]; null when it would raise. */
function seconds(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) return Number(v);
  return null;
}

/**
 * Step 2 of 6.2: running kernel from uname[2], last boot from uptime[0]; a new boot completes
 * picked-up reboots. The stored values are remembered, so an unchanged report costs no write.
 */
async function recordStatus(env: ClientEnv, auth: SystemAuth, status: unknown, now: Date): Promise<void> {
  if (!isStruct(status)) return;
  const { uname, uptime } = status;
  const runningKernel = Array.isArray(uname) && uname.length > 2 ? textArg(uname[2]) : undefined;
  const up = Array.isArray(uptime) && uptime.length > 0 ? seconds(uptime[0]) : null;
  if (runningKernel === undefined && up === null) return;
  const bootTime = up === null ? undefined : now.getTime() / 1000 - up;
  const known = await env.statusCache.get(auth);
  const kernelMoved = runningKernel !== undefined && runningKernel !== known.runningKernel;
  // the store compares whole seconds, as it keeps them
  const boot = bootTime === undefined ? undefined : Math.round(bootTime);
  const bootMoved = boot !== undefined && (known.lastBoot === null || Math.abs(known.lastBoot - boot) > BOOT_TOLERANCE_SECONDS);
  if (!kernelMoved && !bootMoved) return;
  const { bootChanged } = await env.stores.systems.recordStatus(auth.id, {
    ...(runningKernel !== undefined ? { runningKernel } : {}),
    ...(bootTime !== undefined ? { bootTime } : {}),
    bootToleranceSeconds: BOOT_TOLERANCE_SECONDS,
  });
  if (bootChanged && boot !== undefined) env.statusCache.set(auth.id, { runningKernel: runningKernel ?? known.runningKernel, lastBoot: boot });
  // the store kept its boot time, which is not the remembered one: read it again next time
  else if (bootMoved) env.statusCache.drop(auth.id);
  else env.statusCache.set(auth.id, { runningKernel: runningKernel ?? known.runningKernel, lastBoot: known.lastBoot });
  if (bootChanged && (await env.stores.actions.pickedUpReboot(auth.id)) !== null) {
    await env.stores.actions.completePickedUpReboots(auth.id, 'Reboot completed.', now);
  }
}

type Delivery = { id: number; version: number; action: string };

/** Step 7: the first candidate that can go out, failing the ones that never will on the way. */
async function deliver(env: ClientEnv, ctx: ClientCallContext, auth: SystemAuth, candidates: readonly QueuedAction[], now: Date): Promise<Delivery | ''> {
  const { actions } = env.stores;
  for (const a of candidates) {
    if (a.remainingTries < 1) {
      await actions.finish(auth.id, a.actionId, { status: 3, resultCode: null, message: TOO_MANY_TRIES }, { anyOpen: true, now });
      continue;
    }
    if (auth.locked && UNLOCKED_ONLY.has(a.type)) continue;
    const encoded = encodeAction(a.type, a.payload, { actionId: a.actionId, serverId: auth.id, capabilities: ctx.capabilities });
    if (!encoded.ok) {
      await actions.finish(auth.id, a.actionId, { status: 3, resultCode: -99, message: encoded.reason }, { anyOpen: true, now });
      continue;
    }
    if (!(await actions.markPickedUp(auth.id, a.actionId, now))) continue;
    return { id: a.actionId, version: a.version, action: encoded.methodCall };
  }
  return '';
}

/** queue.get(systemid[, version=1[, status={}]]): a struct for an action, "" for nothing. */
async function get(env: ClientEnv, ctx: ClientCallContext, args: readonly unknown[]): Promise<Delivery | ''> {
  const auth = env.gate.authenticate(args[0], { entitled: true });
  const now = new Date(env.now());
  if (args.length > 2) await recordStatus(env, auth, args[2], now);
  await storeCapabilities(env, auth.id, ctx.capabilities);
  const poll = await env.stores.actions.poll(auth.id, now);
  if (poll.rebootPending !== null) return '';
  // version 1 (pre-yum up2date, Python's `version == 1`) gets nothing rather than the old format
  if (args.length < 2 || args[1] === 1 || args[1] === true) return '';
  return deliver(env, ctx, auth, poll.candidates, now);
}

/** queue.submit(systemid, action_id, result[, message[, data]]): 30, 22, then 6.3's decision table. */
async function submit(env: ClientEnv, ctx: ClientCallContext, args: readonly unknown[]): Promise<number> {
  const actionId = parseActionId(args[1]);
  const auth = env.gate.authenticate(args[0], { entitled: true });
  const { actions } = env.stores;
  const notOurs = (): ClientFault => new ClientFault(22, `Action ${actionId} does not belong to server ${auth.id}`);
  const sa = await actions.systemAction(auth.id, actionId);
  if (!sa || sa.status !== 1) throw notOurs();
  const decision = decideSubmit({
    actionType: sa.type,
    result: args[2],
    ...(ctx.argTypes[2] !== undefined ? { resultWireType: ctx.argTypes[2] } : {}),
    message: args.length > 3 ? args[3] : '',
    data: args.length > 4 ? args[4] : {},
  });
  // a reboot that did not fail stays picked up until queue.get sees the new boot
  if (decision.status === 1) return 0;
  const outcome = { status: decision.status, resultCode: decision.resultCode, message: decision.message };
  const done = await actions.finish(auth.id, actionId, outcome, { now: new Date(env.now()) });
  if (!done.updated) throw notOurs();
  return 0;
}

const m = (minArgs: number, maxArgs: number, handler: ClientMethod['handler']): ClientMethod => ({ minArgs, maxArgs, handler });

export function queueMethods(env: ClientEnv): ClientNamespace {
  const entitled = (text: unknown): SystemAuth => env.gate.authenticate(text, { entitled: true });
  return {
    get: m(1, 3, (ctx, a) => get(env, ctx, a)),
    submit: m(3, 5, (ctx, a) => submit(env, ctx, a)),
    length: m(1, 1, (_ctx, a) => env.stores.actions.queueLength(entitled(a[0]).id)),
    // staging content is not offered: nothing to pre-download, ever
    get_future_actions: m(2, 2, (_ctx, a) => {
      entitled(a[0]);
      return [];
    }),
  };
}
