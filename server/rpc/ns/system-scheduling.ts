// system.scheduleApplyErrata (8 overloads) and schedulePackageInstall/Remove (4 each): the
// actions whose payloads client-shim/actions.ts encodes ({errata: [id]}, {packages: [[n,v,r,e,a]]}).
import { InvalidArgument, type ErratumDetails, type NewAction, type Package } from '../../../channels/index.js';
import type { XmlRpcValue } from '../../xmlrpc/types.js';
import { intArray } from '../args.js';
import { method, type CallContext, type MethodDef } from '../registry.js';
import { checkModules, requireManaged, systemsOf, unscheduledErrata } from './system-access.js';

const unique = (ids: readonly number[]): number[] => [...new Set(ids)];

/**
 * ErrataManager.applyErrata: every erratum must be relevant to, and not yet scheduled for,
 * every listed system (2600); one action per erratum covers all the systems, errata with the
 * restart_suggested keyword (updates of the update stack) first.
 */
async function applyErrata(ctx: CallContext, sids: number[], errataIds: number[], earliest?: Date, allowModules = false): Promise<number[]> {
  if (sids.length === 0) throw new InvalidArgument('param', 'No systems specified.');
  if (errataIds.length === 0) throw new InvalidArgument('param', 'No errata to apply.');
  const systems = await systemsOf(ctx, unique(sids));
  await checkModules(ctx, systems, allowModules);
  const ids = unique(errataIds);
  for (const s of systems) {
    const open = new Set((await unscheduledErrata(ctx, s.id)).map((e) => e.id));
    const bad = ids.find((id) => !open.has(id));
    if (bad !== undefined) throw new InvalidArgument('erratum.invalid', `Invalid errata: ${bad} is not relevant to system ${s.id} or is already scheduled`);
  }
  const details: ErratumDetails[] = [];
  for (const id of ids) details.push((await ctx.services.stores.errata.getDetails(id))!);
  const stack = details.filter((d) => d.keywords.includes('restart_suggested'));
  const rest = details.filter((d) => !d.keywords.includes('restart_suggested'));
  const at = earliest ?? new Date();
  const actions: NewAction[] = [...stack, ...rest].map((d) => ({
    orgId: ctx.user.orgId,
    type: 'errata.update',
    name: `Errata Update: ${d.advisoryName} - ${d.synopsis}`,
    schedulerId: ctx.user.id,
    earliest: at,
    payload: { errata: [d.id] },
    systemIds: systems.map((s) => s.id),
  }));
  return ctx.services.stores.actions.createMany(actions);
}

export const packageTuple = (p: Package): string[] => [p.name, p.version, p.release, p.epoch, p.arch];

/** One action per system, as Spacewalk's loop makes them; every package id must be visible (2300). */
async function schedulePackages(ctx: CallContext, type: 'packages.update' | 'packages.remove', sids: number[], pids: number[], earliest: Date, allowModules = false): Promise<number[]> {
  const systems = await systemsOf(ctx, sids);
  for (const s of systems) requireManaged(s);
  await checkModules(ctx, systems, allowModules);
  const packages: Package[] = [];
  for (const pid of pids) {
    const p = await ctx.services.stores.packages.getById(pid, ctx.user.orgId);
    if (!p) throw new InvalidArgument('package.invalid', `Invalid package: ${pid}`);
    packages.push(p);
  }
  const install = type === 'packages.update';
  if (packages.length === 0) throw new InvalidArgument('param', install ? 'No packages to install.' : 'No packages to remove.');
  const actions: NewAction[] = systems.map((s) => ({
    orgId: ctx.user.orgId,
    type,
    name: install ? 'Package Install' : 'Package Removal',
    schedulerId: ctx.user.id,
    earliest,
    payload: { packages: packages.map(packageTuple) },
    systemIds: [s.id],
  }));
  return ctx.services.stores.actions.createMany(actions);
}

const ERRATA_FAULTS = { faults: [1213, 2107, 2600] };
const PACKAGE_FAULTS = { faults: [1213, 2107, 2300, 2400] };
const ids = (v: XmlRpcValue, what: string): number[] => intArray(v, what);

function errataOverloads(): MethodDef[] {
  const multi = ['int[] serverIds', 'int[] errataIds'];
  const single = ['int sid', 'int[] errataIds'];
  const sidsOf = (x: number | XmlRpcValue): number[] => (typeof x === 'number' ? [x] : ids(x, 'serverIds'));
  const out: MethodDef[] = [];
  for (const head of [multi, single]) {
    out.push(
      method('scheduleApplyErrata', head, 'int[]', (ctx, s: XmlRpcValue, e: XmlRpcValue) => applyErrata(ctx, sidsOf(s), ids(e, 'errataIds')), ERRATA_FAULTS),
      method('scheduleApplyErrata', [...head, 'boolean allowModules'], 'int[]', (ctx, s: XmlRpcValue, e: XmlRpcValue, m: boolean) =>
        applyErrata(ctx, sidsOf(s), ids(e, 'errataIds'), undefined, m), ERRATA_FAULTS),
      method('scheduleApplyErrata', [...head, 'dateTime earliestOccurrence'], 'int[]', (ctx, s: XmlRpcValue, e: XmlRpcValue, d: Date) =>
        applyErrata(ctx, sidsOf(s), ids(e, 'errataIds'), d), ERRATA_FAULTS),
      method('scheduleApplyErrata', [...head, 'dateTime earliestOccurrence', 'boolean allowModules'], 'int[]', (ctx, s: XmlRpcValue, e: XmlRpcValue, d: Date, m: boolean) =>
        applyErrata(ctx, sidsOf(s), ids(e, 'errataIds'), d, m), ERRATA_FAULTS),
    );
  }
  return out;
}

function packageOverloads(name: string, type: 'packages.update' | 'packages.remove'): MethodDef[] {
  const many = (ctx: CallContext, s: XmlRpcValue, p: XmlRpcValue, d: Date, m = false): Promise<number[]> =>
    schedulePackages(ctx, type, ids(s, 'sids'), ids(p, 'packageIds'), d, m);
  const one = async (ctx: CallContext, s: number, p: XmlRpcValue, d: Date, m = false): Promise<number> =>
    (await schedulePackages(ctx, type, [s], ids(p, 'packageIds'), d, m))[0]!;
  return [
    method(name, ['int[] sids', 'int[] packageIds', 'dateTime earliestOccurrence'], 'int[]', (ctx, s: XmlRpcValue, p: XmlRpcValue, d: Date) => many(ctx, s, p, d), PACKAGE_FAULTS),
    method(name, ['int[] sids', 'int[] packageIds', 'dateTime earliestOccurrence', 'boolean allowModules'], 'int[]', many, PACKAGE_FAULTS),
    method(name, ['int sid', 'int[] packageIds', 'dateTime earliestOccurrence'], 'int', (ctx, s: number, p: XmlRpcValue, d: Date) => one(ctx, s, p, d), PACKAGE_FAULTS),
    method(name, ['int sid', 'int[] packageIds', 'dateTime earliestOccurrence', 'boolean allowModules'], 'int', one, PACKAGE_FAULTS),
  ];
}

export const systemSchedulingMethods: MethodDef[] = [
  ...errataOverloads(),
  ...packageOverloads('schedulePackageInstall', 'packages.update'),
  ...packageOverloads('schedulePackageRemove', 'packages.remove'),
];
