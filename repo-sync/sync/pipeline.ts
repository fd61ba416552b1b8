// Channel sync as a pipeline of stages: lock the channel (one sync at a time, across
// processes), stage each repository, map advisories to packages, download package files for
// `immediate` repos, commit everything in one transaction, publish the channel's repodata,
// record the run. A failure anywhere before the commit leaves the channel as it was.
import { hostname } from 'node:os';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFound, type BlobStore, type RunHolder, type Stores, type SyncCounts, type SyncedErratum } from '../../channels/index.js';
import { Fetcher, type FetcherOptions } from '../fetch/index.js';
import { withPackageIds } from '../errata-from-updateinfo.js';
import { publishChannel } from '../publish/index.js';
import { downloadPackages } from './package-files.js';
import { newestOnly } from './latest.js';
import { nevraKey, type StagedPackage } from './packages-stage.js';
import { stageRepo, type RepoStageResult } from './repo-stage.js';
import type { SyncOutcome, SyncParams, SyncPhase, SyncProgress, SyncService, SyncTrigger } from './types.js';

export interface PipelineOptions {
  stores: Stores;
  blobs: BlobStore;
  dataDir: string;
  fetch?: FetcherOptions;
  log?: { warn(o: object, m: string): void; info(o: object, m: string): void };
}

const HOST = hostname();

