// schedule.*: the org's actions by state with per-state system counts, the systems of one
// action in a state, and cancelling or rescheduling actions (all or none).
import { InvalidArgument, type ActionListFilter, type ActionSystemFilter } from '../../../channels/index.js';
import { scheduleAction, scheduleSystem } from '../../presenters/schedule.js';
import type { XmlRpcValue } from '../../xmlrpc/types.js';
import { intArray } from '../args.js';
import { method, type CallContext, type MethodDef, type NamespaceDef } from '../registry.js';

const listActions = (filter: ActionListFilter) => async (ctx: CallContext) =>
  (await ctx.services.stores.schedule.list(ctx.user.orgId, filter)).map(scheduleAction);

const listSystems = (filter: ActionSystemFilter) => async (ctx: CallContext, actionId: number) => {
  if (!(await ctx.services.stores.actions.get(ctx.user.orgId, actionId))) throw new InvalidArgument('action.unknown', `No such action: ${actionId}`);
  return (await ctx.services.stores.schedule.systems(ctx.user.orgId, actionId, filter)).map(scheduleSystem);
};

const methods: MethodDef[] = [
  method('listAllActions', [], 'ScheduleAction[]', listActions('all')),
  method('listArchivedActions', [], 'ScheduleAction[]', listActions('archived')),
  method('listCompletedActions', [], 'ScheduleAction[]', listActions('completed')),
  method('listFailedActions', [], 'ScheduleAction[]', listActions('failed')),
  method('listInProgressActions', [], 'ScheduleAction[]', listActions('inProgress')),
  method('listCompletedSystems', ['int actionId'], 'ScheduleSystem[]', listSystems('completed'), { faults: [2700] }),
  method('listFailedSystems', ['int actionId'], 'ScheduleSystem[]', listSystems('failed'), { faults: [2700] }),
  method('listInProgressSystems', ['int actionId'], 'ScheduleSystem[]', listSystems('inProgress'), { faults: [2700] }),
  method('cancelActions', ['int[] actionIds'], 'int', async (ctx, ids: XmlRpcValue) => {
    await ctx.services.stores.schedule.cancel(ctx.user.orgId, intArray(ids, 'actionIds'));
    return 1;
  }, { faults: [-1, 1233, 2700] }),
  method('rescheduleActions', ['int[] actionIds', 'boolean onlyFailed'], 'int', async (ctx, ids: XmlRpcValue, onlyFailed: boolean) => {
    await ctx.services.stores.schedule.reschedule(ctx.user.orgId, intArray(ids, 'actionIds'), onlyFailed);
    return 1;
  }, { faults: [2700] }),
];

export const scheduleNamespace: NamespaceDef = { namespace: 'schedule', handlerClass: 'ScheduleHandler', methods };
