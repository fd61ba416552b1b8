// system.* about one system's own record: details and setDetails, names and ids, network,
// lock, entitlements, and deletion. Notes, custom values and groups are in system-extras.ts.
import { InvalidArgument, PermissionDenied, hasRole, type System, type SystemUpdate } from '../../../channels/index.js';
import { ADDON_ENTITLEMENTS, BASE_ENTITLEMENTS, entitlementLabels, serverStruct, systemName, systemOverview, UNENTITLED } from '../../presenters/systems.js';
import type { XmlRpcStruct } from '../../xmlrpc/types.js';
import { checkKeys, intArray, optBool, optString, stringArray } from '../args.js';
import { method, type CallContext, type MethodDef } from '../registry.js';
import { systemOf, unscheduledErrata } from './system-access.js';

/** Spacewalk's validateProfileName: 2 to 128 characters after trimming. */
export function profileName(raw: string): string {
  const name = raw.trim();
  if (name.length < 2) throw new InvalidArgument('system.profile_name_short', 'system profile name is too short');
  if (name.length > 128) throw new InvalidArgument('system.profile_name_long', 'system profile name is too long');
  return name;
}

const REGIONS = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/** Two-letter ISO 3166 codes, as Spacewalk's list of countries holds them (2280 otherwise). */
function country(code: string): string {
  if (code !== '' && (!/^[A-Z]{2}$/.test(code) || REGIONS.of(code) === undefined)) {
    throw new InvalidArgument('system.country', `Unrecognized country: ${code}`);
  }
  return code;
}

const LOCATION = ['address1', 'address2', 'city', 'state', 'building', 'room', 'rack'] as const;
const DETAIL_KEYS = ['profile_name', 'base_entitlement', 'auto_errata_update', 'description', 'country', ...LOCATION];

async function setDetails(ctx: CallContext, sid: number, details: XmlRpcStruct): Promise<number> {
  checkKeys(details, DETAIL_KEYS);
  const s = await systemOf(ctx, sid);
  const u: SystemUpdate = {};
  const name = optString(details, 'profile_name');
  if (name !== undefined) u.name = profileName(name);
  const description = optString(details, 'description');
  if (description !== undefined) u.description = description;
  for (const key of LOCATION) {
    const v = optString(details, key);
    if (v !== undefined) u[key] = v;
  }
  const c = optString(details, 'country');
  if (c !== undefined) u.country = country(c);
  const ent = optString(details, 'base_entitlement');
  if (ent !== undefined) {
    if (!hasRole(ctx.user, 'org_admin')) throw new PermissionDenied();
    if (BASE_ENTITLEMENTS.includes(ent)) u.baseEntitlement = ent;
    else if (ent === 'unentitle') await unentitle(ctx, s);
  }
  const auto = optBool(details, 'auto_errata_update');
  if (auto !== undefined) u.autoUpdate = auto;
  await ctx.services.stores.systems.update(ctx.user.orgId, sid, u);
  // Turning automatic updates on applies what the system needs now (ActionManager.scheduleAllErrataUpdate).
  if (auto && !s.autoUpdate) await scheduleAllErrata(ctx, { ...s, baseEntitlement: u.baseEntitlement ?? s.baseEntitlement });
  return 1;
}

async function scheduleAllErrata(ctx: CallContext, s: System): Promise<void> {
  const errata = await unscheduledErrata(ctx, s.id);
  if (errata.length === 0 || s.baseEntitlement === UNENTITLED) return;
  await ctx.services.stores.actions.create({
    orgId: ctx.user.orgId,
    type: 'errata.update',
    name: 'Auto Errata Update',
    schedulerId: ctx.user.id,
    earliest: new Date(),
    payload: { errata: errata.map((e) => e.id) },
    systemIds: [s.id],
  });
}

async function unentitle(ctx: CallContext, s: System): Promise<void> {
  const { systems } = ctx.services.stores;
  await systems.removeEntitlements(ctx.user.orgId, s.id, await systems.entitlements(ctx.user.orgId, s.id));
  await systems.update(ctx.user.orgId, s.id, { baseEntitlement: UNENTITLED });
}

function validEntitlements(labels: string[]): string[] {
  const bad = labels.find((l) => !BASE_ENTITLEMENTS.includes(l) && !ADDON_ENTITLEMENTS.includes(l));
  if (bad !== undefined) throw new InvalidArgument('system.entitlement', `Invalid entitlement: ${bad}`);
  return labels;
}

async function addEntitlements(ctx: CallContext, sid: number, list: unknown): Promise<number> {
  const s = await systemOf(ctx, sid);
  const labels = validEntitlements(stringArray(list as never, 'entitlements'));
  const base = labels.find((l) => BASE_ENTITLEMENTS.includes(l));
  const addons = labels.filter((l) => ADDON_ENTITLEMENTS.includes(l));
  if (base) await ctx.services.stores.systems.update(ctx.user.orgId, sid, { baseEntitlement: base });
  else if (addons.length > 0) requireBase(s);
  if (addons.length > 0) await ctx.services.stores.systems.addEntitlements(ctx.user.orgId, sid, addons);
  return 1;
}

