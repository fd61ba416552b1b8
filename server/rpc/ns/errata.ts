// errata.*: create/publish/clone/setDetails as Spacewalk 2.10 (and CEFS errata-import.pl)
// expect them, plus the read calls spacecmd and patch portals make.
import {
  archAccepts,
  InvalidArgument,
  missingAttribute,
  normaliseSeverity,
  NotFound,
  REQUIRED_ERRATUM_KEYS,
  validateAdvisoryRelease,
  validateAdvisoryType,
  type Bug,
  type Channel,
  type Erratum,
  type ErratumUpdate,
} from '../../../channels/index.js';
import { errataDetails, errataStruct } from '../../presenters/errata.js';
import { packageDetails } from '../../presenters/packages.js';
import { systemOverview } from '../../presenters/systems.js';
import type { XmlRpcStruct, XmlRpcValue } from '../../xmlrpc/types.js';
import { checkKeys, intArray, optDate, optInt, optString, stringArray, structArray } from '../args.js';
import { fault, invalidArgs } from '../faults.js';
import { method, type CallContext, type NamespaceDef } from '../registry.js';
import { channelByLabel, requireChannelAdmin } from './lookup.js';

async function erratumByName(ctx: CallContext, name: string): Promise<Erratum> {
  const { errata } = ctx.services.stores;
  const e = await errata.getByName(ctx.user.orgId, name);
  if (e) return e;
  throw new NotFound('erratum', name, await errata.existsInOtherOrg(ctx.user.orgId, name));
}

/** Errata an org may change: its own (vendor errata are read-only: 2600). */
async function ownErratum(ctx: CallContext, name: string): Promise<Erratum> {
  const e = await erratumByName(ctx, name);
  if (e.orgId !== ctx.user.orgId) throw new InvalidArgument('erratum.invalid', `Invalid errata: ${name} cannot be modified`);
  return e;
}

function bugsFrom(v: XmlRpcValue | undefined): Bug[] {
  return structArray(v, 'bugs').map((b) => {
    checkKeys(b, ['id', 'summary', 'url']);
    const id = optInt(b, 'id');
    if (id === undefined) throw fault(1213, 'Invalid parameter: every bug needs an integer id');
    return { id, summary: optString(b, 'summary') ?? '', url: optString(b, 'url') ?? '' };
  });
}

/** Channels for publishing: non-empty, known, and administered by the caller (checked before any change). */
async function publishTargets(ctx: CallContext, labels: string[]): Promise<Channel[]> {
  if (labels.length === 0) {
    throw new InvalidArgument('erratum.no_channels', 'You are trying to publish an errata but have not selected any channels to publish it to.');
  }
  const out: Channel[] = [];
  for (const label of labels) {
    const c = await ctx.services.stores.channels.getByLabel(label, ctx.user.orgId);
    if (!c) throw new InvalidArgument('erratum.channel_label', `Invalid channel label: ${label}`);
    requireChannelAdmin(ctx, c);
    out.push(c);
  }
  return out;
}

async function checkPackages(ctx: CallContext, ids: number[]): Promise<void> {
  const found = new Set((await ctx.services.stores.packages.getMany(ids)).filter((p) => p.orgId === null || p.orgId === ctx.user.orgId).map((p) => p.id));
  const bad = ids.find((id) => !found.has(id));
  if (bad !== undefined) throw new InvalidArgument('package.invalid', `Invalid package: ${bad}`);
}

const CREATE_KEYS = ['synopsis', 'advisory_name', 'advisory_release', 'advisory_type', 'product', 'errataFrom', 'topic', 'description', 'references', 'notes', 'solution', 'severity'];

