// Creating a system for registration.new_system, new_system_user_pass and
// new_system_activation_key (client-protocol.md 3.2-3.5): the arch check, activation keys
// (stacked, or the org's universal default in username mode), the base channel (key, requested
// channel or distribution channel map), child channels, entitlements, groups, the keys' packages
// to install, and the signed systemid. Re-registration with --force is simply a new profile.
import { CHANNEL_ARCHES, channelArchForPackageArch, type ActivationKey, type Channel, type Stores } from '../channels/index.js';
import type { ClientEnv } from './client-env.js';
import { ClientFault } from './faults.js';
import { authenticateUser } from './user-login.js';
import { buildSystemId, initialDescription, MAX_PROFILE_NAME, newSecret } from './systemid.js';

export interface RegistrationRequest {
  profileName: string;
  osRelease: string;
  /** the release package name; Spacewalk's default is "Red Hat Linux" */
  releaseName: string;
  architecture: string;
  login: { username: string; password: string } | { token: string };
  /** a base channel asked for by label (rhnreg_ks --use-eus-channel) */
  channel?: string;
  /** the guest's virtual machine identity, when it reported one */
  uuid?: string;
  virtType?: string;
  /** old clients may send their own description (default: the initial registration parameters) */
  description?: string;
}

export interface Registered {
  serverId: number;
  orgId: number;
  systemId: string;
  /** labels subscribed, base first */
  channels: string[];
  /** labels of key channels that could not be subscribed */
  failedChannels: string[];
  /** entitlement labels the system holds */
  entitlements: string[];
  /** the org default keys applied in username mode */
  universalKeys: string[];
}

export interface ServerArch {
  /** Spacewalk's server arch label, e.g. x86_64-redhat-linux */
  label: string;
  /** the channel arch a base channel must have, e.g. channel-x86_64 */
  channelArch: string;
}

/** normalize_server_arch: `x86_64` -> `x86_64-redhat-linux`; fault 24 for arches without channels. */
export function serverArch(arch: string): ServerArch {
  const label = arch.includes('-') ? arch : `${arch}-redhat-linux`;
  const cpu = /^([A-Za-z0-9_]+)-redhat-linux$/.exec(label)?.[1];
  const channelArch = cpu && cpu !== 'noarch' ? (channelArchForPackageArch(cpu) ?? CHANNEL_ARCHES.find((a) => a.packageArches.includes(cpu))) : undefined;
  if (!channelArch) throw new ClientFault(24, `Architecture \`${arch}' is not supported`);
  return { label, channelArch: channelArch.label };
}

interface Credentials {
  orgId: number;
  /** the systemid's username: the registering user, or the key creator ('' when none) */
  username: string;
  creatorId: number | null;
  keys: ActivationKey[];
  universal: boolean;
}

/** The stacked keys of a token: all found and enabled (60), of one org (63). */
async function tokenKeys(stores: Stores, token: string): Promise<ActivationKey[]> {
  const names = token.split(',').map((n) => n.trim());
  const keys = new Map<number, ActivationKey>();
  for (const name of names) {
    const key = name === '' ? null : await stores.activationKeys.getByKey(name);
    // Spacewalk's token query skips disabled keys, so they read as unknown
    if (!key || key.disabled) throw new ClientFault(60, `Could not find token '${name}'`, false);
    const first = keys.values().next().value;
    if (first && first.orgId !== key.orgId) throw new ClientFault(63, 'Tokens from mismatching orgs', false);
    keys.set(key.id, key);
  }
  return [...keys.values()];
}

async function credentials(env: ClientEnv, login: RegistrationRequest['login']): Promise<Credentials> {
  if ('token' in login) {
    const keys = await tokenKeys(env.stores, login.token);
    const k = keys[0]!;
    return { orgId: k.orgId, username: k.creatorLogin ?? '', creatorId: k.creatorId, keys, universal: false };
  }
  const user = await authenticateUser(env.stores, login.username, login.password);
  const universal = await env.stores.activationKeys.universalDefault(user.orgId);
  const keys = universal && !universal.disabled ? [universal] : [];
  return { orgId: user.orgId, username: user.login, creatorId: user.id, keys, universal: true };
}

interface ChannelPlan {
  base: Channel | null;
  children: Channel[];
  failed: string[];
}

