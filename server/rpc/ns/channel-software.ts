// channel.software.*: channel create/clone/delete/details and channel content (packages and
// errata). The repository and sync methods live in channel-software-repos.ts, appended below.
import {
  CHANNEL_ARCHES,
  compareEvr,
  InvalidArgument,
  NotFound,
  PermissionDenied,
  Conflict,
  validateChannelArch,
  validateChannelLabel,
  validateChannelName,
  validateChecksumType,
  validateGpgKey,
  type ChannelPackageRow,
  type ChannelUpdate,
  type NewChannel,
} from '../../../channels/index.js';
import { rm } from 'node:fs/promises';
import { channelRepodataRoot } from '../../../repo-sync/publish/index.js';
import { encodePackageDtos, latestPackage } from '../../presenters/channels.js';
import { channelErratum, errataOverview, legacyErratum } from '../../presenters/errata.js';
import { packageStruct } from '../../presenters/packages.js';
import { EncodedResponse, RawXml, type XmlRpcStruct } from '../../xmlrpc/types.js';
import { checkKeys, intArray, optString, stringArray } from '../args.js';
import { fault } from '../faults.js';
import { method, type CallContext, type NamespaceDef } from '../registry.js';
import { channelDetails, repoMethods } from './channel-software-repos.js';
import { channelByLabel, channelByLabelOrId, requireChannelAdmin } from './lookup.js';

interface GpgKey {
  url?: string;
  id?: string;
  fingerprint?: string;
}

async function createChannel(ctx: CallContext, label: string, name: string, summary: string, archLabel: string, parentLabel: string, checksum = 'sha1', gpg: GpgKey = {}): Promise<number> {
  validateChannelLabel(label);
  validateChannelName(name);
  validateChannelArch(archLabel);
  validateChecksumType(checksum);
  validateGpgKey(gpg);
  let parentId: number | null = null;
  if (parentLabel !== '') {
    const parent = await ctx.services.stores.channels.getByLabel(parentLabel, ctx.user.orgId);
    if (!parent || parent.parentId !== null) throw new InvalidArgument('channel.parent', `Invalid parent channel: ${parentLabel}`);
    parentId = parent.id;
  }
  if (summary.trim() === '') throw new InvalidArgument('param', 'Invalid parameter: summary must not be empty');
  await ctx.services.stores.channels.create({
    orgId: ctx.user.orgId,
    label,
    name,
    summary,
    archLabel,
    parentId,
    checksumLabel: checksum,
    gpgKeyUrl: gpg.url ?? '',
    gpgKeyId: gpg.id ?? '',
    gpgKeyFp: gpg.fingerprint ?? '',
  });
  return 1;
}

function gpgFromStruct(s: XmlRpcStruct): GpgKey {
  checkKeys(s, ['url', 'id', 'fingerprint']);
  const key: GpgKey = {};
  const url = optString(s, 'url');
  const id = optString(s, 'id');
  const fp = optString(s, 'fingerprint');
  if (url) key.url = url;
  if (id) key.id = id;
  if (fp) key.fingerprint = fp;
  return key;
}

const CLONE_KEYS = ['name', 'label', 'summary', 'parent_label', 'arch_label', 'gpg_key_url', 'gpg_key_id', 'gpg_key_fp', 'description', 'checksum'];

