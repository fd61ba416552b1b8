// system.* channel subscriptions: the base channel and child channels a system has or may
// have, and changing them (relevance follows: the store keys it on the subscriptions).
import { InvalidArgument, NotFound, type Channel } from '../../../channels/index.js';
import type { XmlRpcValue } from '../../xmlrpc/types.js';
import { method, type CallContext, type MethodDef } from '../registry.js';
import { channelDetails } from './channel-software-repos.js';
import { systemOf } from './system-access.js';

async function subscribed(ctx: CallContext, sid: number): Promise<{ base: Channel | null; children: Channel[] }> {
  await systemOf(ctx, sid);
  const { stores } = ctx.services;
  let base: Channel | null = null;
  const children: Channel[] = [];
  for (const sc of await stores.systems.channels(ctx.user.orgId, sid)) {
    const c = await stores.channels.getById(sc.id, ctx.user.orgId);
    if (!c) continue;
    if (c.parentId === null) base = c;
    else children.push(c);
  }
  return { base, children };
}

/** Child channels of the base the system is not subscribed to yet. */
async function subscribable(ctx: CallContext, sid: number): Promise<Record<string, unknown>[]> {
  const { base, children } = await subscribed(ctx, sid);
  if (!base) return [];
  const have = new Set(children.map((c) => c.id));
  const out: Record<string, unknown>[] = [];
  for (const c of await ctx.services.stores.channels.children(base.id)) {
    if (have.has(c.id) || !(await ctx.services.stores.channels.getById(c.id, ctx.user.orgId))) continue;
    out.push({ id: c.id, name: c.name, label: c.label, summary: c.summary, has_license: '', gpg_key_url: c.gpgKeyUrl });
  }
  return out;
}

/**
 * setBaseChannel: "" drops every subscription; a new base drops the children of the old one.
 * An unknown label is 1201, a channel that is not a base (or an unknown id) -211.
 */
async function setBase(ctx: CallContext, sid: number, x: string | number): Promise<number> {
  await systemOf(ctx, sid);
  const { stores } = ctx.services;
  if (x === '') {
    await stores.systems.setChannels(ctx.user.orgId, sid, null, []);
    return 1;
  }
  const c = typeof x === 'number' ? await stores.channels.getById(x, ctx.user.orgId) : await stores.channels.getByLabel(x, ctx.user.orgId);
  if (!c && typeof x === 'string') throw new InvalidArgument('system.channel_label', `Invalid channel label: ${x}`);
  if (!c || c.parentId !== null) throw new InvalidArgument('system.base_channel', `Invalid channel: ${x} is not a base channel`);
  const { base, children } = await subscribed(ctx, sid);
  const keep = base?.id === c.id ? children.map((ch) => ch.id) : [];
  await stores.systems.setChannels(ctx.user.orgId, sid, c.id, keep);
  return 1;
}

/** setChildChannels: all labels or all ids (1209 for a mix); unknown labels 1201. */
async function setChildren(ctx: CallContext, sid: number, list: XmlRpcValue): Promise<number> {
  await systemOf(ctx, sid);
  const items = Array.isArray(list) ? list : [];
  const labels = items.length > 0 && typeof items[0] === 'string';
  if (!Array.isArray(list) || !items.every((i) => (labels ? typeof i === 'string' : typeof i === 'number'))) {
    throw new InvalidArgument('system.channel_list', 'Invalid channel list: give all channel labels or all channel ids');
  }
  const { stores } = ctx.services;
  const ids: number[] = [];
  for (const i of items) {
    const c = labels ? await stores.channels.getByLabel(i as string, ctx.user.orgId) : await stores.channels.getById(i as number, ctx.user.orgId);
    if (!c && labels) throw new InvalidArgument('system.channel_label', `Invalid channel label: ${String(i)}`);
    if (!c) throw new NotFound('channel', i as number);
    ids.push(c.id);
  }
  await stores.systems.setChildChannels(ctx.user.orgId, sid, ids);
  return 1;
}

const READ = { faults: [-208] };

export const systemChannelMethods: MethodDef[] = [
  method('getSubscribedBaseChannel', ['int sid'], 'Channel', async (ctx, sid: number) => {
    const { base } = await subscribed(ctx, sid);
    return base ? channelDetails(ctx, base) : {};
  }, READ),
  method('listSubscribedChildChannels', ['int sid'], 'Channel[]', async (ctx, sid: number) => {
    const { children } = await subscribed(ctx, sid);
    return Promise.all(children.map((c) => channelDetails(ctx, c)));
  }, READ),
  method('listSubscribableChildChannels', ['int sid'], 'struct[]', subscribable, READ),
  method('setBaseChannel', ['int sid', 'int cid'], 'int', setBase, { faults: [-211, -208, 1201] }),
  method('setBaseChannel', ['int sid', 'string channelLabel'], 'int', setBase, { faults: [-211, -208, 1201] }),
  method('setChildChannels', ['int sid', 'array channelLabels'], 'int', setChildren, { faults: [-208, 1201, 1209] }),
];
