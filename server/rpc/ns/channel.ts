// channel.*, channel.access.*, channel.org.*: channel lists and cross-org sharing settings.
import { hasRole, InvalidArgument, NotFound, type ChannelAccess } from '../../../channels/index.js';
import { channelTreeNode, softwareChannelItem } from '../../presenters/channels.js';
import { method, type CallContext, type NamespaceDef } from '../registry.js';
import { channelByLabel, providerName, requireChannelAdmin } from './lookup.js';

async function treeNodes(ctx: CallContext, manageableOnly: boolean): Promise<Record<string, unknown>[]> {
  const list = await ctx.services.stores.channels.list(ctx.user.orgId);
  return list
    .filter((c) => !manageableOnly || (c.orgId === ctx.user.orgId && hasRole(ctx.user, 'channel_admin')))
    .map((c) => channelTreeNode(c, providerName(c, ctx.user.orgName)));
}

export const channelNamespace: NamespaceDef = {
  namespace: 'channel',
  handlerClass: 'ChannelHandler',
  methods: [
    method('listAllChannels', [], 'ChannelTreeNode[]', (ctx) => treeNodes(ctx, false)),
    method('listManageableChannels', [], 'ChannelTreeNode[]', (ctx) => treeNodes(ctx, true)),
    method('listSoftwareChannels', [], 'struct[]', async (ctx) => (await ctx.services.stores.channels.list(ctx.user.orgId)).map(softwareChannelItem)),
  ],
};

const ACCESS_VALUES: readonly ChannelAccess[] = ['public', 'private', 'protected'];

export const channelAccessNamespace: NamespaceDef = {
  namespace: 'channel.access',
  handlerClass: 'ChannelAccessHandler',
  methods: [
    method(
      'getOrgSharing',
      ['string channelLabel'],
      'string',
      async (ctx, label: string) => {
        const c = await channelByLabel(ctx, label);
        requireChannelAdmin(ctx, c);
        return c.access;
      },
      { faults: [-210, -23] },
    ),
    method(
      'setOrgSharing',
      ['string channelLabel', 'string access'],
      'int',
      async (ctx, label: string, access: string) => {
        const c = await channelByLabel(ctx, label);
        requireChannelAdmin(ctx, c);
        if (!ACCESS_VALUES.includes(access as ChannelAccess)) {
          throw new InvalidArgument('channel.access', `Invalid access value '${access}': use public, private or protected`);
        }
        await ctx.services.stores.channels.setAccess(c.id, access as ChannelAccess);
        return 1;
      },
      { faults: [-210, -23, 1064] },
    ),
  ],
};

async function setOrgAccess(ctx: CallContext, label: string, orgId: number, enabled: boolean): Promise<number> {
  const c = await channelByLabel(ctx, label);
  if (c.orgId !== ctx.user.orgId) throw new InvalidArgument('channel.org', `Channel ${label} does not belong to your organization`);
  requireChannelAdmin(ctx, c);
  if (c.access !== 'protected') throw new InvalidArgument('channel.not_protected', `Channel ${label} is not protected: set its sharing to protected first`);
  if (!(await ctx.services.stores.users.getOrg(orgId))) throw new NotFound('org', orgId);
  // Trusts between organisations do not exist yet, so no other org can be trusted.
  if (orgId !== ctx.user.orgId) throw new InvalidArgument('org.trust', `Organization ${orgId} is not in a trust with yours`);
  await ctx.services.stores.channels.setOrgAccess(c.id, orgId, enabled);
  return 1;
}

export const channelOrgNamespace: NamespaceDef = {
  namespace: 'channel.org',
  handlerClass: 'ChannelOrgHandler',
  methods: [
    method('disableAccess', ['string channelLabel', 'int orgId'], 'int', (ctx, l: string, o: number) => setOrgAccess(ctx, l, o, false), {
      faults: [-210, -23, 1066, 1206, 2850, 2854],
    }),
    method('enableAccess', ['string channelLabel', 'int orgId'], 'int', (ctx, l: string, o: number) => setOrgAccess(ctx, l, o, true), {
      faults: [-210, -23, 1066, 1206, 2850, 2854],
    }),
    method(
      'list',
      ['string channelLabel'],
      'struct[]',
      async (ctx, label: string) => {
        const c = await channelByLabel(ctx, label);
        if (c.orgId !== ctx.user.orgId) throw new InvalidArgument('channel.org', `Channel ${label} does not belong to your organization`);
        requireChannelAdmin(ctx, c);
        const enabled = new Set(await ctx.services.stores.channels.orgAccess(c.id));
        const orgs = (await ctx.services.stores.users.listOrgs()).filter((o) => o.id !== ctx.user.orgId);
        return orgs.map((o) => ({ org_id: o.id, org_name: o.name, access_enabled: enabled.has(o.id) }));
      },
      { faults: [-210, -23, 1066] },
    ),
  ],
};