async function createErratum(ctx: CallContext, info: XmlRpcStruct, bugs: XmlRpcValue, keywords: XmlRpcValue, pkgIds: XmlRpcValue, publish: boolean, channelLabels: XmlRpcValue): Promise<Record<string, unknown>> {
  checkKeys(info, CREATE_KEYS);
  for (const key of REQUIRED_ERRATUM_KEYS) {
    const v = info[key];
    if (v === undefined || (typeof v === 'string' && v.trim() === '')) throw missingAttribute(key);
  }
  const release = optInt(info, 'advisory_release')!;
  validateAdvisoryRelease(release);
  const type = optString(info, 'advisory_type')!;
  validateAdvisoryType(type);
  const bugList = bugsFrom(bugs);
  const keywordList = stringArray(keywords, 'keywords');
  const packageIds = intArray(pkgIds, 'packageIds');
  await checkPackages(ctx, packageIds);
  const targets = publish ? await publishTargets(ctx, stringArray(channelLabels, 'channelLabels')) : [];
  const now = new Date();
  const e = await ctx.services.stores.errata.create(
    {
      orgId: ctx.user.orgId,
      advisoryName: optString(info, 'advisory_name')!,
      advisoryType: type,
      advisoryRelease: release,
      synopsis: optString(info, 'synopsis')!,
      product: optString(info, 'product')!,
      errataFrom: optString(info, 'errataFrom') ?? '',
      topic: optString(info, 'topic')!,
      description: optString(info, 'description')!,
      references: optString(info, 'references') ?? '',
      notes: optString(info, 'notes') ?? '',
      solution: optString(info, 'solution')!,
      severity: normaliseSeverity(type, optString(info, 'severity')),
      issueDate: now,
      updateDate: now,
      bugs: bugList,
      keywords: keywordList,
      packageIds,
    },
    [],
  );
  if (targets.length > 0) await publishTo(ctx, e.id, targets);
  return errataStruct((await ctx.services.stores.errata.getById(e.id))!, ctx.services.zone);
}

function publishTo(ctx: CallContext, errataId: number, channels: Channel[]): Promise<void> {
  const arch = new Map(channels.map((c) => [c.id, c.archLabel]));
  return ctx.services.stores.errata.publish(
    errataId,
    channels.map((c) => c.id),
    (cid, pkgArch) => archAccepts(arch.get(cid)!, pkgArch),
  );
}

const SET_KEYS = [
  'synopsis', 'advisory_name', 'advisory_release', 'advisory_type', 'product', 'issue_date', 'update_date', 'errataFrom',
  'topic', 'description', 'references', 'notes', 'solution', 'severity', 'bugs', 'keywords', 'cves',
];
const TEXT_FIELDS: Record<string, keyof ErratumUpdate> = {
  synopsis: 'synopsis', advisory_name: 'advisoryName', product: 'product', errataFrom: 'errataFrom', topic: 'topic',
  description: 'description', references: 'references', notes: 'notes', solution: 'solution',
};

async function setDetails(ctx: CallContext, name: string, details: XmlRpcStruct): Promise<number> {
  const e = await ownErratum(ctx, name);
  checkKeys(details, SET_KEYS);
  if (details['cves'] !== undefined && !e.published) throw invalidArgs(['cves']);
  const u: ErratumUpdate = {};
  for (const [key, field] of Object.entries(TEXT_FIELDS)) {
    const v = optString(details, key);
    if (v === undefined) continue;
    if ((key === 'synopsis' || key === 'advisory_name') && v.trim() === '') throw fault(1213, `Invalid parameter: ${key} must not be blank`);
    (u as Record<string, string>)[field] = v;
  }
  for (const key of ['issue_date', 'update_date'] as const) {
    if (details[key] === undefined) continue;
    const d = optDate(details, key);
    if (!d) throw fault(1213, `Wrong '${key}' format.`);
    u[key === 'issue_date' ? 'issueDate' : 'updateDate'] = d;
  }
  const release = optInt(details, 'advisory_release');
  if (release !== undefined) {
    validateAdvisoryRelease(release);
    u.advisoryRelease = release;
  }
  const type = optString(details, 'advisory_type') ?? e.advisoryType;
  if (details['advisory_type'] !== undefined) {
    validateAdvisoryType(type);
    u.advisoryType = type;
  }
  const severity = details['severity'] !== undefined ? optString(details, 'severity') : (e.severity ?? undefined);
  u.severity = normaliseSeverity(type, severity);
  if (details['bugs'] !== undefined) u.bugs = bugsFrom(details['bugs']);
  if (details['keywords'] !== undefined) u.keywords = stringArray(details['keywords'], 'keywords');
  if (details['cves'] !== undefined) u.cves = stringArray(details['cves'], 'cves');
  await ctx.services.stores.errata.update(e.id, u);
  return 1;
}

/** Clone names as Spacewalk makes them: "CL" replaces the first two letters, then CM, CN, ... if taken. */
async function cloneName(ctx: CallContext, original: string): Promise<string> {
  for (let c = 'L'.charCodeAt(0); c <= 'Z'.charCodeAt(0); c++) {
    const candidate = `C${String.fromCharCode(c)}${original.slice(2)}`;
    if (!(await ctx.services.stores.errata.getByName(ctx.user.orgId, candidate))) return candidate;
  }
  throw fault(-1, `unhandled internal exception: no free clone name for ${original}`);
}

