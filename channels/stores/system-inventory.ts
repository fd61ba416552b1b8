// SQL for what a system reports about itself: the installed-package profile (replaced by
// difference, revision bumped only on change), hardware items and client capabilities.
import type { Db } from './db.js';
import type { ClientCapability, HardwareItem, InstalledPackage, PackageSelector, ProfileChange, System, SystemUpdate } from '../model-systems.js';
import type { PackageNevra } from '../model.js';
import { NotFound } from '../errors.js';
import { SYSTEM_SELECT, toSystem, type SystemRow } from './system-rows.js';
import type { SystemStore } from './systems.js';

type PackageRaw = [string, string, string, string, string, number | null];

// NUL cannot occur in rpm names or versions, so it separates the key's parts unambiguously.
const keyOf = (p: PackageNevra): string => `${p.name}\0${p.epoch}\0${p.version}\0${p.release}\0${p.arch}`;

const CAPABILITY_CACHE_MAX = 200_000;
const SIGNATURES_MAX = 1_000;

export class InventoryStore {
  private readonly capabilitySeen = new Map<number, string>();
  /** The distinct capability signatures: a fleet sends a handful, so guests share one string. */
  private readonly signatures = new Map<string, string>();
  private readonly revisionStmt;
  private readonly packagesStmt;
  private readonly insertPkg;
  private readonly retimePkg;
  private readonly deletePkg;
  private readonly bumpStmt;
  private readonly capabilitiesStmt;
  private readonly existsStmt;
  private readonly deleteCapabilitiesStmt;
  private readonly insertCapabilityStmt;

  constructor(
    private readonly db: Db,
    private readonly systems: SystemStore,
  ) {
    this.revisionStmt = db.prepare('SELECT profile_revision FROM systems WHERE id = ? AND org_id = ?').pluck();
    this.packagesStmt = db
      .prepare('SELECT name, epoch, version, release, arch, installtime FROM system_packages WHERE system_id = ? ORDER BY name, arch, version, release, epoch')
      .raw(true);
    this.insertPkg = db.prepare(
      'INSERT OR IGNORE INTO system_packages (system_id, name, epoch, version, release, arch, installtime) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.retimePkg = db.prepare(
      `UPDATE system_packages SET installtime = ?
       WHERE system_id = ? AND name = ? AND epoch = ? AND version = ? AND release = ? AND arch = ? AND installtime IS NOT ?`,
    );
    this.deletePkg = db.prepare(
      'DELETE FROM system_packages WHERE system_id = ? AND name = ? AND epoch = ? AND version = ? AND release = ? AND arch = ?',
    );
    this.bumpStmt = db.prepare('UPDATE systems SET profile_revision = profile_revision + 1 WHERE id = ? RETURNING profile_revision').pluck();
    this.capabilitiesStmt = db.prepare('SELECT name, version, value FROM system_capabilities WHERE system_id = ? ORDER BY name');
    this.existsStmt = db.prepare('SELECT 1 FROM systems WHERE id = ?').pluck();
    this.deleteCapabilitiesStmt = db.prepare('DELETE FROM system_capabilities WHERE system_id = ?');
    this.insertCapabilityStmt = db.prepare('INSERT INTO system_capabilities (system_id, name, version, value) VALUES (?, ?, ?, ?)');
  }

  private revisionInTx(orgId: number, id: number): number {
    const rev = this.revisionStmt.get(id, orgId) as number | undefined;
    if (rev === undefined) throw new NotFound('system', id);
    return rev;
  }

  private finish(id: number, revision: number, added: number, removed: number, retimed: number): ProfileChange {
    const changed = added + removed > 0;
    return { added, removed, retimed, changed, profileRevision: changed ? (this.bumpStmt.get(id) as number) : revision };
  }

