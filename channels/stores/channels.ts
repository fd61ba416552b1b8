// SQL for software channels: lookup with visibility rules, create/update/delete, package
// membership (each change bumps the channel's revision) and cross-org access.
import type { Db } from './db.js';
import type { Channel, ChannelAccess, ChannelPackageRow, ChannelSummary, ChannelUpdate, NewChannel } from '../model.js';
import { AlreadyExists } from '../errors.js';
import { chunks, nowSeconds, placeholders, toDate, toDateOrNull, toSeconds } from './rows.js';

interface ChannelRow {
  id: number;
  org_id: number | null;
  label: string;
  name: string;
  summary: string;
  description: string;
  arch_label: string;
  parent_id: number | null;
  parent_label: string | null;
  checksum_label: string;
  gpg_key_url: string;
  gpg_key_id: string;
  gpg_key_fp: string;
  maintainer_name: string;
  maintainer_email: string;
  maintainer_phone: string;
  support_policy: string;
  end_of_life: number | null;
  clone_original_id: number | null;
  clone_original_label: string | null;
  access: string;
  created: number;
  last_modified: number;
  last_synced: number | null;
  revision: number;
  package_count?: number;
  system_count?: number;
}

const SELECT = `SELECT c.*, p.label AS parent_label, o.label AS clone_original_label
  FROM channels c
  LEFT JOIN channels p ON p.id = c.parent_id
  LEFT JOIN channels o ON o.id = c.clone_original_id`;

/** Channels an org may read: its own, vendor (org-less) ones, public ones, and protected ones shared with it. */
const VISIBLE = `(c.org_id = @org OR c.org_id IS NULL OR c.access = 'public'
  OR (c.access = 'protected' AND EXISTS (SELECT 1 FROM channel_org_access a WHERE a.channel_id = c.id AND a.org_id = @org)))`;

function toChannel(r: ChannelRow): Channel {
  return {
    id: r.id,
    orgId: r.org_id,
    label: r.label,
    name: r.name,
    summary: r.summary,
    description: r.description,
    archLabel: r.arch_label,
    parentId: r.parent_id,
    parentLabel: r.parent_label,
    checksumLabel: r.checksum_label,
    gpgKeyUrl: r.gpg_key_url,
    gpgKeyId: r.gpg_key_id,
    gpgKeyFp: r.gpg_key_fp,
    maintainerName: r.maintainer_name,
    maintainerEmail: r.maintainer_email,
    maintainerPhone: r.maintainer_phone,
    supportPolicy: r.support_policy,
    endOfLife: toDateOrNull(r.end_of_life),
    cloneOriginalId: r.clone_original_id,
    cloneOriginalLabel: r.clone_original_label,
    access: r.access as ChannelAccess,
    created: toDate(r.created),
    lastModified: toDate(r.last_modified),
    lastSynced: toDateOrNull(r.last_synced),
    revision: r.revision,
  };
}

const UPDATE_COLUMNS: Record<keyof ChannelUpdate, string> = {
  name: 'name',
  summary: 'summary',
  description: 'description',
  checksumLabel: 'checksum_label',
  gpgKeyUrl: 'gpg_key_url',
  gpgKeyId: 'gpg_key_id',
  gpgKeyFp: 'gpg_key_fp',
  maintainerName: 'maintainer_name',
  maintainerEmail: 'maintainer_email',
  maintainerPhone: 'maintainer_phone',
  supportPolicy: 'support_policy',
  access: 'access',
};

export interface PackageWindow {
  /** inclusive lower bound on the time the package entered the channel (Spacewalk filters on last_modified) */
  since?: Date;
  until?: Date;
}

export class ChannelStore {
  private readonly listPackagesStmt;

  constructor(private readonly db: Db) {
    this.listPackagesStmt = db.prepare(
      `SELECT p.id, p.name, p.epoch, p.version, p.release, p.arch, p.checksum_type AS checksumType, p.checksum,
              max(p.last_modified, cp.added) AS modified
       FROM channel_packages cp JOIN packages p ON p.id = cp.package_id
       WHERE cp.channel_id = ? ORDER BY p.name, p.id`,
    ).raw(true);
  }

  async getByLabel(label: string, orgId: number): Promise<Channel | null> {
    const r = this.db.prepare(`${SELECT} WHERE c.label = @label AND ${VISIBLE}`).get({ label, org: orgId }) as ChannelRow | undefined;
    return r ? toChannel(r) : null;
  }

