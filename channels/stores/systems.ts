// SQL for registered systems: registration in one transaction, the cached per-call identity
// lookup, lists and updates, batched check-ins, channel subscriptions and add-on entitlements.
import type { Statement } from 'better-sqlite3';
import type { ChangeWatch } from './change-watch.js';
import type { Db } from './db.js';
import type { NewSystem, System, SystemAuth, SystemBrief, SystemChannel, SystemListFilter, SystemUpdate } from '../model-systems.js';
import { InvalidArgument, NotFound } from '../errors.js';
import { nowSeconds, toDate, toSeconds } from './rows.js';
import { CHANNEL_VISIBLE, IN_JSON, jsonIds, LAST_CHECKIN, MAX_ID, SYSTEM_SELECT, SYSTEM_UPDATE_COLUMNS, toBrief, toSystem, type SystemRow } from './system-rows.js';
import { checkChannelTree, checkKeyUsable } from './system-checks.js';

type AuthRaw = [number, number, string, number, number, string, string, string, string, string];

// Kept until the row changes: this connection's writes drop the entry through the change
// watch's trigger, other connections' commits drop them all (change-watch.ts).
const AUTH_CACHE_MAX = 200_000;

export class SystemStore {
  private readonly authCache = new Map<number, SystemAuth>();
  private readonly updateStmts = new Map<string, Statement>();
  private readonly authStmt;
  private readonly byIdStmt;
  private readonly inOrgStmt;
  private readonly checkinStmt;
  private readonly visibleChannelStmt;
  private readonly channelsStmt;
  private readonly statusStmt;

  constructor(
    private readonly db: Db,
    private readonly watch: ChangeWatch,
  ) {
    watch.onRow('system', (id) => this.authCache.delete(id));
    watch.onExternal(() => this.authCache.clear());
    this.authStmt = db
      .prepare('SELECT id, org_id, secret, disabled, locked, name, os_release, release_name, architecture, username FROM systems WHERE id = ?')
      .raw(true);
    this.byIdStmt = db.prepare(`${SYSTEM_SELECT} WHERE s.id = ? AND s.org_id = ?`);
    this.inOrgStmt = db.prepare('SELECT 1 FROM systems WHERE id = ? AND org_id = ?').pluck();
    this.checkinStmt = db.prepare('UPDATE system_checkins SET last_checkin = ? WHERE system_id = ? AND last_checkin < ?');
    this.visibleChannelStmt = db.prepare(`SELECT c.id, c.parent_id FROM channels c WHERE c.id = @id AND ${CHANNEL_VISIBLE}`);
    this.channelsStmt = db.prepare(
      `SELECT c.id, c.label, c.name, c.summary, c.description, c.arch_label AS archLabel, c.parent_id AS parentId,
              p.label AS parentLabel, c.gpg_key_url AS gpgKeyUrl, c.gpg_key_id AS gpgKeyId, c.gpg_key_fp AS gpgKeyFp,
              c.last_modified AS lastModified, c.revision
       FROM system_channels sc JOIN systems s ON s.id = sc.system_id
       JOIN channels c ON c.id = sc.channel_id LEFT JOIN channels p ON p.id = c.parent_id
       WHERE sc.system_id = ? AND s.org_id = ? ORDER BY c.parent_id IS NOT NULL, c.label`,
    );
    this.statusStmt = db.prepare('SELECT running_kernel, last_boot FROM systems WHERE id = ?');
  }

  /**
   * The identity of a system for the per-call systemid check, in microseconds: a small cache in
   * front of a prepared raw-row lookup. No org check: the systemid's checksum is the credential.
   */
  getAuthSync(id: number): SystemAuth | null {
    this.watch.check();
    const hit = this.authCache.get(id);
    if (hit) return hit;
    const r = this.authStmt.get(id) as AuthRaw | undefined;
    if (!r) {
      this.authCache.delete(id);
      return null;
    }
    // frozen: every caller shares the cached object
    const auth: SystemAuth = Object.freeze({
      id: r[0], orgId: r[1], secret: r[2], disabled: r[3] === 1, locked: r[4] === 1,
      name: r[5], osRelease: r[6], releaseName: r[7], architecture: r[8], username: r[9],
    });
    if (this.authCache.size >= AUTH_CACHE_MAX) this.authCache.clear();
    this.authCache.set(id, auth);
    return auth;
  }

