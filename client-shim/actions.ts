// Actions on the wire (client-protocol.md 6): the per-type payload encoders queue.get hands out
// as `<methodCall>` text, and the decision table queue.submit applies to what the client reports.
import { sendsPackageArch, type ClientCapabilities } from './capabilities.js';
import { dumpMethodCall, EmbeddedXmlError, type EmbeddedValue } from './embedded-xmlrpc.js';
import { ClientFault } from './faults.js';
import { pyRepr, pyStr, pyTypeName } from './python-text.js';

/**
 * Stored payloads (actions.payload, JSON), by type:
 * - packages.update, packages.remove, packages.verify: `{packages: [[n, v, r, e, a], ...]}`, already
 *   limited to what the system can get (channels) or has (profile); v and r '' mean "latest";
 *   objects `{name, version, release, epoch, arch}` are read too;
 * - packages.runTransaction: `{packages: [[[n, v, r, e, a], 'i' | 'e' | 'u'], ...]}`;
 * - errata.update: `{errata: [erratum ids]}`;
 * - rhnsd.configure: `{interval: minutes, restart: boolean}`;
 * - packages.refresh_list, hardware.refresh_list, reboot.reboot: nothing.
 */
export const ENCODABLE_ACTION_TYPES: readonly string[] = Object.freeze([
  'packages.update',
  'packages.remove',
  'packages.refresh_list',
  'errata.update',
  'hardware.refresh_list',
  'reboot.reboot',
  'packages.runTransaction',
  'packages.verify',
  'rhnsd.configure',
]);

export interface EncodeContext {
  actionId: number;
  serverId: number;
  /** the capabilities of the queue.get request (packages.update > 1 -> arch is sent) */
  capabilities: ClientCapabilities;
}

/** A payload, or why the action cannot be delivered: the queue fails it (-99) and moves on. */
export type EncodeResult = { ok: true; methodCall: string } | { ok: false; reason: string };

type Tuple5 = [string, string, string, string, string];

class Undeliverable extends Error {}

function field(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  throw new Undeliverable('a package field is not text');
}

/** One stored package entry as [n, v, r, e, a] (epoch, version, release '' when null). */
function packageTuple(p: unknown): Tuple5 {
  if (Array.isArray(p) && p.length >= 4) return [field(p[0]), field(p[1]), field(p[2]), field(p[3]), field(p[4])];
  if (typeof p === 'object' && p !== null && !Array.isArray(p)) {
    const o = p as Record<string, unknown>;
    return [field(o['name']), field(o['version']), field(o['release']), field(o['epoch']), field(o['arch'])];
  }
  throw new Undeliverable('a package entry is neither [n, v, r, e, a] nor a struct');
}

function listOf(payload: unknown, key: string): unknown[] | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const v = (payload as Record<string, unknown>)[key];
  return Array.isArray(v) ? v : null;
}

function packages(payload: unknown, keepArch: boolean, empty: string): EmbeddedValue[] {
  const list = listOf(payload, 'packages') ?? [];
  if (list.length === 0) throw new Undeliverable(empty);
  return [list.map((p) => {
    const t = packageTuple(p);
    if (t[0] === '') throw new Undeliverable('a package entry has no name');
    if (!keepArch) t[4] = '';
    return t;
  })];
}

const OPS = ['e', 'i', 'u'];

function transaction(payload: unknown, ctx: EncodeContext): EmbeddedValue[] {
  const list = listOf(payload, 'packages');
  if (!list) throw new Undeliverable(`invalid packages.runTransaction action ${ctx.actionId} for server ${ctx.serverId}`);
  const rows = list.map((entry) => {
    if (!Array.isArray(entry) || entry.length !== 2 || !OPS.includes(entry[1] as string)) throw new Undeliverable('a transaction entry is not [[n, v, r, e, a], op]');
    return [packageTuple(entry[0]), entry[1] as string] as [Tuple5, string];
  });
  // Spacewalk orders by operation label (delete, insert, upgrade), then name
  rows.sort((a, b) => OPS.indexOf(a[1]) - OPS.indexOf(b[1]) || (a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : 0));
  return [{ packages: rows }];
}

function errata(payload: unknown, ctx: EncodeContext): EmbeddedValue[] {
  const ids = listOf(payload, 'errata') ?? [];
  if (ids.length === 0) throw new Undeliverable(`errata.update: Unknown action id ${ctx.actionId} for server ${ctx.serverId}`);
  if (!ids.every((id) => Number.isInteger(id) && (id as number) > 0 && (id as number) <= 2147483647)) throw new Undeliverable('an erratum id is not an int32');
  return [ids as number[]];
}

