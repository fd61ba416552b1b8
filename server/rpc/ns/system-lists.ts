// system.* lists of systems: all, active, inactive, per user, out of date, by name pattern, by
// installed package, with extra packages, and those a recent erratum suggests rebooting.
import { hasRole, InvalidArgument, NotFound, PermissionDenied, type System } from '../../../channels/index.js';
import { systemOverview } from '../../presenters/systems.js';
import { internalFault } from '../faults.js';
import { method, type CallContext, type MethodDef } from '../registry.js';
import { checkedInSince, DEFAULT_INACTIVE_DAYS } from './system-access.js';
import { extraPackagesOf } from './system-packages.js';

const overviews = (list: readonly System[]): Record<string, unknown>[] => list.map((s) => systemOverview(s));

/** Systems a user administers: every system of the org (Skylab keeps no per-user system groups). */
async function userSystems(ctx: CallContext, login?: string): Promise<Record<string, unknown>[]> {
  if (login !== undefined) {
    const target = await ctx.services.stores.users.getUserByLogin(login);
    if (!target || target.orgId !== ctx.user.orgId) throw new NotFound('user', login);
    if (target.id !== ctx.user.id && !hasRole(ctx.user, 'org_admin')) throw new PermissionDenied('org_admin');
  }
  return overviews(await ctx.services.stores.systems.list(ctx.user.orgId));
}

/** searchByName: a case-insensitive regular expression found anywhere in the profile name. */
async function searchByName(ctx: CallContext, pattern: string): Promise<Record<string, unknown>[]> {
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'i');
  } catch {
    throw internalFault(`java.util.regex.PatternSyntaxException: invalid regular expression: ${pattern}`);
  }
  return overviews((await ctx.services.stores.systems.list(ctx.user.orgId)).filter((s) => re.test(s.name)));
}

/**
 * listSuggestedReboot: systems that completed an errata update carrying the reboot_suggested
 * keyword after their last boot (or that never reported one).
 */
async function suggestedReboot(ctx: CallContext): Promise<Record<string, unknown>[]> {
  const { stores } = ctx.services;
  const rebootKeyword = new Map<number, boolean>();
  const needsReboot = async (id: number): Promise<boolean> => {
    if (!rebootKeyword.has(id)) rebootKeyword.set(id, (await stores.errata.getDetails(id))?.keywords.includes('reboot_suggested') ?? false);
    return rebootKeyword.get(id)!;
  };
  const out: Record<string, unknown>[] = [];
  for (const s of await stores.systems.list(ctx.user.orgId)) {
    const done = (await stores.schedule.history(ctx.user.orgId, s.id, 'errata.update')).filter(
      (e) => e.status === 2 && e.completionTime !== null && (s.lastBoot === null || e.completionTime > s.lastBoot),
    );
    const ids = done.flatMap((e) => ((e.payload as { errata?: unknown })?.errata as number[] | undefined) ?? []);
    for (const id of ids) {
      if (typeof id === 'number' && (await needsReboot(id))) {
        out.push({ id: s.id, name: s.name });
        break;
      }
    }
  }
  return out;
}

async function withExtraPackages(ctx: CallContext): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const s of await ctx.services.stores.systems.list(ctx.user.orgId)) {
    const n = (await extraPackagesOf(ctx, s.id)).length;
    if (n > 0) out.push({ id: s.id, name: s.name, extra_pkg_count: n });
  }
  return out;
}

async function withPackageId(ctx: CallContext, pid: number): Promise<Record<string, unknown>[]> {
  if (!(await ctx.services.stores.packages.getById(pid, ctx.user.orgId))) throw new InvalidArgument('package.invalid', `Invalid package: ${pid}`);
  return overviews(await ctx.services.stores.inventory.systemsWithPackage(ctx.user.orgId, { packageId: pid }));
}

export const systemListMethods: MethodDef[] = [
  method('listSystems', [], 'SystemOverview[]', async (ctx) => overviews(await ctx.services.stores.systems.list(ctx.user.orgId))),
  method('listActiveSystems', [], 'SystemOverview[]', async (ctx) =>
    overviews(await ctx.services.stores.systems.list(ctx.user.orgId, { checkedInSince: checkedInSince(DEFAULT_INACTIVE_DAYS) }))),
  method('listInactiveSystems', [], 'SystemOverview[]', async (ctx) =>
    overviews(await ctx.services.stores.systems.list(ctx.user.orgId, { checkedInBefore: checkedInSince(DEFAULT_INACTIVE_DAYS) }))),
  method('listInactiveSystems', ['int days'], 'SystemOverview[]', async (ctx, days: number) =>
    overviews(await ctx.services.stores.systems.list(ctx.user.orgId, { checkedInBefore: checkedInSince(days) }))),
  method('listUserSystems', [], 'SystemOverview[]', (ctx) => userSystems(ctx)),
  method('listUserSystems', ['string login'], 'SystemOverview[]', (ctx, login: string) => userSystems(ctx, login), { faults: [-213, -23] }),
  method('listOutOfDateSystems', [], 'SystemOverview[]', async (ctx) =>
    (await ctx.services.stores.relevance.listOutOfDateSystems(ctx.user.orgId)).map((s) => systemOverview(s))),
  method('searchByName', ['string regexp'], 'SystemOverview[]', searchByName),
  method('listSystemsWithPackage', ['int pid'], 'SystemOverview[]', withPackageId, { faults: [2300] }),
  method('listSystemsWithPackage', ['string name', 'string version', 'string release'], 'SystemOverview[]', async (ctx, name: string, version: string, release: string) =>
    overviews(await ctx.services.stores.inventory.systemsWithPackage(ctx.user.orgId, { name, version, release }))),
  method('listSuggestedReboot', [], 'struct[]', suggestedReboot),
  method('listSystemsWithExtraPackages', [], 'struct[]', withExtraPackages),
];
