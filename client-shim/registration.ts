// registration.* calls that create systems or check accounts (client-protocol.md 3.1-3.5, 3.9,
// 3.11 and the obsolete ones of 3.0); the calls on an existing profile are in
// registration-profile.ts. No entitlement check in this namespace (2.3).
import type { ClientEnv, Struct } from './client-env.js';
import { isStruct, textArg } from './client-env.js';
import type { ClientMethod, ClientNamespace } from './dispatch.js';
import { ClientFault } from './faults.js';
import { normaliseHardwareList, normalisePackageList } from './profile-input.js';
import { registerSystem, serverArch, type Registered, type RegistrationRequest } from './register-system.js';
import { authenticateUser, checkUser } from './user-login.js';

export const WELCOME_MESSAGE = 'Skylab Welcome Message';
export const PRIVACY_STATEMENT = 'Skylab Privacy Statement';

/** registration.welcome_message([lang]) / privacy_statement([lang]): plain strings, no auth. */
export const REGISTRATION_TEXTS: ClientNamespace = {
  welcome_message: { minArgs: 0, maxArgs: 1, handler: () => WELCOME_MESSAGE },
  privacy_statement: { minArgs: 0, maxArgs: 1, handler: () => PRIVACY_STATEMENT },
};

const DEFAULT_RELEASE_NAME = 'Red Hat Linux';

/** hash_validate: every key there, not None and not an empty string. */
const present = (s: Struct, ...keys: string[]): boolean => keys.every((k) => s[k] !== undefined && s[k] !== null && s[k] !== '');

const VIRT_TYPES: Readonly<Record<string, string>> = { para: 'para_virtualized', fully: 'fully_virtualized' };

/** parse_smbios: the hypervisors Spacewalk recognises from the DMI strings. */
function smbiosVirtType(s: Struct): string | null {
  const vendor = textArg(s['smbios.bios.vendor']);
  const maker = textArg(s['smbios.system.manufacturer']);
  const product = textArg(s['smbios.system.product']);
  if (vendor === 'QEMU' || (maker === 'Red Hat' && (product === 'KVM' || product === 'RHEV Hypervisor'))) return 'qemu';
  if (maker === 'Microsoft Corporation' && product === 'Virtual Machine') return 'hyperv';
  if (textArg(s['smbios.system.serial']).startsWith('VMware-')) return 'vmware';
  if (maker === 'HITACHI' && product.endsWith(' HVM LPAR')) return 'virtage';
  return null;
}

/** virt_uuid/virt_type (Xen guests), else the SMBIOS UUID; an unknown virt_type is kept as sent. */
function virtIdentity(data: Struct): Pick<RegistrationRequest, 'uuid' | 'virtType'> {
  const virtUuid = textArg(data['virt_uuid']);
  if (virtUuid !== '') {
    const type = textArg(data['virt_type']);
    return { uuid: virtUuid, virtType: VIRT_TYPES[type] ?? type };
  }
  if (!isStruct(data['smbios'])) return {};
  const uuid = textArg(data['smbios']['smbios.system.uuid']).replace(/-/g, '');
  if (uuid === '') return {};
  return { uuid, virtType: smbiosVirtType(data['smbios']) ?? '' };
}

function request(profileName: string, osRelease: string, architecture: string, other: Struct, login: RegistrationRequest['login']): RegistrationRequest {
  const channel = textArg(other['channel']);
  return {
    profileName,
    osRelease,
    releaseName: present(other, 'release_name') ? textArg(other['release_name']) : DEFAULT_RELEASE_NAME,
    architecture,
    login,
    ...(channel !== '' ? { channel } : {}),
    ...virtIdentity(other),
  };
}

/**
 * new_system(data): rhnreg_ks; returns the systemid. A token wins over a username. Old clients'
 * `os`, `description`, `packages` and `hardware_profile` members are honoured as Spacewalk does.
 */
