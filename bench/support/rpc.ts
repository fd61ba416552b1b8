// A minimal XML-RPC client for benches, on the project's own codec and Node's fetch.
import { decodeResponse } from '../../server/xmlrpc/decode.js';
import { Encoder } from '../../server/xmlrpc/encode.js';
import { Zone } from '../../server/xmlrpc/zone.js';

const zone = new Zone('UTC');
export const encoder = new Encoder(zone);

export async function call(apiUrl: string, method: string, ...params: unknown[]): Promise<unknown> {
  const res = await fetch(apiUrl, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: encoder.call(method, params) });
  return decodeResponse(Buffer.from(await res.arrayBuffer()), zone);
}