async function cloneErrata(ctx: CallContext, channelLabel: string, names: XmlRpcValue, asOriginal: boolean): Promise<Record<string, unknown>[]> {
  const channel = await channelByLabel(ctx, channelLabel);
  requireChannelAdmin(ctx, channel);
  if (asOriginal && channel.cloneOriginalId === null) throw new InvalidArgument('channel.invalid', `Invalid channel: ${channelLabel} is not a cloned channel`);
  const { errata } = ctx.services.stores;
  const originals = [];
  for (const name of stringArray(names, 'advisoryNames')) originals.push(await erratumByName(ctx, name));
  const out: Record<string, unknown>[] = [];
  for (const o of originals) {
    const d = (await errata.getDetails(o.id))!;
    const clone = await errata.create({
      orgId: ctx.user.orgId,
      advisoryName: await cloneName(ctx, o.advisoryName),
      advisoryType: d.advisoryType,
      advisoryRelease: d.advisoryRelease,
      synopsis: d.synopsis,
      product: d.product,
      errataFrom: d.errataFrom,
      topic: d.topic,
      description: d.description,
      references: d.references,
      notes: d.notes,
      solution: d.solution,
      severity: d.severity,
      issueDate: d.issueDate,
      updateDate: d.updateDate,
      bugs: d.bugs,
      keywords: d.keywords,
      cves: d.cves,
      packageIds: await errata.packageIds(o.id),
      cloneOriginalId: o.id,
    });
    await publishTo(ctx, clone.id, [channel]);
    out.push(errataStruct((await errata.getById(clone.id))!, ctx.services.zone));
  }
  return out;
}

async function changePackages(ctx: CallContext, name: string, ids: XmlRpcValue, add: boolean): Promise<number> {
  const e = await ownErratum(ctx, name);
  const packageIds = intArray(ids, 'packageIds');
  if (add) {
    const found = new Set((await ctx.services.stores.packages.getMany(packageIds)).map((p) => p.id));
    const bad = packageIds.find((id) => !found.has(id));
    if (bad !== undefined) throw fault(-208, `The package '${bad}' cannot be found.`);
    return ctx.services.stores.errata.addPackages(e.id, packageIds);
  }
  return ctx.services.stores.errata.removePackages(e.id, packageIds);
}

async function listPackages(ctx: CallContext, name: string): Promise<Record<string, unknown>[]> {
  const e = await erratumByName(ctx, name);
  const { stores, zone } = ctx.services;
  const pkgs = await stores.packages.getMany(await stores.errata.packageIds(e.id));
  const out = [];
  for (const p of pkgs) {
    const channels = (await stores.packages.providingChannels(p.id, ctx.user.orgId)).map((c) => c.label);
    out.push(packageDetails(p, channels, zone));
  }
  return out;
}

const WRITE = { role: 'channel_admin' as const };
const READ_FAULTS = [-209, -208];

