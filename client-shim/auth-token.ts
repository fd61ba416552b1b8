// The X-RHN-Auth login token (client-protocol.md 4.2): issued by up2date.login, echoed by the
// yum/dnf plugins as five X-RHN-* headers on every GET-REQ, checked here without any state.
import { createHash, timingSafeEqual } from 'node:crypto';
import { ClientFault } from './faults.js';

/** The five values the signature binds, as the client echoes them (text). */
export interface AuthTokenFields {
  serverId: string;
  /** always '' for systems (Spacewalk's auth_system leaves the user empty) */
  userId: string;
  serverTime: string;
  expireOffset: string;
}

/** Spacewalk's default client_auth_timeout. */
export const DEFAULT_TOKEN_LIFETIME = 3600;

/**
 * rhnLib.computeSignature: base64(SHA-256(K "\n" serverId "\n" userId "\n" time "\n" offset "\n")),
 * K being the persistent per-install key.
 */
export function signAuthToken(key: string, f: AuthTokenFields): string {
  return createHash('sha256').update(`${key}\n${f.serverId}\n${f.userId}\n${f.serverTime}\n${f.expireOffset}\n`, 'utf8').digest('base64');
}

/** The token part of up2date.login's answer, keyed as the client expects it. */
export interface LoginToken {
  'X-RHN-Server-Id': number;
  'X-RHN-Auth-User-Id': string;
  'X-RHN-Auth': string;
  'X-RHN-Auth-Server-Time': string;
  'X-RHN-Auth-Expire-Offset': string;
}

/** Seconds as Python 2 `str(float)` would show them here: "1591178434.12", "3600.0". */
function pyFloatText(seconds: number, decimals: number): string {
  const fixed = seconds.toFixed(decimals).replace(/0+$/, '');
  return fixed.endsWith('.') ? `${fixed}0` : fixed;
}

/** A token for a system, issued at `nowMs` and valid for `lifetimeSeconds`. */
export function issueLoginToken(key: string, serverId: number, nowMs: number, lifetimeSeconds = DEFAULT_TOKEN_LIFETIME): LoginToken {
  const fields: AuthTokenFields = {
    serverId: String(serverId),
    userId: '',
    serverTime: pyFloatText(nowMs / 1000, 2),
    expireOffset: pyFloatText(lifetimeSeconds, 1),
  };
  return {
    'X-RHN-Server-Id': serverId,
    'X-RHN-Auth-User-Id': fields.userId,
    'X-RHN-Auth': signAuthToken(key, fields),
    'X-RHN-Auth-Server-Time': fields.serverTime,
    'X-RHN-Auth-Expire-Offset': fields.expireOffset,
  };
}

/** A request header map as Node gives it (or any casing). */
export type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;

export type AuthCheck =
  | { ok: true; serverId: number; userId: string; expiresAt: number }
  /** 405: a token header is missing (checked before anything else, as Spacewalk does) */
  | { ok: false; status: 405 }
  /** fault 33 (bad signature) or 34 (expired): sent as a GET fault, HTTP 401 */
  | { ok: false; status: 401; fault: ClientFault };

function header(headers: HeaderMap, name: string): string | undefined {
  let v = headers[name];
  if (v === undefined) {
    for (const k of Object.keys(headers)) if (k.toLowerCase() === name) v = headers[k];
  }
  return Array.isArray(v) ? (v as readonly string[])[0] : (v as string | undefined);
}

// Python's float() reads these; only plain decimals are accepted so that nothing can be smuggled
// after the signed text (the signature is a keyed prefix hash, not an HMAC).
const DECIMAL = /^\d{1,15}(?:\.\d{1,9})?$/;

/**
 * Checks the five X-RHN-* headers of a GET (4.2, 5.2): all present (else 405), signature (fault 33),
 * expiry (fault 34). Does not check that the system still exists.
 */
export function checkAuthHeaders(headers: HeaderMap, key: string, nowMs: number): AuthCheck {
  const serverId = header(headers, 'x-rhn-server-id');
  const userId = header(headers, 'x-rhn-auth-user-id');
  const token = header(headers, 'x-rhn-auth');
  const serverTime = header(headers, 'x-rhn-auth-server-time');
  const expireOffset = header(headers, 'x-rhn-auth-expire-offset');
  if (serverId === undefined || userId === undefined || token === undefined || serverTime === undefined || expireOffset === undefined) {
    return { ok: false, status: 405 };
  }
  const badKey = (): AuthCheck => ({ ok: false, status: 401, fault: new ClientFault(33, 'Invalid client session key') });
  if (!/^\d{1,10}$/.test(serverId) || !DECIMAL.test(serverTime) || !DECIMAL.test(expireOffset)) return badKey();
  const expected = Buffer.from(signAuthToken(key, { serverId, userId, serverTime, expireOffset }), 'latin1');
  const given = Buffer.from(token, 'latin1');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return badKey();
  const expiresAt = (Number(serverTime) + Number(expireOffset)) * 1000;
  if (expiresAt < nowMs) return { ok: false, status: 401, fault: new ClientFault(34, 'Expired client authentication token') };
  return { ok: true, serverId: Number(serverId), userId, expiresAt };
}
