// SQL for relevance: per-channel indexes cached by channel revision, one system's needed packages
// and errata recomputed in one transaction when its profile or channels changed, and the reads.
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import type { PackageNevra } from '../model.js';
import { buildChannelIndex, computeRelevance, type ChannelBuild, type ChannelIndex, type Relevance } from '../relevance.js';
import { toDate, toDateOrNull } from './rows.js';
import { LAST_CHECKIN } from './system-rows.js';

/** A row of system.listLatestUpgradablePackages (epochs '' when none; presenters write " "). */
export interface UpgradablePackage {
  name: string;
  from: PackageNevra;
  to: PackageNevra;
  toPackageId: number;
}

/** What ErrataOverview and Errata structs need of a relevant erratum. */
export interface RelevantErratum {
  id: number;
  advisoryName: string;
  advisoryType: string;
  synopsis: string;
  severity: string | null;
  issueDate: Date;
  updateDate: Date;
}

/** What a SystemOverview struct needs. */
export interface SystemOverviewRow {
  id: number;
  name: string;
  lastCheckin: Date;
  created: Date;
  lastBoot: Date | null;
}

export interface RelevanceCounts {
  packages: number;
  errata: number;
}

export interface IndexCacheStats {
  cached: number;
  cachedBuilds: number;
  /** Channel indexes read from the database since the store was made. */
  builds: number;
}

interface StateRow {
  id: number;
  profile: number;
  channels: string | null;
  stored_profile: number | null;
  stored_channels: string | null;
}

interface SystemRow {
  id: number;
  name: string;
  last_checkin: number;
  created: number;
  last_boot: number | null;
}

// The channels part of a system's state: "id:revision,..." in channel id order. Comparing it
// with the stored one catches subscription changes as well as content changes.
const CHANNEL_STATE = `(SELECT group_concat(sc.channel_id || ':' || c.revision, ',' ORDER BY sc.channel_id)
  FROM system_channels sc JOIN channels c ON c.id = sc.channel_id WHERE sc.system_id = s.id)`;
const STATE_SELECT = `SELECT s.id, s.profile_revision AS profile, ${CHANNEL_STATE} AS channels,
  rs.profile_revision AS stored_profile, rs.channels_state AS stored_channels
  FROM systems s LEFT JOIN system_relevance_state rs ON rs.system_id = s.id`;
const SYSTEM_COLUMNS = `s.id, s.name, ${LAST_CHECKIN} AS last_checkin, s.created, s.last_boot`;

const isStale = (r: StateRow): boolean => r.stored_profile !== r.profile || r.stored_channels !== (r.channels ?? '');

function parseChannelState(state: string): { id: number; revision: number }[] {
  if (state === '') return [];
  return state.split(',').map((part) => {
    const [id, revision] = part.split(':');
    return { id: Number(id), revision: Number(revision) };
  });
}

const toOverview = (r: SystemRow): SystemOverviewRow => ({
  id: r.id, name: r.name, lastCheckin: toDate(r.last_checkin), created: toDate(r.created), lastBoot: toDateOrNull(r.last_boot),
});

export class RelevanceStore {
  private readonly cache = new Map<number, ChannelIndex>();
  private builds = 0;
  private cachedBuilds = 0;
  private readonly stmt: Record<'state' | 'profile' | 'builds' | 'errata' | 'oldPackages' | 'oldErrata' | 'delPackages' | 'putPackages' | 'delErrata' | 'putErrata' | 'putState', Statement>;

  /**
   * `maxCachedBuilds`: least recently used channel indexes are dropped beyond this many builds
   * (about 220 bytes each: the default holds ~100 MiB, e.g. twenty 25,000-package channels).
   */
  constructor(
    private readonly db: Db,
    private readonly maxCachedBuilds = 500_000,
  ) {
    // Rows are read raw and written in batches through json_each: per-row statement calls made
    // up most of a 1,500-package recompute (11 ms of writes for a first upload, now 4).
    this.stmt = {
      state: db.prepare(`${STATE_SELECT} WHERE s.id = ?`),
      profile: db.prepare('SELECT name, epoch, version, release, arch FROM system_packages WHERE system_id = ?').raw(),
      builds: db.prepare(
        'SELECT p.id, p.name, p.epoch, p.version, p.release, p.arch FROM channel_packages cp JOIN packages p ON p.id = cp.package_id WHERE cp.channel_id = ?',
      ).raw(),
      errata: db.prepare(
        'SELECT ep.errata_id, ep.package_id FROM channel_errata ce JOIN errata_packages ep ON ep.errata_id = ce.errata_id WHERE ce.channel_id = ?',
      ).raw(),
      oldPackages: db.prepare(
        `SELECT package_id || char(10) || from_arch, from_epoch || char(10) || from_version || char(10) || from_release
         FROM system_needed_packages WHERE system_id = ?`,
      ).raw(),
      oldErrata: db.prepare('SELECT errata_id FROM system_needed_errata WHERE system_id = ?').pluck(),
      delPackages: db.prepare(
        `DELETE FROM system_needed_packages WHERE system_id = ?
         AND (package_id, from_arch) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))`,
      ),
      putPackages: db.prepare(
        `INSERT OR REPLACE INTO system_needed_packages (system_id, package_id, from_name, from_arch, from_epoch, from_version, from_release)
         SELECT ?, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 FROM json_each(?)`,
      ),
      delErrata: db.prepare('DELETE FROM system_needed_errata WHERE system_id = ? AND errata_id IN (SELECT value FROM json_each(?))'),
      putErrata: db.prepare('INSERT OR IGNORE INTO system_needed_errata (system_id, errata_id) SELECT ?, value FROM json_each(?)'),
      putState: db.prepare('INSERT OR REPLACE INTO system_relevance_state (system_id, profile_revision, channels_state) VALUES (?, ?, ?)'),
    };
  }

