// SQL for organisations, users, roles, API sessions and install-wide settings.
import type { Db } from './db.js';
import type { NewUser, Org, Role, User } from '../model.js';
import { AlreadyExists, NotFound } from '../errors.js';
import { nowSeconds, toDate, toDateOrNull } from './rows.js';

interface UserRow {
  id: number;
  org_id: number;
  org_name: string;
  login: string;
  password_hash: string;
  first_name: string;
  last_name: string;
  email: string;
  prefix: string;
  enabled: number;
  read_only: number;
  use_pam: number;
  errata_notification: number;
  created: number;
  last_login: number | null;
  roles: string | null;
}

const USER_SELECT = `SELECT u.*, o.name AS org_name,
  (SELECT group_concat(role) FROM user_roles r WHERE r.user_id = u.id) AS roles
  FROM users u JOIN orgs o ON o.id = u.org_id`;

function toUser(r: UserRow): User {
  return {
    id: r.id,
    orgId: r.org_id,
    orgName: r.org_name,
    login: r.login,
    passwordHash: r.password_hash,
    firstName: r.first_name,
    lastName: r.last_name,
    email: r.email,
    prefix: r.prefix,
    enabled: r.enabled === 1,
    readOnly: r.read_only === 1,
    usePam: r.use_pam === 1,
    errataNotification: r.errata_notification === 1,
    created: toDate(r.created),
    lastLogin: toDateOrNull(r.last_login),
    roles: r.roles ? (r.roles.split(',').sort() as Role[]) : [],
  };
}

export interface SessionRow {
  id: number;
  userId: number;
  tokenHash: string;
  expires: number;
}

export type UserField = 'firstName' | 'lastName' | 'email' | 'prefix' | 'passwordHash' | 'enabled' | 'readOnly' | 'errataNotification' | 'usePam';
const USER_COLUMNS: Record<UserField, string> = {
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  prefix: 'prefix',
  passwordHash: 'password_hash',
  enabled: 'enabled',
  readOnly: 'read_only',
  errataNotification: 'errata_notification',
  usePam: 'use_pam',
};

const USER_CACHE_MS = 5000;

export class UserStore {
  private readonly cache = new Map<number, { user: User; until: number }>();
  private readonly byLogin;
  private readonly byId;
  private readonly sessionById;
  private readonly sessionTouch;

  constructor(private readonly db: Db) {
    this.byLogin = db.prepare(`${USER_SELECT} WHERE u.login_lc = ?`);
    this.byId = db.prepare(`${USER_SELECT} WHERE u.id = ?`);
    this.sessionById = db.prepare('SELECT id, user_id AS userId, token_hash AS tokenHash, expires FROM sessions WHERE id = ?');
    this.sessionTouch = db.prepare('UPDATE sessions SET expires = ? WHERE id = ?');
  }

  async getSetting(key: string): Promise<string | null> {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? row.value : null;
  }

  /** Stores the value unless one exists; returns the value now stored (first writer wins). */
  async initSetting(key: string, value: string): Promise<string> {
    return this.initSettingSync(key, value);
  }

