// SQL for errata: create (with bugs, keywords, CVEs, packages), update, publish into channels
// (taking their packages along), feed imports (which do not), package lists and lookups.
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import type { Bug, Erratum, ErratumDetails, ErratumExtras, ErratumUpdate, NewErratum } from '../model.js';
import { AlreadyExists } from '../errors.js';
import { chunks, nowSeconds, placeholders, toDate, toSeconds } from './rows.js';

interface ErratumRow {
  id: number;
  org_id: number | null;
  advisory_name: string;
  advisory_type: string;
  advisory_release: number;
  synopsis: string;
  product: string;
  errata_from: string;
  topic: string;
  description: string;
  refs: string;
  notes: string;
  solution: string;
  severity: string | null;
  issue_date: number;
  update_date: number;
  published: number;
  clone_original_id: number | null;
  created: number;
  last_modified: number;
}

function toErratum(r: ErratumRow): Erratum {
  return {
    id: r.id,
    orgId: r.org_id,
    advisoryName: r.advisory_name,
    advisoryType: r.advisory_type,
    advisoryRelease: r.advisory_release,
    synopsis: r.synopsis,
    product: r.product,
    errataFrom: r.errata_from,
    topic: r.topic,
    description: r.description,
    references: r.refs,
    notes: r.notes,
    solution: r.solution,
    severity: r.severity,
    issueDate: toDate(r.issue_date),
    updateDate: toDate(r.update_date),
    published: r.published === 1,
    cloneOriginalId: r.clone_original_id,
    created: toDate(r.created),
    lastModified: toDate(r.last_modified),
  };
}

const UPDATE_COLUMNS: Record<Exclude<keyof ErratumUpdate, 'bugs' | 'keywords' | 'cves'>, string> = {
  advisoryName: 'advisory_name',
  advisoryType: 'advisory_type',
  advisoryRelease: 'advisory_release',
  synopsis: 'synopsis',
  product: 'product',
  errataFrom: 'errata_from',
  topic: 'topic',
  description: 'description',
  references: 'refs',
  notes: 'notes',
  solution: 'solution',
  severity: 'severity',
  issueDate: 'issue_date',
  updateDate: 'update_date',
};

export interface ErrataWindow {
  since?: Date;
  until?: Date;
  /** filter on last_modified instead of issue_date */
  byLastModified?: boolean;
}

export interface ErratumChannel {
  id: number;
  label: string;
  name: string;
  parentLabel: string | null;
}

/** What importAdvisory did to one advisory. */
export interface ImportedAdvisory {
  erratumId: number;
  created: boolean;
  /** package links that were new */
  packagesAdded: number;
  /** channels it was newly published into */
  channelsAdded: number;
}

export class ErrataStore {
  constructor(private readonly db: Db) {}

  /** The erratum with this advisory name in the org, or a vendor (org-less) one. */
  async getByName(orgId: number, name: string): Promise<Erratum | null> {
    const r = this.db
      .prepare('SELECT * FROM errata WHERE advisory_name = ? AND (org_id = ? OR org_id IS NULL) ORDER BY org_id IS NULL LIMIT 1')
      .get(name, orgId) as ErratumRow | undefined;
    return r ? toErratum(r) : null;
  }

  /** Whether some other org has an erratum of that name (Spacewalk answers -209 then, not -208). */
  async existsInOtherOrg(orgId: number, name: string): Promise<boolean> {
    return !!this.db.prepare('SELECT 1 FROM errata WHERE advisory_name = ? AND org_id <> ?').get(name, orgId);
  }

  async getById(id: number): Promise<Erratum | null> {
    const r = this.db.prepare('SELECT * FROM errata WHERE id = ?').get(id) as ErratumRow | undefined;
    return r ? toErratum(r) : null;
  }

  async getDetails(id: number): Promise<ErratumDetails | null> {
    const r = this.db.prepare('SELECT * FROM errata WHERE id = ?').get(id) as ErratumRow | undefined;
    if (!r) return null;
    return {
      ...toErratum(r),
      bugs: this.db.prepare('SELECT bug_id AS id, summary, url FROM errata_bugs WHERE errata_id = ? ORDER BY bug_id').all(id) as Bug[],
      keywords: (this.db.prepare('SELECT keyword FROM errata_keywords WHERE errata_id = ? ORDER BY keyword').all(id) as { keyword: string }[]).map((k) => k.keyword),
      cves: (this.db.prepare('SELECT cve FROM errata_cves WHERE errata_id = ? ORDER BY cve').all(id) as { cve: string }[]).map((c) => c.cve),
    };
  }

  async create(e: NewErratum, publishTo: readonly number[] = []): Promise<Erratum> {
    const id = this.db.transaction(() => {
      const id = this.insertInTx(e);
      if (publishTo.length > 0) this.publishInTx(id, publishTo);
      return id;
    })();
    return (await this.getById(id))!;
  }

