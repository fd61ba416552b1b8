// What admin-api.md (§2.3 structs, §2.4 tables and notes for system, system.search, systemgroup,
// activationkey, schedule; distchannel from the handler's serializer) says each answer looks like,
// with nested structs, and a checker for answers decoded by test/support/replay.py.
import { DATETIME, SHORT_DATE, TIMESTAMP } from './api-shapes.js';
import { beanify, type Reply, type Wire } from './replay.js';

type Scalar = 'int' | 'string' | 'boolean' | 'dateTime';
export type F =
  | { t: Scalar; opt?: boolean; format?: RegExp }
  | { t: 'array'; of: Scalar | Struct; opt?: boolean }
  | { t: 'struct'; of: Struct | 'any'; opt?: boolean; empty?: boolean }
  /** same arity, answer typed by the overload: schedulePackageInstall(int sid ...) -> int, (int[] sids ...) -> int[] */
  | { t: 'oneOf'; of: F[]; opt?: boolean };
export type Struct = { readonly [k: string]: F };
export type Shape = F;

const s: F = { t: 'string' };
const i: F = { t: 'int' };
const b: F = { t: 'boolean' };
const d: F = { t: 'dateTime' };
const opt = (f: F): F => ({ ...f, opt: true });
const fmt = (format: RegExp): F => ({ t: 'string', format });
const arr = (of: Scalar | Struct): F => ({ t: 'array', of });
const st = (of: Struct | 'any'): F => ({ t: 'struct', of });
/** getCpu, getDmi, getSubscribedBaseChannel: Spacewalk answers an empty struct when there is nothing. */
const stOrEmpty = (of: Struct): F => ({ t: 'struct', of, empty: true });

const SPACE_OR_EPOCH = /^( |\d+)$/;

