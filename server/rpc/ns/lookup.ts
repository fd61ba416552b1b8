// Shared lookups for namespace handlers: a channel or package by what the caller passed,
// with Spacewalk's "not found or not yours" faults, and the channel-admin right on a channel.
import { hasRole, InvalidArgument, NotFound, PermissionDenied, type Channel, type Package } from '../../../channels/index.js';
import type { CallContext } from '../registry.js';

export async function channelByLabel(ctx: CallContext, label: string): Promise<Channel> {
  const c = await ctx.services.stores.channels.getByLabel(label, ctx.user.orgId);
  if (!c) throw new NotFound('channel', label);
  return c;
}

export async function channelByLabelOrId(ctx: CallContext, x: string | number): Promise<Channel> {
  const c =
    typeof x === 'number' ? await ctx.services.stores.channels.getById(x, ctx.user.orgId) : await ctx.services.stores.channels.getByLabel(x, ctx.user.orgId);
  if (!c) throw new NotFound('channel', x);
  return c;
}

/** Channel admins may change their own org's channels; nobody changes vendor channels. */
export function requireChannelAdmin(ctx: Pick<CallContext, 'user'>, c: Channel): void {
  if (c.orgId !== ctx.user.orgId || !hasRole(ctx.user, 'channel_admin')) throw new PermissionDenied('channel_admin');
}

export async function packageById(ctx: CallContext, id: number): Promise<Package> {
  const p = await ctx.services.stores.packages.getById(id, ctx.user.orgId);
  if (!p) throw new NotFound('package', id);
  return p;
}

/** The channel's provider as channel lists show it. */
export function providerName(c: Channel, orgName: string): string {
  return c.orgId === null ? 'Red Hat, Inc.' : orgName;
}

export function notBaseChannel(label: string): InvalidArgument {
  return new InvalidArgument('channel.invalid', `Invalid channel: ${label} is not a base channel`);
}
