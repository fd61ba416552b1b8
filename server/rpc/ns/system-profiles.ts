// system.* package profile comparisons: system against system, system against a stored
// profile, and the stored profiles themselves (create, list, delete).
import { compareEvr, InvalidArgument, newestInstalled, type PackageNevra, type System } from '../../../channels/index.js';
import { Comparison, packageMetadata } from '../../presenters/system-packages.js';
import { internalFault } from '../faults.js';
import { method, type CallContext, type MethodDef } from '../registry.js';
import { requireManaged, systemOf } from './system-access.js';

/** PackageMetadata rows for every name and arch either side has, by name then arch. */
export function comparePackageLists(mine: readonly PackageNevra[], other: readonly PackageNevra[]): Record<string, unknown>[] {
  const a = newestInstalled(mine);
  const b = newestInstalled(other);
  const keys = new Map<string, [string, string]>();
  for (const side of [a, b]) for (const [name, byArch] of side) for (const arch of byArch.keys()) keys.set(`${name}\0${arch}`, [name, arch]);
  const rows = [...keys.values()].sort(([n1, a1], [n2, a2]) => (n1 < n2 ? -1 : n1 > n2 ? 1 : a1 < a2 ? -1 : a1 > a2 ? 1 : 0));
  return rows.map(([name, arch]) => {
    const x = a.get(name)?.get(arch);
    const y = b.get(name)?.get(arch);
    let cmp: number;
    if (!y) cmp = Comparison.OnlyThis;
    else if (!x) cmp = Comparison.OnlyOther;
    else {
      const c = compareEvr(x, y);
      cmp = c === 0 ? Comparison.Same : c > 0 ? Comparison.ThisNewer : Comparison.OtherNewer;
    }
    return packageMetadata(x, y, cmp);
  });
}

/**
 * Spacewalk compares or syncs only systems whose base channels share an arch (its
 * compatibleWithServer list), and never a system with itself: InvalidSystemException (1204).
 */
export async function requireCompatible(ctx: CallContext, target: System, source: System): Promise<void> {
  const { channels } = ctx.services.stores;
  const base = async (s: System) => (s.baseChannelId === null ? null : await channels.getById(s.baseChannelId, ctx.user.orgId));
  const [t, s] = [await base(target), await base(source)];
  if (target.id === source.id || !t || !s || t.archLabel !== s.archLabel) {
    throw new InvalidArgument('system.incompatible', `Invalid system: ${source.id} cannot be compared with ${target.id}`);
  }
}

async function comparePackages(ctx: CallContext, sid1: number, sid2: number): Promise<Record<string, unknown>[]> {
  const [a, b] = [await systemOf(ctx, sid1), await systemOf(ctx, sid2)];
  await requireCompatible(ctx, a, b);
  requireManaged(a);
  const { inventory } = ctx.services.stores;
  return comparePackageLists(await inventory.packages(ctx.user.orgId, sid1), await inventory.packages(ctx.user.orgId, sid2));
}

async function compareWithProfile(ctx: CallContext, sid: number, label: string): Promise<Record<string, unknown>[]> {
  await systemOf(ctx, sid);
  const { packageProfiles, inventory } = ctx.services.stores;
  const profile = await packageProfiles.getByName(ctx.user.orgId, label);
  if (!profile) throw new InvalidArgument('packageprofile.label', `Invalid profile label: ${label}`);
  return comparePackageLists(await inventory.packages(ctx.user.orgId, sid), (await packageProfiles.packages(ctx.user.orgId, profile.id)) ?? []);
}

async function createProfile(ctx: CallContext, sid: number, label: string, description: string): Promise<number> {
  const s = await systemOf(ctx, sid);
  if (s.baseChannelId === null) throw new InvalidArgument('packageprofile.no_base_channel', `System ${sid} has no base channel: a package profile needs one`);
  await ctx.services.stores.packageProfiles.createFromSystem(ctx.user.orgId, sid, label, description);
  return 1;
}

export const systemProfileMethods: MethodDef[] = [
  method('comparePackages', ['int sid1', 'int sid2'], 'PackageMetadata[]', comparePackages, { faults: [-208, 1204, 2400] }),
  method('comparePackageProfile', ['int serverId', 'string profileLabel'], 'PackageMetadata[]', compareWithProfile, { faults: [2756] }),
  method('createPackageProfile', ['int sid', 'string profileLabel', 'string desc'], 'int', createProfile, { faults: [-1, 1065] }),
  method('deletePackageProfile', ['int profileId'], 'int', async (ctx, id: number) => {
    if (!(await ctx.services.stores.packageProfiles.delete(ctx.user.orgId, id))) throw internalFault(`Could not find package profile with id: ${id}`);
    return 1;
  }),
  method('listPackageProfiles', [], 'ProfileOverviewDto[]', async (ctx) =>
    (await ctx.services.stores.packageProfiles.list(ctx.user.orgId)).map((p) => ({ id: p.id, name: p.name, channel: p.channelLabel ?? '' }))),
];
