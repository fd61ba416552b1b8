// activationkey.*: keys carry the `<org id>-` prefix Spacewalk gives them (an empty key gets
// random hex), and only activation key admins see them: to anyone else a key is "Not Found!".
import { randomBytes } from 'node:crypto';
import { hasRole, InvalidArgument, type ActivationKeyUpdate, type Channel } from '../../../channels/index.js';
import { activationKeyStruct } from '../../presenters/activation-keys.js';
import type { XmlRpcStruct, XmlRpcValue } from '../../xmlrpc/types.js';
import { checkKeys, intArray, optBool, optInt, optString, stringArray } from '../args.js';
import { method, type CallContext, type MethodDef, type NamespaceDef } from '../registry.js';
import { configChannelMethods, keyOf, keyPackageMethods } from './activationkey-extras.js';

/** Add-on entitlements a key may grant (Spacewalk 2.10 has just this one). */
const KEY_ENTITLEMENTS = ['virtualization_host'];

function entitlements(list: XmlRpcValue | undefined): string[] {
  const labels = stringArray(list, 'entitlements');
  const bad = labels.find((l) => !KEY_ENTITLEMENTS.includes(l));
  if (bad !== undefined) throw new InvalidArgument('activationkey.entitlement', `Invalid entitlement: ${bad}`);
  return labels;
}

/** A channel for a key, by label: unknown or of the wrong kind is InvalidChannelException (-211). */
async function keyChannel(ctx: CallContext, label: string, base: boolean): Promise<Channel> {
  const c = await ctx.services.stores.channels.getByLabel(label, ctx.user.orgId);
  if (!c) throw new InvalidArgument('activationkey.base_channel', `Invalid channel: no such channel ${label}`);
  if ((c.parentId === null) !== base) throw new InvalidArgument('activationkey.child_channel', `Invalid channel: ${c.name} is not a ${base ? 'base' : 'child'} channel.`);
  return c;
}

/** activationKeyForm.xsd: key up to 45 characters (no commas or blanks: rhnreg_ks splits on them), description up to 2048, limit >= 0. */
function validate(key: string, description: string, usageLimit: number | undefined): void {
  const bad = (m: string): never => {
    throw new InvalidArgument('activationkey.invalid', m);
  };
  if (key.length > 45) bad('The activation key may be at most 45 characters long');
  if (/[,\s]/.test(key)) bad('The activation key may not contain commas or whitespace');
  if (description.length > 2048) bad('The description may be at most 2048 characters long');
  if (usageLimit !== undefined && usageLimit < 0) bad('The usage limit must not be negative');
}

async function create(ctx: CallContext, key: string, description: string, baseLabel: string, usageLimit: number | undefined, ents: XmlRpcValue, universal: boolean): Promise<string> {
  const base = baseLabel.trim() === '' ? null : await keyChannel(ctx, baseLabel, true);
  validate(key, description, usageLimit);
  const labels = entitlements(ents);
  const full = `${ctx.user.orgId}-${key === '' ? randomBytes(16).toString('hex') : key}`;
  const k = await ctx.services.stores.activationKeys.create({
    orgId: ctx.user.orgId,
    key: full,
    description,
    baseChannelId: base?.id ?? null,
    usageLimit: usageLimit ?? 0,
    universalDefault: universal,
    entitlements: labels,
    creatorId: ctx.user.id,
  });
  return k.key;
}

const DETAIL_KEYS = ['description', 'base_channel_label', 'usage_limit', 'unlimited_usage_limit', 'universal_default', 'disabled'];

async function setDetails(ctx: CallContext, key: string, details: XmlRpcStruct): Promise<number> {
  checkKeys(details, DETAIL_KEYS);
  const k = await keyOf(ctx, key);
  const u: ActivationKeyUpdate = {};
  const baseLabel = optString(details, 'base_channel_label');
  if (baseLabel !== undefined) u.baseChannelId = baseLabel === '' || baseLabel === 'none' ? null : (await keyChannel(ctx, baseLabel, true)).id;
  const description = optString(details, 'description');
  if (description !== undefined) u.description = description;
  const limit = optInt(details, 'usage_limit');
  if (limit !== undefined) u.usageLimit = limit;
  if (optBool(details, 'unlimited_usage_limit')) u.usageLimit = 0;
  const universal = optBool(details, 'universal_default');
  if (universal !== undefined) u.universalDefault = universal;
  const disabled = optBool(details, 'disabled');
  if (disabled !== undefined) u.disabled = disabled;
  validate('', u.description ?? '', u.usageLimit);
  await ctx.services.stores.activationKeys.update(ctx.user.orgId, k.id, u);
  return 1;
}

async function changeChildren(ctx: CallContext, key: string, labels: XmlRpcValue, add: boolean): Promise<number> {
  const k = await keyOf(ctx, key);
  const ids: number[] = [];
  for (const label of stringArray(labels, 'childChannelLabels')) {
    const c = await keyChannel(ctx, label, false);
    if (add && k.baseChannelId !== null && c.parentId !== k.baseChannelId) {
      throw new InvalidArgument('activationkey.child_channel', `Invalid channel: ${c.name} is not a child channel of parent ${k.baseChannelLabel} which is already used by this key`);
    }
    ids.push(c.id);
  }
  const { activationKeys } = ctx.services.stores;
  await (add ? activationKeys.addChildChannels(ctx.user.orgId, k.id, ids) : activationKeys.removeChildChannels(ctx.user.orgId, k.id, ids));
  return 1;
}

