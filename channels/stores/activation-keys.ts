// SQL for activation keys: create, read with everything a key grants (channels, entitlements,
// groups, packages) and its usage, update, delete, the org's universal default key, and the
// systems a key registered.
import type { Db } from './db.js';
import type { ActivatedSystem, ActivationKey, ActivationKeyPackage, ActivationKeyUpdate, NewActivationKey } from '../model-systems.js';
import { AlreadyExists, InvalidArgument, NotFound } from '../errors.js';
import { nowSeconds, toDate } from './rows.js';
import { CHANNEL_VISIBLE, LAST_CHECKIN } from './system-rows.js';

interface KeyRow {
  id: number;
  org_id: number;
  key: string;
  description: string;
  base_channel_id: number | null;
  base_label: string | null;
  usage_limit: number;
  usage_count: number;
  universal_default: number;
  disabled: number;
  config_deploy: number;
  creator_id: number | null;
  creator_login: string | null;
  created: number;
  children: string;
  ents: string;
  grp_ids: string;
  pkgs: string;
}

const SELECT = `SELECT k.*, b.label AS base_label, u.login AS creator_login,
  (SELECT count(*) FROM system_activation_keys x WHERE x.key_id = k.id) AS usage_count,
  (SELECT json_group_array(json_array(c.id, c.label) ORDER BY c.label) FROM activation_key_channels kc
     JOIN channels c ON c.id = kc.channel_id WHERE kc.key_id = k.id) AS children,
  (SELECT json_group_array(e.entitlement ORDER BY e.entitlement) FROM activation_key_entitlements e WHERE e.key_id = k.id) AS ents,
  (SELECT json_group_array(g.group_id ORDER BY g.group_id) FROM activation_key_groups g WHERE g.key_id = k.id) AS grp_ids,
  (SELECT json_group_array(json_array(p.name, p.arch) ORDER BY p.name, p.arch) FROM activation_key_packages p WHERE p.key_id = k.id) AS pkgs
  FROM activation_keys k LEFT JOIN channels b ON b.id = k.base_channel_id LEFT JOIN users u ON u.id = k.creator_id`;

function toKey(r: KeyRow): ActivationKey {
  const children = JSON.parse(r.children) as [number, string][];
  return {
    id: r.id,
    orgId: r.org_id,
    key: r.key,
    description: r.description,
    baseChannelId: r.base_channel_id,
    baseChannelLabel: r.base_label,
    usageLimit: r.usage_limit,
    usageCount: r.usage_count,
    universalDefault: r.universal_default === 1,
    disabled: r.disabled === 1,
    configDeploy: r.config_deploy === 1,
    creatorId: r.creator_id,
    creatorLogin: r.creator_login,
    created: toDate(r.created),
    childChannelIds: children.map((c) => c[0]),
    childChannelLabels: children.map((c) => c[1]),
    entitlements: JSON.parse(r.ents) as string[],
    groupIds: JSON.parse(r.grp_ids) as number[],
    packages: (JSON.parse(r.pkgs) as [string, string][]).map(([name, arch]) => ({ name, arch })),
  };
}

const UPDATE_COLUMNS: Record<keyof ActivationKeyUpdate, string> = {
  description: 'description',
  baseChannelId: 'base_channel_id',
  usageLimit: 'usage_limit',
  universalDefault: 'universal_default',
  disabled: 'disabled',
  configDeploy: 'config_deploy',
};

export class ActivationKeyStore {
  private readonly byKeyStmt;
  private readonly byIdStmt;

  constructor(private readonly db: Db) {
    this.byKeyStmt = db.prepare(`${SELECT} WHERE k.key = ?`);
    this.byIdStmt = db.prepare(`${SELECT} WHERE k.id = ? AND k.org_id = ?`);
  }

