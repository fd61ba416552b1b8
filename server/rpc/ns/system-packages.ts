// system.* reads of a system's packages and errata: installed, upgradable (the relevance
// store), installable and available builds of its channels, extra packages, relevant and
// unscheduled errata.
import { archesMatch, compareEvr, type ChannelPackageRow, type InstalledPackage } from '../../../channels/index.js';
import { errataOverview } from '../../presenters/errata.js';
import { erratumBrief, extraPackage, installedPackage, upgradablePackage } from '../../presenters/system-packages.js';
import { intArray } from '../args.js';
import { method, type CallContext, type MethodDef } from '../registry.js';
import { systemOf, unscheduledErrata } from './system-access.js';

/** Every build the system's channels hold (a build in two channels appears twice). */
export async function channelBuilds(ctx: CallContext, systemId: number): Promise<ChannelPackageRow[]> {
  const { stores } = ctx.services;
  const out: ChannelPackageRow[] = [];
  for (const c of await stores.systems.channels(ctx.user.orgId, systemId)) out.push(...(await stores.channels.listPackages(c.id)));
  return out;
}

const nevraKey = (p: { name: string; epoch: string; version: string; release: string; arch: string }): string =>
  `${p.name}\0${p.epoch}\0${p.version}\0${p.release}\0${p.arch}`;

/** Installed packages no channel of the system holds (an unknown installed arch matches any). */
export async function extraPackagesOf(ctx: CallContext, systemId: number): Promise<InstalledPackage[]> {
  const builds = await channelBuilds(ctx, systemId);
  const exact = new Set(builds.map(nevraKey));
  const anyArch = new Set(builds.map((b) => nevraKey({ ...b, arch: '' })));
  const installed = await ctx.services.stores.inventory.packages(ctx.user.orgId, systemId);
  return installed.filter((p) => !(p.arch === '' ? anyArch.has(nevraKey(p)) : exact.has(nevraKey(p))));
}

/** Newest build per name and arch among `rows`. */
function newestPerNameArch(rows: readonly ChannelPackageRow[]): ChannelPackageRow[] {
  const best = new Map<string, ChannelPackageRow>();
  for (const r of rows) {
    const key = `${r.name}\0${r.arch}`;
    const cur = best.get(key);
    if (!cur || compareEvr(r, cur) > 0 || (compareEvr(r, cur) === 0 && r.id < cur.id)) best.set(key, r);
  }
  return [...best.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.arch < b.arch ? -1 : a.arch > b.arch ? 1 : 0));
}

const buildRow = (b: ChannelPackageRow): Record<string, unknown> => ({ name: b.name, version: b.version, release: b.release, epoch: b.epoch, id: b.id, arch_label: b.arch });

/** listLatestInstallablePackages: the newest build of each name the system has not installed. */
async function latestInstallable(ctx: CallContext, sid: number): Promise<Record<string, unknown>[]> {
  await systemOf(ctx, sid);
  const installed = new Set((await ctx.services.stores.inventory.packages(ctx.user.orgId, sid)).map((p) => p.name));
  return newestPerNameArch((await channelBuilds(ctx, sid)).filter((b) => !installed.has(b.name))).map(buildRow);
}

/** listLatestAvailablePackage: per system, the newest build of the name (installed arch first); systems without one are left out. */
async function latestAvailable(ctx: CallContext, ids: unknown, name: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const sid of intArray(ids as never, 'systemIds')) {
    const s = await systemOf(ctx, sid);
    const arches = (await ctx.services.stores.inventory.packages(ctx.user.orgId, sid)).filter((p) => p.name === name).map((p) => p.arch);
    let best: ChannelPackageRow | undefined;
    for (const b of (await channelBuilds(ctx, sid)).filter((x) => x.name === name)) {
      if (arches.length > 0 && !arches.some((a) => a === '' || archesMatch(a, b.arch))) continue;
      if (!best || compareEvr(b, best) > 0) best = b;
    }
    if (!best) continue;
    out.push({ id: s.id, name: s.name, package: { id: best.id, name: best.name, version: best.version, release: best.release, epoch: best.epoch, arch: best.arch } });
  }
  return out;
}

const READ = { faults: [-208] };

export const systemPackageMethods: MethodDef[] = [
  method('listPackages', ['int sid'], 'struct[]', async (ctx, sid: number) => {
    await systemOf(ctx, sid);
    return (await ctx.services.stores.inventory.packages(ctx.user.orgId, sid)).map(installedPackage);
  }, READ),
  method('listLatestUpgradablePackages', ['int sid'], 'struct[]', async (ctx, sid: number) => {
    await systemOf(ctx, sid);
    return (await ctx.services.stores.relevance.listLatestUpgradablePackages(sid)).map(upgradablePackage);
  }, READ),
  method('listLatestInstallablePackages', ['int sid'], 'struct[]', latestInstallable, READ),
  method('listLatestAvailablePackage', ['int[] systemIds', 'string name'], 'struct[]', latestAvailable, READ),
  method('listExtraPackages', ['int serverId'], 'struct[]', async (ctx, sid: number) => {
    await systemOf(ctx, sid);
    return (await extraPackagesOf(ctx, sid)).map(extraPackage);
  }),
  method('getRelevantErrata', ['int sid'], 'ErrataOverview[]', async (ctx, sid: number) => {
    await systemOf(ctx, sid);
    return (await ctx.services.stores.relevance.getRelevantErrata(sid)).map((e) => errataOverview(e, ctx.services.zone));
  }, READ),
  method('getRelevantErrataByType', ['int serverId', 'string advisoryType'], 'ErrataOverview[]', async (ctx, sid: number, type: string) => {
    await systemOf(ctx, sid);
    const list = await ctx.services.stores.relevance.getRelevantErrata(sid);
    return list.filter((e) => e.advisoryType === type).map((e) => errataOverview(e, ctx.services.zone));
  }, READ),
  method('getUnscheduledErrata', ['int sid'], 'Errata[]', async (ctx, sid: number) => {
    await systemOf(ctx, sid);
    return (await unscheduledErrata(ctx, sid)).map((e) => erratumBrief(e, ctx.services.zone));
  }, READ),
];
