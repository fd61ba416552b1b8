// What the /XMLRPC handlers run on: the stores, the install's token key and the clock, and the
// per-call systemid check of client-protocol.md 2.3 (parse cached by document text, secret
// compared once per secret, fault 31 for disabled systems, check-ins buffered).
import type { Stores, SystemAuth } from '../channels/index.js';
import type { ClientCapabilities } from './capabilities.js';
import { CheckinBuffer, type CheckinLog } from './checkins.js';
import { ClientFault, invalidSystemFault } from './faults.js';
import { checksumMatches, readSystemId, type SystemIdDocument } from './systemid.js';

export interface ClientDeps {
  stores: Stores;
  /** K of the X-RHN-Auth tokens (client-protocol.md 4.2) */
  authKey: string;
  /** lifetime of login tokens in seconds (default 3600) */
  tokenLifetime?: number;
  /** milliseconds since the epoch (tests move it) */
  now?: () => number;
  /** background failures (check-in flushes) */
  log?: CheckinLog;
  /** how often buffered check-ins are written, ms (default 1000) */
  checkinFlushMs?: number;
}

export interface ClientEnv {
  stores: Stores;
  authKey: string;
  tokenLifetime: number;
  now(): number;
  gate: SystemGate;
  statusCache: StatusCache;
  /** the capability set last stored per system */
  capabilitiesSeen: Map<number, ClientCapabilities>;
}

/**
 * A cached copy of a decoded text. V8 keeps a substring of a request body as a slice of it, so a
 * value kept as it is holds the whole body (2-3 KB per guest for a kernel version). Systemid
 * texts need none: the decoder hands out one detached string per systemid (fast-decode.ts).
 */
const ownCopy = (text: string): string => Buffer.from(text, 'utf16le').toString('utf16le');

// Real systemids are about 1.2 KB; bigger texts are checked but not kept.
const MAX_CACHED_TEXT = 8 * 1024;
const MAX_CACHED_DOCS = 50_000;

/**
 * What is kept per systemid text: its id, and the parsed document only until its checksum has
 * matched (a fleet's worth of parsed documents is ~30 objects per guest for the collector to
 * walk; a new secret, rare, reads the text again).
 */
interface CachedDoc {
  serverId: number;
  doc: SystemIdDocument | null;
  /** the secret the checksum last matched; compared by value, so a new secret is checked again */
  verifiedWith: string | null;
}

/** The systemid check every call taking one makes, kept cheap for the check-in path. */
export class SystemGate {
  private readonly docs = new Map<string, CachedDoc>();

  constructor(
    private readonly stores: Stores,
    readonly checkins: CheckinBuffer,
    private readonly now: () => number,
  ) {}

  /**
   * Validates a systemid (fault 9, 28) and records the check-in. `entitled` handlers (up2date,
   * queue, errata) also refuse a disabled system with fault 31; registration does not.
   */
  authenticate(text: unknown, opts: { entitled: boolean }): SystemAuth {
    const entry = this.parse(text);
    const auth = this.stores.systems.getAuthSync(entry.serverId);
    if (!auth) throw invalidSystemFault();
    if (entry.verifiedWith !== auth.secret) {
      if (!checksumMatches(entry.doc ?? readSystemId(text), auth.secret)) throw invalidSystemFault();
      entry.verifiedWith = auth.secret;
      entry.doc = null;
    }
    if (opts.entitled && auth.disabled) throw new ClientFault(31, `Service not enabled for system profile: "${auth.name}"`);
    this.checkins.touch(auth.id, Math.floor(this.now() / 1000));
    return auth;
  }

  private parse(text: unknown): CachedDoc {
    if (typeof text === 'string') {
      const hit = this.docs.get(text);
      if (hit) return hit;
    }
    const doc = readSystemId(text);
    const entry: CachedDoc = { serverId: doc.serverId, doc, verifiedWith: null };
    if (typeof text === 'string' && text.length <= MAX_CACHED_TEXT) {
      if (this.docs.size >= MAX_CACHED_DOCS) this.docs.delete(this.docs.keys().next().value!);
      this.docs.set(text, entry);
    }
    return entry;
  }
}

/** A system's running kernel and last boot (Unix seconds) as stored. */
export interface KnownStatus {
  runningKernel: string;
  lastBoot: number | null;
}

const MAX_KNOWN_STATUS = 200_000;

/**
 * What queue.get's status last stored per system, so that the usual unchanged report needs no
 * transaction. Only queue.get writes these columns; an entry that turns out stale is dropped.
 */
export class StatusCache {
  private readonly known = new Map<number, KnownStatus>();

  constructor(private readonly stores: Stores) {}

  async get(auth: SystemAuth): Promise<KnownStatus> {
    const hit = this.known.get(auth.id);
    if (hit) return hit;
    const s = this.stores.systems.statusSync(auth.id);
    const known = { runningKernel: s?.runningKernel ?? '', lastBoot: s?.lastBoot ?? null };
    this.set(auth.id, known);
    return known;
  }

  set(id: number, status: KnownStatus): void {
    if (this.known.size >= MAX_KNOWN_STATUS && !this.known.has(id)) this.known.clear();
    this.known.set(id, { runningKernel: ownCopy(status.runningKernel), lastBoot: status.lastBoot });
  }

  drop(id: number): void {
    this.known.delete(id);
  }
}

export function createClientEnv(deps: ClientDeps): ClientEnv {
  const now = deps.now ?? Date.now;
  const checkins = new CheckinBuffer((batch) => deps.stores.systems.touchCheckins(batch), deps.checkinFlushMs ?? 1000, deps.log);
  return {
    stores: deps.stores,
    authKey: deps.authKey,
    tokenLifetime: deps.tokenLifetime ?? 3600,
    now,
    gate: new SystemGate(deps.stores, checkins, now),
    statusCache: new StatusCache(deps.stores),
    capabilitiesSeen: new Map(),
  };
}

const MAX_CAPABILITIES_SEEN = 200_000;

/**
 * Keeps the request's client capabilities for the system (1.9). Parsed headers are shared per
 * header text, so the set a system sent last time is recognised by identity without any work.
 */
export async function storeCapabilities(env: ClientEnv, systemId: number, caps: ClientCapabilities): Promise<void> {
  if (env.capabilitiesSeen.get(systemId) === caps) return;
  await env.stores.inventory.setCapabilities(
    systemId,
    [...caps.values()].map((c) => ({ name: c.name, version: c.version, value: c.value })),
  );
  if (env.capabilitiesSeen.size >= MAX_CAPABILITIES_SEEN) env.capabilitiesSeen.clear();
  env.capabilitiesSeen.set(systemId, caps);
}

export type Struct = { [key: string]: unknown };

export const isStruct = (v: unknown): v is Struct =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v);

/** A text argument as Python would str() a scalar; '' for anything else. */
export function textArg(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return '';
}
