// Row shapes and SQL fragments the guest stores share: the systems row as a domain record,
// channel visibility for an org, and id lists bound as one JSON parameter.
import type { System, SystemBrief, SystemUpdate } from '../model-systems.js';
import { toDate, toDateOrNull } from './rows.js';

export interface SystemRow {
  id: number;
  org_id: number;
  name: string;
  os_release: string;
  release_name: string;
  architecture: string;
  username: string;
  description: string;
  creator_id: number | null;
  created: number;
  last_checkin: number;
  last_boot: number | null;
  running_kernel: string;
  hostname: string;
  ip: string;
  ip6: string;
  uuid: string;
  virt_type: string;
  auto_update: number;
  locked: number;
  disabled: number;
  base_entitlement: string;
  address1: string;
  address2: string;
  city: string;
  state: string;
  country: string;
  building: string;
  room: string;
  rack: string;
  profile_revision: number;
  base_id: number | null;
  base_label: string | null;
}

/**
 * A system's last check-in (Unix seconds) for a query over `systems s`: kept in system_checkins
 * (migrations/0004), the registration time for a system without a row there.
 */
export const LAST_CHECKIN = 'COALESCE((SELECT ck.last_checkin FROM system_checkins ck WHERE ck.system_id = s.id), s.created)';

/** Every systems column but the secret, plus the base channel (the subscribed channel without a parent). */
export const SYSTEM_SELECT = `SELECT s.id, s.org_id, s.name, s.os_release, s.release_name, s.architecture, s.username,
  s.description, s.creator_id, s.created, ${LAST_CHECKIN} AS last_checkin, s.last_boot, s.running_kernel, s.hostname, s.ip, s.ip6,
  s.uuid, s.virt_type, s.auto_update, s.locked, s.disabled, s.base_entitlement, s.address1, s.address2, s.city,
  s.state, s.country, s.building, s.room, s.rack, s.profile_revision, b.id AS base_id, b.label AS base_label
  FROM systems s
  LEFT JOIN channels b ON b.id = (SELECT sc.channel_id FROM system_channels sc JOIN channels c ON c.id = sc.channel_id
                                  WHERE sc.system_id = s.id AND c.parent_id IS NULL LIMIT 1)`;

export function toSystem(r: SystemRow): System {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    osRelease: r.os_release,
    releaseName: r.release_name,
    architecture: r.architecture,
    username: r.username,
    description: r.description,
    creatorId: r.creator_id,
    created: toDate(r.created),
    lastCheckin: toDate(r.last_checkin),
    lastBoot: toDateOrNull(r.last_boot),
    runningKernel: r.running_kernel,
    hostname: r.hostname,
    ip: r.ip,
    ip6: r.ip6,
    uuid: r.uuid,
    virtType: r.virt_type,
    autoUpdate: r.auto_update === 1,
    locked: r.locked === 1,
    disabled: r.disabled === 1,
    baseEntitlement: r.base_entitlement,
    address1: r.address1,
    address2: r.address2,
    city: r.city,
    state: r.state,
    country: r.country,
    building: r.building,
    room: r.room,
    rack: r.rack,
    profileRevision: r.profile_revision,
    baseChannelId: r.base_id,
    baseChannelLabel: r.base_label,
  };
}

export const toBrief = (r: { id: number; name: string; last_checkin: number }): SystemBrief => ({
  id: r.id,
  name: r.name,
  lastCheckin: toDate(r.last_checkin),
});

/** Channels an org may read (the rule of stores/channels.ts); `c` is the channel, `@org` the org. */
export const CHANNEL_VISIBLE = `(c.org_id = @org OR c.org_id IS NULL OR c.access = 'public'
  OR (c.access = 'protected' AND EXISTS (SELECT 1 FROM channel_org_access a WHERE a.channel_id = c.id AND a.org_id = @org)))`;

/** `IN (SELECT value FROM json_each(?))` takes a whole id list as one bound value, whatever its length. */
export const IN_JSON = 'IN (SELECT value FROM json_each(?))';
export const jsonIds = (ids: readonly number[]): string => JSON.stringify(ids);

/** A LIKE pattern matching `term` anywhere, with the wildcards in the term taken literally (ESCAPE '\'). */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Spacewalk's result_msg column holds 1024 characters. */
export const clipMessage = (m: string): string => (m.length > 1024 ? m.slice(0, 1024) : m);

export const MAX_ID = 2147483647;

export const SYSTEM_UPDATE_COLUMNS: Record<keyof SystemUpdate, string> = {
  name: 'name',
  osRelease: 'os_release',
  releaseName: 'release_name',
  architecture: 'architecture',
  username: 'username',
  description: 'description',
  lastBoot: 'last_boot',
  runningKernel: 'running_kernel',
  hostname: 'hostname',
  ip: 'ip',
  ip6: 'ip6',
  uuid: 'uuid',
  virtType: 'virt_type',
  autoUpdate: 'auto_update',
  locked: 'locked',
  disabled: 'disabled',
  baseEntitlement: 'base_entitlement',
  address1: 'address1',
  address2: 'address2',
  city: 'city',
  state: 'state',
  country: 'country',
  building: 'building',
  room: 'room',
  rack: 'rack',
  secret: 'secret',
};
