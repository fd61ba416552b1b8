// What callers send for content sources, checked before anything is stored: labels, URLs, the
// repo type, SSL material (PEM text or a PEM file on the server), proxies, download policies,
// filters and syncRepo's option struct.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { InvalidArgument, type DownloadPolicy, type RepoFilter } from '../../../channels/index.js';
import type { SyncParams } from '../../../repo-sync/sync/types.js';
import type { XmlRpcStruct } from '../../xmlrpc/types.js';
import { checkKeys, optBool, optString } from '../args.js';

const LABEL = /^[A-Za-z0-9][A-Za-z0-9 _.+\-()/']*$/;
const MAX_PEM_BYTES = 1024 * 1024;

export function repoLabel(label: string): string {
  if (label.trim() === '') throw new InvalidArgument('param', 'label might not be empty');
  if (label.length > 128 || !LABEL.test(label)) {
    throw new InvalidArgument('repo.label', `Invalid repository label '${label}': use up to 128 letters, digits, spaces and . _ - + ( ) / ', starting with a letter or digit`);
  }
  return label;
}

export function repoUrl(url: string): string {
  if (url.trim() === '') throw new InvalidArgument('param', 'url might not be empty');
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new InvalidArgument('repo.url', `Invalid repository URL '${url}'`);
  }
  if (!['http:', 'https:', 'file:'].includes(u.protocol)) {
    throw new InvalidArgument('repo.url', `Invalid repository URL '${url}': Skylab syncs http://, https:// and file:// URLs`);
  }
  if (u.protocol !== 'file:' && u.hostname === '') throw new InvalidArgument('repo.url', `Invalid repository URL '${url}': no host`);
  return url.trim();
}

/** Spacewalk's types are yum, uln and deb; Skylab syncs yum repositories. */
export function repoType(type: string): string {
  if (type.trim().toLowerCase() !== 'yum') throw new InvalidArgument('repo.type', `Invalid repo type '${type}': Skylab syncs yum repositories only`);
  return 'yum';
}

export function proxyUrl(text: string): string | null {
  if (text.trim() === '') return null;
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    throw new InvalidArgument('param', `Invalid proxy URL '${text}'`);
  }
  if (!['http:', 'https:'].includes(u.protocol) || u.hostname === '') {
    throw new InvalidArgument('param', `Invalid proxy URL '${text}': use http://[user:password@]host:port or https://...`);
  }
  return text.trim();
}

export function downloadPolicy(text: string): DownloadPolicy {
  const p = text.trim().toLowerCase().replace('-', '_');
  if (p !== 'on_demand' && p !== 'immediate') throw new InvalidArgument('param', `Invalid download policy '${text}': use on_demand or immediate`);
  return p;
}

type SslKind = 'CA certificate' | 'client certificate' | 'client key';

function sslFail(kind: SslKind, given: string, why: string): never {
  throw new InvalidArgument('repo.ssl', `Invalid SSL ${kind} '${given.length > 60 ? `${given.slice(0, 60)}...` : given}': ${why}`);
}

/** The PEM text behind what the caller gave: the text itself, or the file at an absolute path. */
function pemText(kind: SslKind, given: string): string {
  if (given.trimStart().startsWith('-----BEGIN')) return given;
  if (!isAbsolute(given)) {
    sslFail(kind, given, 'Skylab has no crypto-key store: pass the PEM text itself or the absolute path of a PEM file on the server');
  }
  let size: number;
  try {
    const st = statSync(given);
    if (!st.isFile()) sslFail(kind, given, 'not a regular file');
    size = st.size;
  } catch (err) {
    if (err instanceof InvalidArgument) throw err;
    return sslFail(kind, given, 'no such file on the server');
  }
  if (size > MAX_PEM_BYTES) sslFail(kind, given, 'larger than 1 MiB: not a PEM file');
  try {
    return readFileSync(given, 'utf8');
  } catch {
    return sslFail(kind, given, 'the server cannot read it');
  }
}

function certificate(kind: SslKind, given: string): X509Certificate {
  const pem = pemText(kind, given);
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) sslFail(kind, given, 'no PEM certificate (-----BEGIN CERTIFICATE-----) in it');
  try {
    return new X509Certificate(pem);
  } catch {
    return sslFail(kind, given, 'the PEM certificate does not parse');
  }
}

function privateKey(given: string): KeyObject {
  const pem = pemText('client key', given);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) sslFail('client key', given, 'no PEM private key (-----BEGIN ... PRIVATE KEY-----) in it');
  if (/ENCRYPTED/.test(pem)) sslFail('client key', given, 'encrypted keys are not supported (the sync runs unattended)');
  try {
    return createPrivateKey(pem);
  } catch {
    return sslFail('client key', given, 'the PEM private key does not parse');
  }
}

export interface SslSettings {
  sslCaCert: string | null;
  sslClientCert: string | null;
  sslClientKey: string | null;
}

/**
 * The SSL parameters of createRepo/updateRepoSsl. Each is "" (none), PEM text, or an absolute
 * path to a PEM file (kept as a path, so a renewed file is picked up). A client certificate
 * and its key go together and must match; unlike Spacewalk they are kept without a CA too
 * (the system's CAs then check the server).
 */
export function sslSettings(ca: string, cert: string, key: string): SslSettings {
  if (ca !== '') certificate('CA certificate', ca);
  if ((cert === '') !== (key === '')) {
    throw new InvalidArgument('repo.ssl', 'A client certificate and its client key go together: give both or neither');
  }
  if (cert !== '') {
    const c = certificate('client certificate', cert);
    if (!c.checkPrivateKey(privateKey(key))) throw new InvalidArgument('repo.ssl', 'The client key does not belong to the client certificate');
  }
  return { sslCaCert: ca === '' ? null : ca, sslClientCert: cert === '' ? null : cert, sslClientKey: key === '' ? null : key };
}

/** A filter struct {filter, flag} as Spacewalk reads it. */
export function filterStruct(s: XmlRpcStruct): Pick<RepoFilter, 'flag' | 'filter'> {
  checkKeys(s, ['filter', 'flag']);
  const flag = optString(s, 'flag');
  const filter = optString(s, 'filter');
  if (flag !== '+' && flag !== '-') throw new InvalidArgument('param', 'flag must be + or -');
  if (!filter || filter.trim() === '') throw new InvalidArgument('param', 'filter might not be empty');
  return { flag, filter };
}

/** syncRepo's option struct: Spacewalk's four keys, booleans (or 0/1, "true"/"false"). */
export function syncParams(s: XmlRpcStruct): SyncParams {
  checkKeys(s, ['sync-kickstart', 'no-errata', 'fail', 'latest']);
  const p: SyncParams = {};
  const set = (key: string, field: keyof SyncParams): void => {
    const v = optBool(s, key);
    if (v !== undefined) p[field] = v;
  };
  set('no-errata', 'noErrata');
  set('latest', 'latest');
  set('fail', 'fail');
  set('sync-kickstart', 'syncKickstart');
  return p;
}
