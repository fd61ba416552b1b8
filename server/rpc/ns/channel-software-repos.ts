// channel.software's repository methods (Spacewalk's ContentSource API: repos, their filters,
// channel associations, syncRepo now or on a Quartz schedule) and Skylab's additions to them.
// ns/channel-software.ts appends this table to its own: one namespace, two files.
import { InvalidArgument, NotFound, type Channel, type Repo, type RepoUpdate } from '../../../channels/index.js';
import { QuartzError, quartzToNodeCron } from '../../../repo-sync/quartz.js';
import type { SyncParams } from '../../../repo-sync/sync/types.js';
import { channelStruct } from '../../presenters/channels.js';
import { contentSource, contentSourceView, repoFilter, syncRun, userRepo } from '../../presenters/repos.js';
import type { XmlRpcStruct, XmlRpcValue } from '../../xmlrpc/types.js';
import { structArray } from '../args.js';
import { method, type CallContext, type MethodDef, type MethodOptions } from '../registry.js';
import { channelByLabel, requireChannelAdmin } from './lookup.js';
import { downloadPolicy, filterStruct, proxyUrl, repoLabel, repoType, repoUrl, sslSettings, syncParams } from './repo-input.js';

async function repoOf(ctx: CallContext, x: string | number): Promise<Repo> {
  const { repos } = ctx.services.stores;
  const r = typeof x === 'number' ? await repos.getById(x) : await repos.getByLabel(ctx.user.orgId, x);
  if (!r || r.orgId !== ctx.user.orgId) throw new NotFound('repo', x);
  return r;
}

/** The Channel struct with its content sources (getDetails, associateRepo, disassociateRepo). */
export async function channelDetails(ctx: CallContext, c: Channel): Promise<Record<string, unknown>> {
  const repos = await ctx.services.stores.repos.channelRepos(c.id);
  return channelStruct(c, repos.map(contentSourceView));
}

async function createRepo(ctx: CallContext, label: string, type: string, url: string, ca = '', cert = '', key = ''): Promise<Record<string, unknown>> {
  repoLabel(label);
  repoUrl(url);
  const r = await ctx.services.stores.repos.create({ orgId: ctx.user.orgId, label, type: repoType(type), url: url.trim(), ...sslSettings(ca, cert, key) });
  return contentSource(r);
}

/** The change is computed after the lookup: an unknown repo faults 1213 before its new values are judged, as in Spacewalk. */
async function updateRepo(ctx: CallContext, x: string | number, change: () => RepoUpdate): Promise<Record<string, unknown>> {
  const r = await repoOf(ctx, x);
  await ctx.services.stores.repos.update(r.id, change());
  return contentSource((await ctx.services.stores.repos.getById(r.id))!);
}

async function removeRepo(ctx: CallContext, x: string | number): Promise<number> {
  await ctx.services.stores.repos.delete((await repoOf(ctx, x)).id);
  return 1;
}

async function associate(ctx: CallContext, channelLabel: string, label: string, on: boolean): Promise<Record<string, unknown>> {
  const c = await channelByLabel(ctx, channelLabel);
  requireChannelAdmin(ctx, c);
  const r = await repoOf(ctx, label);
  await ctx.services.stores.repos.associate(c.id, r.id, on);
  return channelDetails(ctx, c);
}

/** syncRepo(label[, struct]): the sync runs in the background; one already running here gets a follow-up run. */
async function syncNow(ctx: CallContext, channelLabel: string, params: SyncParams = {}): Promise<number> {
  const c = await channelByLabel(ctx, channelLabel);
  requireChannelAdmin(ctx, c);
  ctx.services.scheduler.runNow(c.label, 'api', params);
  return 1;
}

/** syncRepo(label, cronExpr[, struct]): "" clears the schedule, as in Spacewalk. */
async function setSchedule(ctx: CallContext, channelLabel: string, cronExpr: string, params: SyncParams = {}): Promise<number> {
  const c = await channelByLabel(ctx, channelLabel);
  requireChannelAdmin(ctx, c);
  const quartz = cronExpr.trim();
  if (quartz === '') await ctx.services.stores.sync.setSchedule(c.id, null, null);
  else {
    try {
      quartzToNodeCron(quartz);
    } catch (err) {
      if (err instanceof QuartzError) throw new InvalidArgument('cron', `Invalid cron expression: ${err.message}`);
      throw err;
    }
    await ctx.services.stores.sync.setSchedule(c.id, quartz, params as Record<string, boolean>);
  }
  await ctx.services.scheduler.reschedule(c.id);
  return 1;
}