  /** Recomputes the system's relevance if its profile or any of its channels changed since; true if it did. */
  async ensureFresh(systemId: number): Promise<boolean> {
    const row = this.stmt.state.get(systemId) as StateRow | undefined;
    if (!row || !isStale(row)) return false;
    this.recomputeNow(systemId);
    return true;
  }

  /** Recomputes and stores the system's needed packages and errata unconditionally. */
  async recompute(systemId: number): Promise<RelevanceCounts> {
    return this.recomputeNow(systemId);
  }

  /** Brings every subscriber of a channel up to date (after a sync or an edit); returns how many changed. */
  async refreshSubscribers(channelId: number): Promise<number> {
    return this.refreshWhere('s.id IN (SELECT system_id FROM system_channels WHERE channel_id = ?)', [channelId]);
  }

  async listLatestUpgradablePackages(systemId: number): Promise<UpgradablePackage[]> {
    await this.ensureFresh(systemId);
    const rows = this.db
      .prepare(
        `SELECT n.package_id, n.from_name, n.from_arch, n.from_epoch, n.from_version, n.from_release, p.epoch, p.version, p.release, p.arch
         FROM system_needed_packages n JOIN packages p ON p.id = n.package_id WHERE n.system_id = ? ORDER BY n.from_name, n.from_arch`,
      )
      .raw()
      .all(systemId) as [number, string, string, string, string, string, string, string, string, string][];
    return rows.map(([id, name, fromArch, fromEpoch, fromVersion, fromRelease, epoch, version, release, arch]) => ({
      name,
      from: { name, epoch: fromEpoch, version: fromVersion, release: fromRelease, arch: fromArch },
      to: { name, epoch, version, release, arch },
      toPackageId: id,
    }));
  }

  /** The errata the system needs, newest update first. */
  async getRelevantErrata(systemId: number): Promise<RelevantErratum[]> {
    await this.ensureFresh(systemId);
    const rows = this.db
      .prepare(
        `SELECT e.id, e.advisory_name, e.advisory_type, e.synopsis, e.severity, e.issue_date, e.update_date
         FROM system_needed_errata n JOIN errata e ON e.id = n.errata_id WHERE n.system_id = ?
         ORDER BY e.update_date DESC, e.issue_date DESC, e.advisory_name`,
      )
      .all(systemId) as { id: number; advisory_name: string; advisory_type: string; synopsis: string; severity: string | null; issue_date: number; update_date: number }[];
    return rows.map((r) => ({
      id: r.id, advisoryName: r.advisory_name, advisoryType: r.advisory_type, synopsis: r.synopsis, severity: r.severity,
      issueDate: toDate(r.issue_date), updateDate: toDate(r.update_date),
    }));
  }

  /** The org's systems that need the erratum (errata.listAffectedSystems), by id. */
  async listAffectedSystems(erratumId: number, orgId: number): Promise<SystemOverviewRow[]> {
    // systems holding rows for it are candidates too: they may have left its channels since
    await this.refreshWhere(
      `s.org_id = ? AND s.id IN (SELECT sc.system_id FROM channel_errata ce JOIN system_channels sc ON sc.channel_id = ce.channel_id
       WHERE ce.errata_id = ? UNION SELECT system_id FROM system_needed_errata WHERE errata_id = ?)`,
      [orgId, erratumId, erratumId],
    );
    const rows = this.db
      .prepare(`SELECT ${SYSTEM_COLUMNS} FROM system_needed_errata n JOIN systems s ON s.id = n.system_id WHERE n.errata_id = ? AND s.org_id = ? ORDER BY s.id`)
      .all(erratumId, orgId) as SystemRow[];
    return rows.map(toOverview);
  }

