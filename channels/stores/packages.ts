// SQL for packages: lookups, batched imports keyed by checksum (with their repodata snippets),
// channel membership of packages, and removal.
import type { Db } from './db.js';
import type { Channel, NewPackage, Package } from '../model.js';
import { chunks, nowSeconds, placeholders, toDate, toDateOrNull } from './rows.js';

interface PackageRow {
  id: number;
  org_id: number | null;
  name: string;
  epoch: string;
  version: string;
  release: string;
  arch: string;
  checksum_type: string;
  checksum: string;
  filename: string;
  summary: string;
  description: string;
  license: string;
  vendor: string;
  group_name: string;
  build_host: string;
  url: string;
  packager: string;
  sourcerpm: string;
  cookie: string;
  build_time: number | null;
  size_package: number | null;
  size_installed: number | null;
  size_archive: number | null;
  header_start: number | null;
  header_end: number | null;
  blob_sha256: string | null;
  created: number;
  last_modified: number;
}

function toPackage(r: PackageRow): Package {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    epoch: r.epoch,
    version: r.version,
    release: r.release,
    arch: r.arch,
    checksumType: r.checksum_type,
    checksum: r.checksum,
    filename: r.filename,
    summary: r.summary,
    description: r.description,
    license: r.license,
    vendor: r.vendor,
    group: r.group_name,
    buildHost: r.build_host,
    url: r.url,
    packager: r.packager,
    sourceRpm: r.sourcerpm,
    cookie: r.cookie,
    buildTime: toDateOrNull(r.build_time),
    sizePackage: r.size_package,
    sizeInstalled: r.size_installed,
    sizeArchive: r.size_archive,
    headerStart: r.header_start,
    headerEnd: r.header_end,
    blobSha256: r.blob_sha256,
    created: toDate(r.created),
    lastModified: toDate(r.last_modified),
  };
}

export interface ProvidingChannel {
  id: number;
  label: string;
  name: string;
  parentLabel: string | null;
}

export interface ImportResult {
  ids: number[];
  inserted: number;
  addedToChannel: number;
}

/** A package is visible to an org when it owns it, nobody owns it, or it sits in a channel the org can see. */
const VISIBLE_CHANNEL = `(c.org_id = @org OR c.org_id IS NULL OR c.access = 'public'
  OR (c.access = 'protected' AND EXISTS (SELECT 1 FROM channel_org_access a WHERE a.channel_id = c.id AND a.org_id = @org)))`;

export class PackageStore {
  private readonly byId;
  private readonly inVisibleChannel;
  private readonly providing;
  private readonly byChecksum;
  private readonly insertPkg;
  private readonly insertXml;

  constructor(private readonly db: Db) {
    this.byId = db.prepare('SELECT * FROM packages WHERE id = ?');
    this.inVisibleChannel = db.prepare(
      `SELECT 1 FROM channel_packages cp JOIN channels c ON c.id = cp.channel_id WHERE cp.package_id = @id AND ${VISIBLE_CHANNEL} LIMIT 1`,
    );
    this.providing = db.prepare(
      `SELECT c.id, c.label, c.name, p.label AS parentLabel FROM channel_packages cp
       JOIN channels c ON c.id = cp.channel_id LEFT JOIN channels p ON p.id = c.parent_id
       WHERE cp.package_id = @id AND ${VISIBLE_CHANNEL} ORDER BY c.label`,
    );
    this.byChecksum = db.prepare('SELECT id FROM packages WHERE checksum_type = ? AND checksum = ?');
    this.insertPkg = db.prepare(
      `INSERT INTO packages (org_id, name, epoch, version, release, arch, checksum_type, checksum, filename, summary,
         description, license, vendor, group_name, build_host, url, packager, sourcerpm, cookie, build_time,
         size_package, size_installed, size_archive, header_start, header_end, blob_sha256, created, last_modified)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertXml = db.prepare('INSERT INTO package_xml (package_id, primary_xml, filelists_xml, other_xml) VALUES (?, ?, ?, ?)');
  }

  /** The package if the org may see it. */
  async getById(id: number, orgId: number): Promise<Package | null> {
    const r = this.byId.get(id) as PackageRow | undefined;
    if (!r) return null;
    if (r.org_id !== null && r.org_id !== orgId && !this.inVisibleChannel.get({ id, org: orgId })) return null;
    return toPackage(r);
  }

  async getMany(ids: readonly number[]): Promise<Package[]> {
    const out: Package[] = [];
    for (const part of chunks(ids)) {
      out.push(...(this.db.prepare(`SELECT * FROM packages WHERE id IN (${placeholders(part.length)})`).all(...part) as PackageRow[]).map(toPackage));
    }
    return out;
  }

  async providingChannels(id: number, orgId: number): Promise<ProvidingChannel[]> {
    return this.providing.all({ id, org: orgId }) as ProvidingChannel[];
  }

  async findByNvrea(orgId: number, name: string, version: string, release: string, epoch: string, arch: string): Promise<Package[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM packages WHERE name = ? AND version = ? AND release = ? AND arch = ? AND epoch = ?
         AND (org_id IS NULL OR org_id = ?) ORDER BY id`,
      )
      .all(name, version, release, arch, epoch, orgId) as PackageRow[];
    return rows.map(toPackage);
  }

