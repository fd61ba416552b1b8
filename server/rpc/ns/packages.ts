// packages.*: package details (CEFS calls getDetails once per package of every channel, so it
// stays a couple of indexed lookups), dependencies, providing channels and errata, removal.
import { hasRole, InvalidArgument, PermissionDenied, channelArchForPackageArch, CHANNEL_ARCHES } from '../../../channels/index.js';
import { dependenciesFromPrimaryXml, dependencyModifier } from '../../../repo-sync/index.js';
import { providingErratum } from '../../presenters/errata.js';
import { packageDetails, packageStruct } from '../../presenters/packages.js';
import { method, type CallContext, type NamespaceDef } from '../registry.js';
import { packageById } from './lookup.js';

const KNOWN_ARCHES = new Set(CHANNEL_ARCHES.flatMap((a) => a.packageArches).concat(['src', 'nosrc']));

async function getDetails(ctx: CallContext, id: number): Promise<Record<string, unknown>> {
  const p = await packageById(ctx, id);
  const channels = await ctx.services.stores.packages.providingChannels(id, ctx.user.orgId);
  return packageDetails(p, channels.map((c) => c.label), ctx.services.zone);
}

async function listDependencies(ctx: CallContext, id: number): Promise<Record<string, unknown>[]> {
  await packageById(ctx, id);
  const xml = await ctx.services.stores.packages.primaryXml(id);
  return dependenciesFromPrimaryXml(xml ?? '').map((d) => ({ dependency: d.name, dependency_type: d.type, dependency_modifier: dependencyModifier(d) }));
}

async function removePackage(ctx: CallContext, id: number): Promise<number> {
  const p = await packageById(ctx, id);
  if (p.orgId !== ctx.user.orgId || !hasRole(ctx.user, 'channel_admin')) throw new PermissionDenied('channel_admin');
  await ctx.services.stores.packages.remove(id);
  return 1;
}

export const packagesNamespace: NamespaceDef = {
  namespace: 'packages',
  handlerClass: 'PackagesHandler',
  methods: [
    method(
      'findByNvrea',
      ['string name', 'string version', 'string release', 'string epoch', 'string archLabel'],
      'Package[]',
      async (ctx, name: string, version: string, release: string, epoch: string, arch: string) => {
        if (!KNOWN_ARCHES.has(arch) && !channelArchForPackageArch(arch)) throw new InvalidArgument('package.arch', `Invalid package arch: ${arch}`);
        const found = await ctx.services.stores.packages.findByNvrea(ctx.user.orgId, name, version, release, epoch.trim(), arch);
        return found.map((p) => packageStruct(p, ctx.user.orgName));
      },
      { faults: [2301] },
    ),
    method('getDetails', ['int pid'], 'PackageDetails', getDetails, { faults: [-208] }),
    method(
      'getPackageUrl',
      ['int pid'],
      'string',
      async (ctx, id: number) => {
        const p = await packageById(ctx, id);
        return ctx.services.packageUrl(p);
      },
      { faults: [-208] },
    ),
    method('listDependencies', ['int pid'], 'struct[]', listDependencies, { faults: [-208] }),
    method(
      'listProvidingChannels',
      ['int pid'],
      'struct[]',
      async (ctx, id: number) => {
        await packageById(ctx, id);
        const channels = await ctx.services.stores.packages.providingChannels(id, ctx.user.orgId);
        return channels.map((c) => ({ label: c.label, parent_label: c.parentLabel ?? '', name: c.name }));
      },
      { faults: [-208] },
    ),
    method(
      'listProvidingErrata',
      ['int pid'],
      'struct[]',
      async (ctx, id: number) => {
        await packageById(ctx, id);
        return (await ctx.services.stores.errata.providingErrata(id, ctx.user.orgId)).map((e) => providingErratum(e, ctx.services.zone));
      },
      { faults: [-208] },
    ),
    method('removePackage', ['int pid'], 'int', removePackage, { faults: [-209, -208, -23] }),
  ],
};