async function cloneChannel(ctx: CallContext, originalLabel: string, details: XmlRpcStruct, originalState: boolean): Promise<number> {
  const original = await channelByLabel(ctx, originalLabel);
  checkKeys(details, CLONE_KEYS);
  const get = (k: string): string | undefined => optString(details, k);
  const label = get('label');
  const name = get('name');
  const summary = get('summary');
  for (const [k, v] of [['label', label], ['name', name], ['summary', summary]] as const) {
    if (!v) throw fault(-1, `unhandled internal exception: ${k} is required to clone a channel`);
  }
  const archLabel = get('arch_label') ?? original.archLabel;
  const checksum = get('checksum') ?? original.checksumLabel;
  validateChannelLabel(label!);
  validateChannelName(name!);
  validateChannelArch(archLabel);
  validateChecksumType(checksum);
  const gpg = { url: get('gpg_key_url') ?? original.gpgKeyUrl, id: get('gpg_key_id') ?? original.gpgKeyId, fingerprint: get('gpg_key_fp') ?? original.gpgKeyFp };
  validateGpgKey(gpg);
  let parentId: number | null = null;
  const parentLabel = get('parent_label');
  if (parentLabel) {
    const parent = await ctx.services.stores.channels.getByLabel(parentLabel, ctx.user.orgId);
    if (!parent || parent.parentId !== null) throw new InvalidArgument('channel.parent', `Invalid parent channel: ${parentLabel}`);
    parentId = parent.id;
  }
  const c: NewChannel = {
    orgId: ctx.user.orgId,
    label: label!,
    name: name!,
    summary: summary!,
    description: get('description') ?? original.description,
    archLabel,
    parentId,
    checksumLabel: checksum,
    gpgKeyUrl: gpg.url,
    gpgKeyId: gpg.id,
    gpgKeyFp: gpg.fingerprint,
  };
  return (await ctx.services.stores.channels.clone(original.id, c, originalState)).id;
}

async function deleteChannel(ctx: CallContext, label: string): Promise<number> {
  const c = await channelByLabel(ctx, label);
  if (c.orgId === null) throw new Conflict('channel.delete', `Vendor channel ${label} cannot be deleted`);
  requireChannelAdmin(ctx, c);
  if ((await ctx.services.stores.channels.children(c.id)).length > 0) {
    throw new Conflict('channel.delete', `Channel ${label} has child channels: delete them first`);
  }
  await ctx.services.stores.channels.delete(c.id);
  // A deleted channel's sync schedule and published repodata go with it.
  await ctx.services.scheduler.reschedule(c.id);
  await rm(channelRepodataRoot(ctx.services.config.dataDir, c.id), { recursive: true, force: true });
  return 1;
}

const SET_DETAILS_KEYS: Record<string, keyof ChannelUpdate> = {
  checksum_label: 'checksumLabel',
  name: 'name',
  summary: 'summary',
  description: 'description',
  maintainer_name: 'maintainerName',
  maintainer_email: 'maintainerEmail',
  maintainer_phone: 'maintainerPhone',
  gpg_key_url: 'gpgKeyUrl',
  gpg_key_id: 'gpgKeyId',
  gpg_key_fp: 'gpgKeyFp',
};

async function setDetails(ctx: CallContext, x: string | number, details: XmlRpcStruct): Promise<number> {
  const c = await channelByLabelOrId(ctx, x);
  requireChannelAdmin(ctx, c);
  checkKeys(details, Object.keys(SET_DETAILS_KEYS));
  const update: ChannelUpdate = {};
  for (const [key, field] of Object.entries(SET_DETAILS_KEYS)) {
    const v = optString(details, key);
    if (v !== undefined) (update as Record<string, string>)[field] = v;
  }
  if (update.name !== undefined) validateChannelName(update.name);
  if (update.checksumLabel !== undefined) validateChecksumType(update.checksumLabel);
  const gpg: GpgKey = {};
  if (update.gpgKeyUrl) gpg.url = update.gpgKeyUrl;
  if (update.gpgKeyId) gpg.id = update.gpgKeyId;
  if (update.gpgKeyFp) gpg.fingerprint = update.gpgKeyFp;
  validateGpgKey(gpg);
  await ctx.services.stores.channels.update(c.id, update);
  return 1;
}