  async get(orgId: number, id: number): Promise<System | null> {
    const r = this.byIdStmt.get(id, orgId) as SystemRow | undefined;
    return r ? toSystem(r) : null;
  }

  /** The org's systems matching every given filter, by name. */
  async list(orgId: number, filter: SystemListFilter = {}): Promise<System[]> {
    const where = ['s.org_id = ?'];
    const params: unknown[] = [orgId];
    const add = (clause: string, ...values: unknown[]): void => {
      where.push(clause);
      params.push(...values);
    };
    if (filter.ids) add(`s.id ${IN_JSON}`, jsonIds(filter.ids));
    if (filter.name !== undefined) add('s.name = ?', filter.name);
    if (filter.creatorId !== undefined) add('s.creator_id = ?', filter.creatorId);
    if (filter.groupId !== undefined) add('EXISTS (SELECT 1 FROM system_group_members m WHERE m.system_id = s.id AND m.group_id = ?)', filter.groupId);
    if (filter.checkedInSince) add(`${LAST_CHECKIN} >= ?`, toSeconds(filter.checkedInSince));
    if (filter.checkedInBefore) add(`${LAST_CHECKIN} < ?`, toSeconds(filter.checkedInBefore));
    const sql = `${SYSTEM_SELECT} WHERE ${where.join(' AND ')} ORDER BY s.name COLLATE NOCASE, s.id`;
    return (this.db.prepare(sql).all(...params) as SystemRow[]).map(toSystem);
  }

  async count(orgId: number): Promise<number> {
    return this.db.prepare('SELECT count(*) FROM systems WHERE org_id = ?').pluck().get(orgId) as number;
  }

  /**
   * Registers a system with its subscriptions, entitlements, groups and activation-key links in
   * one transaction. Refuses (and leaves nothing) when a key is unknown to the org
   * (NotFound activationkey), disabled (Conflict activationkey.disabled) or used up
   * (Conflict activationkey.usage_limit), or a channel or group does not fit.
   */
  async create(s: NewSystem): Promise<System> {
    const id = this.db.transaction(() => this.createInTx(s)).immediate();
    return toSystem(this.byIdStmt.get(id, s.orgId) as SystemRow);
  }