  /** The org's systems with at least one needed package (system.listOutOfDateSystems), by id. */
  async listOutOfDateSystems(orgId: number): Promise<SystemOverviewRow[]> {
    await this.refreshWhere('s.org_id = ?', [orgId]);
    const rows = this.db
      .prepare(
        `SELECT ${SYSTEM_COLUMNS} FROM systems s WHERE s.org_id = ?
         AND EXISTS (SELECT 1 FROM system_needed_packages n WHERE n.system_id = s.id) ORDER BY s.id`,
      )
      .all(orgId) as SystemRow[];
    return rows.map(toOverview);
  }

  indexCacheStats(): IndexCacheStats {
    return { cached: this.cache.size, cachedBuilds: this.cachedBuilds, builds: this.builds };
  }

  /** Forgets the cached channel indexes (benchmarks of the cold path; memory pressure). */
  dropIndexCache(): void {
    this.cache.clear();
    this.cachedBuilds = 0;
  }

  private async refreshWhere(where: string, params: readonly (string | number)[]): Promise<number> {
    const rows = this.db.prepare(`${STATE_SELECT} WHERE ${where}`).all(...params) as StateRow[];
    let n = 0;
    for (const r of rows) {
      if (!isStale(r)) continue;
      this.recomputeNow(r.id);
      n++;
    }
    return n;
  }

  private recomputeNow(systemId: number): RelevanceCounts {
    // Cold channel indexes are read before the write transaction so it stays short; the
    // transaction rechecks revisions and reads again only a channel that changed meanwhile.
    const before = this.stmt.state.get(systemId) as StateRow | undefined;
    if (!before) return { packages: 0, errata: 0 };
    const ready = new Map(parseChannelState(before.channels ?? '').map((c) => [c.id, this.channelIndex(c.id, c.revision)]));
    return this.db
      .transaction(() => {
        const row = this.stmt.state.get(systemId) as StateRow | undefined;
        if (!row) return { packages: 0, errata: 0 };
        const state = row.channels ?? '';
        const indexes = parseChannelState(state).map((c) => {
          const index = ready.get(c.id);
          return index?.revision === c.revision ? index : this.channelIndex(c.id, c.revision);
        });
        const installed = (this.stmt.profile.all(systemId) as string[][]).map(([name, epoch, version, release, arch]): PackageNevra => ({
          name: name!, epoch: epoch!, version: version!, release: release!, arch: arch!,
        }));
        const counts = this.store(systemId, computeRelevance(installed, indexes));
        this.stmt.putState.run(systemId, row.profile, state);
        return counts;
      })
      .immediate();
  }

  private channelIndex(channelId: number, revision: number): ChannelIndex {
    const hit = this.cache.get(channelId);
    if (hit) {
      // re-inserted, so that Map order is least recently used first
      this.cache.delete(channelId);
      this.cachedBuilds -= hit.packageCount;
    }
    const index = hit && hit.revision === revision ? hit : this.readIndex(channelId, revision);
    this.cache.set(channelId, index);
    this.cachedBuilds += index.packageCount;
    for (const [id, old] of this.cache) {
      if (this.cachedBuilds <= this.maxCachedBuilds || id === channelId) break;
      this.cache.delete(id);
      this.cachedBuilds -= old.packageCount;
    }
    return index;
  }

  private readIndex(channelId: number, revision: number): ChannelIndex {
    const builds = (this.stmt.builds.all(channelId) as [number, string, string, string, string, string][]).map(
      ([id, name, epoch, version, release, arch]): ChannelBuild => ({ id, name, epoch, version, release, arch }),
    );
    const errata = (this.stmt.errata.all(channelId) as [number, number][]).map(([errataId, packageId]) => ({ errataId, packageId }));
    this.builds++;
    return buildChannelIndex(channelId, revision, builds, errata);
  }

  /** Writes only the difference, so an unchanged or slightly changed result costs few writes. */
  private store(systemId: number, r: Relevance): RelevanceCounts {
    const old = new Map(this.stmt.oldPackages.all(systemId) as [string, string][]);
    const put: (string | number)[][] = [];
    for (const { target, from } of r.packages) {
      const key = `${target.id}\n${from.arch}`;
      const had = old.get(key);
      old.delete(key);
      if (had !== `${from.epoch}\n${from.version}\n${from.release}`) put.push([target.id, from.name, from.arch, from.epoch, from.version, from.release]);
    }
    if (old.size > 0) {
      const gone = [...old.keys()].map((k) => [Number(k.slice(0, k.indexOf('\n'))), k.slice(k.indexOf('\n') + 1)]);
      this.stmt.delPackages.run(systemId, JSON.stringify(gone));
    }
    if (put.length > 0) this.stmt.putPackages.run(systemId, JSON.stringify(put));
    const oldErrata = new Set(this.stmt.oldErrata.all(systemId) as number[]);
    const added = r.errata.filter((id) => !oldErrata.delete(id));
    if (oldErrata.size > 0) this.stmt.delErrata.run(systemId, JSON.stringify([...oldErrata]));
    if (added.length > 0) this.stmt.putErrata.run(systemId, JSON.stringify(added));
    return { packages: r.packages.length, errata: r.errata.length };
  }
}
