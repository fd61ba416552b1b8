// The guest side of the /XMLRPC tests: calls made by test/support/guest_client.py (Python's
// xmlrpc.client with rhnlib's headers, a new connection per call), and Python oracles for the
// systemid checksum (client-protocol.md 2.2) and the X-RHN-Auth signature (4.2), written from
// the spec independently of the server's code.
import { fileURLToPath } from 'node:url';
import { pythonFileJson, pythonJson } from './python.js';
import type { Wire } from './replay.js';

const SCRIPT = fileURLToPath(new URL('./guest_client.py', import.meta.url));

/** rhn-client-tools' built-in capabilities (clientCaps.py), as one header. */
export const CLIENT_CAPS =
  'caneatCheese(1)=1,packages.runTransaction(1)=1,packages.rollBack(1)=1,packages.verify(1)=1,packages.extended_profile(2)=1,reboot.reboot(1)=1,packages.update(2)=2';

/** up2dateAuth.login adds the list a second time; queue.get and submit then carry it doubled. */
export const CLIENT_CAPS_TWICE = `${CLIENT_CAPS},${CLIENT_CAPS}`;

/** The headers rhnlib puts on every POST (besides Host, Content-*, Accept-Encoding). */
export const RHNLIB_HEADERS: Readonly<Record<string, string>> = {
  'User-Agent': 'rhn.rpclib.py/$Revision$',
  'X-Up2date-Version': '2.11.0-1.el8',
  'X-RHN-Client-Capability': CLIENT_CAPS,
  'X-Info': 'RPC Processor (C) Red Hat, Inc (version $Revision$)',
  'X-Client-Version': '1',
  'X-RHN-Transport-Capability': 'follow-redirects=3',
  'X-Transport-Info': 'Extended Capabilities Transport (C) Red Hat, Inc (version $Revision$)',
};

export interface GuestCall {
  method: string;
  params: unknown[];
  /** added to (or, with null, removed from) the rhnlib headers */
  headers?: Record<string, string | null>;
  /** keep the answer for {"__ref__": name} in later params of the same batch */
  save?: string;
}

export interface GuestReply {
  answer?: Wire;
  fault?: { faultCode: number; faultString: string };
  protocolError?: number;
  xml: string;
  headers: [string, string][];
}

/** Runs the calls in order in one Python process against `url` (…/XMLRPC). */
export function guestCalls(url: string, calls: readonly GuestCall[], headers: Record<string, string> = { ...RHNLIB_HEADERS }): Promise<GuestReply[]> {
  return pythonFileJson<GuestReply[]>(SCRIPT, { url, headers, calls });
}

/** One call; its reply. */
export async function guestCall(url: string, method: string, params: unknown[], headers?: Record<string, string | null>): Promise<GuestReply> {
  return (await guestCalls(url, [{ method, params, ...(headers ? { headers } : {}) }]))[0]!;
}

/** The X-RHN-Server-Capability lines of an answer. */
export function serverCapabilities(reply: GuestReply): string[] {
  return reply.headers.filter(([k]) => k.toLowerCase() === 'x-rhn-server-capability').map(([, v]) => v);
}

export interface SystemIdCheck {
  valid: boolean;
  fields: string[];
  struct: Record<string, Wire>;
}

// client-protocol.md 2.2 as Python does it: hash(secret || values || names) over the document's own fields.
const SYSTEMID_ORACLE = `
import hashlib, json, sys, xmlrpc.client
a = json.load(sys.stdin)
s = xmlrpc.client.loads(a['doc'])[0][0]
h = (hashlib.sha256 if len(a['secret']) == 64 else hashlib.md5)()
h.update(a['secret'].encode())
for f in s['fields']:
    v = s[f]
    for x in (v if isinstance(v, list) else [v]):
        h.update(str(x).encode())
for f in s['fields']:
    h.update(f.encode())
print(json.dumps({'valid': h.hexdigest() == s['checksum'], 'fields': s['fields'], 'struct': s}))
`;

/** Parses a systemid with Python and checks its checksum with `secret`. */
export function checkSystemId(doc: string, secret: string): Promise<SystemIdCheck> {
  return pythonJson<SystemIdCheck>(SYSTEMID_ORACLE, [], JSON.stringify({ doc, secret }));
}

// rhnLib.computeSignature: base64(sha256(K "\\n" id "\\n" user "\\n" time "\\n" offset "\\n"))
const TOKEN_ORACLE = `
import base64, hashlib, json, sys
a = json.load(sys.stdin)
m = ''.join(str(x) + '\\n' for x in [a['key'], a['id'], a['user'], a['time'], a['offset']])
print(json.dumps(base64.b64encode(hashlib.sha256(m.encode()).digest()).decode()))
`;

export function tokenSignature(key: string, id: number, user: string, time: string, offset: string): Promise<string> {
  return pythonJson<string>(TOKEN_ORACLE, [], JSON.stringify({ key, id, user, time, offset }));
}

// The action payload as rhn_check reads it (rhn_check.__parse_action_data: xmlrpclib.loads).
const ACTION_ORACLE = `
import json, sys, xmlrpc.client
params, method = xmlrpc.client.loads(sys.stdin.read())
print(json.dumps({'method': method, 'params': list(params)}))
`;

export function parseAction(methodCall: string): Promise<{ method: string; params: unknown[] }> {
  return pythonJson(ACTION_ORACLE, [], methodCall);
}

/** The systemid's system_id member as a number (ID-1000010000 -> 1000010000). */
export function serverIdOf(doc: string): number {
  const m = /<name>system_id<\/name>\s*<value><string>ID-(\d+)<\/string>/.exec(doc);
  if (!m) throw new Error('no system_id in the document');
  return Number(m[1]);
}
