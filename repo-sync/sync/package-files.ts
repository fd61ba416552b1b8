// Package files from upstream into the blob store, checksum-verified: all at once during a sync
// of an `immediate` repo (bounded concurrency), or one by one on first request for `on_demand`
// ones (concurrent requests for the same package share one download).
import { rm } from 'node:fs/promises';
import type { BlobStore, Package, Repo, Stores } from '../../channels/index.js';
import type { Fetcher } from '../fetch/index.js';
import { parsePrimarySnippet } from '../metadata/primary.js';
import type { StagedPackage } from './packages-stage.js';
import { repoAccess } from './repo-stage.js';

const CONCURRENCY = 4;

interface FileFetch {
  stores: Stores;
  blobs: BlobStore;
  fetcher: Fetcher;
}

async function fetchInto(ctx: FileFetch, repo: Repo, href: string, base: string | null, expect: { checksumType: string; checksum: string; size: number | null }, onBytes?: (n: number) => void): Promise<string> {
  const dest = ctx.blobs.tempPath();
  try {
    const access = base ? { ...repoAccess(repo), url: base } : repoAccess(repo);
    const r = await ctx.fetcher.fetchFile(access, href, dest, expect, onBytes);
    return ctx.blobs.adopt(dest, r.sha256);
  } catch (err) {
    await rm(dest, { force: true });
    throw err;
  }
}

export async function downloadPackages(ctx: FileFetch & { repo: Repo; packages: StagedPackage[]; onBytes: (n: number) => void }): Promise<number> {
  const missing = (await ctx.stores.packages.getMany(ctx.packages.map((p) => p.id))).filter((p) => !p.blobSha256 || !ctx.blobs.has(p.blobSha256));
  const byId = new Map(ctx.packages.map((p) => [p.id, p]));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < missing.length) {
      const pkg = missing[next++]!;
      const staged = byId.get(pkg.id)!;
      const sha = await fetchInto(ctx, ctx.repo, staged.href, staged.base, { checksumType: pkg.checksumType, checksum: pkg.checksum, size: pkg.sizePackage }, ctx.onBytes);
      await ctx.stores.packages.setBlob(pkg.id, sha);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, missing.length) }, worker));
  return missing.length;
}

/** Fetches packages of on_demand repos on first request; returns the blob's sha256. */
export class OnDemandFiles {
  private readonly inFlight = new Map<number, Promise<string>>();

  constructor(private readonly ctx: FileFetch) {}

  ensure(pkg: Package): Promise<string> {
    if (pkg.blobSha256 && this.ctx.blobs.has(pkg.blobSha256)) return Promise.resolve(pkg.blobSha256);
    let p = this.inFlight.get(pkg.id);
    if (!p) {
      p = this.download(pkg).finally(() => this.inFlight.delete(pkg.id));
      this.inFlight.set(pkg.id, p);
    }
    return p;
  }

  /** Tries the repositories of every channel holding the package, at the location its metadata gives. */
  private async download(pkg: Package): Promise<string> {
    const xml = await this.ctx.stores.packages.primaryXml(pkg.id);
    const where = xml ? parsePrimarySnippet(xml)[0] : undefined;
    const repos = await this.ctx.stores.repos.reposForPackage(pkg.id);
    if (!where?.locationHref || repos.length === 0) throw new Error(`${pkg.filename} is not downloaded yet and no repository is known to fetch it from`);
    let lastError: unknown;
    for (const repo of repos) {
      try {
        const expect = { checksumType: pkg.checksumType, checksum: pkg.checksum, size: pkg.sizePackage };
        const sha = await fetchInto(this.ctx, repo, where.locationHref, where.locationBase || null, expect);
        await this.ctx.stores.packages.setBlob(pkg.id, sha);
        return sha;
      } catch (err) {
        lastError = err;
      }
    }
    throw new Error(`${pkg.filename} could not be fetched from upstream: ${(lastError as Error)?.message ?? 'no repository left'}`);
  }
}