/** A sync holder is alive while its process is (checked on this host; others are trusted). */
function isAlive(h: RunHolder): boolean {
  if (h.host !== HOST) return true;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function emptyCounts(): SyncCounts {
  return { packagesTotal: 0, packagesAdded: 0, errataAdded: 0, errataUpdated: 0, bytes: 0, warnings: [] };
}

export class SyncPipeline implements SyncService {
  constructor(private readonly opts: PipelineOptions) {}

  async syncChannel(label: string, trigger: SyncTrigger, params: SyncParams = {}, onProgress?: (p: SyncProgress) => void): Promise<SyncOutcome> {
    const { stores } = this.opts;
    const started = performance.now();
    const channel = await stores.channels.getByLabelAnyOrg(label);
    if (!channel) throw new NotFound('channel', label);
    const progress: SyncProgress = { channel: label, phase: 'lock', bytes: 0, packages: 0, packagesTotal: null, errata: 0 };
    const report = (phase: SyncPhase, d: { bytes?: number; packages?: number; packagesTotal?: number | null; errata?: number; message?: string } = {}): void => {
      progress.phase = phase;
      if (d.bytes) progress.bytes += d.bytes;
      if (d.packages !== undefined) progress.packages = d.packages;
      if (d.packagesTotal !== undefined) progress.packagesTotal = d.packagesTotal;
      if (d.errata) progress.errata += d.errata;
      if (d.message !== undefined) progress.message = d.message;
      onProgress?.({ ...progress });
    };
    report('lock');
    const runId = await stores.sync.begin(channel.id, trigger, { host: HOST, pid: process.pid }, isAlive);
    const counts = emptyCounts();
    const workDir = join(this.opts.dataDir, 'tmp', `sync-${runId}`);
    const fetcher = new Fetcher(this.opts.fetch ?? {});
    let status: SyncOutcome['status'] = 'failed';
    let error: string | null = null;
    try {
      await this.cleanStaleWork();
      await mkdir(workDir, { recursive: true });
      status = await this.run(channel.id, channel.orgId ?? 1, label, params, fetcher, workDir, counts, report);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      this.opts.log?.warn({ channel: label, err: error }, 'channel sync failed');
    } finally {
      await fetcher.close().catch(() => {});
      await rm(workDir, { recursive: true, force: true }).catch(() => {});
    }
    counts.bytes = progress.bytes;
    await stores.sync.finish(runId, status, counts, error);
    report('done');
    return { runId, channel: label, status, ...counts, error, seconds: (performance.now() - started) / 1000 };
  }

  private async run(
    channelId: number,
    orgId: number,
    label: string,
    params: SyncParams,
    fetcher: Fetcher,
    workDir: string,
    counts: SyncCounts,
    report: (phase: SyncPhase, d?: { bytes?: number; packages?: number; packagesTotal?: number | null; errata?: number; message?: string }) => void,
  ): Promise<'success' | 'unchanged'> {
    const { stores, blobs, dataDir } = this.opts;
    const channel = (await stores.channels.getByLabelAnyOrg(label))!;
    const repos = await stores.repos.channelRepos(channelId);
    if (repos.length === 0) throw new Error(`channel ${label} has no repositories to sync (associate one with channel.software.associateRepo)`);
    const staged: RepoStageResult[] = [];
    for (const repo of repos) staged.push(await stageRepo({ stores, fetcher, channel, orgId, params, workDir, report }, repo));
    for (const s of staged) counts.warnings.push(...s.warnings);
    const changed = staged.filter((s) => !s.unchanged);

    let packages: StagedPackage[] = changed.flatMap((s) => s.packages);
    if (params.latest) packages = newestOnly(packages);
    counts.packagesTotal = packages.length;
    const errata = await this.mapErrata(channelId, orgId, changed, packages, params);

    const immediate = changed.filter((s) => s.repo.downloadPolicy === 'immediate');
    for (const s of immediate) {
      const keep = new Set(packages.map((p) => p.id));
      report('download', { message: `${s.repo.label}: package files` });
      await downloadPackages({ stores, blobs, fetcher, repo: s.repo, packages: s.packages.filter((p) => keep.has(p.id)), onBytes: (n) => report('download', { bytes: n }) });
    }

    report('commit');
    const metadata = Object.assign({}, ...changed.map((s) => s.metadata)) as RepoStageResult['metadata'];
    const result = await stores.sync.commit({
      channelId,
      orgId,
      packageIds: packages.map((p) => p.id),
      errata,
      metadata,
      repos: staged.map((s) => ({ repoId: s.repo.id, repomdSha256: s.repomdSha256 })),
      syncedAt: new Date(),
    });
    Object.assign(counts, result);
    if (changed.length === 0) return 'unchanged';
    report('publish');
    try {
      await publishChannel(stores, dataDir, channelId);
    } catch (err) {
      // The content is committed; readers republish on demand, so this is not a failed sync.
      counts.warnings.push(`publishing repodata failed (it is regenerated on the next request): ${(err as Error).message}`);
    }
    return 'success';
  }

  /** Advisories with their packages mapped to ids among the channel's packages (old and new). */
  private async mapErrata(channelId: number, orgId: number, changed: RepoStageResult[], packages: StagedPackage[], params: SyncParams): Promise<SyncedErratum[]> {
    if (params.noErrata) return [];
    const all = changed.flatMap((s) => s.errata);
    if (all.length === 0) return [];
    const ids = new Map<string, number>();
    for (const p of await this.opts.stores.channels.listPackages(channelId)) ids.set(nevraKey(p), p.id);
    for (const p of packages) ids.set(nevraKey(p), p.id);
    const out: SyncedErratum[] = [];
    for (const e of all) {
      const mapped = withPackageIds(e, orgId, (p) => ids.get(nevraKey(p)) ?? null);
      if (mapped) out.push(mapped);
    }
    return out;
  }

  /** Work folders and blob downloads of syncs whose process died (a killed sync leaves them behind). */
  private async cleanStaleWork(): Promise<void> {
    this.opts.blobs.cleanTemp();
    const tmp = join(this.opts.dataDir, 'tmp');
    const names = await readdir(tmp).catch(() => [] as string[]);
    for (const name of names) {
      const m = /^sync-(\d+)$/.exec(name);
      if (!m) continue;
      const run = await this.opts.stores.sync.run(Number(m[1]));
      if (!run || run.status !== 'running' || !isAlive(run)) await rm(join(tmp, name), { recursive: true, force: true });
    }
  }
}
