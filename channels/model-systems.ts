// The domain records for guests: registered systems and their inventory, activation keys,
// actions and their per-system state, groups, notes, custom values, stored package profiles
// and distribution channel maps. Plain data, times as Date, absent values as null.
import type { Channel, PackageNevra } from './model.js';

/** What the per-call systemid check needs (client-protocol.md 2.3), read synchronously. */
export interface SystemAuth {
  id: number;
  orgId: number;
  /** 64 lower-case hex (32 for a legacy MD5 secret) */
  secret: string;
  disabled: boolean;
  locked: boolean;
  name: string;
  osRelease: string;
  releaseName: string;
  architecture: string;
  username: string;
}

export interface System {
  id: number;
  orgId: number;
  name: string;
  osRelease: string;
  releaseName: string;
  architecture: string;
  username: string;
  description: string;
  creatorId: number | null;
  created: Date;
  lastCheckin: Date;
  lastBoot: Date | null;
  runningKernel: string;
  hostname: string;
  ip: string;
  ip6: string;
  uuid: string;
  virtType: string;
  autoUpdate: boolean;
  locked: boolean;
  disabled: boolean;
  baseEntitlement: string;
  address1: string;
  address2: string;
  city: string;
  state: string;
  country: string;
  building: string;
  room: string;
  rack: string;
  /** bumped whenever the set of installed packages changes */
  profileRevision: number;
  baseChannelId: number | null;
  baseChannelLabel: string | null;
}

export interface NewSystem {
  orgId: number;
  name: string;
  /** made by the caller (crypto.randomBytes(32).toString('hex')) */
  secret: string;
  osRelease: string;
  releaseName: string;
  architecture: string;
  username?: string;
  description?: string;
  creatorId?: number | null;
  hostname?: string;
  ip?: string;
  ip6?: string;
  uuid?: string;
  virtType?: string;
  baseEntitlement?: string;
  baseChannelId?: number | null;
  childChannelIds?: readonly number[];
  /** add-on entitlements (e.g. virtualization_host) */
  entitlements?: readonly string[];
  groupIds?: readonly number[];
  /** keys that register the system: linked, and refused when their usage limit is reached */
  activationKeyIds?: readonly number[];
  now?: Date;
}

export type SystemUpdate = Partial<
  Pick<
    System,
    | 'name'
    | 'osRelease'
    | 'releaseName'
    | 'architecture'
    | 'username'
    | 'description'
    | 'lastBoot'
    | 'runningKernel'
    | 'hostname'
    | 'ip'
    | 'ip6'
    | 'uuid'
    | 'virtType'
    | 'autoUpdate'
    | 'locked'
    | 'disabled'
    | 'baseEntitlement'
    | 'address1'
    | 'address2'
    | 'city'
    | 'state'
    | 'country'
    | 'building'
    | 'room'
    | 'rack'
  >
> & { secret?: string };

/** Filters of SystemStore.list; all given ones apply. */
export interface SystemListFilter {
  ids?: readonly number[];
  /** exact profile name (system.getId) */
  name?: string;
  creatorId?: number;
  groupId?: number;
  /** last check-in at or after this time (active systems) */
  checkedInSince?: Date;
  /** last check-in before this time (inactive systems) */
  checkedInBefore?: Date;
}

/** A channel a system is subscribed to, with what up2date.listChannels needs. */
export type SystemChannel = Pick<
  Channel,
  'id' | 'label' | 'name' | 'summary' | 'description' | 'archLabel' | 'parentId' | 'parentLabel' | 'gpgKeyUrl' | 'gpgKeyId' | 'gpgKeyFp' | 'lastModified' | 'revision'
>;

export interface SystemBrief {
  id: number;
  name: string;
  lastCheckin: Date;
}

/** One installed package as the client reports it (epoch '' when none, arch '' when unknown). */
export interface InstalledPackage extends PackageNevra {
  /** Unix seconds; null when the client did not say */
  installtime: number | null;
}

/**
 * Selects installed packages to delete: with `version` undefined every build of the name
 * (of `arch` when given); otherwise the exact name-epoch-version-release (and arch when given).
 */
export interface PackageSelector {
  name: string;
  epoch?: string;
  version?: string;
  release?: string;
  arch?: string;
}

export interface ProfileChange {
  added: number;
  removed: number;
  /** rows whose installtime changed (not a profile change for relevance) */
  retimed: number;
  /** true when packages were added or removed; then profileRevision was bumped */
  changed: boolean;
  profileRevision: number;
}

/** A hardware item as sent: `class` plus its other members (keys as the caller normalised them). */
export interface HardwareItem {
  class: string;
  data: Record<string, unknown>;
}

export interface ClientCapability {
  name: string;
  version: number;
  value: string;
}

export type SystemSearchField = 'hostname' | 'ip' | 'nameAndDescription' | 'uuid';
export type DeviceSearchField = 'description' | 'driver' | 'vendorId';

export interface SystemSearchHit extends SystemBrief {
  hostname: string;
  ip: string;
  description: string;
  uuid: string;
}

