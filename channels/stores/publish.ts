// SQL for channel repodata publishing: the channel's revision state, its packages with their
// stored repodata snippets and its errata with everything updateinfo.xml carries, read in
// batches; the published revision; and a cross-process publish lease kept in `settings`.
import type { Db } from './db.js';
import type { Bug, Erratum, ErratumReference, PackageNevra } from '../model.js';
import { chunks, nowSeconds, placeholders, toDate } from './rows.js';

export interface PublishState {
  id: number;
  orgId: number | null;
  label: string;
  name: string;
  revision: number;
  publishedRevision: number | null;
}

/** One package of a channel as publishing needs it: identity plus its three stored snippets. */
export interface PublishPackageRow extends PackageNevra {
  id: number;
  checksumType: string;
  checksum: string;
  filename: string;
  /** null only when the package_xml row is missing (never written by Skylab) */
  primaryXml: string | null;
  filelistsXml: string | null;
  otherXml: string | null;
}

/** A package of an erratum that the channel holds. */
export interface PublishErratumPackage extends PackageNevra {
  filename: string;
  sourceRpm: string;
  checksumType: string;
  checksum: string;
  /** "name:stream:version:context:arch" when the package belongs to a module stream */
  module: string | null;
}

export interface PublishErratum
  extends Pick<
    Erratum,
    'id' | 'advisoryName' | 'advisoryType' | 'advisoryRelease' | 'synopsis' | 'product' | 'errataFrom' | 'topic' | 'description' | 'solution' | 'severity' | 'issueDate' | 'updateDate'
  > {
  status: string;
  version: string;
  rights: string;
  pushcount: string;
  rebootSuggested: boolean;
  keywords: string[];
  bugs: Bug[];
  cves: string[];
  /** references other than bugzilla and cve, in the order they were stored */
  refs: ErratumReference[];
  packages: PublishErratumPackage[];
}

/** Who holds a publish lease. */
export interface LeaseHolder {
  host: string;
  pid: number;
  /** distinguishes holders inside one process */
  token: string;
}

interface LeaseRow extends LeaseHolder {
  since: number;
}

type Raw = unknown[];

/** An errata row with the columns named as PublishErratum names them (dates and flag still raw). */
type ErratumRow = Omit<PublishErratum, 'issueDate' | 'updateDate' | 'rebootSuggested' | 'keywords' | 'bugs' | 'cves' | 'refs' | 'packages'> & {
  issueDate: number;
  updateDate: number;
  rebootSuggested: number;
};

const leaseKey = (channelId: number): string => `publish_lock:${channelId}`;

