// A small XML-RPC client over Node's fetch on the project's own codec: what the command line
// needs to talk to a server's admin API (auth.login, auth.logout).
import { decodeResponse } from './decode.js';
import { Encoder } from './encode.js';
import type { XmlRpcValue } from './types.js';
import { Zone } from './zone.js';

// Login and logout carry no dates, so the zone never matters.
const encoder = new Encoder(new Zone('UTC'));

/** Calls one method; a fault is thrown as XmlRpcFault, a non-XML-RPC answer as Error. */
export async function xmlRpcCall(url: string, method: string, params: readonly unknown[]): Promise<XmlRpcValue> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=UTF-8' },
    body: encoder.call(method, params),
  });
  const body = Buffer.from(await res.arrayBuffer());
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status} ${res.statusText}`);
  return decodeResponse(body, encoder.zone);
}
