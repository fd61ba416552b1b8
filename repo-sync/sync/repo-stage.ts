// One repository of a channel sync: repomd.xml (an unchanged one ends the work here), the
// needed files downloaded intact, packages stored, snippets filled, advisories and comps/modules
// read. Nothing here changes what the channel shows: the pipeline commits the result.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Channel, Repo, Stores } from '../../channels/index.js';
import type { Fetcher, RepoAccess } from '../fetch/index.js';
import { parseRepomd } from '../metadata/repomd.js';
import { readUpdateinfo } from '../metadata/updateinfo.js';
import { errataFromUpdateinfo, type UpdateinfoErratum } from '../errata-from-updateinfo.js';
import { compileFilters } from './filters.js';
import { downloadRepodata, neededFiles, type Downloaded } from './repo-files.js';
import { fillSnippets, importPackages, openFile, type StagedPackage } from './packages-stage.js';
import type { SyncParams, SyncPhase } from './types.js';

const REPOMD_LIMIT = 16 * 1024 * 1024;
// comps and modules documents are kept whole (they are republished as they are)
const DOCUMENT_LIMIT = 256 * 1024 * 1024;

export interface RepoStageResult {
  repo: Repo;
  unchanged: boolean;
  repomdSha256: string;
  packages: StagedPackage[];
  errata: UpdateinfoErratum[];
  metadata: Partial<Record<'group' | 'modules', { content: Buffer; sha256: string }>>;
  bytes: number;
  warnings: string[];
}

export interface RepoStageContext {
  stores: Stores;
  fetcher: Fetcher;
  channel: Channel;
  orgId: number;
  params: SyncParams;
  workDir: string;
  report: (phase: SyncPhase, delta: { bytes?: number; packages?: number; packagesTotal?: number | null; errata?: number; message?: string }) => void;
}

export function repoAccess(repo: Repo): RepoAccess {
  return { url: repo.url, sslCaCert: repo.sslCaCert, sslClientCert: repo.sslClientCert, sslClientKey: repo.sslClientKey, proxyUrl: repo.proxyUrl };
}

async function readWhole(d: Downloaded): Promise<{ content: Buffer; sha256: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of openFile(d)) {
    size += chunk.length;
    if (size > DOCUMENT_LIMIT) throw new Error(`${d.entry.type} document is larger than ${DOCUMENT_LIMIT} bytes`);
    chunks.push(chunk);
  }
  const content = Buffer.concat(chunks);
  return { content, sha256: createHash('sha256').update(content).digest('hex') };
}

export async function stageRepo(ctx: RepoStageContext, repo: Repo): Promise<RepoStageResult> {
  const access = repoAccess(repo);
  ctx.report('repomd', { message: repo.label });
  const { body, sha256 } = await ctx.fetcher.fetchBuffer(access, 'repodata/repomd.xml', REPOMD_LIMIT);
  const result: RepoStageResult = { repo, unchanged: false, repomdSha256: sha256, packages: [], errata: [], metadata: {}, bytes: body.length, warnings: [] };
  if (repo.repomdSha256 === sha256) {
    result.unchanged = true;
    return result;
  }
  const repomd = parseRepomd(body);
  const dir = join(ctx.workDir, String(repo.id));
  await mkdir(dir, { recursive: true });
  ctx.report('download', { message: repo.label });
  const files = await downloadRepodata(ctx.fetcher, access, neededFiles(repomd, { errata: !ctx.params.noErrata }), dir, (n) => ctx.report('download', { bytes: n }));
  result.bytes += files.bytes;
  result.warnings.push(...files.warnings.map((w) => `${repo.label}: ${w}`));

  ctx.report('packages', { message: repo.label });
  const filter = compileFilters(await ctx.stores.repos.filters(repo.id));
  const staged = await importPackages(ctx.stores, ctx.channel, ctx.orgId, files.files.get('primary')!, filter, (n) => ctx.report('packages', { packages: n }));
  result.packages = staged.packages;
  for (const kind of ['filelists', 'other'] as const) {
    const f = files.files.get(kind);
    if (f) await fillSnippets(ctx.stores, kind, f, staged.byPkgid);
  }

  const updateinfo = files.files.get('updateinfo');
  if (updateinfo) {
    ctx.report('errata', { message: repo.label });
    const read = await readUpdateinfo(openFile(updateinfo));
    const converted = errataFromUpdateinfo(read.advisories, { channelArch: ctx.channel.archLabel, source: repo.label });
    result.errata = converted.errata;
    result.warnings.push(...[...read.warnings, ...converted.warnings].map((w) => `${repo.label}: ${w}`));
    ctx.report('errata', { errata: converted.errata.length });
  }
  for (const kind of ['group', 'modules'] as const) {
    const f = files.files.get(kind);
    if (f) result.metadata[kind] = await readWhole(f);
  }
  return result;
}