/** Key base channel, else the requested one (71 if unusable), else the dist map; 70 when username mode finds none. */
async function channelPlan(env: ClientEnv, req: RegistrationRequest, arch: ServerArch, cred: Credentials): Promise<ChannelPlan> {
  const { stores } = env;
  const fits = (c: Channel | null): c is Channel => c !== null && c.archLabel === arch.channelArch;
  const failed: string[] = [];
  let base: Channel | null = null;
  for (const key of cred.keys) {
    if (key.baseChannelId === null) continue;
    const c = await stores.channels.getById(key.baseChannelId, cred.orgId);
    if (!fits(c) || c.parentId !== null) {
      failed.push(key.baseChannelLabel ?? String(key.baseChannelId));
      continue;
    }
    if (base && base.id !== c.id) throw new ClientFault(63, 'Conflicting base channels', false);
    base = c;
  }
  if (!base && req.channel) {
    const c = await stores.channels.getByLabel(req.channel, cred.orgId);
    if (!fits(c) || c.parentId !== null) throw new ClientFault(71);
    base = c;
  }
  if (!base) {
    const id = await stores.distMaps.resolve(cred.orgId, req.osRelease, arch.channelArch);
    const c = id === null ? null : await stores.channels.getById(id, cred.orgId);
    if (fits(c)) base = c;
  }
  if (!base && !('token' in req.login) && cred.keys.length === 0) throw new ClientFault(70);
  const children = new Map<number, Channel>();
  for (const key of cred.keys) {
    for (const [i, id] of key.childChannelIds.entries()) {
      const c = await stores.channels.getById(id, cred.orgId);
      if (base && fits(c) && c.parentId === base.id) children.set(c.id, c);
      else failed.push(key.childChannelLabels[i] ?? String(id));
    }
  }
  return { base, children: [...children.values()], failed: [...new Set(failed)] };
}

/** The keys' packages to install, as one action for the new system (Spacewalk's token_packages). */
async function scheduleKeyPackages(env: ClientEnv, cred: Credentials, serverId: number): Promise<void> {
  const seen = new Set<string>();
  const packages: string[][] = [];
  for (const key of cred.keys) {
    for (const p of key.packages) {
      if (seen.has(`${p.name}.${p.arch}`)) continue;
      seen.add(`${p.name}.${p.arch}`);
      packages.push([p.name, '', '', '', p.arch]);
    }
  }
  if (packages.length === 0) return;
  await env.stores.actions.create({
    orgId: cred.orgId,
    type: 'packages.update',
    name: 'Activation Key Package Auto-Install',
    schedulerId: cred.creatorId,
    earliest: new Date(env.now()),
    payload: { packages },
    systemIds: [serverId],
  });
}

/** Registers a new system; faults 1, 2, 24, 60, 61, 62, 63, 70, 71 as Spacewalk raises them. */
export async function registerSystem(env: ClientEnv, req: RegistrationRequest): Promise<Registered> {
  const arch = serverArch(req.architecture);
  const cred = await credentials(env, req.login);
  const plan = await channelPlan(env, req, arch, cred);
  const entitlements = [...new Set(cred.keys.flatMap((k) => k.entitlements))].sort();
  const secret = newSecret();
  const profileName = Array.from(req.profileName).slice(0, MAX_PROFILE_NAME).join('');
  const system = await env.stores.systems.create({
    orgId: cred.orgId,
    name: profileName,
    secret,
    osRelease: req.osRelease,
    releaseName: req.releaseName,
    architecture: arch.label,
    username: cred.username,
    description: req.description ?? initialDescription(req.releaseName, req.osRelease, arch.label),
    creatorId: cred.creatorId,
    uuid: req.uuid ?? '',
    virtType: req.virtType ?? '',
    baseChannelId: plan.base?.id ?? null,
    childChannelIds: plan.children.map((c) => c.id),
    entitlements,
    groupIds: [...new Set(cred.keys.flatMap((k) => k.groupIds))],
    activationKeyIds: cred.keys.map((k) => k.id),
    now: new Date(env.now()),
  });
  await scheduleKeyPackages(env, cred, system.id);
  const systemId = buildSystemId(
    { serverId: system.id, osRelease: req.osRelease, operatingSystem: req.releaseName, architecture: arch.label, username: cred.username, profileName },
    secret,
  );
  return {
    serverId: system.id,
    orgId: cred.orgId,
    systemId,
    channels: [...(plan.base ? [plan.base.label] : []), ...plan.children.map((c) => c.label)],
    failedChannels: plan.failed,
    entitlements: [system.baseEntitlement, ...entitlements],
    universalKeys: cred.universal ? cred.keys.map((k) => k.key) : [],
  };
}