export const SHAPES = {
  SystemOverview: { id: i, name: s, last_checkin: d, created: opt(d), last_boot: opt(d), extra_pkg_count: opt(i) },
  Server: {
    id: i, profile_name: s, hostname: s, base_entitlement: s, addon_entitlements: arr('string'), auto_update: b, description: s,
    address1: s, address2: s, city: s, state: s, country: s, building: s, room: s, rack: s, release: s, last_boot: d,
    osa_status: s, lock_status: b, virtualization: opt(s),
  },
  ErrataOverview: { id: i, issue_date: opt(fmt(SHORT_DATE)), date: fmt(SHORT_DATE), update_date: fmt(SHORT_DATE), advisory_synopsis: s, advisory_type: s, advisory_name: s },
  Errata: { id: i, date: fmt(SHORT_DATE), advisory_synopsis: s, advisory_name: s, advisory_type: s },
  Channel: {
    id: i, label: s, name: s, arch_name: s, arch_label: s, summary: s, description: s, checksum_label: s, last_modified: d,
    maintainer_name: s, maintainer_email: s, maintainer_phone: s, support_policy: s, gpg_key_url: s, gpg_key_id: s, gpg_key_fp: s,
    yumrepo_last_sync: opt(d), contentSources: arr({ id: i, label: s, sourceUrl: s, type: s }), end_of_life: s, parent_channel_label: s, clone_original: s,
  },
  ActivationKey: {
    key: s, description: s, usage_limit: i, base_channel_label: s, child_channel_labels: arr('string'), entitlements: arr('string'),
    server_group_ids: arr('int'), package_names: arr('string'), packages: arr({ name: s, arch: opt(s) }), universal_default: b, disabled: b,
  },
  ManagedServerGroup: { id: i, name: s, description: s, org_id: i, system_count: i },
  ScheduleAction: { id: i, name: s, type: s, scheduler: s, earliest: d, completedSystems: i, failedSystems: i, inProgressSystems: i },
  ScheduleSystem: { server_id: i, server_name: s, base_channel: s, timestamp: d, message: s },
  ScriptResult: { serverId: i, startDate: d, stopDate: d, returnCode: i, output: s, output_enc64: b },
  HistoryEvent: { completed: d, summary: s, details: s },
  Cpu: { cache: s, family: s, mhz: s, flags: s, model: s, vendor: s, arch: s, stepping: s, count: s, socket_count: opt(i) },
  Dmi: { vendor: s, system: s, product: s, asset: s, board: s, bios_release: s, bios_vendor: s, bios_version: s },
  Device: { device: s, device_class: s, driver: s, description: s, bus: s, pcitype: s, prop1: opt(s), prop2: opt(s), prop3: opt(s), prop4: opt(s) },
  NetworkInterface: { ip: s, interface: s, netmask: s, hardware_address: s, module: s, broadcast: s, ipv6: arr({ address: s, netmask: s, scope: s }) },
  Note: { id: i, subject: s, note: opt(s), system_id: i, creator: opt(s), updated: d },
  ProfileOverviewDto: { id: i, name: s, channel: s },
  PackageMetadata: {
    package_name_id: i, package_name: s, package_epoch: s, package_version: s, package_release: s, package_arch: s,
    this_system: s, other_system: s, comparison: i,
  },
  SystemSearchResult: {
    id: i, name: s, last_checkin: d, hostname: s, ip: s,
    // SystemSearchResultSerializer writes the hw_* members only for hardware (device) hits
    hw_description: opt(s), hw_device_id: opt(s), hw_vendor_id: opt(s), hw_driver: opt(s),
  },
  InstalledPackage: { name: s, version: s, release: s, epoch: fmt(SPACE_OR_EPOCH), arch: s, installtime: opt(d) },
  ExtraPackage: { name: s, version: s, release: s, epoch: opt(s), arch: s, installtime: opt(d) },
  UpgradablePackage: {
    name: s, arch: s, from_epoch: fmt(SPACE_OR_EPOCH), from_version: s, from_release: s, from_arch: s,
    to_epoch: fmt(SPACE_OR_EPOCH), to_version: s, to_release: s, to_arch: s, to_package_id: i,
  },
  InstallablePackage: { name: s, version: s, release: s, epoch: s, id: i, arch_label: s },
  LatestAvailable: { id: i, name: s, package: st({ id: i, name: s, version: s, release: s, epoch: s, arch: s }) },
  SystemEvent: {
    failed_count: i, modified: fmt(TIMESTAMP), modified_date: d, created: fmt(TIMESTAMP), created_date: d, action_type: s,
    successful_count: i, earliest_action: fmt(TIMESTAMP), archived: i, scheduler_user: opt(s), prerequisite: opt(s), name: s, id: i,
    version: s, completion_time: opt(fmt(TIMESTAMP)), completed_date: opt(d), pickup_time: opt(fmt(TIMESTAMP)), pickup_date: opt(d),
    result_msg: opt(s), additional_info: opt(arr({ detail: s, result: opt(s) })),
  },
  GroupMembership: { id: i, subscribed: i, system_group_name: s, sgid: s },
  NameInfo: { id: i, name: s, last_checkin: d },
  NetworkInfo: { ip: s, ip6: s, hostname: s },
  Memory: { ram: i, swap: i },
  OsaPing: { state: s, lastMessageTime: d, lastPingTime: d },
  SubscribableChild: { id: i, name: s, label: s, summary: s, has_license: s, gpg_key_url: s },
  ActivatedSystem: { id: i, hostname: s, last_checkin: d },
  DistChannelMap: { os: s, release: s, arch_name: s, channel_label: s },
  IdName: { id: i, name: s },
  ExtraPackageSystem: { id: i, name: s, extra_pkg_count: i },
} satisfies Record<string, Struct>;

const X = SHAPES;
export const ActiveSystemDetails: Struct = {
  id: i, name: s, last_checkin: d, ram: i, swap: i, network_devices: arr(X.NetworkInterface), dmi_info: st('any'), cpu_info: st('any'),
  subscribed_channels: arr({ channel_id: i, channel_label: s }), active_guest_system_ids: arr('int'),
};

