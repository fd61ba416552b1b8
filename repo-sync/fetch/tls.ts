// TLS material of one repository: the CA and client certificate are stored as PEM text or as a
// path on this host (Spacewalk keeps them in the database, yum configs point at files).
import { readFile } from 'node:fs/promises';
import type { RepoAccess } from './types.js';

export interface TlsMaterial {
  ca?: string;
  cert?: string;
  key?: string;
}

async function pem(value: string, what: string): Promise<string> {
  if (value.includes('-----BEGIN ')) return value;
  try {
    return await readFile(value.trim(), 'utf8');
  } catch (e) {
    throw new Error(`${what}: not PEM text and not a readable file (${(e as Error).message})`, { cause: e });
  }
}

/** The repository's CA, client certificate and key as PEM text; a key may ride along in the certificate file. */
export async function loadTls(access: RepoAccess): Promise<TlsMaterial> {
  const out: TlsMaterial = {};
  if (access.sslCaCert) out.ca = await pem(access.sslCaCert, 'SSL CA certificate');
  if (access.sslClientCert) out.cert = await pem(access.sslClientCert, 'SSL client certificate');
  if (access.sslClientKey) out.key = await pem(access.sslClientKey, 'SSL client key');
  else if (out.cert?.includes('PRIVATE KEY-----')) out.key = out.cert;
  if (out.key && !out.cert) throw new Error('SSL client key given without a client certificate');
  if (out.cert && !out.key) throw new Error('SSL client certificate given without its key');
  return out;
}
