// Admin API sessions: keys `<id>x<64 hex>` (the hex is SHA-256 over random secret bytes and the
// id), only a hash of the key stored, constant-time checks, and a sliding idle lifetime.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Stores, User } from '../../channels/index.js';

export const KEY_REGEX = /^[1-9][0-9]*x[a-f0-9]{64}$/;

interface CachedSession {
  userId: number;
  tokenHash: Buffer;
  /** Unix seconds */
  expires: number;
  /** expiry last written to the database */
  storedExpires: number;
}

export type SessionCheck = { ok: true; user: User; sessionId: number } | { ok: false; id: string };

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

// Writing the new expiry on every call would turn each read call into a write; the
// database copy only needs to be roughly right (it matters after a restart).
const WRITE_SLACK_SECONDS = 60;

/** The id part of a key for fault texts: a short excerpt of whatever was sent, never all of it. */
export function sessionIdText(key: string): string {
  return /^\d{1,19}(?=x)/.exec(key)?.[0] ?? (key.length > 40 ? `${key.slice(0, 40)}...` : key);
}

export class SessionManager {
  private readonly cache = new Map<number, CachedSession>();

  constructor(
    private readonly stores: Stores,
    readonly lifetime: number,
  ) {}

  async create(user: User, duration = this.lifetime): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const secret = randomBytes(32);
    let key = '';
    const id = await this.stores.users.createSession(user.id, now + duration, (rowId) => {
      key = `${rowId}x${createHash('sha256').update(secret).update(String(rowId)).digest('hex')}`;
      return sha256(key).toString('hex');
    });
    const tokenHash = sha256(key);
    this.cache.set(id, { userId: user.id, tokenHash, expires: now + duration, storedExpires: now + duration });
    return key;
  }

  /** Looks the key up; an unknown, altered or expired key gives { ok: false }. */
  check(key: string): SessionCheck {
    const idText = sessionIdText(key);
    if (!KEY_REGEX.test(key)) return { ok: false, id: idText };
    const id = Number(idText);
    const session = this.load(id);
    const now = Math.floor(Date.now() / 1000);
    if (!session || !timingSafeEqual(session.tokenHash, sha256(key)) || session.expires < now) {
      if (session && session.expires < now) this.drop(id);
      return { ok: false, id: idText };
    }
    const user = this.stores.users.getUserByIdSync(session.userId);
    if (!user || !user.enabled) return { ok: false, id: idText };
    return { ok: true, user, sessionId: id };
  }

  /** Slides the expiry after a call: never earlier than last use + lifetime. */
  touch(sessionId: number): void {
    const session = this.cache.get(sessionId);
    if (!session) return;
    const now = Math.floor(Date.now() / 1000);
    session.expires = Math.max(session.expires, now + this.lifetime);
    if (session.expires - session.storedExpires >= WRITE_SLACK_SECONDS) {
      this.stores.users.touchSessionSync(sessionId, session.expires);
      session.storedExpires = session.expires;
    }
  }

  async destroy(key: string): Promise<boolean> {
    const check = this.check(key);
    if (!check.ok) return false;
    this.drop(check.sessionId);
    return true;
  }

  /** Forgets every session of a user (deleted or disabled accounts). */
  forgetUser(userId: number): void {
    for (const [id, s] of this.cache) if (s.userId === userId) this.cache.delete(id);
  }

  async purgeExpired(): Promise<number> {
    const now = Math.floor(Date.now() / 1000);
    for (const [id, s] of this.cache) if (s.expires < now) this.cache.delete(id);
    return this.stores.users.purgeSessions(now);
  }

  private load(id: number): CachedSession | undefined {
    let session = this.cache.get(id);
    if (!session) {
      const row = this.stores.users.getSessionSync(id);
      if (!row || !/^[a-f0-9]{64}$/.test(row.tokenHash)) return undefined;
      session = { userId: row.userId, tokenHash: Buffer.from(row.tokenHash, 'hex'), expires: row.expires, storedExpires: row.expires };
      this.cache.set(id, session);
    }
    return session;
  }

  private drop(id: number): void {
    this.cache.delete(id);
    void this.stores.users.deleteSession(id);
  }
}