  async getById(id: number, orgId: number): Promise<Channel | null> {
    const r = this.db.prepare(`${SELECT} WHERE c.id = @id AND ${VISIBLE}`).get({ id, org: orgId }) as ChannelRow | undefined;
    return r ? toChannel(r) : null;
  }

  /** Lookup regardless of visibility, for internal jobs (sync, publish). */
  async getByLabelAnyOrg(label: string): Promise<Channel | null> {
    const r = this.db.prepare(`${SELECT} WHERE c.label = ?`).get(label) as ChannelRow | undefined;
    return r ? toChannel(r) : null;
  }

  async list(orgId: number): Promise<ChannelSummary[]> {
    const rows = this.db
      .prepare(
        `${SELECT.replace('SELECT c.*,', 'SELECT c.*, (SELECT count(*) FROM channel_packages cp WHERE cp.channel_id = c.id) AS package_count, (SELECT count(*) FROM system_channels sc WHERE sc.channel_id = c.id) AS system_count,')}
         WHERE ${VISIBLE} ORDER BY c.label`,
      )
      .all({ org: orgId }) as ChannelRow[];
    return rows.map((r) => ({ ...toChannel(r), packageCount: r.package_count ?? 0, systemCount: r.system_count ?? 0 }));
  }

  async children(channelId: number): Promise<Channel[]> {
    return (this.db.prepare(`${SELECT} WHERE c.parent_id = ? ORDER BY c.label`).all(channelId) as ChannelRow[]).map(toChannel);
  }

  async create(c: NewChannel): Promise<Channel> {
    const id = this.db.transaction(() => this.insertInTx(c))();
    return toChannel(this.db.prepare(`${SELECT} WHERE c.id = ?`).get(id) as ChannelRow);
  }

