// system.* actions beyond errata and package installs: profile and hardware refreshes, reboot,
// remote scripts and their results, and syncing packages from another system.
import { compareEvr, InvalidArgument, newestInstalled, type PackageNevra } from '../../../channels/index.js';
import type { XmlRpcValue } from '../../xmlrpc/types.js';
import { intArray } from '../args.js';
import { method, type CallContext, type MethodDef } from '../registry.js';
import { requireCapability, requireManaged, systemOf, systemsOf } from './system-access.js';
import { requireCompatible } from './system-profiles.js';

async function simpleAction(ctx: CallContext, sid: number, type: string, name: string, earliest: Date, managed: boolean): Promise<number> {
  const s = await systemOf(ctx, sid);
  if (managed) requireManaged(s);
  return ctx.services.stores.actions.create({ orgId: ctx.user.orgId, type, name, schedulerId: ctx.user.id, earliest, systemIds: [sid] });
}

interface Script {
  label?: string;
  username: string;
  groupname: string;
  timeout: number;
  script: string;
}

/** One script.run action for all systems; each must be managed (2400) and announce script.run (2401). */
async function scriptRun(ctx: CallContext, sids: number[], s: Script, earliest: Date): Promise<number> {
  const systems = await systemsOf(ctx, sids);
  for (const sys of systems) {
    requireManaged(sys);
    await requireCapability(ctx, sys, 'script.run');
  }
  return ctx.services.stores.actions.create({
    orgId: ctx.user.orgId,
    type: 'script.run',
    name: s.label ?? 'Run an arbitrary script',
    schedulerId: ctx.user.id,
    earliest,
    payload: { username: s.username, groupname: s.groupname, timeout: s.timeout, script: s.script },
    systemIds: systems.map((x) => x.id),
  });
}

/** ScriptResult of every system that finished the action (an empty list before any did). */
async function scriptResults(ctx: CallContext, actionId: number): Promise<Record<string, unknown>[]> {
  const { actions, schedule } = ctx.services.stores;
  const a = await actions.get(ctx.user.orgId, actionId);
  if (!a) throw new InvalidArgument('action.unknown', `No such action: ${actionId}`);
  if (a.type !== 'script.run') throw new InvalidArgument('action.type', `Invalid action type: action ${actionId} is not a script run`);
  const done = [...(await schedule.systems(ctx.user.orgId, actionId, 'completed')), ...(await schedule.systems(ctx.user.orgId, actionId, 'failed'))];
  return done.map((r) => ({
    serverId: r.systemId,
    startDate: r.pickupTime ?? r.created,
    stopDate: r.completionTime ?? r.modified,
    returnCode: r.resultCode ?? 0,
    output: r.resultMessage ?? '',
    output_enc64: false,
  }));
}

type Op = 'i' | 'u' | 'e';

/**
 * ProfileManager.syncToSystem: each selected package is installed on the target ('i', or 'u'
 * over an older build) when the source has it, removed ('e') when only the target has it.
 */
async function syncPackages(ctx: CallContext, targetId: number, sourceId: number, pids: XmlRpcValue, earliest: Date): Promise<number> {
  const [target, source] = [await systemOf(ctx, targetId), await systemOf(ctx, sourceId)];
  await requireCompatible(ctx, target, source);
  requireManaged(target);
  const { inventory, packages } = ctx.services.stores;
  const mine = newestInstalled(await inventory.packages(ctx.user.orgId, targetId));
  const theirs = newestInstalled(await inventory.packages(ctx.user.orgId, sourceId));
  const ops: [string[], Op][] = [];
  const tuple = (p: PackageNevra): string[] => [p.name, p.version, p.release, p.epoch, p.arch];
  for (const pid of intArray(pids, 'packageIds')) {
    const p = await packages.getById(pid, ctx.user.orgId);
    if (!p) continue;
    const have = mine.get(p.name)?.get(p.arch);
    const want = theirs.get(p.name)?.get(p.arch);
    if (want && (!have || compareEvr(want, have) !== 0)) ops.push([tuple(want), have && compareEvr(want, have) > 0 ? 'u' : 'i']);
    else if (!want && have) ops.push([tuple(have), 'e']);
  }
  if (ops.length === 0) throw new InvalidArgument('param', 'No packages to sync');
  return ctx.services.stores.actions.create({
    orgId: ctx.user.orgId,
    type: 'packages.runTransaction',
    name: 'Package Synchronization',
    schedulerId: ctx.user.id,
    earliest,
    payload: { packages: ops },
    systemIds: [targetId],
  });
}

const SCRIPT = ['string username', 'string groupname', 'int timeout', 'string script', 'dateTime earliest'];
const SCRIPT_FAULTS = { faults: [-208, 2400, 2401] };
const script = (username: string, groupname: string, timeout: number, text: string, label?: string): Script =>
  label === undefined ? { username, groupname, timeout, script: text } : { label, username, groupname, timeout, script: text };

export const systemActionMethods: MethodDef[] = [
  method('scheduleHardwareRefresh', ['int sid', 'dateTime earliestOccurrence'], 'int', (ctx, sid: number, d: Date) =>
    simpleAction(ctx, sid, 'hardware.refresh_list', 'Hardware List Refresh', d, true), { faults: [2400] }),
  method('schedulePackageRefresh', ['int sid', 'dateTime earliestOccurrence'], 'int', (ctx, sid: number, d: Date) =>
    simpleAction(ctx, sid, 'packages.refresh_list', 'Package List Refresh', d, true), { faults: [2400] }),
  method('scheduleReboot', ['int sid', 'dateTime earliestOccurrence'], 'int', (ctx, sid: number, d: Date) =>
    simpleAction(ctx, sid, 'reboot.reboot', 'System reboot', d, false)),
  method('scheduleScriptRun', ['string label', 'int[] systemIds', ...SCRIPT], 'int', (ctx, l: string, s: XmlRpcValue, u: string, g: string, t: number, x: string, d: Date) =>
    scriptRun(ctx, intArray(s, 'systemIds'), script(u, g, t, x, l), d), SCRIPT_FAULTS),
  method('scheduleScriptRun', ['int[] systemIds', ...SCRIPT], 'int', (ctx, s: XmlRpcValue, u: string, g: string, t: number, x: string, d: Date) =>
    scriptRun(ctx, intArray(s, 'systemIds'), script(u, g, t, x), d), SCRIPT_FAULTS),
  method('scheduleScriptRun', ['int sid', ...SCRIPT], 'int', (ctx, s: number, u: string, g: string, t: number, x: string, d: Date) =>
    scriptRun(ctx, [s], script(u, g, t, x), d), SCRIPT_FAULTS),
  method('scheduleScriptRun', ['string label', 'int sid', ...SCRIPT], 'int', (ctx, l: string, s: number, u: string, g: string, t: number, x: string, d: Date) =>
    scriptRun(ctx, [s], script(u, g, t, x, l), d), SCRIPT_FAULTS),
  method('getScriptResults', ['int actionId'], 'ScriptResult[]', scriptResults, { faults: [2700, 2701] }),
  method('scheduleSyncPackagesWithSystem', ['int targetServerId', 'int sourceServerId', 'int[] packageIds', 'dateTime earliest'], 'int', syncPackages, {
    faults: [-208, 1204, 1213, 2400],
  }),
];