async function cronExpression(ctx: CallContext, channelLabel: string): Promise<string> {
  const c = await channelByLabel(ctx, channelLabel);
  return (await ctx.services.stores.sync.schedules()).find((s) => s.channelId === c.id)?.cron ?? '';
}

async function syncHistory(ctx: CallContext, channelLabel: string, limit = 50): Promise<Record<string, unknown>[]> {
  const c = await channelByLabel(ctx, channelLabel);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new InvalidArgument('param', `Invalid parameter: limit must be 1-1000, got ${limit}`);
  return (await ctx.services.stores.sync.history(c.id, limit)).map((run) => syncRun(run, c.label));
}

async function addFilter(ctx: CallContext, label: string, s: XmlRpcStruct): Promise<number> {
  const r = await repoOf(ctx, label);
  const filter = filterStruct(s);
  const filters = await ctx.services.stores.repos.filters(r.id);
  await ctx.services.stores.repos.setFilters(r.id, [...filters, filter]);
  return filters.length + 1;
}

async function removeFilter(ctx: CallContext, label: string, s: XmlRpcStruct): Promise<number> {
  const r = await repoOf(ctx, label);
  const { flag, filter } = filterStruct(s);
  const filters = await ctx.services.stores.repos.filters(r.id);
  const at = filters.findIndex((f) => f.flag === flag && f.filter === filter);
  if (at < 0) throw new InvalidArgument('param', 'filter does not exist');
  await ctx.services.stores.repos.setFilters(r.id, filters.filter((_, i) => i !== at));
  return 1;
}

async function setFilters(ctx: CallContext, label: string, list: XmlRpcValue): Promise<number> {
  const r = await repoOf(ctx, label);
  const filters = structArray(list, 'filters').map(filterStruct);
  await ctx.services.stores.repos.setFilters(r.id, filters);
  return 1;
}

const W: MethodOptions = { role: 'channel_admin' };
const SYNC_FAULTS = [-210, -23, 1213, 2801, -1];
// Spacewalk lets only org admins change filters.
const FILTER: MethodOptions = { role: 'org_admin', faults: [-23, 1213, 2801] };

