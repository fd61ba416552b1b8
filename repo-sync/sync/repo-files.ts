// Which repodata files a channel sync needs from one repository, and downloading them intact:
// primary, filelists, updateinfo, group and modules must all arrive (group in any one of its
// variants); other (changelogs) is optional, and the *_db/*_zck variants are never fetched.
import { join } from 'node:path';
import type { Fetcher, RepoAccess } from '../fetch/index.js';
import type { RepomdEntry, Repomd } from '../metadata/repomd.js';

export interface Needed {
  kind: 'primary' | 'filelists' | 'other' | 'updateinfo' | 'group' | 'modules';
  /** variants to try in order; the first intact one wins */
  variants: RepomdEntry[];
  required: boolean;
}

const GROUP_VARIANTS = ['group_gz', 'group_xz', 'group'];

export function neededFiles(repomd: Repomd, opts: { errata: boolean }): Needed[] {
  const byType = new Map(repomd.entries.map((e) => [e.type, e]));
  const one = (kind: Needed['kind'], required: boolean): Needed[] => {
    const e = byType.get(kind);
    return e ? [{ kind, variants: [e], required }] : [];
  };
  const primary = byType.get('primary');
  if (!primary) throw new Error('repomd.xml lists no primary metadata');
  const groups = GROUP_VARIANTS.map((t) => byType.get(t)).filter((e): e is RepomdEntry => e !== undefined);
  return [
    { kind: 'primary', variants: [primary], required: true },
    ...one('filelists', true),
    ...one('other', false),
    ...(opts.errata ? one('updateinfo', true) : []),
    ...(groups.length > 0 ? [{ kind: 'group' as const, variants: groups, required: true }] : []),
    ...one('modules', true),
  ];
}

export interface Downloaded {
  kind: Needed['kind'];
  entry: RepomdEntry;
  path: string;
  bytes: number;
}

export interface DownloadReport {
  files: Map<Needed['kind'], Downloaded>;
  warnings: string[];
  bytes: number;
}

/** The repository access for an entry: `xml:base` points the file at another base URL. */
function accessFor(access: RepoAccess, entry: RepomdEntry): RepoAccess {
  return entry.base ? { ...access, url: entry.base } : access;
}

async function fetchOne(fetcher: Fetcher, access: RepoAccess, need: Needed, dir: string, onBytes: (n: number) => void): Promise<Downloaded> {
  let lastError: unknown;
  for (const entry of need.variants) {
    const path = join(dir, `${entry.type}-${entry.href.split('/').pop()}`);
    try {
      const r = await fetcher.fetchFile(accessFor(access, entry), entry.href, path, { checksumType: entry.checksumType, checksum: entry.checksum, size: entry.size ?? null }, onBytes);
      return { kind: need.kind, entry, path, bytes: r.bytes };
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

/** Downloads every needed file (in parallel) into `dir`, checksums verified while streaming. */
export async function downloadRepodata(fetcher: Fetcher, access: RepoAccess, needs: Needed[], dir: string, onBytes: (n: number) => void): Promise<DownloadReport> {
  const report: DownloadReport = { files: new Map(), warnings: [], bytes: 0 };
  const results = await Promise.allSettled(needs.map((n) => fetchOne(fetcher, access, n, dir, onBytes)));
  results.forEach((r, i) => {
    const need = needs[i]!;
    if (r.status === 'fulfilled') {
      report.files.set(need.kind, r.value);
      report.bytes += r.value.bytes;
      return;
    }
    const why = r.reason instanceof Error ? r.reason.message : String(r.reason);
    if (need.required) throw new Error(`${need.kind} metadata could not be downloaded intact: ${why}`);
    report.warnings.push(`${need.kind} metadata skipped: ${why}`);
  });
  return report;
}
