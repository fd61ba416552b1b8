// systemgroup.*: the tier-1 reads and create, plus what spacecmd's group_* commands call
// (addOrRemoveSystems, delete, update). Groups are named per org; unknown names fault 2201.
import { InvalidArgument, type SystemGroup } from '../../../channels/index.js';
import { systemGroupStruct } from '../../presenters/activation-keys.js';
import { serverStruct, systemOverview } from '../../presenters/systems.js';
import type { XmlRpcValue } from '../../xmlrpc/types.js';
import { intArray } from '../args.js';
import { method, type CallContext, type MethodDef, type NamespaceDef } from '../registry.js';
import { checkedInSince, DEFAULT_INACTIVE_DAYS, systemsOf } from './system-access.js';

async function groupOf(ctx: CallContext, x: string | number): Promise<SystemGroup> {
  const { groups } = ctx.services.stores;
  const g = typeof x === 'number' ? await groups.get(ctx.user.orgId, x) : await groups.getByName(ctx.user.orgId, x);
  if (!g) throw new InvalidArgument('systemgroup.unknown', `Unable to locate or access server group: ${x}`);
  return g;
}

async function members(ctx: CallContext, name: string) {
  const g = await groupOf(ctx, name);
  return ctx.services.stores.systems.list(ctx.user.orgId, { groupId: g.id });
}

/** Ids of the group's systems that checked in within (active) or before (inactive) the threshold. */
async function byActivity(ctx: CallContext, name: string, active: boolean, days = DEFAULT_INACTIVE_DAYS): Promise<number[]> {
  const since = checkedInSince(days);
  return (await members(ctx, name)).filter((s) => (s.lastCheckin >= since) === active).map((s) => s.id);
}

async function addOrRemove(ctx: CallContext, name: string, ids: XmlRpcValue, add: boolean): Promise<number> {
  const g = await groupOf(ctx, name);
  const systems = await systemsOf(ctx, intArray(ids, 'serverIds'));
  const sids = systems.map((s) => s.id);
  if (add) await ctx.services.stores.groups.addSystems(ctx.user.orgId, g.id, sids);
  else await ctx.services.stores.groups.removeSystems(ctx.user.orgId, g.id, sids);
  return 1;
}

const ADMIN = { role: 'system_group_admin' as const };
const LOOKUP = { faults: [2201] };

const methods: MethodDef[] = [
  method('create', ['string name', 'string description'], 'ManagedServerGroup', async (ctx, name: string, description: string) =>
    systemGroupStruct(await ctx.services.stores.groups.create(ctx.user.orgId, name, description)), { ...ADMIN, faults: [-23] }),
  method('getDetails', ['int systemGroupId'], 'ManagedServerGroup', async (ctx, id: number) => systemGroupStruct(await groupOf(ctx, id)), LOOKUP),
  method('getDetails', ['string systemGroupName'], 'ManagedServerGroup', async (ctx, name: string) => systemGroupStruct(await groupOf(ctx, name)), LOOKUP),
  method('listActiveSystemsInGroup', ['string systemGroupName'], 'int[]', (ctx, name: string) => byActivity(ctx, name, true), LOOKUP),
  method('listAllGroups', [], 'ManagedServerGroup[]', async (ctx) => (await ctx.services.stores.groups.list(ctx.user.orgId)).map(systemGroupStruct)),
  method('listInactiveSystemsInGroup', ['string systemGroupName', 'int daysInactive'], 'int[]', (ctx, name: string, days: number) =>
    byActivity(ctx, name, false, days), LOOKUP),
  method('listInactiveSystemsInGroup', ['string systemGroupName'], 'int[]', (ctx, name: string) => byActivity(ctx, name, false), LOOKUP),
  method('listSystems', ['string systemGroupName'], 'Server[]', async (ctx, name: string) => {
    const out: Record<string, unknown>[] = [];
    for (const s of await members(ctx, name)) out.push(serverStruct(s, await ctx.services.stores.systems.entitlements(ctx.user.orgId, s.id)));
    return out;
  }, LOOKUP),
  method('listSystemsMinimal', ['string systemGroupName'], 'SystemOverview[]', async (ctx, name: string) =>
    (await members(ctx, name)).map((s) => systemOverview(s)), LOOKUP),
  // tier 2, called by spacecmd's group_* commands
  method('addOrRemoveSystems', ['string systemGroupName', 'int[] serverIds', 'boolean add'], 'int', addOrRemove, { faults: [2201, -208] }),
  method('delete', ['string systemGroupName'], 'int', async (ctx, name: string) => {
    await ctx.services.stores.groups.delete(ctx.user.orgId, (await groupOf(ctx, name)).id);
    return 1;
  }, { ...ADMIN, faults: [2201, -23] }),
  method('update', ['string systemGroupName', 'string description'], 'ManagedServerGroup', async (ctx, name: string, description: string) => {
    const g = await groupOf(ctx, name);
    await ctx.services.stores.groups.setDescription(ctx.user.orgId, g.id, description);
    return systemGroupStruct(await groupOf(ctx, g.id));
  }, LOOKUP),
];

export const systemGroupNamespace: NamespaceDef = { namespace: 'systemgroup', handlerClass: 'ServerGroupHandler', methods };