  /** Inserts an erratum with its children, for callers inside a transaction; returns its id. */
  insertInTx(e: NewErratum, extras: Partial<ErratumExtras> = {}): number {
    const dup = this.db.prepare('SELECT 1 FROM errata WHERE advisory_name = ? AND ifnull(org_id, 0) = ifnull(?, 0)').get(e.advisoryName, e.orgId);
    if (dup) throw new AlreadyExists('erratum', 'advisory_name', e.advisoryName);
    const now = nowSeconds();
    const info = this.db
      .prepare(
        `INSERT INTO errata (org_id, advisory_name, advisory_type, advisory_release, synopsis, product, errata_from, topic,
           description, refs, notes, solution, severity, issue_date, update_date, clone_original_id, created, last_modified,
           status, version, rights, pushcount, reboot_suggested, source)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        e.orgId, e.advisoryName, e.advisoryType, e.advisoryRelease, e.synopsis, e.product, e.errataFrom ?? '', e.topic,
        e.description, e.references ?? '', e.notes ?? '', e.solution, e.severity ?? null, toSeconds(e.issueDate),
        toSeconds(e.updateDate), e.cloneOriginalId ?? null, now, now, extras.status ?? 'final', extras.version ?? '',
        extras.rights ?? '', extras.pushcount ?? '', extras.rebootSuggested ? 1 : 0, extras.source ?? 'api',
      );
    const id = Number(info.lastInsertRowid);
    this.replaceChildren(id, { bugs: e.bugs ?? [], keywords: e.keywords ?? [], cves: e.cves ?? [] });
    this.addPackagesInTx(id, e.packageIds ?? []);
    return id;
  }

  async update(id: number, u: ErratumUpdate): Promise<void> {
    this.db.transaction(() => {
      const sets: string[] = [];
      const values: (string | number | null)[] = [];
      for (const [k, v] of Object.entries(u)) {
        if (k === 'bugs' || k === 'keywords' || k === 'cves' || v === undefined) continue;
        sets.push(`${UPDATE_COLUMNS[k as keyof typeof UPDATE_COLUMNS]} = ?`);
        values.push(v instanceof Date ? toSeconds(v) : (v as string | number | null));
      }
      if (u.advisoryName !== undefined) {
        const row = this.db.prepare('SELECT org_id FROM errata WHERE id = ?').get(id) as { org_id: number | null };
        const dup = this.db.prepare('SELECT 1 FROM errata WHERE advisory_name = ? AND ifnull(org_id, 0) = ifnull(?, 0) AND id <> ?').get(u.advisoryName, row.org_id, id);
        if (dup) throw new AlreadyExists('erratum', 'advisory_name', u.advisoryName);
      }
      const now = nowSeconds();
      this.db.prepare(`UPDATE errata SET ${[...sets, 'last_modified = ?'].join(', ')} WHERE id = ?`).run(...values, now, id);
      this.replaceChildren(id, u);
      this.bumpChannelsInTx(id, now);
    })();
  }

  replaceChildren(id: number, u: { bugs?: Bug[]; keywords?: string[]; cves?: string[] }): void {
    if (u.bugs) {
      this.db.prepare('DELETE FROM errata_bugs WHERE errata_id = ?').run(id);
      const ins = this.db.prepare('INSERT OR REPLACE INTO errata_bugs (errata_id, bug_id, summary, url) VALUES (?, ?, ?, ?)');
      for (const b of u.bugs) ins.run(id, b.id, b.summary, b.url);
    }
    if (u.keywords) {
      this.db.prepare('DELETE FROM errata_keywords WHERE errata_id = ?').run(id);
      const ins = this.db.prepare('INSERT OR IGNORE INTO errata_keywords (errata_id, keyword) VALUES (?, ?)');
      for (const k of u.keywords) ins.run(id, k);
    }
    if (u.cves) {
      this.db.prepare('DELETE FROM errata_cves WHERE errata_id = ?').run(id);
      const ins = this.db.prepare('INSERT OR IGNORE INTO errata_cves (errata_id, cve) VALUES (?, ?)');
      for (const c of u.cves) ins.run(id, c);
    }
  }

  private bumpChannelsInTx(id: number, now: number): void {
    this.db
      .prepare('UPDATE channels SET last_modified = ?, revision = revision + 1 WHERE id IN (SELECT channel_id FROM channel_errata WHERE errata_id = ?)')
      .run(now, id);
  }

  async delete(id: number): Promise<void> {
    this.db.transaction(() => {
      this.bumpChannelsInTx(id, nowSeconds());
      this.db.prepare('UPDATE errata SET clone_original_id = NULL WHERE clone_original_id = ?').run(id);
      this.db.prepare('DELETE FROM errata WHERE id = ?').run(id);
    })();
  }

  /**
   * Marks the erratum published and adds it to each channel together with those of its packages
   * the channel's arch accepts (`accepts` decides), as Spacewalk's publish does.
   */
  async publish(id: number, channelIds: readonly number[], accepts?: (channelId: number, pkgArch: string) => boolean): Promise<void> {
    this.db.transaction(() => this.publishInTx(id, channelIds, accepts))();
  }

  publishInTx(id: number, channelIds: readonly number[], accepts?: (channelId: number, pkgArch: string) => boolean): void {
    const now = nowSeconds();
    this.db.prepare('UPDATE errata SET published = 1, last_modified = ? WHERE id = ?').run(now, id);
    const pkgs = this.db.prepare('SELECT p.id, p.arch FROM errata_packages ep JOIN packages p ON p.id = ep.package_id WHERE ep.errata_id = ?').all(id) as { id: number; arch: string }[];
    const linkErratum = this.db.prepare('INSERT OR IGNORE INTO channel_errata (channel_id, errata_id) VALUES (?, ?)');
    const linkPackage = this.db.prepare('INSERT OR IGNORE INTO channel_packages (channel_id, package_id, added) VALUES (?, ?, ?)');
    const bump = this.db.prepare('UPDATE channels SET last_modified = ?, revision = revision + 1 WHERE id = ?');
    for (const cid of channelIds) {
      linkErratum.run(cid, id);
      for (const p of pkgs) {
        if (!accepts || accepts(cid, p.arch)) linkPackage.run(cid, p.id, now);
      }
      bump.run(now, cid);
    }
  }

  /**
   * Brings in an advisory from an outside feed (CEFS) without copying packages into channels:
   * creates it, published, with its packages and in `channelIds`; if the org already has one of
   * that name, only the packages and channels it lacks are added and nothing else changes.
   * One IMMEDIATE transaction, so a concurrent writer (the server) makes it wait, not fail.
   */
  async importAdvisory(e: NewErratum, extras: Partial<ErratumExtras>, channelIds: readonly number[]): Promise<ImportedAdvisory> {
    return this.db.transaction((): ImportedAdvisory => {
      const existing = this.db.prepare('SELECT id FROM errata WHERE org_id = ? AND advisory_name = ?').get(e.orgId, e.advisoryName) as { id: number } | undefined;
      const erratumId = existing ? existing.id : this.insertInTx({ ...e, packageIds: [] }, extras);
      const packagesAdded = this.addPackagesInTx(erratumId, e.packageIds ?? []);
      const link = this.db.prepare('INSERT OR IGNORE INTO channel_errata (channel_id, errata_id) VALUES (?, ?)');
      let channelsAdded = 0;
      for (const cid of channelIds) channelsAdded += link.run(cid, erratumId).changes;
      const now = nowSeconds();
      if (!existing) this.db.prepare('UPDATE errata SET published = 1 WHERE id = ?').run(erratumId);
      else if (packagesAdded > 0 || channelsAdded > 0) this.db.prepare('UPDATE errata SET last_modified = ? WHERE id = ?').run(now, erratumId);
      if (!existing || packagesAdded > 0 || channelsAdded > 0) this.bumpChannelsInTx(erratumId, now);
      return { erratumId, created: !existing, packagesAdded, channelsAdded };
    }).immediate();
  }

  /**
   * Packages with these file names that sit in the org's own channels, with those channels:
   * how a feed that names packages by file (CEFS) finds them. Looked up 500 names at a time
   * with one prepared statement (per-name queries cost ~20x more on a 200k-name feed).
   */
  async packagesByFilename(orgId: number, filenames: readonly string[]): Promise<Map<string, { packageId: number; channelIds: number[] }[]>> {
    const out = new Map<string, { packageId: number; channelIds: number[] }[]>();
    const statements = new Map<number, Statement<unknown[]>>();
    for (const part of chunks([...new Set(filenames)])) {
      let stmt = statements.get(part.length);
      if (!stmt) {
        stmt = this.db.prepare(
          `SELECT p.filename AS filename, p.id AS packageId, cp.channel_id AS channelId FROM packages p
           JOIN channel_packages cp ON cp.package_id = p.id JOIN channels c ON c.id = cp.channel_id
           WHERE c.org_id = ? AND p.filename IN (${placeholders(part.length)}) ORDER BY p.id, cp.channel_id`,
        );
        statements.set(part.length, stmt);
      }
      for (const r of stmt.all(orgId, ...part) as { filename: string; packageId: number; channelId: number }[]) {
        const list = out.get(r.filename) ?? [];
        if (!out.has(r.filename)) out.set(r.filename, list);
        const pkg = list.find((x) => x.packageId === r.packageId);
        if (pkg) pkg.channelIds.push(r.channelId);
        else list.push({ packageId: r.packageId, channelIds: [r.channelId] });
      }
    }
    return out;
  }

  /** Adds packages to the erratum; returns how many were new. Channels holding it are bumped. */
  async addPackages(id: number, packageIds: readonly number[]): Promise<number> {
    return this.db.transaction(() => {
      const n = this.addPackagesInTx(id, packageIds);
      if (n > 0) this.touchInTx(id);
      return n;
    })();
  }

  addPackagesInTx(id: number, packageIds: readonly number[]): number {
    const ins = this.db.prepare('INSERT OR IGNORE INTO errata_packages (errata_id, package_id) VALUES (?, ?)');
    let n = 0;
    for (const pid of packageIds) n += ins.run(id, pid).changes;
    return n;
  }

  async removePackages(id: number, packageIds: readonly number[]): Promise<number> {
    return this.db.transaction(() => {
      const del = this.db.prepare('DELETE FROM errata_packages WHERE errata_id = ? AND package_id = ?');
      let n = 0;
      for (const pid of packageIds) n += del.run(id, pid).changes;
      if (n > 0) this.touchInTx(id);
      return n;
    })();
  }

  private touchInTx(id: number): void {
    const now = nowSeconds();
    this.db.prepare('UPDATE errata SET last_modified = ? WHERE id = ?').run(now, id);
    this.bumpChannelsInTx(id, now);
  }

  async packageIds(id: number): Promise<number[]> {
    return (this.db.prepare('SELECT package_id AS id FROM errata_packages WHERE errata_id = ? ORDER BY package_id').all(id) as { id: number }[]).map((r) => r.id);
  }

  async channels(id: number): Promise<ErratumChannel[]> {
    return this.db
      .prepare(
        `SELECT c.id, c.label, c.name, p.label AS parentLabel FROM channel_errata ce JOIN channels c ON c.id = ce.channel_id
         LEFT JOIN channels p ON p.id = c.parent_id WHERE ce.errata_id = ? ORDER BY c.label`,
      )
      .all(id) as ErratumChannel[];
  }

  /** Errata in a channel, newest issue date first. */
  async listByChannel(channelId: number, w: ErrataWindow = {}): Promise<Erratum[]> {
    const col = w.byLastModified ? 'e.last_modified' : 'e.issue_date';
    const rows = this.db
      .prepare(
        `SELECT e.* FROM channel_errata ce JOIN errata e ON e.id = ce.errata_id WHERE ce.channel_id = ?
         AND ${col} >= ? AND ${col} <= ? ORDER BY e.issue_date DESC, e.advisory_name`,
      )
      .all(channelId, w.since ? toSeconds(w.since) : -1e15, w.until ? toSeconds(w.until) : 1e15) as ErratumRow[];
    return rows.map(toErratum);
  }

  async listUnpublished(orgId: number): Promise<Erratum[]> {
    return (this.db.prepare('SELECT * FROM errata WHERE org_id = ? AND published = 0 ORDER BY id').all(orgId) as ErratumRow[]).map(toErratum);
  }

  async findByCve(orgId: number, cve: string): Promise<Erratum[]> {
    const rows = this.db
      .prepare(
        `SELECT e.* FROM errata_cves c JOIN errata e ON e.id = c.errata_id WHERE c.cve = ? AND (e.org_id = ? OR e.org_id IS NULL)
         ORDER BY e.advisory_name`,
      )
      .all(cve, orgId) as ErratumRow[];
    return rows.map(toErratum);
  }

  async providingErrata(packageId: number, orgId: number): Promise<Erratum[]> {
    const rows = this.db
      .prepare(
        `SELECT e.* FROM errata_packages ep JOIN errata e ON e.id = ep.errata_id WHERE ep.package_id = ?
         AND (e.org_id = ? OR e.org_id IS NULL) ORDER BY e.advisory_name`,
      )
      .all(packageId, orgId) as ErratumRow[];
    return rows.map(toErratum);
  }

  /** Removes errata from a channel; with `packages`, also the channel's copies of their packages. */
  async removeFromChannel(channelId: number, errataIds: readonly number[], packages: boolean): Promise<void> {
    this.db.transaction(() => {
      for (const part of chunks(errataIds)) {
        if (packages) {
          this.db
            .prepare(`DELETE FROM channel_packages WHERE channel_id = ? AND package_id IN (SELECT package_id FROM errata_packages WHERE errata_id IN (${placeholders(part.length)}))`)
            .run(channelId, ...part);
        }
        this.db.prepare(`DELETE FROM channel_errata WHERE channel_id = ? AND errata_id IN (${placeholders(part.length)})`).run(channelId, ...part);
      }
      this.db.prepare('UPDATE channels SET last_modified = ?, revision = revision + 1 WHERE id = ?').run(nowSeconds(), channelId);
    })();
  }
}