function rhnsd(payload: unknown): EmbeddedValue[] {
  const p = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  if (!Number.isInteger(p['interval'])) throw new Undeliverable('rhnsd reconfig action scheduled, but no interval given');
  return [p['interval'] as number, p['restart'] === true || p['restart'] === 1 ? 1 : 0];
}

const ENCODERS: Record<string, (payload: unknown, ctx: EncodeContext) => EmbeddedValue[]> = {
  'packages.update': (p, ctx) => packages(p, sendsPackageArch(ctx.capabilities), `Packages scheduled in action ${ctx.actionId} for server ${ctx.serverId} could not be found.`),
  'packages.remove': (p, ctx) => packages(p, sendsPackageArch(ctx.capabilities), `Packages scheduled in action ${ctx.actionId} for server ${ctx.serverId} could not be found.`),
  'packages.verify': (p, ctx) => packages(p, true, `invalid action ${ctx.actionId} for server ${ctx.serverId}`),
  'packages.runTransaction': transaction,
  'errata.update': errata,
  'rhnsd.configure': rhnsd,
  'packages.refresh_list': () => [],
  'hardware.refresh_list': () => [],
  'reboot.reboot': () => [],
};

/** The `<methodCall>` a client runs for an action, or why it cannot have one. */
export function encodeAction(type: string, payload: unknown, ctx: EncodeContext): EncodeResult {
  const encode = Object.hasOwn(ENCODERS, type) ? ENCODERS[type]! : null;
  if (!encode) return { ok: false, reason: `Could not get a valid method for ${type}` };
  try {
    return { ok: true, methodCall: dumpMethodCall(type, encode(payload, ctx)) };
  } catch (err) {
    if (err instanceof Undeliverable || err instanceof EmbeddedXmlError) return { ok: false, reason: err.message };
    throw err;
  }
}

/** queue.submit's action_id: an int, or text Python's int() reads; fault 30 otherwise. */
export function parseActionId(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^[ \t\n\r\x0b\x0c]*[+-]?\d{1,10}[ \t\n\r\x0b\x0c]*$/.test(v)) return Number(v.trim());
  throw new ClientFault(30, `Invalid action value type ${pyStr(v)} (${pyTypeName(v)})`);
}

// ---- queue.submit ----

export interface SubmitInput {
  actionType: string;
  /** the client's result (status) as decoded */
  result: unknown;
  /** the wire type of `result` when known: a double is never an integer status */
  resultWireType?: string;
  message?: unknown;
  data?: unknown;
}

export interface SubmitDecision {
  /** 2 completed, 3 failed, 1 = leave it picked up (a reboot that did not fail) */
  status: 1 | 2 | 3;
  resultCode: number;
  /** at most 1024 characters */
  message: string;
  /** a failure fails the actions that depend on this one */
  failDependants: boolean;
}

/** Result codes that count as success for one type (Queue.action_type_completed_codes). */
const COMPLETED_CODES: Readonly<Record<string, readonly number[]>> = { 'errata.update': [39] };

const isStruct = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v);

function isIntResult(v: unknown, wireType: string | undefined): v is number {
  return typeof v === 'number' && Number.isInteger(v) && (wireType === undefined || wireType === 'int' || wireType === 'i8');
}

/** Steps 4-8 of 6.3: the message stored, the result code, and the new status. */
export function decideSubmit(input: SubmitInput): SubmitDecision {
  const message = pyStr(input.message ?? '');
  const data = isStruct(input.data) ? input.data : {};
  let text = message;
  if ('missing_packages' in data) text = `${message} Missing-Packages: ${pyStr(data['missing_packages'])}`;
  else if ('koan' in data) text = `${message}: ${pyStr(data['koan'])}`;
  let rcode: unknown = input.result;
  let wireType = input.resultWireType;
  if (isStruct(rcode)) {
    const r = rcode;
    if ('faultCode' in r) [rcode, wireType] = [r['faultCode'], undefined];
    if ('faultString' in r) text = pyStr(r['faultString']) + pyRepr(input.data ?? {});
  }
  let code: number;
  if (isIntResult(rcode, wireType)) code = rcode;
  else {
    text = `${message} [${pyStr(rcode)}]`;
    code = -1;
  }
  const completed = code === 0 || (COMPLETED_CODES[input.actionType] ?? []).includes(code);
  const status = !completed ? 3 : input.actionType === 'reboot.reboot' ? 1 : 2;
  return { status, resultCode: code, message: Array.from(text).slice(0, 1024).join(''), failDependants: status === 3 };
}