  private insertInTx(c: NewChannel): number {
    if (this.db.prepare('SELECT 1 FROM channels WHERE label = ?').get(c.label)) throw new AlreadyExists('channel', 'label', c.label);
    if (this.db.prepare('SELECT 1 FROM channels WHERE name = ?').get(c.name)) throw new AlreadyExists('channel', 'name', c.name);
    const now = nowSeconds();
    const info = this.db
      .prepare(
        `INSERT INTO channels (org_id, label, name, summary, description, arch_label, parent_id, checksum_label,
           gpg_key_url, gpg_key_id, gpg_key_fp, maintainer_name, maintainer_email, maintainer_phone, support_policy,
           clone_original_id, created, last_modified)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        c.orgId, c.label, c.name, c.summary, c.description ?? '', c.archLabel, c.parentId, c.checksumLabel,
        c.gpgKeyUrl ?? '', c.gpgKeyId ?? '', c.gpgKeyFp ?? '', c.maintainerName ?? '', c.maintainerEmail ?? '',
        c.maintainerPhone ?? '', c.supportPolicy ?? '', c.cloneOriginalId ?? null, now, now,
      );
    return Number(info.lastInsertRowid);
  }

  /**
   * Creates a clone of `originalId`: all its packages and errata, or in original state only the
   * packages no erratum of the channel brought (Skylab keeps no history of the original content).
   */
  async clone(originalId: number, c: NewChannel, originalState: boolean): Promise<Channel> {
    const id = this.db.transaction(() => {
      const id = this.insertInTx({ ...c, cloneOriginalId: originalId });
      const now = nowSeconds();
      const filter = originalState
        ? `AND package_id NOT IN (SELECT ep.package_id FROM channel_errata ce JOIN errata_packages ep ON ep.errata_id = ce.errata_id WHERE ce.channel_id = @orig)`
        : '';
      this.db
        .prepare(`INSERT INTO channel_packages (channel_id, package_id, added) SELECT @id, package_id, @now FROM channel_packages WHERE channel_id = @orig ${filter}`)
        .run({ id, orig: originalId, now });
      if (!originalState) {
        this.db.prepare('INSERT INTO channel_errata (channel_id, errata_id) SELECT ?, errata_id FROM channel_errata WHERE channel_id = ?').run(id, originalId);
      }
      return id;
    })();
    return toChannel(this.db.prepare(`${SELECT} WHERE c.id = ?`).get(id) as ChannelRow);
  }

  async update(id: number, fields: ChannelUpdate): Promise<void> {
    const sets: string[] = [];
    const values: (string | number)[] = [];
    for (const [k, v] of Object.entries(fields) as [keyof ChannelUpdate, string][]) {
      if (v === undefined) continue;
      sets.push(`${UPDATE_COLUMNS[k]} = ?`);
      values.push(v);
    }
    if (sets.length === 0) return;
    this.db.transaction(() => {
      if (fields.name !== undefined && this.db.prepare('SELECT 1 FROM channels WHERE name = ? AND id <> ?').get(fields.name, id)) {
        throw new AlreadyExists('channel', 'name', fields.name);
      }
      this.db.prepare(`UPDATE channels SET ${sets.join(', ')}, last_modified = ?, revision = revision + 1 WHERE id = ?`).run(...values, nowSeconds(), id);
    })();
  }

  async delete(id: number): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('UPDATE channels SET clone_original_id = NULL WHERE clone_original_id = ?').run(id);
      this.db.prepare('DELETE FROM channels WHERE id = ?').run(id);
    })();
  }

  /** Adds packages (ids already checked to exist); returns how many were new to the channel. */
  async addPackages(channelId: number, packageIds: readonly number[]): Promise<number> {
    return this.db.transaction(() => this.addPackagesInTx(channelId, packageIds))();
  }

  /** For callers already inside a transaction (errata publish, imports). */
  addPackagesInTx(channelId: number, packageIds: readonly number[]): number {
    const now = nowSeconds();
    const ins = this.db.prepare('INSERT OR IGNORE INTO channel_packages (channel_id, package_id, added) VALUES (?, ?, ?)');
    let added = 0;
    for (const pid of packageIds) added += ins.run(channelId, pid, now).changes;
    if (added > 0) this.bumpInTx(channelId, now);
    return added;
  }

  async removePackages(channelId: number, packageIds: readonly number[]): Promise<number> {
    return this.db.transaction(() => {
      const del = this.db.prepare('DELETE FROM channel_packages WHERE channel_id = ? AND package_id = ?');
      let removed = 0;
      for (const pid of packageIds) removed += del.run(channelId, pid).changes;
      if (removed > 0) this.bumpInTx(channelId, nowSeconds());
      return removed;
    })();
  }

  bumpInTx(channelId: number, now = nowSeconds()): void {
    this.db.prepare('UPDATE channels SET last_modified = ?, revision = revision + 1 WHERE id = ?').run(now, channelId);
  }

  /** Package ids from the list that are not in the channel. */
  async missingPackages(channelId: number, packageIds: readonly number[]): Promise<number[]> {
    const present = new Set<number>();
    for (const part of chunks(packageIds)) {
      const rows = this.db
        .prepare(`SELECT package_id AS id FROM channel_packages WHERE channel_id = ? AND package_id IN (${placeholders(part.length)})`)
        .all(channelId, ...part) as { id: number }[];
      for (const r of rows) present.add(r.id);
    }
    return packageIds.filter((id) => !present.has(id));
  }

  /** The channel's packages by name; rows are read as arrays since channels hold tens of thousands. */
  async listPackages(channelId: number, window: PackageWindow = {}): Promise<ChannelPackageRow[]> {
    const rows = this.listPackagesStmt.all(channelId) as [number, string, string, string, string, string, string, string, number][];
    const since = window.since ? toSeconds(window.since) : -Infinity;
    const until = window.until ? toSeconds(window.until) : Infinity;
    const out: ChannelPackageRow[] = [];
    for (const [id, name, epoch, version, release, arch, checksumType, checksum, modified] of rows) {
      if (modified < since || modified > until) continue;
      out.push({ id, name, epoch, version, release, arch, checksumType, checksum, lastModified: toDate(modified) });
    }
    return out;
  }

  async packageCount(channelId: number): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM channel_packages WHERE channel_id = ?').get(channelId) as { n: number }).n;
  }

  async setAccess(channelId: number, access: ChannelAccess): Promise<void> {
    this.db.prepare('UPDATE channels SET access = ? WHERE id = ?').run(access, channelId);
  }

  async orgAccess(channelId: number): Promise<number[]> {
    return (this.db.prepare('SELECT org_id AS id FROM channel_org_access WHERE channel_id = ?').all(channelId) as { id: number }[]).map((r) => r.id);
  }

  async setOrgAccess(channelId: number, orgId: number, enabled: boolean): Promise<void> {
    if (enabled) this.db.prepare('INSERT OR IGNORE INTO channel_org_access (channel_id, org_id) VALUES (?, ?)').run(channelId, orgId);
    else this.db.prepare('DELETE FROM channel_org_access WHERE channel_id = ? AND org_id = ?').run(channelId, orgId);
  }
}
