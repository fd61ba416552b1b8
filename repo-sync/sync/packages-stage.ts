// Reads a repository's primary.xml and stores the packages the channel takes (filters, arch,
// no source packages) in batches; then fills their filelists/other snippets from those files.
// Packages are keyed by checksum, so rows stored before a failure are merely unlinked.
import { archAccepts, type Channel, type NewPackage, type Stores } from '../../channels/index.js';
import { openDecompressed } from '../fetch/index.js';
import { packageFromPrimary } from '../import-primary.js';
import { parsePrimary } from '../metadata/primary.js';
import { scanFilelists } from '../metadata/filelists.js';
import { scanOther } from '../metadata/other.js';
import type { Downloaded } from './repo-files.js';
import type { NameFilter } from './filters.js';
import { PackageWriter } from './package-writer.js';

const BATCH = 1000;

/** A stored package as the rest of the sync needs it. */
export interface StagedPackage {
  id: number;
  name: string;
  epoch: string;
  version: string;
  release: string;
  arch: string;
  checksumType: string;
  checksum: string;
  href: string;
  base: string | null;
  size: number | null;
}

export interface PackagesStageResult {
  packages: StagedPackage[];
  /** upstream pkgid -> package id, for filelists/other */
  byPkgid: Map<string, number>;
  skipped: number;
}

/**
 * The decompressed bytes of a downloaded file. Its compressed bytes were checked against the
 * repomd checksum while downloading, which already fixes what decompression yields; hashing
 * the 50+ MB of decompressed XML again (open-checksum) would only cost time.
 */
export function openFile(d: Downloaded): AsyncIterable<Buffer> {
  return openDecompressed(d.path);
}

/**
 * A copy of a string that does not share storage with the scanner's text blocks: V8 keeps a
 * substring as a view of its parent, so one kept field would pin a whole block, and keeping a
 * few fields of every package would keep the whole decompressed primary.xml in memory.
 */
function own(s: string): string {
  return (' ' + s).slice(1);
}

// Batches handed to the writer thread and not yet stored: enough to keep both threads busy,
// few enough to bound memory.
const IN_FLIGHT = 2;

export async function importPackages(
  stores: Stores,
  channel: Channel,
  orgId: number,
  primary: Downloaded,
  accept: NameFilter,
  onCount: (n: number, total: number | null) => void,
): Promise<PackagesStageResult> {
  const result: PackagesStageResult = { packages: [], byPkgid: new Map(), skipped: 0 };
  const writer = new PackageWriter(stores);
  const inFlight: Promise<void>[] = [];
  let batch: NewPackage[] = [];
  let where: { href: string; base: string | null }[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    // What the rest of the sync needs, as strings of their own; the batch itself (with its XML,
    // views into the scanner's text) is handed to the writer and dropped right away.
    const kept: StagedPackage[] = batch.map((p, i) => ({
      id: 0, name: own(p.name), epoch: own(p.epoch), version: own(p.version), release: own(p.release), arch: own(p.arch),
      checksumType: own(p.checksumType), checksum: own(p.checksum), href: own(where[i]!.href),
      base: where[i]!.base ? own(where[i]!.base!) : null, size: p.sizePackage ?? null,
    }));
    const stored = writer.write(orgId, batch);
    batch = [];
    where = [];
    inFlight.push(
      stored.then((ids) => {
        kept.forEach((k, i) => {
          k.id = ids[i]!;
          result.byPkgid.set(k.checksum, k.id);
          result.packages.push(k);
        });
        onCount(result.packages.length, null);
      }),
    );
    while (inFlight.length > IN_FLIGHT) await inFlight.shift();
  };
  try {
    for await (const p of parsePrimary(openFile(primary), { lists: false })) {
      if (p.arch === 'src' || p.arch === 'nosrc' || !archAccepts(channel.archLabel, p.arch) || !accept(p.name)) {
        result.skipped++;
        continue;
      }
      batch.push(packageFromPrimary(p));
      where.push({ href: p.locationHref, base: p.locationBase || null });
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    while (inFlight.length > 0) await inFlight.shift();
  } finally {
    // a failed parse still waits for the writes under way, so none outlives the stage
    await Promise.allSettled(inFlight);
    await writer.close();
  }
  return result;
}

/** Stores the filelists or other snippets of the staged packages that lack them. */
export async function fillSnippets(stores: Stores, kind: 'filelists' | 'other', file: Downloaded, byPkgid: Map<string, number>): Promise<number> {
  let rows: { id: number; xml: string }[] = [];
  let filled = 0;
  const take = async (pkgid: string, xml: string): Promise<void> => {
    const id = byPkgid.get(pkgid);
    if (id === undefined) return;
    rows.push({ id, xml });
    if (rows.length >= BATCH) {
      filled += await stores.packages.fillSnippets(kind, rows);
      rows = [];
    }
  };
  if (kind === 'filelists') await scanFilelists(openFile(file), (r) => take(r.pkgid, r.xml));
  else await scanOther(openFile(file), (r) => take(r.pkgid, r.xml));
  if (rows.length > 0) filled += await stores.packages.fillSnippets(kind, rows);
  return filled;
}

/** NEVRA key used to map updateinfo package entries to stored packages (epoch '' == '0'). */
export function nevraKey(p: { name: string; epoch: string; version: string; release: string; arch: string }): string {
  return `${p.name}\u0000${p.epoch === '' ? '0' : p.epoch}\u0000${p.version}\u0000${p.release}\u0000${p.arch}`;
}
