// Wire shapes of registered systems: SystemOverview, the Server serializer (system.getDetails,
// systemgroup.listSystems), name structs, notes and the entitlement lists Spacewalk reports.
import type { System, SystemNote } from '../../channels/index.js';

/** The base (management) entitlement; everything else a system holds is an add-on. */
export const BASE_ENTITLEMENTS: readonly string[] = ['enterprise_entitled'];
export const ADDON_ENTITLEMENTS: readonly string[] = ['virtualization_host'];
export const UNENTITLED = 'unentitled';

export interface OverviewSource {
  id: number;
  name: string;
  lastCheckin: Date;
  created?: Date | null;
  lastBoot?: Date | null;
}

/** SystemOverviewSerializer: created and last_boot only when known (null members are left out). */
export function systemOverview(s: OverviewSource, extraPackages?: number): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    last_checkin: s.lastCheckin,
    created: s.created ?? null,
    last_boot: s.lastBoot ?? null,
    extra_pkg_count: extraPackages ?? null,
  };
}

/** The system's base entitlement label, `unentitled` when it has none. */
export function baseEntitlement(s: Pick<System, 'baseEntitlement'>): string {
  return s.baseEntitlement === '' ? UNENTITLED : s.baseEntitlement;
}

/** getEntitlements: the base entitlement (when entitled) and the add-ons. */
export function entitlementLabels(s: System, addons: readonly string[]): string[] {
  const base = baseEntitlement(s);
  return [...(base === UNENTITLED ? [] : [base]), ...addons];
}

/**
 * ServerSerializer: "unknown" hostname without network data, location fields as "", last_boot
 * the Unix epoch when the client never said (Spacewalk's last_boot column defaults to 0).
 */
export function serverStruct(s: System, addons: readonly string[]): Record<string, unknown> {
  return {
    id: s.id,
    profile_name: s.name,
    hostname: s.hostname === '' ? 'unknown' : s.hostname,
    base_entitlement: baseEntitlement(s),
    addon_entitlements: [...addons],
    auto_update: s.autoUpdate,
    description: s.description,
    address1: s.address1,
    address2: s.address2,
    city: s.city,
    state: s.state,
    country: s.country,
    building: s.building,
    room: s.room,
    rack: s.rack,
    release: s.osRelease,
    last_boot: s.lastBoot ?? new Date(0),
    // no OSA dispatcher: Spacewalk reports a system without a push client as "unknown"
    osa_status: 'unknown',
    lock_status: s.locked,
    virtualization: s.virtType === '' ? null : s.virtType,
  };
}

/** getName: id, name and last check-in only. */
export function systemName(s: System): Record<string, unknown> {
  return { id: s.id, name: s.name, last_checkin: s.lastCheckin };
}

/** NoteSerializer: note and creator left out when unset. */
export function noteStruct(n: SystemNote): Record<string, unknown> {
  return {
    id: n.id,
    subject: n.subject,
    note: n.note === '' ? null : n.note,
    system_id: n.systemId,
    creator: n.creatorLogin,
    updated: n.modified,
  };
}
