// SQL for system groups: create, look up by id or name with their system counts, describe,
// delete, and membership of the org's systems.
import type { Db } from './db.js';
import type { SystemGroup } from '../model-systems.js';
import { Conflict, InvalidArgument, NotFound } from '../errors.js';
import { nowSeconds, toDate } from './rows.js';

interface GroupRow {
  id: number;
  org_id: number;
  name: string;
  description: string;
  created: number;
  system_count: number;
}

const SELECT = `SELECT g.*, (SELECT count(*) FROM system_group_members m WHERE m.group_id = g.id) AS system_count FROM system_groups g`;

const toGroup = (r: GroupRow): SystemGroup => ({
  id: r.id,
  orgId: r.org_id,
  name: r.name,
  description: r.description,
  created: toDate(r.created),
  systemCount: r.system_count,
});

export class GroupStore {
  constructor(private readonly db: Db) {}

  /** Creates a group; a name the org already uses is a Conflict('systemgroup.name'). */
  async create(orgId: number, name: string, description: string): Promise<SystemGroup> {
    const id = this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM system_groups WHERE org_id = ? AND name = ?').get(orgId, name)) {
        throw new Conflict('systemgroup.name', `A system group named ${name} already exists`);
      }
      return Number(this.db.prepare('INSERT INTO system_groups (org_id, name, description, created) VALUES (?, ?, ?, ?)').run(orgId, name, description, nowSeconds()).lastInsertRowid);
    })();
    return (await this.get(orgId, id))!;
  }

  async get(orgId: number, id: number): Promise<SystemGroup | null> {
    const r = this.db.prepare(`${SELECT} WHERE g.id = ? AND g.org_id = ?`).get(id, orgId) as GroupRow | undefined;
    return r ? toGroup(r) : null;
  }

  async getByName(orgId: number, name: string): Promise<SystemGroup | null> {
    const r = this.db.prepare(`${SELECT} WHERE g.name = ? AND g.org_id = ?`).get(name, orgId) as GroupRow | undefined;
    return r ? toGroup(r) : null;
  }

  async list(orgId: number): Promise<SystemGroup[]> {
    return (this.db.prepare(`${SELECT} WHERE g.org_id = ? ORDER BY g.name COLLATE NOCASE, g.id`).all(orgId) as GroupRow[]).map(toGroup);
  }

  /** False when the org has no such group. */
  async setDescription(orgId: number, id: number, description: string): Promise<boolean> {
    return this.db.prepare('UPDATE system_groups SET description = ? WHERE id = ? AND org_id = ?').run(description, id, orgId).changes > 0;
  }

  /** Deletes the group (memberships and activation-key links go with it); false when the org has no such group. */
  async delete(orgId: number, id: number): Promise<boolean> {
    return this.db.prepare('DELETE FROM system_groups WHERE id = ? AND org_id = ?').run(id, orgId).changes > 0;
  }

  /** Adds the org's systems to the group, all or none (NotFound system for a system outside the org, InvalidArgument systemgroup.invalid for a group outside it); returns how many were new. */
  async addSystems(orgId: number, id: number, systemIds: readonly number[]): Promise<number> {
    return this.changeMembers(orgId, id, systemIds, 'INSERT OR IGNORE INTO system_group_members (group_id, system_id) VALUES (?, ?)');
  }

  async removeSystems(orgId: number, id: number, systemIds: readonly number[]): Promise<number> {
    return this.changeMembers(orgId, id, systemIds, 'DELETE FROM system_group_members WHERE group_id = ? AND system_id = ?');
  }

  private changeMembers(orgId: number, id: number, systemIds: readonly number[], sql: string): number {
    return this.db.transaction(() => {
      if (!this.db.prepare('SELECT 1 FROM system_groups WHERE id = ? AND org_id = ?').get(id, orgId)) {
        throw new InvalidArgument('systemgroup.invalid', `No such system group: ${id}`);
      }
      const inOrg = this.db.prepare('SELECT 1 FROM systems WHERE id = ? AND org_id = ?');
      const stmt = this.db.prepare(sql);
      let n = 0;
      for (const s of systemIds) {
        if (!inOrg.get(s, orgId)) throw new NotFound('system', s);
        n += stmt.run(id, s).changes;
      }
      return n;
    })();
  }

  /** Ids of the group's systems. */
  async memberIds(orgId: number, id: number): Promise<number[]> {
    return this.db
      .prepare('SELECT m.system_id FROM system_group_members m JOIN system_groups g ON g.id = m.group_id WHERE m.group_id = ? AND g.org_id = ? ORDER BY m.system_id')
      .pluck()
      .all(id, orgId) as number[];
  }

  /** The groups a system of the org belongs to, by name. */
  async groupsOf(orgId: number, systemId: number): Promise<SystemGroup[]> {
    return (
      this.db
        .prepare(`${SELECT} JOIN system_group_members x ON x.group_id = g.id WHERE x.system_id = ? AND g.org_id = ? ORDER BY g.name COLLATE NOCASE, g.id`)
        .all(systemId, orgId) as GroupRow[]
    ).map(toGroup);
  }
}
