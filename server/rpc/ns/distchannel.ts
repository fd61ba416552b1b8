// distchannel.*: which base channel a system registered by username and password lands in,
// per (release, channel arch): install-wide defaults and each org's own maps.
import { CHANNEL_ARCHES, InvalidArgument, NotFound } from '../../../channels/index.js';
import { distChannelMapStruct } from '../../presenters/activation-keys.js';
import { method, type CallContext, type MethodDef, type NamespaceDef } from '../registry.js';

/** Spacewalk looks the arch up by its name (x86_64, IA-32); a label is taken too. */
function archLabel(archName: string): string {
  const a = CHANNEL_ARCHES.find((x) => x.name === archName || x.label === archName);
  if (!a) throw new InvalidArgument('distchannel.arch', `Invalid channel arch: ${archName}`);
  return a.label;
}

/** setMapForOrg: an empty label removes the org's own map (-215 when it has none). */
async function setMap(ctx: CallContext, os: string, release: string, archName: string, channelLabel: string): Promise<number> {
  const arch = archLabel(archName);
  const { distMaps, channels } = ctx.services.stores;
  if (channelLabel === '') {
    const own = (await distMaps.listForOrg(ctx.user.orgId)).find((m) => m.orgId === ctx.user.orgId && m.release === release && m.archLabel === arch);
    if (!own) throw new InvalidArgument('distchannel.map', `No such dist channel map for release ${release} and arch ${archName}`);
    await distMaps.setForOrg(ctx.user.orgId, os, release, arch, null);
    return 1;
  }
  const c = await channels.getByLabel(channelLabel, ctx.user.orgId);
  if (!c) throw new NotFound('channel', channelLabel);
  await distMaps.setForOrg(ctx.user.orgId, os, release, arch, c.id);
  return 1;
}

const methods: MethodDef[] = [
  method('listDefaultMaps', [], 'struct[]', async (ctx) => (await ctx.services.stores.distMaps.listDefaults()).map(distChannelMapStruct)),
  method('listMapsForOrg', [], 'struct[]', async (ctx) => (await ctx.services.stores.distMaps.listForOrg(ctx.user.orgId)).map(distChannelMapStruct)),
  method('listMapsForOrg', ['int orgId'], 'struct[]', async (ctx, orgId: number) => {
    if (!(await ctx.services.stores.users.getOrg(orgId))) throw new NotFound('org', orgId);
    return (await ctx.services.stores.distMaps.listForOrg(orgId)).map(distChannelMapStruct);
  }, { role: 'satellite_admin', faults: [-23, 2850] }),
  method('setMapForOrg', ['string os', 'string release', 'string archName', 'string channelLabel'], 'int', setMap, {
    role: 'org_admin',
    faults: [-23, -210, -211, -215, 1205],
  }),
];

export const distChannelNamespace: NamespaceDef = { namespace: 'distchannel', handlerClass: 'DistChannelHandler', methods };
