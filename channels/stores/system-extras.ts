// SQL for what admins attach to systems: notes, and custom info keys with their per-system values.
import type { Db } from './db.js';
import type { CustomKey, SystemNote } from '../model-systems.js';
import { Conflict, InvalidArgument, NotFound } from '../errors.js';
import { nowSeconds, toDate } from './rows.js';

interface NoteRow {
  id: number;
  system_id: number;
  creator_id: number | null;
  creator_login: string | null;
  subject: string;
  note: string;
  created: number;
  modified: number;
}

interface CustomKeyRow {
  id: number;
  org_id: number;
  label: string;
  description: string;
  created: number;
  system_count: number;
}

export class SystemExtrasStore {
  private readonly inOrgStmt;

  constructor(private readonly db: Db) {
    this.inOrgStmt = db.prepare('SELECT 1 FROM systems WHERE id = ? AND org_id = ?').pluck();
  }

  private assertSystem(orgId: number, systemId: number): void {
    if (!this.inOrgStmt.get(systemId, orgId)) throw new NotFound('system', systemId);
  }

  async addNote(orgId: number, systemId: number, creatorId: number | null, subject: string, note: string): Promise<number> {
    return this.db.transaction(() => {
      this.assertSystem(orgId, systemId);
      const now = nowSeconds();
      const info = this.db
        .prepare('INSERT INTO system_notes (system_id, creator_id, subject, note, created, modified) VALUES (?, ?, ?, ?, ?, ?)')
        .run(systemId, creatorId, subject, note, now, now);
      return Number(info.lastInsertRowid);
    })();
  }

  /** A system's notes, newest first. */
  async notes(orgId: number, systemId: number): Promise<SystemNote[]> {
    const rows = this.db
      .prepare(
        `SELECT n.*, u.login AS creator_login FROM system_notes n JOIN systems s ON s.id = n.system_id LEFT JOIN users u ON u.id = n.creator_id
         WHERE n.system_id = ? AND s.org_id = ? ORDER BY n.modified DESC, n.id DESC`,
      )
      .all(systemId, orgId) as NoteRow[];
    return rows.map((r) => ({
      id: r.id,
      systemId: r.system_id,
      creatorId: r.creator_id,
      creatorLogin: r.creator_login,
      subject: r.subject,
      note: r.note,
      created: toDate(r.created),
      modified: toDate(r.modified),
    }));
  }

  async deleteNote(orgId: number, systemId: number, noteId: number): Promise<boolean> {
    return (
      this.db
        .prepare('DELETE FROM system_notes WHERE id = ? AND system_id = ? AND system_id IN (SELECT id FROM systems WHERE org_id = ?)')
        .run(noteId, systemId, orgId).changes > 0
    );
  }

  async deleteNotes(orgId: number, systemId: number): Promise<number> {
    return this.db.prepare('DELETE FROM system_notes WHERE system_id = ? AND system_id IN (SELECT id FROM systems WHERE org_id = ?)').run(systemId, orgId).changes;
  }

  /** Creates a custom info key; a label the org already uses is a Conflict('customkey.label'). */
  async createCustomKey(orgId: number, label: string, description: string): Promise<CustomKey> {
    this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM custom_keys WHERE org_id = ? AND label = ?').get(orgId, label)) {
        throw new Conflict('customkey.label', `Custom key ${label} already exists`);
      }
      this.db.prepare('INSERT INTO custom_keys (org_id, label, description, created) VALUES (?, ?, ?, ?)').run(orgId, label, description, nowSeconds());
    })();
    return (await this.customKeys(orgId)).find((k) => k.label === label)!;
  }

  /** The org's custom info keys by label, with how many systems hold a value. */
  async customKeys(orgId: number): Promise<CustomKey[]> {
    const rows = this.db
      .prepare(
        `SELECT k.*, (SELECT count(*) FROM system_custom_values v WHERE v.key_id = k.id) AS system_count
         FROM custom_keys k WHERE k.org_id = ? ORDER BY k.label`,
      )
      .all(orgId) as CustomKeyRow[];
    return rows.map((r) => ({ id: r.id, orgId: r.org_id, label: r.label, description: r.description, created: toDate(r.created), systemCount: r.system_count }));
  }

  /** Deletes a key and every value of it; false when the org has no such key. */
  async deleteCustomKey(orgId: number, label: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM custom_keys WHERE org_id = ? AND label = ?').run(orgId, label).changes > 0;
  }

  /** label -> value for a system of the org. */
  async customValues(orgId: number, systemId: number): Promise<Record<string, string>> {
    this.assertSystem(orgId, systemId);
    const rows = this.db
      .prepare('SELECT k.label, v.value FROM system_custom_values v JOIN custom_keys k ON k.id = v.key_id WHERE v.system_id = ? ORDER BY k.label')
      .all(systemId) as { label: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.label, r.value]));
  }

  /** Sets values by key label, all or none: a label the org lacks is InvalidArgument('customkey.unknown'). */
  async setCustomValues(orgId: number, systemId: number, values: Readonly<Record<string, string>>): Promise<void> {
    this.db.transaction(() => {
      this.assertSystem(orgId, systemId);
      const set = this.db.prepare('INSERT INTO system_custom_values (system_id, key_id, value) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value');
      for (const [label, value] of Object.entries(values)) set.run(systemId, this.keyIdInTx(orgId, label), value);
    })();
  }

  /** Removes values by key label (same refusal as setCustomValues); returns how many existed. */
  async deleteCustomValues(orgId: number, systemId: number, labels: readonly string[]): Promise<number> {
    return this.db.transaction(() => {
      this.assertSystem(orgId, systemId);
      const del = this.db.prepare('DELETE FROM system_custom_values WHERE system_id = ? AND key_id = ?');
      let n = 0;
      for (const label of labels) n += del.run(systemId, this.keyIdInTx(orgId, label)).changes;
      return n;
    })();
  }

  private keyIdInTx(orgId: number, label: string): number {
    const id = this.db.prepare('SELECT id FROM custom_keys WHERE org_id = ? AND label = ?').pluck().get(orgId, label) as number | undefined;
    if (id === undefined) throw new InvalidArgument('customkey.unknown', `Undefined custom field: ${label}`);
    return id;
  }
}