  /**
   * Makes the stored profile equal to `packages` by writing only the difference (update_packages).
   * Duplicates in the input count once; the last installtime given wins.
   */
  async replacePackages(orgId: number, id: number, packages: readonly InstalledPackage[]): Promise<ProfileChange> {
    // The writes here read first; IMMEDIATE makes them wait for a checkpoint holding the write
    // lock instead of failing with SQLITE_BUSY (see SystemStore.recordStatus).
    return this.db.transaction(() => {
      const revision = this.revisionInTx(orgId, id);
      const stored = new Map<string, PackageRaw>();
      for (const r of this.packagesStmt.all(id) as PackageRaw[]) stored.set(`${r[0]}\0${r[1]}\0${r[2]}\0${r[3]}\0${r[4]}`, r);
      const wanted = new Map<string, InstalledPackage>();
      for (const p of packages) wanted.set(keyOf(p), p);
      let added = 0;
      let retimed = 0;
      for (const [key, p] of wanted) {
        const have = stored.get(key);
        if (!have) added += this.insertPkg.run(id, p.name, p.epoch, p.version, p.release, p.arch, p.installtime).changes;
        else if (have[5] !== p.installtime) retimed += this.retimePkg.run(p.installtime, id, p.name, p.epoch, p.version, p.release, p.arch, p.installtime).changes;
      }
      let removed = 0;
      for (const [key, r] of stored) if (!wanted.has(key)) removed += this.deletePkg.run(id, r[0], r[1], r[2], r[3], r[4]).changes;
      return this.finish(id, revision, added, removed, retimed);
    }).immediate();
  }

  /** Adds packages (add_packages); a known NEVRA with another installtime is updated. */
  async addPackages(orgId: number, id: number, packages: readonly InstalledPackage[]): Promise<ProfileChange> {
    return this.db.transaction(() => {
      const revision = this.revisionInTx(orgId, id);
      let added = 0;
      let retimed = 0;
      for (const p of packages) {
        const n = this.insertPkg.run(id, p.name, p.epoch, p.version, p.release, p.arch, p.installtime).changes;
        if (n > 0) added += n;
        else retimed += this.retimePkg.run(p.installtime, id, p.name, p.epoch, p.version, p.release, p.arch, p.installtime).changes;
      }
      return this.finish(id, revision, added, 0, retimed);
    }).immediate();
  }

  /** Deletes the selected packages (delete_packages); see PackageSelector for name-only entries. */
  async deletePackages(orgId: number, id: number, selectors: readonly PackageSelector[]): Promise<ProfileChange> {
    return this.db.transaction(() => {
      const revision = this.revisionInTx(orgId, id);
      let removed = 0;
      for (const s of selectors) removed += this.deleteSelected(id, s);
      return this.finish(id, revision, 0, removed, 0);
    }).immediate();
  }

  private deleteSelected(id: number, s: PackageSelector): number {
    const where = ['system_id = ?', 'name = ?'];
    const values: unknown[] = [id, s.name];
    if (s.version !== undefined) {
      where.push('version = ?', 'release = ?', 'epoch = ?');
      values.push(s.version, s.release ?? '', s.epoch ?? '');
    }
    if (s.arch !== undefined) {
      where.push('arch = ?');
      values.push(s.arch);
    }
    return this.db.prepare(`DELETE FROM system_packages WHERE ${where.join(' AND ')}`).run(...values).changes;
  }

  /** The stored profile, by name then arch. */
  async packages(orgId: number, id: number): Promise<InstalledPackage[]> {
    this.revisionInTx(orgId, id);
    return (this.packagesStmt.all(id) as PackageRaw[]).map(([name, epoch, version, release, arch, installtime]) => ({
      name, epoch, version, release, arch, installtime,
    }));
  }