export const repoMethods: MethodDef[] = [
  method('listUserRepos', [], 'struct[]', async (ctx) => (await ctx.services.stores.repos.list(ctx.user.orgId)).map(userRepo)),
  method('createRepo', ['string label', 'string type', 'string url'], 'ContentSource', (ctx, l: string, t: string, u: string) => createRepo(ctx, l, t, u), {
    ...W,
    faults: [-23, 1, 2, 1213],
  }),
  // SSL parameters: "" or PEM text or the absolute path of a PEM file on the server (Skylab has no
  // crypto-key store for Spacewalk's key descriptions).
  method('createRepo', ['string label', 'string type', 'string url', 'string sslCaCert', 'string sslCliCert', 'string sslCliKey'], 'ContentSource', createRepo, {
    ...W,
    faults: [-23, 1, 2, 1210, 1213],
  }),
  method('getRepoDetails', ['string repoLabel'], 'ContentSource', async (ctx, l: string) => contentSource(await repoOf(ctx, l)), { faults: [1213] }),
  method('getRepoDetails', ['int id'], 'ContentSource', async (ctx, id: number) => contentSource(await repoOf(ctx, id)), { faults: [1213] }),
  method('removeRepo', ['string label'], 'int', removeRepo, { ...W, faults: [-23, 1213] }),
  method('removeRepo', ['int id'], 'int', removeRepo, { ...W, faults: [-23, 1213] }),
  method('updateRepo', ['int id', 'string label', 'string url'], 'ContentSource', (ctx, id: number, l: string, u: string) =>
    updateRepo(ctx, id, () => ({ label: repoLabel(l), url: repoUrl(u) })), { ...W, faults: [-23, 1, 2, 1213] }),
  method('updateRepoUrl', ['string label', 'string url'], 'ContentSource', (ctx, l: string, u: string) => updateRepo(ctx, l, () => ({ url: repoUrl(u) })), { ...W, faults: [-23, 1, 1213] }),
  method('updateRepoUrl', ['int id', 'string url'], 'ContentSource', (ctx, id: number, u: string) => updateRepo(ctx, id, () => ({ url: repoUrl(u) })), { ...W, faults: [-23, 1, 1213] }),
  method('updateRepoLabel', ['string label', 'string newLabel'], 'ContentSource', (ctx, l: string, n: string) => updateRepo(ctx, l, () => ({ label: repoLabel(n) })), {
    ...W,
    faults: [-23, 2, 1213],
  }),
  method('updateRepoLabel', ['int id', 'string label'], 'ContentSource', (ctx, id: number, n: string) => updateRepo(ctx, id, () => ({ label: repoLabel(n) })), {
    ...W,
    faults: [-23, 2, 1213],
  }),
  // Replaces all three (a CA of "" clears them); same forms as createRepo's SSL parameters.
  method('updateRepoSsl', ['string label', 'string sslCaCert', 'string sslCliCert', 'string sslCliKey'], 'ContentSource',
    (ctx, l: string, ca: string, cert: string, key: string) => {
      if (l.trim() === '') throw new InvalidArgument('param', 'label might not be empty');
      return updateRepo(ctx, l, () => sslSettings(ca, cert, key));
    }, { ...W, faults: [-23, 1210, 1213] }),
  method('updateRepoSsl', ['int id', 'string sslCaCert', 'string sslCliCert', 'string sslCliKey'], 'ContentSource',
    (ctx, id: number, ca: string, cert: string, key: string) => updateRepo(ctx, id, () => sslSettings(ca, cert, key)), { ...W, faults: [-23, 1210, 1213] }),
  // Skylab: download policy per repo, `on_demand` (default: package files fetched on first request)
  // or `immediate` (downloaded during the sync); shown as `downloadPolicy` in ContentSource.
  method('setRepoDownloadPolicy', ['string label', 'string policy'], 'ContentSource', (ctx, l: string, p: string) =>
    updateRepo(ctx, l, () => ({ downloadPolicy: downloadPolicy(p) })), { ...W, faults: [-23, 1213] }),
  // Skylab: HTTP(S) proxy for this repo's downloads ("" clears it); shown as `proxyUrl` (password masked).
  method('setRepoProxy', ['string label', 'string proxyUrl'], 'ContentSource', (ctx, l: string, p: string) => updateRepo(ctx, l, () => ({ proxyUrl: proxyUrl(p) })), {
    ...W,
    faults: [-23, 1213],
  }),
  method('associateRepo', ['string chanLabel', 'string repoLabel'], 'Channel', (ctx, c: string, r: string) => associate(ctx, c, r, true), { ...W, faults: [-210, -23, 1213] }),
  method('disassociateRepo', ['string chanLabel', 'string repoLabel'], 'Channel', (ctx, c: string, r: string) => associate(ctx, c, r, false), {
    ...W,
    faults: [-210, -23, 1213],
  }),
  method('listChannelRepos', ['string channelLabel'], 'ContentSource[]', async (ctx, l: string) => {
    const c = await channelByLabel(ctx, l);
    return (await ctx.services.stores.repos.channelRepos(c.id)).map(contentSource);
  }, { faults: [-210] }),
  method('syncRepo', ['string channelLabel'], 'int', (ctx, l: string) => syncNow(ctx, l), { ...W, faults: SYNC_FAULTS }),
  method('syncRepo', ['string channelLabel', 'struct params'], 'int', (ctx, l: string, p: XmlRpcStruct) => syncNow(ctx, l, syncParams(p)), { ...W, faults: SYNC_FAULTS }),
  method('syncRepo', ['string channelLabel', 'string cronExpr'], 'int', (ctx, l: string, e: string) => setSchedule(ctx, l, e), { ...W, faults: SYNC_FAULTS }),
  method('syncRepo', ['string channelLabel', 'string cronExpr', 'struct params'], 'int', (ctx, l: string, e: string, p: XmlRpcStruct) =>
    setSchedule(ctx, l, e, syncParams(p)), { ...W, faults: SYNC_FAULTS }),
  method('getRepoSyncCronExpression', ['string channelLabel'], 'string', cronExpression, { faults: [-210] }),
  // Skylab: the channel's sync runs, newest first (default 50, at most 1000).
  method('listSyncHistory', ['string channelLabel'], 'struct[]', (ctx, l: string) => syncHistory(ctx, l), { faults: [-210] }),
  method('listSyncHistory', ['string channelLabel', 'int limit'], 'struct[]', (ctx, l: string, n: number) => syncHistory(ctx, l, n), { faults: [-210, 1213] }),
  method('listRepoFilters', ['string label'], 'ContentSourceFilter[]', async (ctx, l: string) =>
    (await ctx.services.stores.repos.filters((await repoOf(ctx, l)).id)).map(repoFilter), { faults: [1213] }),
  method('addRepoFilter', ['string label', 'struct filter'], 'int', addFilter, FILTER),
  method('removeRepoFilter', ['string label', 'struct filter'], 'int', removeFilter, FILTER),
  method('setRepoFilters', ['string label', 'struct[] filters'], 'int', setFilters, FILTER),
  method('clearRepoFilters', ['string label'], 'int', async (ctx, l: string) => {
    await ctx.services.stores.repos.setFilters((await repoOf(ctx, l)).id, []);
    return 1;
  }, FILTER),
];