function requireBase(s: System): void {
  if (s.baseEntitlement === UNENTITLED || s.baseEntitlement === '') throw new InvalidArgument('system.entitlement', 'Invalid entitlement: base entitlement missing');
}

async function removeEntitlements(ctx: CallContext, sid: number, list: unknown): Promise<number> {
  const s = await systemOf(ctx, sid);
  const labels = validEntitlements(stringArray(list as never, 'entitlements'));
  // removing the base entitlement unentitles the whole system
  if (labels.some((l) => BASE_ENTITLEMENTS.includes(l))) await unentitle(ctx, s);
  else await ctx.services.stores.systems.removeEntitlements(ctx.user.orgId, sid, labels);
  return 1;
}

/** deleteSystems: the caller's systems go; any other id is reported with 1003 afterwards. */
async function deleteSystems(ctx: CallContext, ids: unknown): Promise<number> {
  const sids = intArray(ids as never, 'systemIds');
  const { systems } = ctx.services.stores;
  const mine: number[] = [];
  const skipped: number[] = [];
  for (const sid of new Set(sids)) ((await systems.get(ctx.user.orgId, sid)) ? mine : skipped).push(sid);
  if (mine.length > 0) await systems.delete(ctx.user.orgId, mine);
  if (skipped.length > 0) throw new InvalidArgument('system.not_deleted', `The following systems were NOT deleted: ${skipped.map((x) => `\n${x}`).join('')}`);
  return 1;
}

const READ = { faults: [-208] };

export const systemDetailMethods: MethodDef[] = [
  method('getDetails', ['int serverId'], 'Server', async (ctx, sid: number) => {
    const s = await systemOf(ctx, sid);
    return serverStruct(s, await ctx.services.stores.systems.entitlements(ctx.user.orgId, sid));
  }, READ),
  method('setDetails', ['int serverId', 'struct details'], 'int', setDetails, { faults: [-208, -23, 1060, 1061, 2280, 2801] }),
  method('getName', ['int serverId'], 'struct', async (ctx, sid: number) => systemName(await systemOf(ctx, sid)), READ),
  method('getId', ['string name'], 'SystemOverview[]', async (ctx, name: string) =>
    (await ctx.services.stores.systems.list(ctx.user.orgId, { name })).map((s) => systemOverview(s))),
  method('getRegistrationDate', ['int sid'], 'dateTime', async (ctx, sid: number) => (await systemOf(ctx, sid)).created, READ),
  method('getRunningKernel', ['int sid'], 'string', async (ctx, sid: number) => (await systemOf(ctx, sid)).runningKernel || 'Unknown', READ),
  method('getUuid', ['int serverId'], 'string', async (ctx, sid: number) => (await systemOf(ctx, sid)).uuid, READ),
  method('getOsaPing', ['int serverId'], 'struct', async (ctx, sid: number) => {
    await systemOf(ctx, sid);
    // no OSA dispatcher: what Spacewalk answers for a system without a push client
    return { state: 'unknown', lastMessageTime: new Date(0), lastPingTime: new Date(0) };
  }, READ),
  method('getNetwork', ['int sid'], 'struct', async (ctx, sid: number) => {
    const s = await systemOf(ctx, sid);
    return { ip: s.ip, ip6: s.ip6, hostname: s.hostname };
  }, READ),
  method('setProfileName', ['int sid', 'string name'], 'int', async (ctx, sid: number, name: string) => {
    await systemOf(ctx, sid);
    await ctx.services.stores.systems.update(ctx.user.orgId, sid, { name: profileName(name) });
    return 1;
  }, { faults: [-208, 1060, 1061] }),
  method('setLockStatus', ['int serverId', 'boolean lockStatus'], 'int', async (ctx, sid: number, locked: boolean) => {
    await systemOf(ctx, sid);
    await ctx.services.stores.systems.update(ctx.user.orgId, sid, { locked });
    return 1;
  }, READ),
  method('getEntitlements', ['int sid'], 'string[]', async (ctx, sid: number) =>
    entitlementLabels(await systemOf(ctx, sid), await ctx.services.stores.systems.entitlements(ctx.user.orgId, sid)), READ),
  method('addEntitlements', ['int serverId', 'string[] entitlements'], 'int', addEntitlements, { faults: [-212, -208] }),
  method('removeEntitlements', ['int serverId', 'string[] entitlements'], 'int', removeEntitlements, { faults: [-212, -208] }),
  method('deleteSystems', ['int[] systemIds'], 'int', deleteSystems, { faults: [1003] }),
];