  /** initSetting for start-up code that is not async. */
  initSettingSync(key: string, value: string): string {
    this.db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(key, value);
    return (this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string }).value;
  }

  async ensureOrg(name: string): Promise<Org> {
    const existing = this.db.prepare('SELECT * FROM orgs ORDER BY id LIMIT 1').get() as { id: number; name: string; created: number } | undefined;
    if (existing) return { id: existing.id, name: existing.name, created: toDate(existing.created) };
    const now = nowSeconds();
    const info = this.db.prepare('INSERT INTO orgs (id, name, created) VALUES (1, ?, ?)').run(name, now);
    return { id: Number(info.lastInsertRowid), name, created: toDate(now) };
  }

  async getOrg(id: number): Promise<Org | null> {
    const r = this.db.prepare('SELECT * FROM orgs WHERE id = ?').get(id) as { id: number; name: string; created: number } | undefined;
    return r ? { id: r.id, name: r.name, created: toDate(r.created) } : null;
  }

  async getOrgByName(name: string): Promise<Org | null> {
    const r = this.db.prepare('SELECT * FROM orgs WHERE name = ?').get(name) as { id: number; name: string; created: number } | undefined;
    return r ? { id: r.id, name: r.name, created: toDate(r.created) } : null;
  }

  async listOrgs(): Promise<Org[]> {
    return (this.db.prepare('SELECT * FROM orgs ORDER BY id').all() as { id: number; name: string; created: number }[]).map((r) => ({
      id: r.id,
      name: r.name,
      created: toDate(r.created),
    }));
  }

  /** Counts shown by org.getDetails. */
  async orgCounts(orgId: number): Promise<{ users: number }> {
    const users = (this.db.prepare('SELECT count(*) AS n FROM users WHERE org_id = ? AND enabled = 1').get(orgId) as { n: number }).n;
    return { users };
  }

  async countUsers(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  async getUserByLogin(login: string): Promise<User | null> {
    const r = this.byLogin.get(login.toLowerCase()) as UserRow | undefined;
    return r ? toUser(r) : null;
  }

  /**
   * Synchronous twin of getUserById for the per-call session check on the hot path. Users are
   * cached briefly; every write through this store drops the entry at once, and the short
   * lifetime covers writes by another process sharing the database.
   */
  getUserByIdSync(id: number): User | null {
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && hit.until > now) return hit.user;
    const r = this.byId.get(id) as UserRow | undefined;
    if (!r) {
      this.cache.delete(id);
      return null;
    }
    const user = toUser(r);
    this.cache.set(id, { user, until: now + USER_CACHE_MS });
    return user;
  }

  async getUserById(id: number): Promise<User | null> {
    return this.getUserByIdSync(id);
  }

  async listUsers(orgId: number): Promise<User[]> {
    return (this.db.prepare(`${USER_SELECT} WHERE u.org_id = ? ORDER BY u.login_lc`).all(orgId) as UserRow[]).map(toUser);
  }

  async createUser(u: NewUser): Promise<User> {
    const tx = this.db.transaction(() => {
      if (this.byLogin.get(u.login.toLowerCase())) throw new AlreadyExists('user', 'login', u.login);
      const info = this.db
        .prepare(
          `INSERT INTO users (org_id, login, login_lc, password_hash, first_name, last_name, email, prefix, use_pam, created)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(u.orgId, u.login, u.login.toLowerCase(), u.passwordHash, u.firstName ?? '', u.lastName ?? '', u.email ?? '', u.prefix ?? '', u.usePam ? 1 : 0, nowSeconds());
      const id = Number(info.lastInsertRowid);
      const addRole = this.db.prepare('INSERT OR IGNORE INTO user_roles (user_id, role) VALUES (?, ?)');
      for (const role of u.roles ?? []) addRole.run(id, role);
      return id;
    });
    return this.getUserByIdSync(tx())!;
  }

  async updateUser(id: number, fields: Partial<Record<UserField, string | boolean>>): Promise<void> {
    const sets: string[] = [];
    const values: (string | number)[] = [];
    for (const [k, v] of Object.entries(fields) as [UserField, string | boolean][]) {
      sets.push(`${USER_COLUMNS[k]} = ?`);
      values.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
    }
    if (sets.length === 0) return;
    this.cache.delete(id);
    const info = this.db.prepare(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
    if (info.changes === 0) throw new NotFound('user', id);
  }

  async deleteUser(id: number): Promise<void> {
    this.cache.delete(id);
    this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
  }

  async setRoles(userId: number, add: Role[], remove: Role[]): Promise<void> {
    this.cache.delete(userId);
    this.db.transaction(() => {
      const ins = this.db.prepare('INSERT OR IGNORE INTO user_roles (user_id, role) VALUES (?, ?)');
      const del = this.db.prepare('DELETE FROM user_roles WHERE user_id = ? AND role = ?');
      for (const r of add) ins.run(userId, r);
      for (const r of remove) del.run(userId, r);
    })();
  }

  async recordLogin(userId: number): Promise<void> {
    this.cache.delete(userId);
    this.db.prepare('UPDATE users SET last_login = ? WHERE id = ?').run(nowSeconds(), userId);
  }

  /** Creates a session row; the token hash depends on the row id, so it is computed inside the transaction. */
  async createSession(userId: number, expires: number, tokenHashFor: (id: number) => string): Promise<number> {
    return this.db.transaction(() => {
      const info = this.db
        .prepare('INSERT INTO sessions (user_id, token_hash, created, expires) VALUES (?, ?, ?, ?)')
        .run(userId, '', nowSeconds(), expires);
      const id = Number(info.lastInsertRowid);
      this.db.prepare('UPDATE sessions SET token_hash = ? WHERE id = ?').run(tokenHashFor(id), id);
      return id;
    })();
  }

  getSessionSync(id: number): SessionRow | null {
    return (this.sessionById.get(id) as SessionRow | undefined) ?? null;
  }

  touchSessionSync(id: number, expires: number): void {
    this.sessionTouch.run(expires, id);
  }

  async deleteSession(id: number): Promise<boolean> {
    return this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id).changes > 0;
  }

  async purgeSessions(before: number): Promise<number> {
    return this.db.prepare('DELETE FROM sessions WHERE expires < ?').run(before).changes;
  }
}