/** "YYYY-MM-DD[ HH24:MI:SS]" strings of the deprecated overloads, read in the configured zone. */
function legacyDate(ctx: CallContext, text: string, what: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(text.trim());
  if (!m) throw fault(1213, `Invalid parameter: ${what} must be "YYYY-MM-DD" or "YYYY-MM-DD HH24:MI:SS", got "${text}"`);
  return ctx.services.zone.fromWallClock({ year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +(m[4] ?? 0), minute: +(m[5] ?? 0), second: +(m[6] ?? 0) });
}

/** listAllPackages, cached as encoded XML per channel revision and window (spacecmd and CEFS call it per channel). */
async function listAllPackages(ctx: CallContext, label: string, since?: Date, until?: Date): Promise<EncodedResponse> {
  const c = await channelByLabel(ctx, label);
  const { answers, stores, encoder, zone } = ctx.services;
  const key = `listAllPackages:${c.id}:${c.revision}:${since?.getTime() ?? ''}:${until?.getTime() ?? ''}`;
  return answers.getOrBuild(key, async () => {
    const window: { since?: Date; until?: Date } = {};
    if (since) window.since = since;
    if (until) window.until = until;
    const rows = await stores.channels.listPackages(c.id, window);
    return new EncodedResponse(Buffer.from(encoder.response(new RawXml(encodePackageDtos(rows, zone)))));
  });
}

/** Newest build of each (name, arch) in the channel. */
export function latestPerNameArch(rows: readonly ChannelPackageRow[]): ChannelPackageRow[] {
  const best = new Map<string, ChannelPackageRow>();
  for (const r of rows) {
    const key = `${r.name}\u0000${r.arch}`;
    const cur = best.get(key);
    if (!cur || compareEvr(r, cur) > 0) best.set(key, r);
  }
  return [...best.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.arch < b.arch ? -1 : 1));
}

async function changePackages(ctx: CallContext, label: string, ids: unknown, add: boolean): Promise<number> {
  const c = await channelByLabel(ctx, label);
  requireChannelAdmin(ctx, c);
  const packageIds = intArray(ids as never, 'packageIds');
  const found = new Set((await ctx.services.stores.packages.getMany(packageIds)).filter((p) => p.orgId === null || p.orgId === ctx.user.orgId).map((p) => p.id));
  const missing = packageIds.find((id) => !found.has(id));
  if (missing !== undefined) throw fault(-209, `The package could not be found: ${missing}`);
  if (add) await ctx.services.stores.channels.addPackages(c.id, packageIds);
  else await ctx.services.stores.channels.removePackages(c.id, packageIds);
  return 1;
}

async function listErrata(ctx: CallContext, label: string, since?: Date, until?: Date, byLastModified = false): Promise<Record<string, unknown>[]> {
  const c = await channelByLabel(ctx, label);
  const w: { since?: Date; until?: Date; byLastModified?: boolean } = { byLastModified };
  if (since) w.since = since;
  if (until) w.until = until;
  return (await ctx.services.stores.errata.listByChannel(c.id, w)).map((e) => errataOverview(e, ctx.services.zone));
}

async function listErrataLegacy(ctx: CallContext, label: string, since?: string, until?: string): Promise<Record<string, unknown>[]> {
  const c = await channelByLabel(ctx, label);
  const w: { since?: Date; until?: Date } = {};
  if (since) w.since = legacyDate(ctx, since, 'startDate');
  if (until) w.until = legacyDate(ctx, until, 'endDate');
  return (await ctx.services.stores.errata.listByChannel(c.id, w)).map((e) => legacyErratum(e, ctx.services.zone));
}

async function removeErrata(ctx: CallContext, label: string, names: unknown, removePackages: boolean): Promise<number> {
  const c = await channelByLabel(ctx, label);
  requireChannelAdmin(ctx, c);
  const ids: number[] = [];
  for (const name of stringArray(names as never, 'errataNames')) {
    const e = await ctx.services.stores.errata.getByName(ctx.user.orgId, name);
    if (!e) throw new NotFound('erratum', name);
    ids.push(e.id);
  }
  await ctx.services.stores.errata.removeFromChannel(c.id, ids, removePackages);
  return 1;
}

