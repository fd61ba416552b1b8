// GET-REQ requests of the yum/dnf plugins (client-protocol.md 5): what a path asks for, and
// whether the requesting system may have it (subscribed channel, package in that channel).
// Skylab checks the subscription for repodata too, where Spacewalk did not (10.2).
import { CHANNEL_ARCHES, InvalidNevra, parseRpmFilename, type Package, type Stores } from '../channels/index.js';
import { ClientFault, unknownMethodFault } from './faults.js';

export type GetTarget =
  | { kind: 'repodata'; label: string; file: string }
  | { kind: 'package'; label: string; file: string; name: string; version: string; release: string; arch: string }
  /** `media.1/...`, `i18n/...`: 404 without fault headers, as Spacewalk answers them */
  | { kind: 'absent' };

const PACKAGE_ARCHES = new Set([...CHANNEL_ARCHES.flatMap((a) => a.packageArches), 'src', 'nosrc']);

/**
 * `<ignored>/<label>/<function>/<args...>` (the part after /XMLRPC/): fewer than four
 * segments -> fault 21; an unknown function -> fault -1 (both 404 on GET).
 */
export function parseGetPath(path: string): GetTarget {
  const parts = path.split('/').filter((p, i) => i === 0 || p !== '');
  if (parts.length < 4) throw new ClientFault(21, 'Invalid request path');
  const [, label, fn, ...args] = parts as [string, string, string, ...string[]];
  const func = fn.replace(/\./g, '_');
  if (func === 'media_1' || func === 'i18n') return { kind: 'absent' };
  if (func === 'repodata') {
    if (args.length !== 1) throw new ClientFault(6, `Invalid repodata file ${args.join('/')}`);
    return { kind: 'repodata', label, file: args[0]! };
  }
  if (func === 'getPackage') {
    if (args.length !== 1) throw new ClientFault(21, 'Invalid package file name');
    let nevra;
    try {
      nevra = parseRpmFilename(args[0]!);
    } catch (err) {
      if (err instanceof InvalidNevra) throw new ClientFault(21, `Invalid package file name ${args[0]}`);
      throw err;
    }
    if (!PACKAGE_ARCHES.has(nevra.arch)) throw new ClientFault(21, `Invalid package arch ${nevra.arch}`);
    return { kind: 'package', label, file: args[0]!, name: nevra.name, version: nevra.version, release: nevra.release, arch: nevra.arch };
  }
  throw unknownMethodFault(`GET ${fn}`, `unknown function ${fn}`);
}

export interface GetChannel {
  id: number;
  label: string;
  revision: number;
}

/**
 * The channel a request may read: unknown label -> 40; a system that does not exist or is not
 * subscribed -> 39 for repodata (401) and 17 for packages (404, as Spacewalk's package lookup).
 */
export async function channelForSystem(stores: Stores, serverId: number, label: string, kind: 'repodata' | 'package'): Promise<GetChannel> {
  const system = stores.systems.getAuthSync(serverId);
  const channel = await stores.channels.getByLabelAnyOrg(label);
  if (!channel) throw new ClientFault(40, `Invalid channel ${label}`);
  const subscribed = system && !system.disabled ? (await stores.systems.channels(system.orgId, serverId)).some((c) => c.id === channel.id) : false;
  if (!subscribed) {
    if (kind === 'repodata') throw new ClientFault(39, `No subscription to the specified channel ${label}`);
    throw new ClientFault(17, 'Invalid RPM package requested');
  }
  return { id: channel.id, label: channel.label, revision: channel.revision };
}

export async function packageForRequest(stores: Stores, channel: GetChannel, t: Extract<GetTarget, { kind: 'package' }>): Promise<Package> {
  const pkg = await stores.packages.findInChannel(channel.id, t.name, t.version, t.release, t.arch);
  if (!pkg) throw new ClientFault(17, `Invalid RPM package ${t.file} requested`);
  return pkg;
}
