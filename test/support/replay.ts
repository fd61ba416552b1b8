// Replays the admin-API requests recorded in /work/shared/traces through test/support/replay.py
// (Python's xmlrpc.client): recorded session keys and package ids are swapped for this server's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pythonFileJson } from './python.js';
import { SHARED } from './server.js';

const SCRIPT = fileURLToPath(new URL('./replay.py', import.meta.url));
export const TRACES = join(SHARED, 'traces');

/** A decoded XML-RPC value as replay.py prints it (types kept by tags). */
export type Wire =
  | number
  | boolean
  | string
  | { __datetime__: string }
  | { __double__: number }
  | { __base64__: string }
  | { __nil__: true }
  | Wire[]
  | { [key: string]: Wire };

export interface RecordedCall {
  seq: number;
  method: string;
  params: unknown[];
}

export type Reply = { answer: Wire; xml: string; fault?: undefined } | { fault: { faultCode: number; faultString: string }; xml: string; answer?: undefined };

/** The admin-API calls of one trace file, in recorded order. */
export function loadTrace(flow: string): RecordedCall[] {
  const lines = readFileSync(join(TRACES, `${flow}.jsonl`), 'utf8').split('\n').filter((l) => l.trim() !== '');
  return lines.map((line) => {
    const rec = JSON.parse(line) as { seq: number; endpoint: string; call?: { method: string; params: unknown[] } };
    if (rec.endpoint !== 'admin-api' || !rec.call) throw new Error(`${flow} #${rec.seq} is not an admin-API call`);
    return { seq: rec.seq, method: rec.call.method, params: rec.call.params };
  });
}

/** Spacewalk's method-name rule (§1.2): drop each non-alphanumeric character, upper-case the next. */
export function beanify(method: string): string {
  const dot = method.lastIndexOf('.');
  const name = method.slice(dot + 1).replace(/[^A-Za-z0-9]+([A-Za-z0-9]?)/g, (_, c: string) => c.toUpperCase());
  return `${method.slice(0, dot)}.${name}`;
}

/** Where recorded package ids sit in each method's params (index as sent, session key = 0). */
export const PACKAGE_ID_PARAM: Readonly<Record<string, number>> = {
  'packages.getDetails': 1,
  'packages.listProvidingChannels': 1,
  'errata.create': 4,
  'errata.addPackages': 2,
};

// What the stand-in server answered to auth.login: any `<digits>x<hex>` first argument.
const RECORDED_KEY = /^[1-9][0-9]*x[0-9a-f]+$/;

function mapIds(value: unknown, idMap: ReadonlyMap<number, number>, where: string): unknown {
  const one = (id: unknown): number => {
    const ours = typeof id === 'number' ? idMap.get(id) : undefined;
    if (ours === undefined) throw new Error(`${where}: no package for recorded id ${JSON.stringify(id)}`);
    return ours;
  };
  return Array.isArray(value) ? value.map(one) : one(value);
}

/** A recorded call as it is replayed here: its key becomes a placeholder, its package ids ours. */
export function forReplay(call: RecordedCall, idMap: ReadonlyMap<number, number>): { method: string; params: unknown[] } {
  const params = [...call.params];
  if (typeof params[0] === 'string' && RECORDED_KEY.test(params[0])) params[0] = { __session__: true };
  const idAt = PACKAGE_ID_PARAM[beanify(call.method)];
  if (idAt !== undefined) params[idAt] = mapIds(params[idAt], idMap, `#${call.seq} ${call.method}`);
  return { method: call.method, params };
}

/** The session keys a flow's calls carry; a flow logs in once, so there should be exactly one. */
export function recordedKeys(calls: readonly RecordedCall[]): string[] {
  return [...new Set(calls.map((c) => c.params[0]).filter((p): p is string => typeof p === 'string' && RECORDED_KEY.test(p)))];
}

/** Runs the calls in order in one Python process against `url`. */
export function replay(url: string, calls: readonly { method: string; params: unknown[] }[]): Promise<Reply[]> {
  return pythonFileJson<Reply[]>(SCRIPT, { url, calls });
}

/** Replays a whole recorded flow; answers line up with the recorded calls. */
export async function replayFlow(url: string, flow: readonly RecordedCall[], idMap: ReadonlyMap<number, number>): Promise<Reply[]> {
  return replay(url, flow.map((c) => forReplay(c, idMap)));
}

export const isDateTime = (v: Wire | undefined): v is { __datetime__: string } => typeof v === 'object' && v !== null && !Array.isArray(v) && '__datetime__' in v;

/** en_US short date (`M/d/yy`) of an XML-RPC dateTime text: the wall clock is kept both ways. */
export function shortDateOf(dateTime: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T/.exec(dateTime);
  if (!m) throw new Error(`not a dateTime: ${dateTime}`);
  return `${Number(m[2])}/${Number(m[3])}/${m[1]!.slice(2)}`;
}