export const errataNamespace: NamespaceDef = {
  namespace: 'errata',
  handlerClass: 'ErrataHandler',
  methods: [
    method('addPackages', ['string advisoryName', 'int[] packageIds'], 'int', (ctx, n: string, ids: XmlRpcValue) => changePackages(ctx, n, ids, true), { ...WRITE, faults: [-209, -208, 2600] }),
    method('removePackages', ['string advisoryName', 'int[] packageIds'], 'int', (ctx, n: string, ids: XmlRpcValue) => changePackages(ctx, n, ids, false), { ...WRITE, faults: [-209, -208, 2600] }),
    method('applicableToChannels', ['string advisoryName'], 'struct[]', async (ctx, n: string) => {
      const e = await erratumByName(ctx, n);
      return (await ctx.services.stores.errata.channels(e.id)).map((c) => ({ channel_id: c.id, label: c.label, name: c.name, parent_channel_label: c.parentLabel ?? '' }));
    }, { faults: READ_FAULTS }),
    method('bugzillaFixes', ['string advisoryName'], 'struct', async (ctx, n: string) => {
      const d = (await ctx.services.stores.errata.getDetails((await erratumByName(ctx, n)).id))!;
      const out: Record<string, string> = {};
      for (const b of d.bugs) out[String(b.id)] = b.summary;
      return out;
    }, { faults: READ_FAULTS }),
    method('clone', ['string channelLabel', 'string[] advisoryNames'], 'Errata[]', (ctx, c: string, n: XmlRpcValue) => cloneErrata(ctx, c, n, false), { faults: [-211, -210, -209, -208, -23, -1] }),
    method('cloneAsOriginal', ['string channelLabel', 'string[] advisoryNames'], 'Errata[]', (ctx, c: string, n: XmlRpcValue) => cloneErrata(ctx, c, n, true), { faults: [-211, -210, -209, -208, -23, -1] }),
    method('create', ['struct errataInfo', 'array bugs', 'string[] keywords', 'int[] packageIds', 'boolean publish', 'string[] channelLabels'], 'Errata',
      (ctx, info: XmlRpcStruct, b: XmlRpcValue, k: XmlRpcValue, p: XmlRpcValue, pub: boolean, ch: XmlRpcValue) => createErratum(ctx, info, b, k, p, pub, ch),
      { ...WRITE, faults: [-209, -208, -23, 1062, 1070, 1201, 2300, 2601, 2603, 2609, 2801] }),
    // Uyuni's form (API >= 24): no publish flag, always published.
    method('create', ['struct errataInfo', 'array bugs', 'string[] keywords', 'int[] packageIds', 'string[] channelLabels'], 'Errata',
      (ctx, info: XmlRpcStruct, b: XmlRpcValue, k: XmlRpcValue, p: XmlRpcValue, ch: XmlRpcValue) => createErratum(ctx, info, b, k, p, true, ch),
      { ...WRITE, faults: [-209, -208, -23, 1062, 1070, 1201, 2300, 2601, 2603, 2609, 2801] }),
    method('delete', ['string advisoryName'], 'int', async (ctx, n: string) => {
      await ctx.services.stores.errata.delete((await ownErratum(ctx, n)).id);
      return 1;
    }, { ...WRITE, faults: [-209, -208, 2600] }),
    method('findByCve', ['string cveName'], 'Errata[]', async (ctx, cve: string) =>
      (await ctx.services.stores.errata.findByCve(ctx.user.orgId, cve)).map((e) => errataStruct(e, ctx.services.zone))),
    method('getDetails', ['string advisoryName'], 'struct', async (ctx, n: string) =>
      errataDetails((await ctx.services.stores.errata.getDetails((await erratumByName(ctx, n)).id))!, ctx.services.zone), { faults: READ_FAULTS }),
    method('listAffectedSystems', ['string advisoryName'], 'SystemOverview[]', async (ctx, n: string) => {
      const e = await erratumByName(ctx, n);
      return (await ctx.services.stores.relevance.listAffectedSystems(e.id, ctx.user.orgId)).map((s) => systemOverview(s));
    }, { faults: READ_FAULTS }),
    method('listByDate', ['string channelLabel'], 'Errata[]', async (ctx, l: string) => {
      const c = await channelByLabel(ctx, l);
      const list = await ctx.services.stores.errata.listByChannel(c.id);
      return list.sort((a, b) => a.issueDate.getTime() - b.issueDate.getTime()).map((e) => errataStruct(e, ctx.services.zone));
    }),
    method('listCves', ['string advisoryName'], 'string[]', async (ctx, n: string) =>
      (await ctx.services.stores.errata.getDetails((await erratumByName(ctx, n)).id))!.cves, { faults: READ_FAULTS }),
    method('listKeywords', ['string advisoryName'], 'string[]', async (ctx, n: string) =>
      (await ctx.services.stores.errata.getDetails((await erratumByName(ctx, n)).id))!.keywords, { faults: READ_FAULTS }),
    method('listPackages', ['string advisoryName'], 'PackageDetails[]', listPackages, { faults: READ_FAULTS }),
    method('listUnpublishedErrata', [], 'struct[]', async (ctx) =>
      (await ctx.services.stores.errata.listUnpublished(ctx.user.orgId)).map((e) => ({
        id: e.id,
        published: 0,
        advisory: e.advisoryName,
        advisory_name: e.advisoryName,
        advisory_type: e.advisoryType,
        synopsis: e.synopsis,
        created: e.created,
        update_date: e.updateDate,
      }))),
    method('publish', ['string advisory', 'string[] channelLabels'], 'Errata', async (ctx, n: string, labels: XmlRpcValue) => {
      const e = await ownErratum(ctx, n);
      await publishTo(ctx, e.id, await publishTargets(ctx, stringArray(labels, 'channelLabels')));
      return errataStruct((await ctx.services.stores.errata.getById(e.id))!, ctx.services.zone);
    }, { ...WRITE, faults: [-209, -208, -23, 1201, 2603] }),
    method('setDetails', ['string advisoryName', 'struct details'], 'int', setDetails, { ...WRITE, faults: [-209, -208, 1070, 1213, 2600, 2801] }),
  ],
};
