// SQL for stored package profiles (system.createPackageProfile / comparePackageProfile): a
// named copy of a system's installed packages, kept with the system's base channel.
import type { Db } from './db.js';
import type { PackageProfile } from '../model-systems.js';
import type { PackageNevra } from '../model.js';
import { Conflict, NotFound } from '../errors.js';
import { nowSeconds, toDate } from './rows.js';

interface ProfileRow {
  id: number;
  org_id: number;
  name: string;
  description: string;
  channel_id: number | null;
  channel_label: string | null;
  created: number;
}

const SELECT = 'SELECT p.*, c.label AS channel_label FROM package_profiles p LEFT JOIN channels c ON c.id = p.channel_id';

const toProfile = (r: ProfileRow): PackageProfile => ({
  id: r.id,
  orgId: r.org_id,
  name: r.name,
  description: r.description,
  channelId: r.channel_id,
  channelLabel: r.channel_label,
  created: toDate(r.created),
});

export class PackageProfileStore {
  constructor(private readonly db: Db) {}

  /**
   * Copies a system's installed packages into a new named profile of its org. NotFound for a
   * system outside the org; Conflict('packageprofile.name') for a name the org already uses.
   */
  async createFromSystem(orgId: number, systemId: number, name: string, description: string): Promise<PackageProfile> {
    const id = this.db.transaction(() => {
      if (!this.db.prepare('SELECT 1 FROM systems WHERE id = ? AND org_id = ?').get(systemId, orgId)) throw new NotFound('system', systemId);
      if (this.db.prepare('SELECT 1 FROM package_profiles WHERE org_id = ? AND name = ?').get(orgId, name)) {
        throw new Conflict('packageprofile.name', `A package profile named ${name} already exists`);
      }
      const base = this.db
        .prepare('SELECT sc.channel_id FROM system_channels sc JOIN channels c ON c.id = sc.channel_id WHERE sc.system_id = ? AND c.parent_id IS NULL')
        .pluck()
        .get(systemId) as number | undefined;
      const info = this.db
        .prepare('INSERT INTO package_profiles (org_id, name, description, channel_id, created) VALUES (?, ?, ?, ?, ?)')
        .run(orgId, name, description, base ?? null, nowSeconds());
      const profileId = Number(info.lastInsertRowid);
      this.db
        .prepare(
          `INSERT INTO package_profile_packages (profile_id, name, epoch, version, release, arch)
           SELECT ?, name, epoch, version, release, arch FROM system_packages WHERE system_id = ?`,
        )
        .run(profileId, systemId);
      return profileId;
    })();
    return (await this.get(orgId, id))!;
  }

  async get(orgId: number, id: number): Promise<PackageProfile | null> {
    const r = this.db.prepare(`${SELECT} WHERE p.id = ? AND p.org_id = ?`).get(id, orgId) as ProfileRow | undefined;
    return r ? toProfile(r) : null;
  }

  async getByName(orgId: number, name: string): Promise<PackageProfile | null> {
    const r = this.db.prepare(`${SELECT} WHERE p.name = ? AND p.org_id = ?`).get(name, orgId) as ProfileRow | undefined;
    return r ? toProfile(r) : null;
  }

  async list(orgId: number): Promise<PackageProfile[]> {
    return (this.db.prepare(`${SELECT} WHERE p.org_id = ? ORDER BY p.name`).all(orgId) as ProfileRow[]).map(toProfile);
  }

  /** The profile's packages by name then arch; null when the org has no such profile. */
  async packages(orgId: number, id: number): Promise<PackageNevra[] | null> {
    if (!this.db.prepare('SELECT 1 FROM package_profiles WHERE id = ? AND org_id = ?').get(id, orgId)) return null;
    return this.db
      .prepare('SELECT name, epoch, version, release, arch FROM package_profile_packages WHERE profile_id = ? ORDER BY name, arch, version, release, epoch')
      .all(id) as PackageNevra[];
  }

  async delete(orgId: number, id: number): Promise<boolean> {
    return this.db.prepare('DELETE FROM package_profiles WHERE id = ? AND org_id = ?').run(id, orgId).changes > 0;
  }
}