  /** Creates a key (the caller has added the `<org id>-` prefix); a universal default replaces the org's previous one. */
  async create(k: NewActivationKey): Promise<ActivationKey> {
    const id = this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM activation_keys WHERE key = ?').get(k.key)) throw new AlreadyExists('activationkey', 'key', k.key);
      if (k.baseChannelId != null) this.checkBaseInTx(k.orgId, k.baseChannelId);
      if (k.universalDefault) this.clearUniversalInTx(k.orgId);
      const info = this.db
        .prepare(
          `INSERT INTO activation_keys (org_id, key, description, base_channel_id, usage_limit, universal_default, creator_id, created)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(k.orgId, k.key, k.description ?? '', k.baseChannelId ?? null, k.usageLimit ?? 0, k.universalDefault ? 1 : 0, k.creatorId ?? null, nowSeconds());
      const keyId = Number(info.lastInsertRowid);
      const ent = this.db.prepare('INSERT OR IGNORE INTO activation_key_entitlements (key_id, entitlement) VALUES (?, ?)');
      for (const e of k.entitlements ?? []) ent.run(keyId, e);
      return keyId;
    })();
    return toKey(this.byIdStmt.get(id, k.orgId) as KeyRow);
  }

  private checkBaseInTx(orgId: number, channelId: number): void {
    const c = this.db.prepare(`SELECT c.parent_id FROM channels c WHERE c.id = @id AND ${CHANNEL_VISIBLE}`).get({ id: channelId, org: orgId }) as
      | { parent_id: number | null }
      | undefined;
    if (!c) throw new NotFound('channel', channelId);
    if (c.parent_id !== null) throw new InvalidArgument('activationkey.base_channel', `Channel ${channelId} is not a base channel`);
  }

  private clearUniversalInTx(orgId: number): void {
    this.db.prepare('UPDATE activation_keys SET universal_default = 0 WHERE org_id = ? AND universal_default = 1').run(orgId);
  }

  /** A key by its full string; with `orgId`, only the org's own. Registration looks keys up without an org. */
  async getByKey(key: string, orgId?: number): Promise<ActivationKey | null> {
    const r = this.byKeyStmt.get(key) as KeyRow | undefined;
    return r && (orgId === undefined || r.org_id === orgId) ? toKey(r) : null;
  }

  async getById(orgId: number, id: number): Promise<ActivationKey | null> {
    const r = this.byIdStmt.get(id, orgId) as KeyRow | undefined;
    return r ? toKey(r) : null;
  }

  async list(orgId: number): Promise<ActivationKey[]> {
    return (this.db.prepare(`${SELECT} WHERE k.org_id = ? ORDER BY k.key`).all(orgId) as KeyRow[]).map(toKey);
  }

  async universalDefault(orgId: number): Promise<ActivationKey | null> {
    const r = this.db.prepare(`${SELECT} WHERE k.org_id = ? AND k.universal_default = 1 ORDER BY k.id LIMIT 1`).get(orgId) as KeyRow | undefined;
    return r ? toKey(r) : null;
  }

  async update(orgId: number, id: number, fields: ActivationKeyUpdate): Promise<void> {
    this.db.transaction(() => {
      this.assertInOrg(orgId, id);
      const cols: string[] = [];
      const values: unknown[] = [];
      for (const [k, v] of Object.entries(fields) as [keyof ActivationKeyUpdate, unknown][]) {
        if (v === undefined) continue;
        cols.push(`${UPDATE_COLUMNS[k]} = ?`);
        values.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
      }
      if (cols.length === 0) return;
      if (fields.baseChannelId != null) this.checkBaseInTx(orgId, fields.baseChannelId);
      if (fields.universalDefault) this.clearUniversalInTx(orgId);
      this.db.prepare(`UPDATE activation_keys SET ${cols.join(', ')} WHERE id = ?`).run(...values, id);
    })();
  }

  async delete(orgId: number, id: number): Promise<boolean> {
    return this.db.prepare('DELETE FROM activation_keys WHERE id = ? AND org_id = ?').run(id, orgId).changes > 0;
  }

  private assertInOrg(orgId: number, id: number): void {
    if (!this.db.prepare('SELECT 1 FROM activation_keys WHERE id = ? AND org_id = ?').get(id, orgId)) throw new NotFound('activationkey', id);
  }

  /** Runs one statement per item for a key of the org, in one transaction; returns the rows changed. */
  private each<T>(orgId: number, id: number, items: readonly T[], sql: string, args: (item: T) => unknown[], check?: (item: T) => void): number {
    return this.db.transaction(() => {
      this.assertInOrg(orgId, id);
      const stmt = this.db.prepare(sql);
      let n = 0;
      for (const item of items) {
        check?.(item);
        n += stmt.run(id, ...args(item)).changes;
      }
      return n;
    })();
  }

  /** Adds visible child channels (any parent: Spacewalk checks the base only at registration). */
  async addChildChannels(orgId: number, id: number, channelIds: readonly number[]): Promise<number> {
    const visible = this.db.prepare(`SELECT c.parent_id FROM channels c WHERE c.id = @id AND ${CHANNEL_VISIBLE}`);
    const check = (channelId: number): void => {
      const c = visible.get({ id: channelId, org: orgId }) as { parent_id: number | null } | undefined;
      if (!c) throw new NotFound('channel', channelId);
      if (c.parent_id === null) throw new InvalidArgument('activationkey.child_channel', `Channel ${channelId} is not a child channel`);
    };
    return this.each(orgId, id, channelIds, 'INSERT OR IGNORE INTO activation_key_channels (key_id, channel_id) VALUES (?, ?)', (c) => [c], check);
  }

  async removeChildChannels(orgId: number, id: number, channelIds: readonly number[]): Promise<number> {
    return this.each(orgId, id, channelIds, 'DELETE FROM activation_key_channels WHERE key_id = ? AND channel_id = ?', (c) => [c]);
  }

  async addEntitlements(orgId: number, id: number, entitlements: readonly string[]): Promise<number> {
    return this.each(orgId, id, entitlements, 'INSERT OR IGNORE INTO activation_key_entitlements (key_id, entitlement) VALUES (?, ?)', (e) => [e]);
  }

  async removeEntitlements(orgId: number, id: number, entitlements: readonly string[]): Promise<number> {
    return this.each(orgId, id, entitlements, 'DELETE FROM activation_key_entitlements WHERE key_id = ? AND entitlement = ?', (e) => [e]);
  }

  /** Adds groups of the key's org (InvalidArgument systemgroup.invalid otherwise). */
  async addGroups(orgId: number, id: number, groupIds: readonly number[]): Promise<number> {
    const groupOrg = this.db.prepare('SELECT org_id FROM system_groups WHERE id = ?').pluck();
    const check = (g: number): void => {
      if (groupOrg.get(g) !== orgId) throw new InvalidArgument('systemgroup.invalid', `No such system group: ${g}`);
    };
    return this.each(orgId, id, groupIds, 'INSERT OR IGNORE INTO activation_key_groups (key_id, group_id) VALUES (?, ?)', (g) => [g], check);
  }

  async removeGroups(orgId: number, id: number, groupIds: readonly number[]): Promise<number> {
    return this.each(orgId, id, groupIds, 'DELETE FROM activation_key_groups WHERE key_id = ? AND group_id = ?', (g) => [g]);
  }

  async addPackages(orgId: number, id: number, packages: readonly ActivationKeyPackage[]): Promise<number> {
    return this.each(orgId, id, packages, 'INSERT OR IGNORE INTO activation_key_packages (key_id, name, arch) VALUES (?, ?, ?)', (p) => [p.name, p.arch]);
  }

  async removePackages(orgId: number, id: number, packages: readonly ActivationKeyPackage[]): Promise<number> {
    return this.each(orgId, id, packages, 'DELETE FROM activation_key_packages WHERE key_id = ? AND name = ? AND arch = ?', (p) => [p.name, p.arch]);
  }

  /** How many existing systems the key registered (what its usage limit counts). */
  async usageCount(id: number): Promise<number> {
    return this.db.prepare('SELECT count(*) FROM system_activation_keys WHERE key_id = ?').pluck().get(id) as number;
  }

  async activatedSystems(orgId: number, id: number): Promise<ActivatedSystem[]> {
    const rows = this.db
      .prepare(
        `SELECT s.id, s.name, s.hostname, ${LAST_CHECKIN} AS last_checkin FROM system_activation_keys x JOIN systems s ON s.id = x.system_id
         JOIN activation_keys k ON k.id = x.key_id WHERE x.key_id = ? AND k.org_id = ? ORDER BY s.id`,
      )
      .all(id, orgId) as { id: number; name: string; hostname: string; last_checkin: number }[];
    return rows.map((r) => ({ id: r.id, name: r.name, hostname: r.hostname, lastCheckin: toDate(r.last_checkin) }));
  }

  /** The key strings that registered a system of the org. */
  async keysOfSystem(orgId: number, systemId: number): Promise<string[]> {
    return this.db
      .prepare(
        `SELECT k.key FROM system_activation_keys x JOIN activation_keys k ON k.id = x.key_id JOIN systems s ON s.id = x.system_id
         WHERE x.system_id = ? AND s.org_id = ? ORDER BY k.key`,
      )
      .pluck()
      .all(systemId, orgId) as string[];
  }
}