  async findByFilename(filename: string): Promise<Package[]> {
    return (this.db.prepare('SELECT * FROM packages WHERE filename = ? ORDER BY id').all(filename) as PackageRow[]).map(toPackage);
  }

  async findByChecksum(checksumType: string, checksum: string): Promise<number | null> {
    const r = this.byChecksum.get(checksumType, checksum) as { id: number } | undefined;
    return r ? r.id : null;
  }

  /**
   * Inserts the packages not yet known (by checksum) and, when a channel is given, links all
   * of them to it; one transaction, so a failure leaves nothing behind.
   */
  async importPackages(orgId: number | null, pkgs: readonly NewPackage[], channelId?: number): Promise<ImportResult> {
    return this.db.transaction(() => this.importInTx(orgId, pkgs, channelId))();
  }

  importInTx(orgId: number | null, pkgs: readonly NewPackage[], channelId?: number): ImportResult {
    const now = nowSeconds();
    const ids: number[] = [];
    let inserted = 0;
    for (const p of pkgs) {
      const existing = this.byChecksum.get(p.checksumType, p.checksum) as { id: number } | undefined;
      if (existing) {
        if (p.blobSha256) this.db.prepare('UPDATE packages SET blob_sha256 = ? WHERE id = ? AND blob_sha256 IS NULL').run(p.blobSha256, existing.id);
        ids.push(existing.id);
        continue;
      }
      const info = this.insertPkg.run(
        orgId, p.name, p.epoch, p.version, p.release, p.arch, p.checksumType, p.checksum, p.filename, p.summary ?? '',
        p.description ?? '', p.license ?? '', p.vendor ?? '', p.group ?? '', p.buildHost ?? '', p.url ?? '', p.packager ?? '',
        p.sourceRpm ?? '', p.cookie ?? '', p.buildTime ?? null, p.sizePackage ?? null, p.sizeInstalled ?? null,
        p.sizeArchive ?? null, p.headerStart ?? null, p.headerEnd ?? null, p.blobSha256 ?? null, now, now,
      );
      const id = Number(info.lastInsertRowid);
      this.insertXml.run(id, p.primaryXml, p.filelistsXml ?? null, p.otherXml ?? null);
      ids.push(id);
      inserted++;
    }
    let addedToChannel = 0;
    if (channelId !== undefined) {
      const link = this.db.prepare('INSERT OR IGNORE INTO channel_packages (channel_id, package_id, added) VALUES (?, ?, ?)');
      for (const id of ids) addedToChannel += link.run(channelId, id, now).changes;
      if (addedToChannel > 0) this.db.prepare('UPDATE channels SET last_modified = ?, revision = revision + 1 WHERE id = ?').run(now, channelId);
    }
    return { ids, inserted, addedToChannel };
  }

  async primaryXml(id: number): Promise<string | null> {
    const r = this.db.prepare('SELECT primary_xml FROM package_xml WHERE package_id = ?').get(id) as { primary_xml: string } | undefined;
    return r ? r.primary_xml : null;
  }

  /** Packages of the org that no channel holds. */
  async listWithoutChannel(orgId: number): Promise<Package[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM packages p WHERE (p.org_id = ? OR p.org_id IS NULL)
         AND NOT EXISTS (SELECT 1 FROM channel_packages cp WHERE cp.package_id = p.id) ORDER BY p.name, p.id`,
      )
      .all(orgId) as PackageRow[];
    return rows.map(toPackage);
  }

  /** Removes the package from every channel and erratum, then deletes it; returns its blob, if any. */
  async remove(id: number): Promise<string | null> {
    return this.db.transaction(() => {
      const r = this.byId.get(id) as PackageRow | undefined;
      if (!r) return null;
      const now = nowSeconds();
      const channels = this.db.prepare('SELECT channel_id AS id FROM channel_packages WHERE package_id = ?').all(id) as { id: number }[];
      this.db.prepare('DELETE FROM channel_packages WHERE package_id = ?').run(id);
      for (const c of channels) this.db.prepare('UPDATE channels SET last_modified = ?, revision = revision + 1 WHERE id = ?').run(now, c.id);
      this.db.prepare('DELETE FROM packages WHERE id = ?').run(id);
      const stillUsed = r.blob_sha256 && this.db.prepare('SELECT 1 FROM packages WHERE blob_sha256 = ?').get(r.blob_sha256);
      return stillUsed ? null : r.blob_sha256;
    })();
  }

  /** Every package in a channel the org can see (packages.search filters these). */
  async listVisible(orgId: number): Promise<Package[]> {
    const rows = this.db
      .prepare(
        `SELECT DISTINCT p.* FROM packages p JOIN channel_packages cp ON cp.package_id = p.id JOIN channels c ON c.id = cp.channel_id
         WHERE ${VISIBLE_CHANNEL} ORDER BY p.name, p.id`,
      )
      .all({ org: orgId }) as PackageRow[];
    return rows.map(toPackage);
  }

  async channelsOf(id: number): Promise<Pick<Channel, 'id' | 'label'>[]> {
    return this.db.prepare('SELECT c.id, c.label FROM channel_packages cp JOIN channels c ON c.id = cp.channel_id WHERE cp.package_id = ?').all(id) as Pick<Channel, 'id' | 'label'>[];
  }
}
