// Wire shapes of content sources (ContentSourceSerializer, listUserRepos rows, the channel's
// contentSources), repo filters (ContentSourceFilterSerializer) and sync history rows.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { Repo, RepoFilter, SyncRun } from '../../channels/index.js';
import { Double } from '../xmlrpc/types.js';
import type { ContentSourceView } from './channels.js';

/**
 * Spacewalk shows crypto-key descriptions; Skylab stores the PEM text or a path to a PEM file.
 * A path is shown as is; PEM text as what it is (subject, or key type), never the key itself.
 */
export function sslDescription(stored: string | null): string {
  if (!stored) return '';
  if (!stored.trimStart().startsWith('-----BEGIN')) return stored;
  try {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(stored)) {
      const key = createPrivateKey(stored);
      const bits = key.asymmetricKeyDetails?.modulusLength;
      return `PEM private key (${key.asymmetricKeyType ?? 'unknown'}${bits ? ` ${bits} bits` : ''})`;
    }
    const cert = new X509Certificate(stored);
    return `PEM certificate (${cert.subject.replace(/\n/g, ', ')}; sha256 ${cert.fingerprint256.slice(0, 23)})`;
  } catch {
    return 'PEM data';
  }
}

/** A proxy URL with its password masked. */
export function maskedUrl(url: string | null): string {
  if (!url) return '';
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * ContentSourceSerializer, plus Skylab's per-repo `downloadPolicy` (`on_demand`/`immediate`) and
 * `proxyUrl` ("" when none; password masked).
 */
export function contentSource(r: Repo): Record<string, unknown> {
  return {
    id: r.id,
    label: r.label,
    sourceUrl: r.url,
    type: r.type,
    sslCaDesc: sslDescription(r.sslCaCert),
    sslCertDesc: sslDescription(r.sslClientCert),
    sslKeyDesc: sslDescription(r.sslClientKey),
    downloadPolicy: r.downloadPolicy,
    proxyUrl: maskedUrl(r.proxyUrl),
  };
}

/** listUserRepos rows: Spacewalk builds these maps by hand with three keys. */
export function userRepo(r: Repo): Record<string, unknown> {
  return { id: r.id, label: r.label, sourceUrl: r.url };
}

/** The channel's `contentSources` entries (ChannelSerializer). */
export function contentSourceView(r: Repo): ContentSourceView {
  return { id: r.id, label: r.label, sourceUrl: r.url, type: r.type };
}

export function repoFilter(f: RepoFilter): Record<string, unknown> {
  return { sortOrder: f.sortOrder, filter: f.filter, flag: f.flag };
}

/**
 * One sync run (Skylab's listSyncHistory): `ended` and `error` are omitted while running or
 * when there is none; `bytes` is a double because byte counts outgrow 32-bit integers.
 */
export function syncRun(run: SyncRun, channelLabel: string): Record<string, unknown> {
  return {
    id: run.id,
    channel_label: channelLabel,
    trigger: run.trigger,
    status: run.status,
    started: run.started,
    ended: run.ended,
    host: run.host,
    pid: run.pid,
    packages_total: run.packagesTotal,
    packages_added: run.packagesAdded,
    errata_added: run.errataAdded,
    errata_updated: run.errataUpdated,
    bytes: new Double(run.bytes),
    warnings: run.warnings,
    error: run.error,
  };
}