function groupBy<T>(rows: T[], key: (r: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

export class PublishStore {
  private readonly stateStmt;
  private readonly idsStmt;

  constructor(private readonly db: Db) {
    this.stateStmt = db.prepare(
      'SELECT id, org_id AS orgId, label, name, revision, published_revision AS publishedRevision FROM channels WHERE id = ?',
    );
    this.idsStmt = db.prepare('SELECT package_id FROM channel_packages WHERE channel_id = ? ORDER BY package_id').pluck(true);
  }

  async state(channelId: number): Promise<PublishState | null> {
    return (this.stateStmt.get(channelId) as PublishState | undefined) ?? null;
  }

  /** The channel's package ids in ascending order: the membership one publish works from. */
  async packageIds(channelId: number): Promise<number[]> {
    return this.idsStmt.all(channelId) as number[];
  }

  /** Packages by id (ascending), with their snippets; ids no longer present are left out. */
  async packageRows(ids: readonly number[]): Promise<PublishPackageRow[]> {
    const out: PublishPackageRow[] = [];
    for (const part of chunks(ids, 999)) {
      const rows = this.db
        .prepare(
          `SELECT p.id, p.name, p.epoch, p.version, p.release, p.arch, p.checksum_type, p.checksum, p.filename,
                  x.primary_xml, x.filelists_xml, x.other_xml
           FROM packages p LEFT JOIN package_xml x ON x.package_id = p.id
           WHERE p.id IN (${placeholders(part.length)}) ORDER BY p.id`,
        )
        .raw(true)
        .all(...part) as Raw[];
      for (const r of rows) {
        out.push({
          id: r[0] as number, name: r[1] as string, epoch: r[2] as string, version: r[3] as string, release: r[4] as string,
          arch: r[5] as string, checksumType: r[6] as string, checksum: r[7] as string, filename: r[8] as string,
          primaryXml: r[9] as string | null, filelistsXml: r[10] as string | null, otherXml: r[11] as string | null,
        });
      }
    }
    return out;
  }

  /** Package files of the channel: what an export copies. */
  async packageFiles(channelId: number): Promise<{ id: number; filename: string; blobSha256: string | null }[]> {
    return this.db
      .prepare(
        `SELECT p.id, p.filename, p.blob_sha256 AS blobSha256 FROM channel_packages cp JOIN packages p ON p.id = cp.package_id
         WHERE cp.channel_id = ? ORDER BY p.id`,
      )
      .all(channelId) as { id: number; filename: string; blobSha256: string | null }[];
  }

  /** The channel's errata ids, oldest issue date first. */
  async errataIds(channelId: number): Promise<number[]> {
    return this.db
      .prepare(
        `SELECT e.id FROM channel_errata ce JOIN errata e ON e.id = ce.errata_id WHERE ce.channel_id = ?
         ORDER BY e.issue_date, e.advisory_name, e.id`,
      )
      .pluck(true)
      .all(channelId) as number[];
  }

  /** The errata (in the order of `ids`) with their children; packages limited to those the channel holds. */
  async errataBatch(channelId: number, ids: readonly number[]): Promise<PublishErratum[]> {
    const out: PublishErratum[] = [];
    for (const part of chunks(ids, 900)) out.push(...this.errataPart(channelId, part));
    return out;
  }

  private errataPart(channelId: number, ids: number[]): PublishErratum[] {
    const rows = this.db
      .prepare(
        `SELECT id, advisory_name AS advisoryName, advisory_type AS advisoryType, advisory_release AS advisoryRelease, synopsis,
                product, errata_from AS errataFrom, topic, description, solution, severity, issue_date AS issueDate,
                update_date AS updateDate, status, version, rights, pushcount, reboot_suggested AS rebootSuggested
         FROM errata WHERE id IN (${placeholders(ids.length)})`,
      )
      .all(...ids) as ErratumRow[];
    const c = this.children(channelId, ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const out: PublishErratum[] = [];
    for (const id of ids) {
      const r = byId.get(id);
      if (!r) continue;
      out.push({
        ...r,
        issueDate: toDate(r.issueDate),
        updateDate: toDate(r.updateDate),
        rebootSuggested: r.rebootSuggested === 1,
        keywords: (c.keywords.get(id) ?? []).map((k) => k.k),
        bugs: (c.bugs.get(id) ?? []).map(({ id: bugId, summary, url }) => ({ id: bugId, summary, url })),
        cves: (c.cves.get(id) ?? []).map((x) => x.c),
        refs: (c.refs.get(id) ?? []).map(({ type, id: refId, href, title }) => ({ type, id: refId, href, title })),
        packages: (c.packages.get(id) ?? []).map(({ e: _e, ...p }) => p),
      });
    }
    return out;
  }

  /** Bugs, keywords, CVEs, other references and in-channel packages of the errata, by erratum id. */
  private children(channelId: number, ids: number[]) {
    const inList = `(${placeholders(ids.length)})`;
    const all = <T extends { e: number }>(sql: string, ...extra: unknown[]): Map<number, T[]> =>
      groupBy(this.db.prepare(sql).all(...ids, ...extra) as T[], (r) => r.e);
    return {
      bugs: all<Bug & { e: number }>(`SELECT errata_id AS e, bug_id AS id, summary, url FROM errata_bugs WHERE errata_id IN ${inList} ORDER BY bug_id`),
      keywords: all<{ e: number; k: string }>(`SELECT errata_id AS e, keyword AS k FROM errata_keywords WHERE errata_id IN ${inList} ORDER BY keyword`),
      cves: all<{ e: number; c: string }>(`SELECT errata_id AS e, cve AS c FROM errata_cves WHERE errata_id IN ${inList} ORDER BY cve`),
      refs: all<ErratumReference & { e: number }>(`SELECT errata_id AS e, type, ref_id AS id, href, title FROM errata_refs WHERE errata_id IN ${inList} ORDER BY rowid`),
      // CROSS JOIN keeps SQLite from driving this from the channel's packages (a scan of the
      // whole channel per batch, 100x slower); from the errata side it is a few index probes.
      packages: all<PublishErratumPackage & { e: number }>(
        `SELECT ep.errata_id AS e, p.name, p.epoch, p.version, p.release, p.arch, p.filename, p.sourcerpm AS sourceRpm,
                p.checksum_type AS checksumType, p.checksum, ep.module
         FROM errata_packages ep CROSS JOIN packages p ON p.id = ep.package_id
         WHERE ep.errata_id IN ${inList}
           AND EXISTS (SELECT 1 FROM channel_packages cp WHERE cp.channel_id = ? AND cp.package_id = ep.package_id)
         ORDER BY p.name, p.arch, p.id`,
        channelId,
      ),
    };
  }

  async errataCount(channelId: number): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM channel_errata WHERE channel_id = ?').get(channelId) as { n: number }).n;
  }

  async markPublished(channelId: number, revision: number): Promise<void> {
    this.db.prepare('UPDATE channels SET published_revision = ? WHERE id = ?').run(revision, channelId);
  }

  /**
   * Takes the channel's publish lease unless a live holder has it (false then). A holder that
   * is dead, per `isAlive`, or older than `staleSeconds` loses it. One transaction, so two
   * processes cannot both win.
   */
  async acquireLease(channelId: number, holder: LeaseHolder, isAlive: (h: LeaseHolder) => boolean, staleSeconds: number): Promise<boolean> {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(leaseKey(channelId)) as { value: string } | undefined;
      const now = nowSeconds();
      if (row) {
        const held = JSON.parse(row.value) as LeaseRow;
        if (now - held.since < staleSeconds && isAlive(held)) return false;
      }
      const value: LeaseRow = { ...holder, since: now };
      this.db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(leaseKey(channelId), JSON.stringify(value));
      return true;
    })();
  }

  /** Gives the lease back if this holder still has it. */
  async releaseLease(channelId: number, holder: LeaseHolder): Promise<void> {
    this.db.transaction(() => {
      const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(leaseKey(channelId)) as { value: string } | undefined;
      if (!row) return;
      const held = JSON.parse(row.value) as LeaseRow;
      if (held.token === holder.token && held.pid === holder.pid && held.host === holder.host) {
        this.db.prepare('DELETE FROM settings WHERE key = ?').run(leaseKey(channelId));
      }
    })();
  }
}