async function changeGroups(ctx: CallContext, key: string, ids: XmlRpcValue, add: boolean): Promise<number> {
  const k = await keyOf(ctx, key);
  const groupIds = intArray(ids, 'serverGroupIds');
  for (const g of groupIds) {
    if (!(await ctx.services.stores.groups.get(ctx.user.orgId, g))) throw new InvalidArgument('systemgroup.invalid', `Invalid server group: ${g}`);
  }
  const { activationKeys } = ctx.services.stores;
  await (add ? activationKeys.addGroups(ctx.user.orgId, k.id, groupIds) : activationKeys.removeGroups(ctx.user.orgId, k.id, groupIds));
  return 1;
}

async function changeEntitlements(ctx: CallContext, key: string, list: XmlRpcValue, add: boolean): Promise<number> {
  const k = await keyOf(ctx, key);
  const labels = entitlements(list);
  const { activationKeys } = ctx.services.stores;
  await (add ? activationKeys.addEntitlements(ctx.user.orgId, k.id, labels) : activationKeys.removeEntitlements(ctx.user.orgId, k.id, labels));
  return 1;
}

async function configDeploy(ctx: CallContext, key: string, on: boolean): Promise<number> {
  const k = await keyOf(ctx, key);
  await ctx.services.stores.activationKeys.update(ctx.user.orgId, k.id, { configDeploy: on });
  return 1;
}

const KEY = { faults: [-212] };
const CREATE = { role: 'activation_key_admin' as const, faults: [-211, 1090, 2800] };

const methods: MethodDef[] = [
  method('create', ['string key', 'string description', 'string baseChannelLabel', 'int usageLimit', 'string[] entitlements', 'boolean universalDefault'], 'string',
    (ctx, key: string, d: string, b: string, limit: number, e: XmlRpcValue, u: boolean) => create(ctx, key, d, b, limit, e, u), CREATE),
  method('create', ['string key', 'string description', 'string baseChannelLabel', 'string[] entitlements', 'boolean universalDefault'], 'string',
    (ctx, key: string, d: string, b: string, e: XmlRpcValue, u: boolean) => create(ctx, key, d, b, undefined, e, u), CREATE),
  method('delete', ['string key'], 'int', async (ctx, key: string) => {
    await ctx.services.stores.activationKeys.delete(ctx.user.orgId, (await keyOf(ctx, key)).id);
    return 1;
  }, KEY),
  method('getDetails', ['string key'], 'ActivationKey', async (ctx, key: string) => activationKeyStruct(await keyOf(ctx, key)), KEY),
  method('setDetails', ['string key', 'struct details'], 'int', setDetails, { faults: [-212, -211, 2801] }),
  method('listActivationKeys', [], 'ActivationKey[]', async (ctx) =>
    hasRole(ctx.user, 'activation_key_admin') ? (await ctx.services.stores.activationKeys.list(ctx.user.orgId)).map(activationKeyStruct) : []),
  method('listActivatedSystems', ['string key'], 'struct[]', async (ctx, key: string) => {
    const k = await keyOf(ctx, key);
    return (await ctx.services.stores.activationKeys.activatedSystems(ctx.user.orgId, k.id)).map((s) => ({ id: s.id, hostname: s.hostname, last_checkin: s.lastCheckin }));
  }, KEY),
  method('addChildChannels', ['string key', 'string[] childChannelLabels'], 'int', (ctx, key: string, l: XmlRpcValue) => changeChildren(ctx, key, l, true), { faults: [-212, -211] }),
  method('removeChildChannels', ['string key', 'string[] childChannelLabels'], 'int', (ctx, key: string, l: XmlRpcValue) => changeChildren(ctx, key, l, false), { faults: [-212, -211] }),
  method('addEntitlements', ['string key', 'string[] entitlements'], 'int', (ctx, key: string, e: XmlRpcValue) => changeEntitlements(ctx, key, e, true), KEY),
  method('removeEntitlements', ['string key', 'string[] entitlements'], 'int', (ctx, key: string, e: XmlRpcValue) => changeEntitlements(ctx, key, e, false), KEY),
  method('addServerGroups', ['string key', 'int[] serverGroupIds'], 'int', (ctx, key: string, g: XmlRpcValue) => changeGroups(ctx, key, g, true), { faults: [-212, 2200] }),
  method('removeServerGroups', ['string key', 'int[] serverGroupIds'], 'int', (ctx, key: string, g: XmlRpcValue) => changeGroups(ctx, key, g, false), { faults: [-212, 2200] }),
  method('checkConfigDeployment', ['string key'], 'int', async (ctx, key: string) => ((await keyOf(ctx, key)).configDeploy ? 1 : 0), KEY),
  method('enableConfigDeployment', ['string key'], 'int', (ctx, key: string) => configDeploy(ctx, key, true), KEY),
  method('disableConfigDeployment', ['string key'], 'int', (ctx, key: string) => configDeploy(ctx, key, false), KEY),
  ...keyPackageMethods,
  ...configChannelMethods,
];

export const activationKeyNamespace: NamespaceDef = { namespace: 'activationkey', handlerClass: 'ActivationKeyHandler', methods };