async function newSystem(env: ClientEnv, data: unknown): Promise<string> {
  if (!isStruct(data)) throw new ClientFault(21, 'Invalid system data');
  if (!present(data, 'os_release', 'architecture', 'profile_name')) throw new ClientFault(21, 'Required data missing');
  const token = present(data, 'token');
  if (!token && !present(data, 'username', 'password')) throw new ClientFault(21, 'Required members missing');
  const login = token ? { token: textArg(data['token']) } : { username: textArg(data['username']), password: textArg(data['password']) };
  // checked before anything is created: a bad list refuses the whole registration
  const packages = data['packages'] === undefined ? [] : normalisePackageList(data['packages']);
  const hardware = data['hardware_profile'] === undefined ? [] : normaliseHardwareList(data['hardware_profile']);
  const req = request(textArg(data['profile_name']), textArg(data['os_release']), textArg(data['architecture']), data, login);
  if (present(data, 'os')) req.releaseName = Array.from(textArg(data['os'])).slice(0, 64).join('');
  if (present(data, 'description')) req.description = Array.from(textArg(data['description'])).slice(0, 256).join('');
  const reg = await registerSystem(env, req);
  if (packages.length > 0) {
    await env.stores.inventory.addPackages(reg.orgId, reg.serverId, packages);
    await env.stores.relevance.ensureFresh(reg.serverId);
  }
  if (hardware.length > 0) await env.stores.inventory.storeHardware(reg.orgId, reg.serverId, hardware, { replace: false });
  return reg.systemId;
}

/** The struct of new_system_user_pass / new_system_activation_key (3.3); every member present. */
function registrationStruct(reg: Registered): Record<string, unknown> {
  return {
    system_id: reg.systemId,
    channels: reg.channels,
    failed_channels: reg.failedChannels,
    failed_options: [],
    system_slots: reg.entitlements,
    failed_system_slots: [],
    universal_activation_key: reg.universalKeys,
  };
}

/** The GUI/TUI forms: release name, version and arch as separate arguments; 800 for an empty profile name. */
async function newSystemWith(env: ClientEnv, args: readonly unknown[], login: RegistrationRequest['login']): Promise<Record<string, unknown>> {
  const [profileName, releaseName, version, arch] = args.map(textArg) as [string, string, string, string];
  if (profileName === '') throw new ClientFault(800);
  if (version === '' || arch === '') throw new ClientFault(21, 'Required data missing');
  const other: Struct = isStruct(args[args.length - 1]) ? { ...(args[args.length - 1] as Struct) } : {};
  other['release_name'] = releaseName;
  return registrationStruct(await registerSystem(env, request(profileName, version, arch, other, login)));
}

/** available_eus_channels: Skylab has no EUS channels; it offers the base channel the map gives. */
async function eusChannels(env: ClientEnv, args: readonly unknown[]): Promise<Record<string, unknown>> {
  const user = await authenticateUser(env.stores, args[0], args[1]);
  const arch = serverArch(textArg(args[2]));
  const id = await env.stores.distMaps.resolve(user.orgId, textArg(args[3]), arch.channelArch);
  const channel = id === null ? null : await env.stores.channels.getById(id, user.orgId);
  if (!channel) return { default_channel: '', receiving_updates: [], channels: {} };
  return { default_channel: channel.label, receiving_updates: [channel.label], channels: { [channel.label]: channel.name } };
}

/** reserve_user: 1 for a known user with the right password, 3 for a wrong one, 2001 for an unknown login. */
async function reserveUser(env: ClientEnv, username: unknown, password: unknown): Promise<number> {
  const user = await checkUser(env.stores, username, password);
  if (user === null) throw new ClientFault(2001);
  if (user === false) throw new ClientFault(3);
  return 1;
}

const m = (minArgs: number, maxArgs: number, handler: ClientMethod['handler']): ClientMethod => ({ minArgs, maxArgs, handler });

const fault = (code: number) => (): never => {
  throw new ClientFault(code);
};

/** The registration calls that take no systemid. */
export function accountMethods(env: ClientEnv): ClientNamespace {
  return {
    ...REGISTRATION_TEXTS,
    new_system: m(1, 1, (_ctx, a) => newSystem(env, a[0])),
    new_system_user_pass: m(7, 7, (_ctx, a) => newSystemWith(env, a, { username: textArg(a[4]), password: textArg(a[5]) })),
    new_system_activation_key: m(6, 6, (_ctx, a) => newSystemWith(env, a, { token: textArg(a[4]) })),
    reserve_user: m(2, 2, (_ctx, a) => reserveUser(env, a[0], a[1])),
    available_eus_channels: m(5, 6, (_ctx, a) => eusChannels(env, a)),
    remaining_subscriptions: m(4, 4, () => 1),
    update_contact_info: m(2, 3, async (_ctx, a) => {
      await authenticateUser(env.stores, a[0], a[1]);
      return 0;
    }),
    get_possible_orgs: m(2, 2, async (_ctx, a) => {
      const user = await authenticateUser(env.stores, a[0], a[1]);
      return { orgs: { [String(user.orgId)]: user.orgName }, default_org: String(user.orgId) };
    }),
    activate_registration_number: m(4, 4, fault(602)),
    activate_hardware_info: m(4, 4, fault(601)),
    anonymous: m(0, 2, fault(28)),
  };
}