  /**
   * The org's systems with a package installed: by name, version and release (epoch and arch
   * when given), or, with `packageId`, exactly that package's NEVRA.
   */
  async systemsWithPackage(orgId: number, match: { name: string; version: string; release: string; epoch?: string; arch?: string } | { packageId: number }): Promise<System[]> {
    let cond: string;
    let values: unknown[];
    if ('packageId' in match) {
      cond = `EXISTS (SELECT 1 FROM packages p JOIN system_packages sp ON sp.name = p.name AND sp.version = p.version
                AND sp.release = p.release AND sp.epoch = p.epoch AND sp.arch = p.arch WHERE p.id = ? AND sp.system_id = s.id)`;
      values = [match.packageId];
    } else {
      const parts = ['sp.system_id = s.id', 'sp.name = ?', 'sp.version = ?', 'sp.release = ?'];
      values = [match.name, match.version, match.release];
      if (match.epoch !== undefined) {
        parts.push('sp.epoch = ?');
        values.push(match.epoch);
      }
      if (match.arch !== undefined) {
        parts.push('sp.arch = ?');
        values.push(match.arch);
      }
      cond = `EXISTS (SELECT 1 FROM system_packages sp WHERE ${parts.join(' AND ')})`;
    }
    const rows = this.db.prepare(`${SYSTEM_SELECT} WHERE s.org_id = ? AND ${cond} ORDER BY s.name COLLATE NOCASE, s.id`).all(orgId, ...values) as SystemRow[];
    return rows.map(toSystem);
  }

  /**
   * Appends hardware items (add_hw_profile), or with `replace` drops the stored ones first
   * (refresh_hw_profile); `update` sets system fields taken from them (hostname, ip, ...) in
   * the same transaction.
   */
  async storeHardware(orgId: number, id: number, items: readonly HardwareItem[], opts: { replace: boolean; update?: SystemUpdate }): Promise<void> {
    this.db.transaction(() => {
      this.revisionInTx(orgId, id);
      if (opts.replace) this.db.prepare('DELETE FROM system_hardware WHERE system_id = ?').run(id);
      let seq = this.db.prepare('SELECT coalesce(max(seq), 0) FROM system_hardware WHERE system_id = ?').pluck().get(id) as number;
      const ins = this.db.prepare('INSERT INTO system_hardware (system_id, seq, class, data) VALUES (?, ?, ?, ?)');
      for (const item of items) ins.run(id, ++seq, item.class, JSON.stringify(item.data));
      if (opts.update) this.systems.updateInTx(id, opts.update);
    }).immediate();
  }

  /** Hardware items in the order they were stored. */
  async hardware(orgId: number, id: number): Promise<HardwareItem[]> {
    this.revisionInTx(orgId, id);
    const rows = this.db.prepare('SELECT class, data FROM system_hardware WHERE system_id = ? ORDER BY seq').all(id) as { class: string; data: string }[];
    return rows.map((r) => ({ class: r.class, data: JSON.parse(r.data) as Record<string, unknown> }));
  }

  /**
   * Replaces the client capabilities the request carried (queue.get); skips the write, and
   * after the first call the read, when they are what is stored. Protocol-only: the system id
   * comes from a verified systemid. Returns whether anything was written.
   */
  async setCapabilities(id: number, capabilities: readonly ClientCapability[]): Promise<boolean> {
    const byName = new Map(capabilities.map((c) => [c.name, c]));
    const sorted = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const signature = JSON.stringify(sorted.map((c) => [c.name, c.version, c.value]));
    if (this.capabilitySeen.get(id) === signature) return false;
    const storedNow = (): string => JSON.stringify((this.capabilitiesStmt.all(id) as ClientCapability[]).map((c) => [c.name, c.version, c.value]));
    // the usual case after a restart: what is stored already; a plain read, no write lock
    const written = storedNow() !== signature && this.db.transaction(() => {
      if (!this.existsStmt.get(id)) return false;
      if (storedNow() === signature) return false;
      this.deleteCapabilitiesStmt.run(id);
      for (const c of sorted) this.insertCapabilityStmt.run(id, c.name, c.version, c.value);
      return true;
    }).immediate();
    if (this.capabilitySeen.size >= CAPABILITY_CACHE_MAX) this.capabilitySeen.clear();
    let shared = this.signatures.get(signature);
    if (shared === undefined) {
      if (this.signatures.size >= SIGNATURES_MAX) this.signatures.clear();
      this.signatures.set(signature, (shared = signature));
    }
    this.capabilitySeen.set(id, shared);
    return written;
  }

  /** The stored client capabilities, by name. */
  async capabilities(id: number): Promise<ClientCapability[]> {
    return this.capabilitiesStmt.all(id) as ClientCapability[];
  }
}