export interface DeviceSearchHit extends SystemBrief {
  hostname: string;
  ip: string;
  deviceClass: string;
  deviceDescription: string;
  deviceDriver: string;
  /** prop1 of the device (PCI vendor id) */
  deviceVendorId: string;
  /** prop2 of the device (PCI device id) */
  deviceId: string;
}

export interface ActivationKeyPackage {
  name: string;
  /** '' when any arch */
  arch: string;
}

export interface ActivationKey {
  id: number;
  orgId: number;
  key: string;
  description: string;
  baseChannelId: number | null;
  baseChannelLabel: string | null;
  /** 0 = unlimited */
  usageLimit: number;
  usageCount: number;
  universalDefault: boolean;
  disabled: boolean;
  configDeploy: boolean;
  creatorId: number | null;
  creatorLogin: string | null;
  created: Date;
  childChannelIds: number[];
  childChannelLabels: string[];
  /** add-on entitlements */
  entitlements: string[];
  groupIds: number[];
  packages: ActivationKeyPackage[];
}

export interface NewActivationKey {
  orgId: number;
  /** as stored: the caller adds the `<org id>-` prefix */
  key: string;
  description?: string;
  baseChannelId?: number | null;
  usageLimit?: number;
  universalDefault?: boolean;
  entitlements?: readonly string[];
  creatorId?: number | null;
}

export type ActivationKeyUpdate = Partial<
  Pick<ActivationKey, 'description' | 'baseChannelId' | 'usageLimit' | 'universalDefault' | 'disabled' | 'configDeploy'>
>;

export interface ActivatedSystem extends SystemBrief {
  hostname: string;
}

/** rhnActionStatus */
export const ActionStatus = { Queued: 0, PickedUp: 1, Completed: 2, Failed: 3 } as const;
export type ActionStatus = (typeof ActionStatus)[keyof typeof ActionStatus];

export interface Action {
  id: number;
  orgId: number;
  type: string;
  name: string;
  schedulerId: number | null;
  schedulerLogin: string | null;
  earliest: Date;
  prerequisite: number | null;
  version: number;
  /** what the encoder needs, as stored (JSON) */
  payload: unknown;
  archived: boolean;
  created: Date;
  modified: Date;
}

export interface NewAction {
  orgId: number;
  type: string;
  name: string;
  schedulerId?: number | null;
  earliest: Date;
  prerequisite?: number | null;
  version?: number;
  payload?: unknown;
  systemIds: readonly number[];
  /** default 5, as Spacewalk */
  remainingTries?: number;
  now?: Date;
}

/** One system's state of one action. */
export interface ServerAction {
  systemId: number;
  actionId: number;
  status: ActionStatus;
  remainingTries: number;
  pickupTime: Date | null;
  completionTime: Date | null;
  resultCode: number | null;
  resultMessage: string | null;
  created: Date;
  modified: Date;
}

/** An action as queued for one system: what queue.get walks. */
export interface QueuedAction extends ServerAction {
  type: string;
  name: string;
  version: number;
  earliest: Date;
  prerequisite: number | null;
  payload: unknown;
}

export interface QueuePoll {
  /** ids failed because a prerequisite failed (step 4 of queue.get) */
  invalidated: number[];
  /** a picked-up reboot.reboot: nothing is delivered until it completes */
  rebootPending: number | null;
  /** deliverable candidates in Spacewalk's order; empty when a reboot is pending */
  candidates: QueuedAction[];
}

export interface ActionOutcome {
  status: typeof ActionStatus.Completed | typeof ActionStatus.Failed;
  resultCode: number | null;
  /** truncated to 1024 characters */
  message: string;
}

export type ActionListFilter = 'all' | 'completed' | 'failed' | 'inProgress' | 'archived';
export type ActionSystemFilter = 'completed' | 'failed' | 'inProgress';

export interface ActionSummary extends Action {
  completedSystems: number;
  failedSystems: number;
  inProgressSystems: number;
}

export interface ActionSystem extends ServerAction {
  systemName: string;
  baseChannelLabel: string | null;
}

/** One action in a system's history (system.listSystemEvents / getEventHistory). */
export interface SystemEvent extends QueuedAction {
  schedulerLogin: string | null;
  archived: boolean;
  actionCreated: Date;
  actionModified: Date;
  /** over every system of the action */
  successfulCount: number;
  failedCount: number;
}

export interface SystemGroup {
  id: number;
  orgId: number;
  name: string;
  description: string;
  created: Date;
  systemCount: number;
}

export interface SystemNote {
  id: number;
  systemId: number;
  creatorId: number | null;
  creatorLogin: string | null;
  subject: string;
  note: string;
  created: Date;
  modified: Date;
}

export interface CustomKey {
  id: number;
  orgId: number;
  label: string;
  description: string;
  created: Date;
  /** systems holding a value for it */
  systemCount: number;
}

export interface PackageProfile {
  id: number;
  orgId: number;
  name: string;
  description: string;
  channelId: number | null;
  channelLabel: string | null;
  created: Date;
}

export interface DistChannelMap {
  /** null for the defaults every org falls back to */
  orgId: number | null;
  os: string;
  release: string;
  archLabel: string;
  channelId: number;
  channelLabel: string;
}