const list = (of: Struct): F => arr(of);
const INT: F = i;
const STR: F = s;

/** Answer shape by beanified method and number of params as sent (session key included). */
export const RESULTS: Readonly<Record<string, F>> = {
  'system.listSystems/1': list(X.SystemOverview), 'system.listActiveSystems/1': list(X.SystemOverview), 'system.listInactiveSystems/1': list(X.SystemOverview),
  'system.listInactiveSystems/2': list(X.SystemOverview), 'system.listUserSystems/1': list(X.SystemOverview), 'system.listUserSystems/2': list(X.SystemOverview),
  'system.listOutOfDateSystems/1': list(X.SystemOverview), 'system.searchByName/2': list(X.SystemOverview), 'system.getId/2': list(X.SystemOverview),
  'system.listSystemsWithPackage/2': list(X.SystemOverview), 'system.listSystemsWithPackage/4': list(X.SystemOverview),
  'system.listSuggestedReboot/1': list(X.IdName), 'system.listSystemsWithExtraPackages/1': list(X.ExtraPackageSystem),
  'system.getDetails/2': st(X.Server), 'system.getName/2': st(X.NameInfo), 'system.getRegistrationDate/2': d, 'system.getRunningKernel/2': STR,
  'system.getUuid/2': STR, 'system.getOsaPing/2': st(X.OsaPing), 'system.getNetwork/2': st(X.NetworkInfo), 'system.getEntitlements/2': arr('string'),
  'system.setDetails/3': INT, 'system.setProfileName/3': INT, 'system.setLockStatus/3': INT, 'system.addEntitlements/3': INT, 'system.removeEntitlements/3': INT,
  'system.deleteSystems/2': INT, 'system.addNote/4': INT, 'system.deleteNote/3': INT, 'system.deleteNotes/2': INT, 'system.listNotes/2': list(X.Note),
  'system.getCustomValues/2': st('any'), 'system.setCustomValues/3': INT, 'system.deleteCustomValues/3': INT, 'system.listGroups/2': list(X.GroupMembership),
  'system.listActivationKeys/2': arr('string'),
  'system.getCpu/2': stOrEmpty(X.Cpu), 'system.getDmi/2': stOrEmpty(X.Dmi), 'system.getDevices/2': list(X.Device), 'system.getMemory/2': st(X.Memory),
  'system.getNetworkDevices/2': list(X.NetworkInterface), 'system.listActiveSystemsDetails/2': list(ActiveSystemDetails),
  'system.getSubscribedBaseChannel/2': stOrEmpty(X.Channel), 'system.listSubscribedChildChannels/2': list(X.Channel),
  'system.listSubscribableChildChannels/2': list(X.SubscribableChild), 'system.setBaseChannel/3': INT, 'system.setChildChannels/3': INT,
  'system.listPackages/2': list(X.InstalledPackage), 'system.listLatestUpgradablePackages/2': list(X.UpgradablePackage),
  'system.listLatestInstallablePackages/2': list(X.InstallablePackage), 'system.listLatestAvailablePackage/3': list(X.LatestAvailable),
  'system.listExtraPackages/2': list(X.ExtraPackage), 'system.getRelevantErrata/2': list(X.ErrataOverview),
  'system.getRelevantErrataByType/3': list(X.ErrataOverview), 'system.getUnscheduledErrata/2': list(X.Errata),
  'system.comparePackages/3': list(X.PackageMetadata), 'system.comparePackageProfile/3': list(X.PackageMetadata),
  'system.createPackageProfile/4': INT, 'system.deletePackageProfile/2': INT, 'system.listPackageProfiles/1': list(X.ProfileOverviewDto),
  'system.scheduleApplyErrata/3': arr('int'), 'system.scheduleApplyErrata/4': arr('int'), 'system.scheduleApplyErrata/5': arr('int'),
  'system.schedulePackageInstall/4': { t: 'oneOf', of: [INT, arr('int')] }, 'system.schedulePackageInstall/5': { t: 'oneOf', of: [INT, arr('int')] },
  'system.schedulePackageRemove/4': { t: 'oneOf', of: [INT, arr('int')] }, 'system.schedulePackageRemove/5': { t: 'oneOf', of: [INT, arr('int')] },
  'system.scheduleHardwareRefresh/3': INT, 'system.schedulePackageRefresh/3': INT, 'system.scheduleReboot/3': INT,
  'system.scheduleScriptRun/7': INT, 'system.scheduleScriptRun/8': INT, 'system.getScriptResults/2': list(X.ScriptResult),
  'system.scheduleSyncPackagesWithSystem/5': INT, 'system.listSystemEvents/2': list(X.SystemEvent), 'system.listSystemEvents/3': list(X.SystemEvent),
  'system.getEventHistory/2': list(X.HistoryEvent),
  'system.search.deviceDescription/2': list(X.SystemSearchResult), 'system.search.deviceDriver/2': list(X.SystemSearchResult),
  'system.search.deviceVendorId/2': list(X.SystemSearchResult), 'system.search.hostname/2': list(X.SystemSearchResult),
  'system.search.ip/2': list(X.SystemSearchResult), 'system.search.nameAndDescription/2': list(X.SystemSearchResult), 'system.search.uuid/2': list(X.SystemSearchResult),
  'systemgroup.create/3': st(X.ManagedServerGroup), 'systemgroup.getDetails/2': st(X.ManagedServerGroup), 'systemgroup.listAllGroups/1': list(X.ManagedServerGroup),
  'systemgroup.listActiveSystemsInGroup/2': arr('int'), 'systemgroup.listInactiveSystemsInGroup/2': arr('int'), 'systemgroup.listInactiveSystemsInGroup/3': arr('int'),
  'systemgroup.listSystems/2': list(X.Server), 'systemgroup.listSystemsMinimal/2': list(X.SystemOverview), 'systemgroup.addOrRemoveSystems/4': INT,
  'systemgroup.delete/2': INT, 'systemgroup.update/3': st(X.ManagedServerGroup),
  'activationkey.create/7': STR, 'activationkey.create/6': STR, 'activationkey.getDetails/2': st(X.ActivationKey), 'activationkey.listActivationKeys/1': list(X.ActivationKey),
  'activationkey.listActivatedSystems/2': list(X.ActivatedSystem), 'activationkey.delete/2': INT, 'activationkey.setDetails/3': INT,
  'activationkey.addChildChannels/3': INT, 'activationkey.removeChildChannels/3': INT, 'activationkey.addEntitlements/3': INT, 'activationkey.removeEntitlements/3': INT,
  'activationkey.addPackages/3': INT, 'activationkey.removePackages/3': INT, 'activationkey.addServerGroups/3': INT, 'activationkey.removeServerGroups/3': INT,
  'activationkey.enableConfigDeployment/2': INT, 'activationkey.disableConfigDeployment/2': INT, 'activationkey.addConfigChannels/4': INT,
  'activationkey.removeConfigChannels/3': INT, 'activationkey.setConfigChannels/3': INT, 'activationkey.listConfigChannels/2': arr('string'), 'activationkey.checkConfigDeployment/2': INT,
  'schedule.listAllActions/1': list(X.ScheduleAction), 'schedule.listArchivedActions/1': list(X.ScheduleAction), 'schedule.listCompletedActions/1': list(X.ScheduleAction),
  'schedule.listFailedActions/1': list(X.ScheduleAction), 'schedule.listInProgressActions/1': list(X.ScheduleAction),
  'schedule.listCompletedSystems/2': list(X.ScheduleSystem), 'schedule.listFailedSystems/2': list(X.ScheduleSystem), 'schedule.listInProgressSystems/2': list(X.ScheduleSystem),
  'schedule.cancelActions/2': INT, 'schedule.rescheduleActions/3': INT,
  'distchannel.listDefaultMaps/1': list(X.DistChannelMap), 'distchannel.listMapsForOrg/1': list(X.DistChannelMap), 'distchannel.listMapsForOrg/2': list(X.DistChannelMap),
  'distchannel.setMapForOrg/5': INT,
  'errata.listAffectedSystems/2': list(X.SystemOverview), 'channel.software.listSubscribedSystems/2': list(X.IdName),
};

