// Every /rpc/api namespace table, wired into one registry.
import { activationKeyNamespace } from './ns/activationkey.js';
import { apiNamespace } from './ns/api.js';
import { authNamespace } from './ns/auth.js';
import { channelAccessNamespace, channelNamespace, channelOrgNamespace } from './ns/channel.js';
import { channelSoftwareNamespace } from './ns/channel-software.js';
import { distChannelNamespace } from './ns/distchannel.js';
import { errataNamespace } from './ns/errata.js';
import { kickstartTreeNamespace, satelliteNamespace } from './ns/misc.js';
import { orgNamespace, orgTrustsNamespace } from './ns/org.js';
import { packagesNamespace } from './ns/packages.js';
import { packagesSearchNamespace } from './ns/packages-search.js';
import { scheduleNamespace } from './ns/schedule.js';
import { systemNamespace } from './ns/system.js';
import { systemSearchNamespace } from './ns/system-search.js';
import { systemGroupNamespace } from './ns/systemgroup.js';
import { userNamespace } from './ns/user.js';
import { Registry, type NamespaceDef } from './registry.js';

export const NAMESPACES: readonly NamespaceDef[] = [
  activationKeyNamespace,
  apiNamespace,
  authNamespace,
  channelNamespace,
  channelAccessNamespace,
  channelOrgNamespace,
  channelSoftwareNamespace,
  distChannelNamespace,
  errataNamespace,
  kickstartTreeNamespace,
  orgNamespace,
  orgTrustsNamespace,
  packagesNamespace,
  packagesSearchNamespace,
  satelliteNamespace,
  scheduleNamespace,
  systemNamespace,
  systemSearchNamespace,
  systemGroupNamespace,
  userNamespace,
];

export function createRegistry(): Registry {
  return new Registry(NAMESPACES);
}