const CREATE_FAULTS = [-23, 1200, 1201, 1202, 1207, 1208, 1209, 1210, -1];

export const channelSoftwareNamespace: NamespaceDef = {
  namespace: 'channel.software',
  handlerClass: 'ChannelSoftwareHandler',
  methods: [
    method('addPackages', ['string channelLabel', 'int[] packageIds'], 'int', (ctx, l: string, ids: unknown) => changePackages(ctx, l, ids, true), { faults: [-210, -209, -23] }),
    method('removePackages', ['string channelLabel', 'int[] packageIds'], 'int', (ctx, l: string, ids: unknown) => changePackages(ctx, l, ids, false), { faults: [-210, -209, -23] }),
    method('clone', ['string originalLabel', 'struct channelDetails', 'boolean originalState'], 'int', cloneChannel, { role: 'channel_admin', faults: [-210, -1, 2801] }),
    method('create', ['string label', 'string name', 'string summary', 'string archLabel', 'string parentLabel', 'string checksumType', 'struct gpgKey'], 'int',
      (ctx, l: string, n: string, s: string, a: string, p: string, cs: string, g: XmlRpcStruct) => createChannel(ctx, l, n, s, a, p, cs, gpgFromStruct(g)), { role: 'channel_admin', faults: CREATE_FAULTS }),
    method('create', ['string label', 'string name', 'string summary', 'string archLabel', 'string parentLabel', 'string checksumType'], 'int',
      (ctx, l: string, n: string, s: string, a: string, p: string, cs: string) => createChannel(ctx, l, n, s, a, p, cs), { role: 'channel_admin', faults: CREATE_FAULTS }),
    method('create', ['string label', 'string name', 'string summary', 'string archLabel', 'string parentLabel'], 'int',
      (ctx, l: string, n: string, s: string, a: string, p: string) => createChannel(ctx, l, n, s, a, p), { role: 'channel_admin', faults: CREATE_FAULTS }),
    method('delete', ['string channelLabel'], 'int', deleteChannel, { faults: [-210, -23, 1234, -1] }),
    method('getDetails', ['string channelLabel'], 'Channel', async (ctx, l: string) => channelDetails(ctx, await channelByLabel(ctx, l)), { faults: [-210] }),
    method('getDetails', ['int id'], 'Channel', async (ctx, id: number) => channelDetails(ctx, await channelByLabelOrId(ctx, id)), { faults: [-210] }),
    method('setDetails', ['string channelLabel', 'struct details'], 'int', setDetails, { faults: [-210, -1, 2801] }),
    method('setDetails', ['int channelId', 'struct details'], 'int', setDetails, { faults: [-210, -1, 2801] }),
    method('listAllPackages', ['string channelLabel'], 'PackageDto[]', (ctx, l: string) => listAllPackages(ctx, l), { faults: [-210] }),
    method('listAllPackages', ['string channelLabel', 'dateTime startDate'], 'PackageDto[]', (ctx, l: string, s: Date) => listAllPackages(ctx, l, s), { faults: [-210] }),
    method('listAllPackages', ['string channelLabel', 'dateTime startDate', 'dateTime endDate'], 'PackageDto[]', (ctx, l: string, s: Date, e: Date) => listAllPackages(ctx, l, s, e), { faults: [-210] }),
    method('listAllPackages', ['string channelLabel', 'string startDate'], 'PackageDto[]', (ctx, l: string, s: string) => listAllPackages(ctx, l, legacyDate(ctx, s, 'startDate')), { faults: [-210] }),
    method('listAllPackages', ['string channelLabel', 'string startDate', 'string endDate'], 'PackageDto[]',
      (ctx, l: string, s: string, e: string) => listAllPackages(ctx, l, legacyDate(ctx, s, 'startDate'), legacyDate(ctx, e, 'endDate')), { faults: [-210] }),
    method('listArches', [], 'ChannelArch[]', () => CHANNEL_ARCHES.map((a) => ({ name: a.name, label: a.label })), { role: 'channel_admin', faults: [-23] }),
    method('listErrata', ['string channelLabel'], 'struct[]', async (ctx, l: string) => {
      const c = await channelByLabel(ctx, l);
      return (await ctx.services.stores.errata.listByChannel(c.id)).map((e) => channelErratum(e, ctx.services.zone));
    }, { faults: [-210] }),
    method('listErrata', ['string channelLabel', 'dateTime startDate'], 'ErrataOverview[]', (ctx, l: string, s: Date) => listErrata(ctx, l, s), { faults: [-210] }),
    method('listErrata', ['string channelLabel', 'dateTime startDate', 'dateTime endDate'], 'ErrataOverview[]', (ctx, l: string, s: Date, e: Date) => listErrata(ctx, l, s, e), { faults: [-210] }),
    method('listErrata', ['string channelLabel', 'dateTime startDate', 'dateTime endDate', 'boolean lastModified'], 'ErrataOverview[]',
      (ctx, l: string, s: Date, e: Date, lm: boolean) => listErrata(ctx, l, s, e, lm), { faults: [-210] }),
    method('listErrata', ['string channelLabel', 'string startDate'], 'struct[]', (ctx, l: string, s: string) => listErrataLegacy(ctx, l, s), { faults: [-210] }),
    method('listErrata', ['string channelLabel', 'string startDate', 'string endDate'], 'struct[]', (ctx, l: string, s: string, e: string) => listErrataLegacy(ctx, l, s, e), { faults: [-210] }),
    method('listErrataByType', ['string channelLabel', 'string advisoryType'], 'struct[]', async (ctx, l: string, type: string) => {
      const c = await channelByLabel(ctx, l);
      return (await ctx.services.stores.errata.listByChannel(c.id)).filter((e) => e.advisoryType === type).map((e) => legacyErratum(e, ctx.services.zone));
    }, { faults: [-210] }),
    method('listLatestPackages', ['string channelLabel'], 'struct[]', async (ctx, l: string) => {
      const c = await channelByLabel(ctx, l);
      return latestPerNameArch(await ctx.services.stores.channels.listPackages(c.id)).map(latestPackage);
    }, { faults: [-210] }),
    method('listPackagesWithoutChannel', [], 'Package[]', async (ctx) =>
      (await ctx.services.stores.packages.listWithoutChannel(ctx.user.orgId)).map((p) => packageStruct(p, ctx.user.orgName)), { role: 'channel_admin', faults: [-23] }),
    method('listSubscribedSystems', ['string label'], 'struct[]', async (ctx, l: string) => {
      const c = await channelByLabel(ctx, l);
      return (await ctx.services.stores.systems.subscribers(ctx.user.orgId, c.id)).map((s) => ({ id: s.id, name: s.name }));
    }, { role: 'org_admin', faults: [-210, -23] }),
    method('regenerateNeededCache', ['string channelLabel'], 'int', async (ctx, l: string) => {
      requireChannelAdmin(ctx, await channelByLabel(ctx, l));
      return 1;
    }, { faults: [-210, -1] }),
    method('regenerateNeededCache', [], 'int', (ctx) => {
      if (!ctx.user.roles.includes('satellite_admin')) throw new PermissionDenied('satellite_admin');
      return 1;
    }, { faults: [-1] }),
    method('regenerateYumCache', ['string channelLabel'], 'int', async (ctx, l: string) => {
      requireChannelAdmin(ctx, await channelByLabel(ctx, l));
      return 1;
    }, { faults: [-210, -1] }),
    method('removeErrata', ['string channelLabel', 'string[] errataNames', 'boolean removePackages'], 'int', removeErrata, { faults: [-210, -23, -1] }),
    ...repoMethods,
  ],
};