function wireType(v: Wire): string {
  if (typeof v === 'number') return 'int';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  if ('__datetime__' in v) return 'dateTime';
  if ('__double__' in v) return 'double';
  if ('__base64__' in v) return 'base64';
  if ('__nil__' in v) return 'nil';
  return 'struct';
}

function check(v: Wire, f: F | Struct, at: string, out: string[]): void {
  if (!('t' in f) || typeof f.t !== 'string') return checkStruct(v, f as Struct, at, out);
  const field = f as F;
  if (field.t === 'oneOf') {
    const tries = field.of.map((alt) => {
      const o: string[] = [];
      check(v, alt, at, o);
      return o;
    });
    if (!tries.some((o) => o.length === 0)) out.push(...tries[0]!);
    return;
  }
  if (field.t === 'array') {
    if (!Array.isArray(v)) return void out.push(`${at}: ${wireType(v)}, expected array`);
    v.forEach((x, n) => check(x, typeof field.of === 'string' ? { t: field.of } : field.of, `${at}[${n}]`, out));
    return;
  }
  if (field.t === 'struct') {
    if (wireType(v) !== 'struct') return void out.push(`${at}: ${wireType(v)}, expected struct`);
    if (field.empty && Object.keys(v as object).length === 0) return;
    if (field.of !== 'any') checkStruct(v, field.of, at, out);
    return;
  }
  const got = wireType(v);
  if (got !== field.t) return void out.push(`${at}: ${got}, expected ${field.t}`);
  if (field.t === 'dateTime' && !DATETIME.test((v as { __datetime__: string }).__datetime__)) out.push(`${at}: bad dateTime ${JSON.stringify(v)}`);
  if (field.format && !field.format.test(v as string)) out.push(`${at}: ${JSON.stringify(v)} does not match ${field.format}`);
}

