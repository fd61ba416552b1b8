// activationkey.* for the packages a key installs and its configuration channels, and the key
// lookup every method shares. Skylab has no configuration channels yet: keys list none, and
// naming one faults as an unknown config channel does in Spacewalk.
import { CHANNEL_ARCHES, hasRole, NotFound, type ActivationKey, type ActivationKeyPackage } from '../../../channels/index.js';
import type { XmlRpcValue } from '../../xmlrpc/types.js';
import { checkKeys, optString, stringArray, structArray } from '../args.js';
import { internalFault, invalidArgs } from '../faults.js';
import { method, type CallContext, type MethodDef } from '../registry.js';

/** The caller's key: only activation key admins (org admins included) see keys at all. */
export async function keyOf(ctx: CallContext, key: string): Promise<ActivationKey> {
  const k = hasRole(ctx.user, 'activation_key_admin') ? await ctx.services.stores.activationKeys.getByKey(key, ctx.user.orgId) : null;
  if (!k) throw new NotFound('activationkey', key);
  return k;
}

const PACKAGE_ARCHES = new Set(CHANNEL_ARCHES.flatMap((a) => a.packageArches));

/** {name, arch?} structs; a name with a blank is refused (2801) and an unknown arch means any arch. */
function keyPackages(list: XmlRpcValue): ActivationKeyPackage[] {
  return structArray(list, 'packages').map((p) => {
    checkKeys(p, ['name', 'arch']);
    const name = optString(p, 'name') ?? '';
    if (name.includes(' ')) throw invalidArgs(['More than one package names are specified.']);
    const arch = optString(p, 'arch') ?? '';
    return { name, arch: PACKAGE_ARCHES.has(arch) ? arch : '' };
  });
}

async function changePackages(ctx: CallContext, key: string, list: XmlRpcValue, add: boolean): Promise<number> {
  const packages = keyPackages(list);
  const k = await keyOf(ctx, key);
  const { activationKeys } = ctx.services.stores;
  await (add ? activationKeys.addPackages(ctx.user.orgId, k.id, packages) : activationKeys.removePackages(ctx.user.orgId, k.id, packages));
  return 1;
}

/** Every key must be the caller's (-212); any config channel label is unknown (-1, as Spacewalk's LookupException). */
async function configChannels(ctx: CallContext, keys: XmlRpcValue, labels: XmlRpcValue): Promise<number> {
  for (const key of stringArray(keys, 'keys')) await keyOf(ctx, key);
  const unknown = stringArray(labels, 'configChannelLabels')[0];
  if (unknown !== undefined) throw internalFault(`Could not find config channel with label: ${unknown}`);
  return 1;
}

export const keyPackageMethods: MethodDef[] = [
  method('addPackages', ['string key', 'struct[] packages'], 'int', (ctx, key: string, p: XmlRpcValue) => changePackages(ctx, key, p, true), { faults: [-212, 2801] }),
  method('removePackages', ['string key', 'struct[] packages'], 'int', (ctx, key: string, p: XmlRpcValue) => changePackages(ctx, key, p, false), { faults: [-212, 2801] }),
];

export const configChannelMethods: MethodDef[] = [
  method('listConfigChannels', ['string key'], 'ConfigChannel[]', async (ctx, key: string) => {
    await keyOf(ctx, key);
    return [];
  }, { faults: [-212] }),
  method('addConfigChannels', ['string[] keys', 'string[] configChannelLabels', 'boolean addToTop'], 'int', (ctx, k: XmlRpcValue, l: XmlRpcValue) => configChannels(ctx, k, l)),
  method('removeConfigChannels', ['string[] keys', 'string[] configChannelLabels'], 'int', configChannels),
  method('setConfigChannels', ['string[] keys', 'string[] configChannelLabels'], 'int', configChannels),
];
