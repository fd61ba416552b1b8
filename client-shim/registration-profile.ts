// registration.* calls on an existing profile (client-protocol.md 3.6-3.8, 3.10, 3.12, 3.13):
// hardware and package profiles (relevance brought up to date after every package change),
// upgrade_version, update_systemid and the no-ops. Systemid faults 9/28; no entitlement check.
import type { SystemAuth, SystemUpdate } from '../channels/index.js';
import type { ClientCallContext, ClientMethod, ClientNamespace } from './dispatch.js';
import { isStruct, storeCapabilities, textArg, type ClientEnv } from './client-env.js';
import { ClientFault } from './faults.js';
import { normaliseHardwareList, normalisePackageDelta, normalisePackageList, type HardwareRecord, type ProfilePackage } from './profile-input.js';
import { serverArch } from './register-system.js';
import { buildSystemId, newSecret } from './systemid.js';

const system = (env: ClientEnv, text: unknown): SystemAuth => env.gate.authenticate(text, { entitled: false });

/** What NETINFO tells about the system itself (hostname and addresses). */
function hardwareFacts(items: readonly HardwareRecord[]): SystemUpdate {
  const net = items.find((i) => i.class === 'NETINFO')?.data;
  if (!net) return {};
  const facts: SystemUpdate = {};
  if (typeof net['hostname'] === 'string' && net['hostname'] !== '') facts.hostname = net['hostname'];
  if (typeof net['ipaddr'] === 'string' && net['ipaddr'] !== '') facts.ip = net['ipaddr'];
  if (typeof net['ip6addr'] === 'string' && net['ip6addr'] !== '') facts.ip6 = net['ip6addr'];
  return facts;
}

/** add_hw_profile appends, refresh_hw_profile replaces; NETINTERFACES without hwaddr/module is fault 53. */
async function hardware(env: ClientEnv, args: readonly unknown[], replace: boolean): Promise<number> {
  const auth = system(env, args[0]);
  const items = normaliseHardwareList(args[1]);
  await env.stores.inventory.storeHardware(auth.orgId, auth.id, items, { replace, update: hardwareFacts(items) });
  return 0;
}

type PackageOp = 'add' | 'update' | 'delete' | 'delta';

/** A package to delete: exact (n, e, v, r), and the arch only when the client named one. */
const selector = (p: ProfilePackage) => ({ name: p.name, epoch: p.epoch, version: p.version, release: p.release, ...(p.arch !== '' ? { arch: p.arch } : {}) });

async function packages(env: ClientEnv, ctx: ClientCallContext, args: readonly unknown[], op: PackageOp): Promise<number> {
  const auth = system(env, args[0]);
  const { inventory, relevance } = env.stores;
  if (op === 'delta') {
    const delta = normalisePackageDelta(args[1]);
    await storeCapabilities(env, auth.id, ctx.capabilities);
    if (delta.deleted.length > 0) await inventory.deletePackages(auth.orgId, auth.id, delta.deleted.map(selector));
    if (delta.added.length > 0) await inventory.addPackages(auth.orgId, auth.id, delta.added);
  } else {
    const list = normalisePackageList(args[1]);
    await storeCapabilities(env, auth.id, ctx.capabilities);
    if (op === 'update') await inventory.replacePackages(auth.orgId, auth.id, list);
    else if (op === 'add') await inventory.addPackages(auth.orgId, auth.id, list);
    else await inventory.deletePackages(auth.orgId, auth.id, list.map(selector));
  }
  await relevance.ensureFresh(auth.id);
  return 0;
}

/** The systemid for the system as stored now, signed with `secret`. */
function systemIdOf(auth: SystemAuth, secret: string, overrides: { osRelease?: string } = {}): string {
  return buildSystemId(
    {
      serverId: auth.id,
      osRelease: overrides.osRelease ?? auth.osRelease,
      operatingSystem: auth.releaseName,
      architecture: auth.architecture,
      username: auth.username,
      profileName: auth.name,
    },
    secret,
  );
}

/**
 * upgrade_version: the new release, the base channel the map gives for it (children dropped when
 * the base changes), and a new systemid signed with the same secret.
 */
async function upgradeVersion(env: ClientEnv, args: readonly unknown[]): Promise<string> {
  const auth = system(env, args[0]);
  const release = textArg(args[1]);
  if (release === '') throw new ClientFault(21, 'Invalid system release version requested');
  const { stores } = env;
  await stores.systems.update(auth.orgId, auth.id, { osRelease: release });
  let channelArch: string | null = null;
  try {
    channelArch = serverArch(auth.architecture).channelArch;
  } catch {
    // an arch stored before it became unsupported: keep the channels as they are
  }
  const current = await stores.systems.get(auth.orgId, auth.id);
  const base = channelArch === null ? null : await stores.distMaps.resolve(auth.orgId, release, channelArch);
  if (current && base !== null && base !== current.baseChannelId) {
    await stores.systems.setChannels(auth.orgId, auth.id, base, []);
    await stores.relevance.ensureFresh(auth.id);
  }
  return systemIdOf(auth, auth.secret, { osRelease: release });
}

/** update_systemid: unchanged for a 64-character secret; a legacy one is replaced and the systemid re-signed. */
async function updateSystemId(env: ClientEnv, text: unknown): Promise<string> {
  const auth = system(env, text);
  if (auth.secret.length === 64) return text as string;
  const secret = newSecret();
  await env.stores.systems.update(auth.orgId, auth.id, { secret });
  return systemIdOf(auth, secret);
}

const m = (minArgs: number, maxArgs: number, handler: ClientMethod['handler']): ClientMethod => ({ minArgs, maxArgs, handler });

/** The registration calls that take a systemid. */
export function profileMethods(env: ClientEnv): ClientNamespace {
  const ok = (_ctx: ClientCallContext, a: readonly unknown[]): number => {
    system(env, a[0]);
    return 0;
  };
  return {
    add_hw_profile: m(2, 2, (_ctx, a) => hardware(env, a, false)),
    refresh_hw_profile: m(2, 2, (_ctx, a) => hardware(env, a, true)),
    add_packages: m(2, 2, (ctx, a) => packages(env, ctx, a, 'add')),
    update_packages: m(2, 2, (ctx, a) => packages(env, ctx, a, 'update')),
    delete_packages: m(2, 2, (ctx, a) => packages(env, ctx, a, 'delete')),
    delta_packages: m(2, 2, (ctx, a) => packages(env, ctx, a, 'delta')),
    upgrade_version: m(2, 2, (_ctx, a) => upgradeVersion(env, a)),
    update_systemid: m(1, 1, (_ctx, a) => updateSystemId(env, a[0])),
    finish_message: m(1, 1, (_ctx, a) => {
      system(env, a[0]);
      return [0, '', ''];
    }),
    virt_notify: m(2, 2, ok),
    send_serial: m(2, 3, ok),
    update_transactions: m(3, 3, ok),
    register_product: m(2, 3, (_ctx, a) => {
      system(env, a[0]);
      if (!isStruct(a[1])) throw new ClientFault(21, 'Invalid product information');
      return 0;
    }),
  };
}
