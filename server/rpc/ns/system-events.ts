// system.listSystemEvents and getEventHistory: the actions a system had, newest first, with
// what each one was about (packages by NVRE, errata by advisory and synopsis).
import type { SystemEvent } from '../../../channels/index.js';
import { actionTypeLabel, historyEvent, systemEvent } from '../../presenters/schedule.js';
import { internalFault } from '../faults.js';
import { method, type CallContext, type MethodDef } from '../registry.js';
import { systemOf } from './system-access.js';

const PACKAGE_TYPES = new Set(['packages.update', 'packages.remove', 'packages.verify']);

function listOf(payload: unknown, key: string): unknown[] {
  const v = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)[key] : undefined;
  return Array.isArray(v) ? v : [];
}

/** name-version-release[:epoch], as Spacewalk's package list query spells it. */
function nvre(p: unknown): string | null {
  if (!Array.isArray(p) || typeof p[0] !== 'string') return null;
  const [n, v, r, e] = p.map((x) => (x === null || x === undefined ? '' : String(x)));
  return `${n}-${v}-${r}${e ? `:${e}` : ''}`;
}

async function additionalInfo(ctx: CallContext, e: SystemEvent): Promise<{ detail: string }[]> {
  if (PACKAGE_TYPES.has(e.type)) {
    return listOf(e.payload, 'packages').map(nvre).filter((d): d is string => d !== null).map((detail) => ({ detail }));
  }
  if (e.type !== 'errata.update') return [];
  const out: { detail: string }[] = [];
  for (const id of listOf(e.payload, 'errata')) {
    const erratum = typeof id === 'number' ? await ctx.services.stores.errata.getById(id) : null;
    if (erratum) out.push({ detail: `${erratum.advisoryName} (${erratum.synopsis})` });
  }
  return out;
}

/** The type may be given by name ("Package Install"), as Spacewalk wants it, or by label. */
async function listEvents(ctx: CallContext, sid: number, actionType?: string): Promise<Record<string, unknown>[]> {
  await systemOf(ctx, sid);
  let label: string | undefined;
  if (actionType !== undefined) {
    label = actionTypeLabel(actionType);
    // Spacewalk lets an IllegalArgumentException out here: -1
    if (!label) throw internalFault(`Action type not found: ${actionType}`);
  }
  const events = await ctx.services.stores.schedule.history(ctx.user.orgId, sid, label);
  const out: Record<string, unknown>[] = [];
  for (const e of events) out.push(systemEvent(e, ctx.services.zone, await additionalInfo(ctx, e)));
  return out;
}

export const systemEventMethods: MethodDef[] = [
  method('listSystemEvents', ['int sid'], 'struct[]', (ctx, sid: number) => listEvents(ctx, sid), { faults: [-208] }),
  method('listSystemEvents', ['int sid', 'string actionType'], 'struct[]', listEvents, { faults: [-208] }),
  method('getEventHistory', ['int sid'], 'HistoryEvent[]', async (ctx, sid: number) => {
    await systemOf(ctx, sid);
    return (await ctx.services.stores.schedule.history(ctx.user.orgId, sid)).map(historyEvent);
  }, { faults: [-208] }),
];
