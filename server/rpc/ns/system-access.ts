// What the system.* handlers share: the caller's systems (-208 for ids unknown or outside the
// org), the management entitlement and client capabilities scheduling needs, modular channels
// (2107), and which relevant errata no open action covers yet.
import { InvalidArgument, NotFound, type RelevantErratum, type System } from '../../../channels/index.js';
import { baseEntitlement, UNENTITLED } from '../../presenters/systems.js';
import type { CallContext } from '../registry.js';

/** Spacewalk's SYSTEM_CHECKIN_THRESHOLD: a system is inactive after a day without check-in. */
export const DEFAULT_INACTIVE_DAYS = 1;

export const checkedInSince = (days: number): Date => new Date(Date.now() - days * 86_400_000);

export async function systemOf(ctx: CallContext, sid: number): Promise<System> {
  const s = await ctx.services.stores.systems.get(ctx.user.orgId, sid);
  if (!s) throw new NotFound('system', sid);
  return s;
}

/** Every id must name one of the caller's systems; the first that does not faults. */
export async function systemsOf(ctx: CallContext, sids: readonly number[]): Promise<System[]> {
  const out: System[] = [];
  for (const sid of sids) out.push(await systemOf(ctx, sid));
  return out;
}

/** Scheduling needs the management entitlement (MissingEntitlementException, 2400). */
export function requireManaged(s: System): void {
  if (baseEntitlement(s) === UNENTITLED) {
    throw new InvalidArgument('system.not_entitled', `Missing entitlement: system ${s.id} does not have the Management entitlement`);
  }
}

/** A capability the client announced on check-in (MissingCapabilityException, 2401). */
export async function requireCapability(ctx: CallContext, s: System, capability: string): Promise<void> {
  const caps = await ctx.services.stores.inventory.capabilities(s.id);
  if (!caps.some((c) => c.name === capability)) {
    throw new InvalidArgument('system.capability', `Missing capability: system ${s.id} has not announced ${capability}`);
  }
}

/** Without allowModules, a system subscribed to a channel with modules metadata refuses (2107). */
export async function checkModules(ctx: CallContext, systems: readonly System[], allowModules: boolean): Promise<void> {
  if (allowModules) return;
  const { stores } = ctx.services;
  for (const s of systems) {
    for (const c of await stores.systems.channels(ctx.user.orgId, s.id)) {
      if (await stores.sync.metadata(c.id, 'modules')) {
        throw new InvalidArgument('system.modules', `Modules are enabled on channel ${c.label} of system ${s.id}: set allowModules to schedule`);
      }
    }
  }
}

/** Erratum ids in the system's queued or picked-up errata.update actions. */
export async function scheduledErrata(ctx: CallContext, systemId: number): Promise<Set<number>> {
  const open = await ctx.services.stores.schedule.openActions(ctx.user.orgId, [systemId], 'errata.update');
  const ids = new Set<number>();
  for (const a of open) {
    const list = (a.payload as { errata?: unknown } | null)?.errata;
    if (Array.isArray(list)) for (const id of list) if (typeof id === 'number') ids.add(id);
  }
  return ids;
}

/** The relevant errata no open action covers yet (Spacewalk's unscheduledErrata), newest first. */
export async function unscheduledErrata(ctx: CallContext, systemId: number): Promise<RelevantErratum[]> {
  const relevant = await ctx.services.stores.relevance.getRelevantErrata(systemId);
  const scheduled = await scheduledErrata(ctx, systemId);
  return relevant.filter((e) => !scheduled.has(e.id));
}