  private createInTx(s: NewSystem): number {
    const now = s.now ? toSeconds(s.now) : nowSeconds();
    const keyIds = [...new Set(s.activationKeyIds ?? [])];
    for (const keyId of keyIds) checkKeyUsable(this.db, s.orgId, keyId);
    const base = s.baseChannelId ?? null;
    const children = [...new Set(s.childChannelIds ?? [])];
    checkChannelTree(this.visibleChannelStmt, s.orgId, base, children);
    const info = this.db
      .prepare(
        `INSERT INTO systems (org_id, name, secret, os_release, release_name, architecture, username, description, creator_id,
           created, hostname, ip, ip6, uuid, virt_type, base_entitlement)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        s.orgId, s.name, s.secret, s.osRelease, s.releaseName, s.architecture, s.username ?? '', s.description ?? '',
        s.creatorId ?? null, now, s.hostname ?? '', s.ip ?? '', s.ip6 ?? '', s.uuid ?? '', s.virtType ?? '',
        s.baseEntitlement ?? 'enterprise_entitled',
      );
    const id = Number(info.lastInsertRowid);
    if (id > MAX_ID) throw new Error('system ids exhausted: they must fit 31 bits');
    this.db.prepare('INSERT INTO system_checkins (system_id, last_checkin) VALUES (?, ?)').run(id, now);
    const sub = this.db.prepare('INSERT INTO system_channels (system_id, channel_id) VALUES (?, ?)');
    if (base !== null) sub.run(id, base);
    for (const c of children) sub.run(id, c);
    const ent = this.db.prepare('INSERT OR IGNORE INTO system_entitlements (system_id, entitlement) VALUES (?, ?)');
    for (const e of s.entitlements ?? []) ent.run(id, e);
    const group = this.db.prepare('SELECT org_id FROM system_groups WHERE id = ?').pluck();
    const member = this.db.prepare('INSERT OR IGNORE INTO system_group_members (group_id, system_id) VALUES (?, ?)');
    for (const g of s.groupIds ?? []) {
      if (group.get(g) !== s.orgId) throw new InvalidArgument('systemgroup.invalid', `No such system group: ${g}`);
      member.run(g, id);
    }
    const link = this.db.prepare('INSERT INTO system_activation_keys (system_id, key_id) VALUES (?, ?)');
    for (const k of keyIds) link.run(id, k);
    return id;
  }

  /** Throws NotFound unless the system exists in the org; for callers inside a transaction. */
  assertInOrg(orgId: number, id: number): void {
    if (!this.inOrgStmt.get(id, orgId)) throw new NotFound('system', id);
  }

  async update(orgId: number, id: number, fields: SystemUpdate): Promise<void> {
    this.db.transaction(() => {
      this.assertInOrg(orgId, id);
      this.updateInTx(id, fields);
    })();
  }

  /** Applies the fields to a system known to exist (inventory writes reuse it in their transaction). */
  updateInTx(id: number, fields: SystemUpdate): void {
    const cols: string[] = [];
    const values: unknown[] = [];
    for (const [k, v] of Object.entries(fields) as [keyof SystemUpdate, unknown][]) {
      if (v === undefined) continue;
      cols.push(SYSTEM_UPDATE_COLUMNS[k]);
      values.push(typeof v === 'boolean' ? (v ? 1 : 0) : v instanceof Date ? toSeconds(v) : v);
    }
    if (cols.length === 0) return;
    const sql = `UPDATE systems SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`;
    let stmt = this.updateStmts.get(sql);
    if (!stmt) this.updateStmts.set(sql, (stmt = this.db.prepare(sql)));
    stmt.run(...values, id);
    this.authCache.delete(id);
  }

  /**
   * Stores what queue.get's status reports: the running kernel when it differs, and the boot
   * time when it moved by more than `bootToleranceSeconds` (or was unknown). `bootChanged`
   * tells the caller to complete picked-up reboots.
   */
  async recordStatus(id: number, status: { runningKernel?: string; bootTime?: number; bootToleranceSeconds: number }): Promise<{ bootChanged: boolean }> {
    // IMMEDIATE: a deferred transaction that reads first gets SQLITE_BUSY at once, without
    // waiting, when a checkpoint holds the write lock at the moment it starts writing
    return this.db.transaction(() => {
      const cur = this.statusStmt.get(id) as { running_kernel: string; last_boot: number | null } | undefined;
      if (!cur) throw new NotFound('system', id);
      const fields: SystemUpdate = {};
      if (status.runningKernel !== undefined && status.runningKernel !== cur.running_kernel) fields.runningKernel = status.runningKernel;
      const boot = status.bootTime === undefined ? undefined : Math.round(status.bootTime);
      const bootChanged = boot !== undefined && (cur.last_boot === null || Math.abs(cur.last_boot - boot) > status.bootToleranceSeconds);
      if (bootChanged) fields.lastBoot = toDate(boot);
      if (Object.keys(fields).length > 0) this.updateInTx(id, fields);
      return { bootChanged };
    }).immediate();
  }

  /** Deletes the org's systems, all or none (NotFound for the first id outside the org). */
  async delete(orgId: number, ids: readonly number[]): Promise<number> {
    const n = this.db.transaction(() => {
      for (const id of ids) this.assertInOrg(orgId, id);
      return this.db.prepare(`DELETE FROM systems WHERE org_id = ? AND id ${IN_JSON}`).run(orgId, jsonIds(ids)).changes;
    })();
    for (const id of ids) this.authCache.delete(id);
    return n;
  }

  /** Records buffered check-ins (system id -> Unix seconds) in one transaction; never moves a check-in back. */
  async touchCheckins(checkins: ReadonlyMap<number, number>): Promise<number> {
    return this.db.transaction(() => {
      let n = 0;
      for (const [id, at] of checkins) n += this.checkinStmt.run(at, id, at).changes;
      return n;
    })();
  }

  /** The running kernel and last boot (Unix seconds) as stored, for queue.get's status check; null for an unknown id. */
  statusSync(id: number): { runningKernel: string; lastBoot: number | null } | null {
    const cur = this.statusStmt.get(id) as { running_kernel: string | null; last_boot: number | null } | undefined;
    return cur ? { runningKernel: cur.running_kernel ?? '', lastBoot: cur.last_boot } : null;
  }

  /** The system's channels, base first, then children by label. */
  async channels(orgId: number, id: number): Promise<SystemChannel[]> {
    const rows = this.channelsStmt.all(id, orgId) as (Omit<SystemChannel, 'lastModified'> & { lastModified: number })[];
    return rows.map((r) => ({ ...r, lastModified: toDate(r.lastModified) }));
  }

  /** Replaces every subscription: a base channel (or none) and children of that base. Returns whether anything changed. */
  async setChannels(orgId: number, id: number, baseId: number | null, childIds: readonly number[]): Promise<boolean> {
    return this.db.transaction(() => {
      this.assertInOrg(orgId, id);
      const children = [...new Set(childIds)];
      checkChannelTree(this.visibleChannelStmt, orgId, baseId, children);
      return this.replaceSubscriptionsInTx(id, baseId === null ? [] : [baseId, ...children]);
    })();
  }

  /** Replaces the child channels, keeping the base. */
  async setChildChannels(orgId: number, id: number, childIds: readonly number[]): Promise<boolean> {
    return this.db.transaction(() => {
      this.assertInOrg(orgId, id);
      const base = this.baseOfInTx(id);
      const children = [...new Set(childIds)];
      checkChannelTree(this.visibleChannelStmt, orgId, base, children);
      return this.replaceSubscriptionsInTx(id, base === null ? [] : [base, ...children]);
    })();
  }

  private baseOfInTx(id: number): number | null {
    const r = this.db
      .prepare('SELECT sc.channel_id FROM system_channels sc JOIN channels c ON c.id = sc.channel_id WHERE sc.system_id = ? AND c.parent_id IS NULL')
      .pluck()
      .get(id) as number | undefined;
    return r ?? null;
  }

  private replaceSubscriptionsInTx(id: number, channelIds: readonly number[]): boolean {
    const current = new Set(this.db.prepare('SELECT channel_id FROM system_channels WHERE system_id = ?').pluck().all(id) as number[]);
    const wanted = new Set(channelIds);
    if (current.size === wanted.size && [...wanted].every((c) => current.has(c))) return false;
    const del = this.db.prepare('DELETE FROM system_channels WHERE system_id = ? AND channel_id = ?');
    const ins = this.db.prepare('INSERT INTO system_channels (system_id, channel_id) VALUES (?, ?)');
    for (const c of current) if (!wanted.has(c)) del.run(id, c);
    for (const c of wanted) if (!current.has(c)) ins.run(id, c);
    return true;
  }

  /** The org's systems subscribed to a channel, by name. */
  async subscribers(orgId: number, channelId: number): Promise<SystemBrief[]> {
    const rows = this.db
      .prepare(
        `SELECT s.id, s.name, ${LAST_CHECKIN} AS last_checkin FROM system_channels sc JOIN systems s ON s.id = sc.system_id
         WHERE sc.channel_id = ? AND s.org_id = ? ORDER BY s.name COLLATE NOCASE, s.id`,
      )
      .all(channelId, orgId) as { id: number; name: string; last_checkin: number }[];
    return rows.map(toBrief);
  }

  /** Every system subscribed to a channel, any org (internal jobs: relevance refresh). */
  async subscriberIds(channelId: number): Promise<number[]> {
    return this.db.prepare('SELECT system_id FROM system_channels WHERE channel_id = ? ORDER BY system_id').pluck().all(channelId) as number[];
  }

  /** Add-on entitlements (the base entitlement is a column of the system). */
  async entitlements(orgId: number, id: number): Promise<string[]> {
    return this.db
      .prepare('SELECT e.entitlement FROM system_entitlements e JOIN systems s ON s.id = e.system_id WHERE e.system_id = ? AND s.org_id = ? ORDER BY e.entitlement')
      .pluck()
      .all(id, orgId) as string[];
  }

  async addEntitlements(orgId: number, id: number, entitlements: readonly string[]): Promise<number> {
    return this.changeEntitlements(orgId, id, entitlements, 'INSERT OR IGNORE INTO system_entitlements (system_id, entitlement) VALUES (?, ?)');
  }

  async removeEntitlements(orgId: number, id: number, entitlements: readonly string[]): Promise<number> {
    return this.changeEntitlements(orgId, id, entitlements, 'DELETE FROM system_entitlements WHERE system_id = ? AND entitlement = ?');
  }

  private changeEntitlements(orgId: number, id: number, entitlements: readonly string[], sql: string): number {
    return this.db.transaction(() => {
      this.assertInOrg(orgId, id);
      const stmt = this.db.prepare(sql);
      let n = 0;
      for (const e of entitlements) n += stmt.run(id, e).changes;
      return n;
    })();
  }
}
