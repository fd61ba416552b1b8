// SQL for packages: lookups, batched imports keyed by checksum (with their repodata snippets),
// channel membership of packages, and removal.
import type { Db } from './db.js';
import type { Channel, NewPackage, Package } from '../model.js';
import { chunks, nowSeconds, placeholders, toDate, toDateOrNull } from './rows.js';

// Package rows are read as arrays (better-sqlite3's raw mode): building a 29-key object per row
// costs more than the query itself on the packages.getDetails path.
const COLUMNS = [
  'id', 'org_id', 'name', 'epoch', 'version', 'release', 'arch', 'checksum_type', 'checksum', 'filename',
  'summary', 'description', 'license', 'vendor', 'group_name', 'build_host', 'url', 'packager', 'sourcerpm',
  'cookie', 'build_time', 'size_package', 'size_installed', 'size_archive', 'header_start', 'header_end',
  'blob_sha256', 'created', 'last_modified',
] as const;
/** `p.id, p.org_id, ...` in COLUMNS order, for every query that returns packages. */
const PACKAGE_COLUMNS = COLUMNS.map((c) => `p.${c}`).join(', ');
type RawRow = unknown[];

function toPackage(a: RawRow): Package {
  return {
    id: a[0] as number,
    orgId: a[1] as number | null,
    name: a[2] as string,
    epoch: a[3] as string,
    version: a[4] as string,
    release: a[5] as string,
    arch: a[6] as string,
    checksumType: a[7] as string,
    checksum: a[8] as string,
    filename: a[9] as string,
    summary: a[10] as string,
    description: a[11] as string,
    license: a[12] as string,
    vendor: a[13] as string,
    group: a[14] as string,
    buildHost: a[15] as string,
    url: a[16] as string,
    packager: a[17] as string,
    sourceRpm: a[18] as string,
    cookie: a[19] as string,
    buildTime: toDateOrNull(a[20] as number | null),
    sizePackage: a[21] as number | null,
    sizeInstalled: a[22] as number | null,
    sizeArchive: a[23] as number | null,
    headerStart: a[24] as number | null,
    headerEnd: a[25] as number | null,
    blobSha256: a[26] as string | null,
    created: toDate(a[27] as number),
    lastModified: toDate(a[28] as number),
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
    this.byId = db.prepare(`SELECT ${PACKAGE_COLUMNS} FROM packages p WHERE p.id = ?`).raw(true);
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
    const r = this.byId.get(id) as RawRow | undefined;
    if (!r) return null;
    const owner = r[1] as number | null;
    if (owner !== null && owner !== orgId && !this.inVisibleChannel.get({ id, org: orgId })) return null;
    return toPackage(r);
  }

  async getMany(ids: readonly number[]): Promise<Package[]> {
    const out: Package[] = [];
    for (const part of chunks(ids)) {
      out.push(...this.rows(`SELECT ${PACKAGE_COLUMNS} FROM packages p WHERE p.id IN (${placeholders(part.length)})`, part));
    }
    return out;
  }

  async providingChannels(id: number, orgId: number): Promise<ProvidingChannel[]> {
    return this.providing.all({ id, org: orgId }) as ProvidingChannel[];
  }

  async findByNvrea(orgId: number, name: string, version: string, release: string, epoch: string, arch: string): Promise<Package[]> {
    return this.rows(
      `SELECT ${PACKAGE_COLUMNS} FROM packages p WHERE p.name = ? AND p.version = ? AND p.release = ? AND p.arch = ? AND p.epoch = ?
       AND (p.org_id IS NULL OR p.org_id = ?) ORDER BY p.id`,
      [name, version, release, arch, epoch, orgId],
    );
  }

  /** The package of a channel with this name, version, release and arch (highest epoch first), for GET-REQ. */
  async findInChannel(channelId: number, name: string, version: string, release: string, arch: string): Promise<Package | null> {
    const rows = this.rows(
      `SELECT ${PACKAGE_COLUMNS} FROM channel_packages cp JOIN packages p ON p.id = cp.package_id
       WHERE cp.channel_id = ? AND p.name = ? AND p.version = ? AND p.release = ? AND p.arch = ?`,
      [channelId, name, version, release, arch],
    );
    // several epochs of one n-v-r.a: the highest, as Spacewalk's lookup does
    rows.sort((a, b) => (Number(b.epoch || 0) - Number(a.epoch || 0)) || b.id - a.id);
    return rows[0] ?? null;
  }

  async findByFilename(filename: string): Promise<Package[]> {
    return this.rows(`SELECT ${PACKAGE_COLUMNS} FROM packages p WHERE p.filename = ? ORDER BY p.id`, [filename]);
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

  /** Records the blob of a package whose file has been downloaded and verified. */
  async setBlob(id: number, sha256: string): Promise<void> {
    this.db.prepare('UPDATE packages SET blob_sha256 = ? WHERE id = ?').run(sha256, id);
  }

  /** Fills missing filelists/other snippets (a package keeps the first one it got). */
  async fillSnippets(kind: 'filelists' | 'other', rows: readonly { id: number; xml: string }[]): Promise<number> {
    const column = kind === 'filelists' ? 'filelists_xml' : 'other_xml';
    const stmt = this.db.prepare(`UPDATE package_xml SET ${column} = ? WHERE package_id = ? AND ${column} IS NULL`);
    return this.db.transaction(() => {
      let n = 0;
      for (const r of rows) n += stmt.run(r.xml, r.id).changes;
      return n;
    })();
  }

  async primaryXml(id: number): Promise<string | null> {
    const r = this.db.prepare('SELECT primary_xml FROM package_xml WHERE package_id = ?').get(id) as { primary_xml: string } | undefined;
    return r ? r.primary_xml : null;
  }

  /** Packages of the org that no channel holds. */
  async listWithoutChannel(orgId: number): Promise<Package[]> {
    return this.rows(
      `SELECT ${PACKAGE_COLUMNS} FROM packages p WHERE (p.org_id = ? OR p.org_id IS NULL)
       AND NOT EXISTS (SELECT 1 FROM channel_packages cp WHERE cp.package_id = p.id) ORDER BY p.name, p.id`,
      [orgId],
    );
  }

  /** Removes the package from every channel and erratum, then deletes it; returns its blob, if any. */
  async remove(id: number): Promise<string | null> {
    return this.db.transaction(() => {
      const r = this.byId.get(id) as RawRow | undefined;
      if (!r) return null;
      const blob = toPackage(r).blobSha256;
      const now = nowSeconds();
      const channels = this.db.prepare('SELECT channel_id AS id FROM channel_packages WHERE package_id = ?').all(id) as { id: number }[];
      this.db.prepare('DELETE FROM channel_packages WHERE package_id = ?').run(id);
      for (const c of channels) this.db.prepare('UPDATE channels SET last_modified = ?, revision = revision + 1 WHERE id = ?').run(now, c.id);
      this.db.prepare('DELETE FROM packages WHERE id = ?').run(id);
      const stillUsed = blob && this.db.prepare('SELECT 1 FROM packages WHERE blob_sha256 = ?').get(blob);
      return stillUsed ? null : blob;
    })();
  }

  /** Every package in a channel the org can see (packages.search filters these). */
  async listVisible(orgId: number): Promise<Package[]> {
    return this.rows(
      `SELECT DISTINCT ${PACKAGE_COLUMNS} FROM packages p JOIN channel_packages cp ON cp.package_id = p.id JOIN channels c ON c.id = cp.channel_id
       WHERE ${VISIBLE_CHANNEL} ORDER BY p.name, p.id`,
      { org: orgId },
    );
  }

  private rows(sql: string, params: unknown[] | Record<string, unknown>): Package[] {
    const stmt = this.db.prepare(sql).raw(true);
    return ((Array.isArray(params) ? stmt.all(...params) : stmt.all(params)) as RawRow[]).map(toPackage);
  }

  async channelsOf(id: number): Promise<Pick<Channel, 'id' | 'label'>[]> {
    return this.db.prepare('SELECT c.id, c.label FROM channel_packages cp JOIN channels c ON c.id = cp.channel_id WHERE cp.package_id = ?').all(id) as Pick<Channel, 'id' | 'label'>[];
  }
}
