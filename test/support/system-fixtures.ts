// Registered systems for the admin-API system tests: a second connection to a running server's
// database registers them with package profiles and the hardware a real client sent (read from
// the rhn-profile-sync trace and normalised by client-shim, as registration stores it), and a
// caller for /rpc/api through Python's xmlrpc.client that keeps XML-RPC types.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attachStores, parseNevra, type InstalledPackage, type Stores, type System } from '../../channels/index.js';
import { cleanseIpv4, normaliseHardwareList } from '../../client-shim/index.js';
import { replay, TRACES, type Reply } from './replay.js';
import type { RunningServer } from './server.js';

export interface Db {
  stores: Stores;
  org: number;
  adminId: number;
  close(): void;
}

export async function openDb(server: RunningServer): Promise<Db> {
  const stores = attachStores(join(server.dataDir, 'skylab.db'));
  const admin = (await stores.users.getUserByLogin(server.adminUser))!;
  return { stores, org: admin.orgId, adminId: admin.id, close: () => stores.close() };
}

/** The hwlist rhn-profile-sync sent (registration.refresh_hw_profile in the trace). */
export function tracedHardware(): unknown[] {
  for (const line of readFileSync(join(TRACES, 'rhn-profile-sync.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const call = (JSON.parse(line) as { call?: { method: string; params: unknown[] } }).call;
    if (call?.method === 'registration.refresh_hw_profile') return call.params[1] as unknown[];
  }
  throw new Error('no refresh_hw_profile call in the rhn-profile-sync trace');
}

/** The package list the traced guests uploaded (registration.add_packages). */
export function tracedPackages(): InstalledPackage[] {
  for (const line of readFileSync(join(TRACES, 'rhnreg_ks-activationkey.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const call = (JSON.parse(line) as { call?: { method: string; params: unknown[] } }).call;
    if (call?.method === 'registration.add_packages') return (call.params[1] as InstalledPackage[]).map((p) => ({ ...p, installtime: p.installtime ?? null }));
  }
  throw new Error('no add_packages call in the rhnreg_ks trace');
}

/** `name-[epoch:]version-release.arch` labels as installed packages (installtime unknown). */
export const installed = (...labels: string[]): InstalledPackage[] => labels.map((l) => ({ ...parseNevra(l), installtime: null }));

export interface SystemSpec {
  name: string;
  packages?: InstalledPackage[];
  /** a client hwlist (as registration receives it) */
  hardware?: unknown[];
  base?: number | null;
  children?: number[];
  description?: string;
  uuid?: string;
  virtType?: string;
  osRelease?: string;
  groups?: number[];
  /** Unix seconds of the last check-in (default: now) */
  lastCheckin?: number;
}

/** Registers a system as the client protocol would: record, channels, profile, hardware. */
export async function registerSystem(db: Db, spec: SystemSpec): Promise<System> {
  const { stores, org } = db;
  const s = await stores.systems.create({
    orgId: org,
    name: spec.name,
    secret: randomBytes(32).toString('hex'),
    osRelease: spec.osRelease ?? '8',
    releaseName: 'redhat-release',
    architecture: 'x86_64',
    username: 'admin',
    creatorId: db.adminId,
    description: spec.description ?? '',
    uuid: spec.uuid ?? '',
    virtType: spec.virtType ?? '',
    baseChannelId: spec.base ?? null,
    childChannelIds: spec.children ?? [],
    groupIds: spec.groups ?? [],
  });
  if (spec.packages) await stores.inventory.replacePackages(org, s.id, spec.packages);
  if (spec.hardware) {
    const items = normaliseHardwareList(spec.hardware);
    const netinfo = items.find((i) => i.class === 'NETINFO')?.data ?? {};
    await stores.inventory.storeHardware(org, s.id, items, {
      replace: true,
      update: { hostname: String(netinfo['hostname'] ?? ''), ip: cleanseIpv4(netinfo['ipaddr']), ip6: String(netinfo['ip6addr'] ?? '') },
    });
  }
  if (spec.lastCheckin !== undefined) stores.db.prepare('UPDATE system_checkins SET last_checkin = ? WHERE system_id = ?').run(spec.lastCheckin, s.id);
  return (await stores.systems.get(org, s.id))!;
}

export interface ApiCall {
  method: string;
  /** `{__session__: true}` is the key of the login this helper makes first; `{__datetime__: ...}` a dateTime */
  params: unknown[];
}

/** Logs in (as the admin unless told) and runs the calls in one Python process; replies in order. */
export async function call(server: RunningServer, calls: ApiCall[], login: [string, string] = [server.adminUser, server.adminPassword]): Promise<Reply[]> {
  const replies = await replay(server.apiUrl, [{ method: 'auth.login', params: login }, ...calls]);
  if (replies[0]!.fault) throw new Error(`login failed: ${replies[0]!.fault.faultString}`);
  return replies.slice(1);
}

export const S = { __session__: true } as const;

/** The answer of a reply that must not be a fault. */
export function answer<T = unknown>(r: Reply): T {
  if (r.fault) throw new Error(`unexpected fault ${r.fault.faultCode}: ${r.fault.faultString}`);
  return r.answer as T;
}

/** `YYYYMMDDTHH:MM:SS` in UTC for a dateTime parameter (the test servers run in UTC). */
export function dateTime(d: Date): { __datetime__: string } {
  const iso = d.toISOString();
  return { __datetime__: `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 19)}` };
}
