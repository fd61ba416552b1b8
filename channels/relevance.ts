// The applicability engine: which channel builds upgrade a system's installed packages and which
// errata it needs, from its profile and the indexes of its channels. Pure; the store does the I/O.
import type { PackageNevra } from './model.js';
import { compareEvr } from './rpmvercmp.js';

/** A package build held by a channel. */
export interface ChannelBuild extends PackageNevra {
  id: number;
}

/** A channel's builds of one name, newest EVR first; equal EVRs share a rank (0 = newest). */
export interface NameBuilds {
  builds: readonly ChannelBuild[];
  rank: Uint32Array;
}

/** What one channel contributes, built once per channel revision and shared by all its systems. */
export interface ChannelIndex {
  channelId: number;
  revision: number;
  byName: ReadonlyMap<string, NameBuilds>;
  /** For each package id, the errata of this channel that ship it (the package may live elsewhere). */
  errataByPackage: ReadonlyMap<number, readonly number[]>;
  packageCount: number;
  errataCount: number;
}

/** One upgrade: the newest matching channel build and the installed build it replaces. */
export interface NeededPackage {
  target: ChannelBuild;
  from: PackageNevra;
}

export interface Relevance {
  /** In the order names first appear in the installed list; readers sort for display. */
  packages: NeededPackage[];
  /** Erratum ids, ascending. */
  errata: number[];
}

/** Same arch, or noarch on either side: the definition of "a matching arch". */
export function archesMatch(installedArch: string, buildArch: string): boolean {
  return installedArch === buildArch || installedArch === 'noarch' || buildArch === 'noarch';
}

export function buildChannelIndex(
  channelId: number,
  revision: number,
  builds: Iterable<ChannelBuild>,
  errataPackages: Iterable<{ errataId: number; packageId: number }>,
): ChannelIndex {
  const lists = new Map<string, ChannelBuild[]>();
  let packageCount = 0;
  for (const b of builds) {
    const list = lists.get(b.name);
    if (list) list.push(b);
    else lists.set(b.name, [b]);
    packageCount++;
  }
  const byName = new Map<string, NameBuilds>();
  for (const [name, list] of lists) {
    if (list.length > 1) list.sort((a, b) => compareEvr(b, a));
    const rank = new Uint32Array(list.length);
    for (let i = 1; i < list.length; i++) rank[i] = rank[i - 1]! + (compareEvr(list[i - 1]!, list[i]!) === 0 ? 0 : 1);
    byName.set(name, { builds: list, rank });
  }
  const errataByPackage = new Map<number, number[]>();
  const errata = new Set<number>();
  for (const { errataId, packageId } of errataPackages) {
    const list = errataByPackage.get(packageId);
    if (list) list.push(errataId);
    else errataByPackage.set(packageId, [errataId]);
    errata.add(errataId);
  }
  return { channelId, revision, byName, errataByPackage, packageCount, errataCount: errata.size };
}

/**
 * Several installed builds of one name and arch (kernels) count as their newest: an update
 * must beat what the system would run, not an older build kept alongside.
 */
export function newestInstalled(installed: readonly PackageNevra[]): Map<string, Map<string, PackageNevra>> {
  const out = new Map<string, Map<string, PackageNevra>>();
  for (const p of installed) {
    let byArch = out.get(p.name);
    if (!byArch) out.set(p.name, (byArch = new Map()));
    const seen = byArch.get(p.arch);
    if (!seen || compareEvr(p, seen) > 0) byArch.set(p.arch, p);
  }
  return out;
}

// Among equally new builds of different arches, one target must still be chosen, and the same
// one every time: the installed arch first, then noarch, then the arch name, then the lower id.
function archRank(installedArch: string, buildArch: string): number {
  return buildArch === installedArch ? 0 : buildArch === 'noarch' ? 1 : 2;
}

/** Whether `a` makes a better target than `b` for an installed package of `installedArch`. */
export function betterTarget(installedArch: string, a: ChannelBuild, b: ChannelBuild): boolean {
  const c = compareEvr(a, b);
  return c !== 0 ? c > 0 : betterTie(installedArch, a, b);
}

function betterTie(installedArch: string, a: ChannelBuild, b: ChannelBuild): boolean {
  const ra = archRank(installedArch, a.arch);
  const rb = archRank(installedArch, b.arch);
  if (ra !== rb) return ra < rb;
  if (a.arch !== b.arch) return a.arch < b.arch;
  return a.id < b.id;
}

/** How many of the (newest first) builds are newer than `installed`: a binary search. */
function newerCount(builds: readonly ChannelBuild[], installed: PackageNevra): number {
  let lo = 0;
  let hi = builds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEvr(builds[mid]!, installed) > 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Accumulates one system's result; the per-name work is in `visit`. */
class Collector {
  readonly packages: NeededPackage[] = [];
  readonly errata = new Set<number>();
  private readonly newer = new Set<number>();

  constructor(private readonly channels: readonly ChannelIndex[]) {}

  visit(arch: string, from: PackageNevra, lists: readonly NameBuilds[]): void {
    let target: ChannelBuild | null = null;
    for (const { builds, rank } of lists) {
      const end = newerCount(builds, from);
      let best = -1;
      for (let i = 0; i < end; i++) {
        const b = builds[i]!;
        if (!archesMatch(arch, b.arch)) continue;
        // within a list only an equally new build (same rank) can beat the first match
        if (best < 0 || (rank[i] === rank[best] && betterTie(arch, b, builds[best]!))) best = i;
        this.noteNewer(b.id);
      }
      if (best >= 0 && (target === null || betterTarget(arch, builds[best]!, target))) target = builds[best]!;
    }
    if (target !== null) this.packages.push({ target, from });
  }

  private noteNewer(id: number): void {
    if (this.newer.has(id)) return;
    this.newer.add(id);
    for (const c of this.channels) {
      const ids = c.errataByPackage.get(id);
      if (ids) for (const e of ids) this.errata.add(e);
    }
  }
}

export function computeRelevance(installed: readonly PackageNevra[], channels: readonly ChannelIndex[]): Relevance {
  const out = new Collector(channels);
  const lists: NameBuilds[] = [];
  for (const [name, byArch] of newestInstalled(installed)) {
    lists.length = 0;
    for (const c of channels) {
      const l = c.byName.get(name);
      if (l) lists.push(l);
    }
    if (lists.length === 0) continue;
    for (const [arch, from] of byArch) out.visit(arch, from, lists);
  }
  return { packages: out.packages, errata: Array.from(Float64Array.from(out.errata).sort()) };
}