function checkStruct(v: Wire, struct: Struct, at: string, out: string[]): void {
  if (wireType(v) !== 'struct') return void out.push(`${at}: ${wireType(v)}, expected struct`);
  const obj = v as Record<string, Wire>;
  for (const k of Object.keys(obj)) if (!(k in struct)) out.push(`${at}: unexpected field ${k}`);
  for (const [k, f] of Object.entries(struct)) {
    if (obj[k] === undefined) {
      if (!f.opt) out.push(`${at}: missing field ${k}`);
    } else check(obj[k]!, f, `${at}.${k}`, out);
  }
}

/** Every way a value differs from a shape (empty when it conforms). */
export function shapeProblems(v: Wire, shape: F | Struct): string[] {
  const out: string[] = [];
  check(v, shape, 'answer', out);
  return out;
}

/** A reply checked against RESULTS, plus §1.6's never-<i8>/<nil/> rule on the raw body. */
export function problems(method: string, paramCount: number, reply: Reply): string[] {
  if (reply.fault) return [`fault ${reply.fault.faultCode}: ${reply.fault.faultString}`];
  const shape = RESULTS[`${beanify(method)}/${paramCount}`];
  if (!shape) return [`no shape for ${beanify(method)}/${paramCount}`];
  return [...shapeProblems(reply.answer, shape), ...['<i8>', '<nil'].filter((tag) => reply.xml.includes(tag)).map((t) => `body contains ${t}`)];
}
