// Everything a request handler may use, built once at start and passed down: stores, config,
// the configured time zone, the XML-RPC encoder, sessions and per-revision answer caches.
import type { FastifyBaseLogger } from 'fastify';
import { createHmac } from 'node:crypto';
import type { BlobStore, Package, Stores } from '../channels/index.js';
import type { Config } from './config.js';
import { SessionManager } from './rpc/sessions.js';
import { Encoder } from './xmlrpc/encode.js';
import { Zone } from './xmlrpc/zone.js';
import { AnswerCache } from './answer-cache.js';

export interface Services {
  config: Config;
  stores: Stores;
  blobs: BlobStore;
  zone: Zone;
  encoder: Encoder;
  sessions: SessionManager;
  /** encoded answers keyed by channel revision (listAllPackages and friends) */
  answers: AnswerCache;
  log: FastifyBaseLogger;
  /** where clients reach this server, set once it listens (used in URLs handed to clients) */
  baseUrl: string;
  /** secret for signed package download URLs (packages.getPackageUrl) */
  downloadSecret: string;
  packageUrl(p: Package, ttlSeconds?: number): string;
}

/** The signature of a download URL: an HMAC over package id and expiry. */
export function downloadSignature(secret: string, packageId: number, expires: number): string {
  return createHmac('sha256', secret).update(`${packageId}:${expires}`).digest('hex').slice(0, 32);
}

export function createServices(config: Config, stores: Stores, blobs: BlobStore, log: FastifyBaseLogger, downloadSecret: string): Services {
  const zone = new Zone(config.timeZone);
  return {
    config,
    stores,
    blobs,
    zone,
    encoder: new Encoder(zone),
    sessions: new SessionManager(stores, config.sessionLifetime),
    answers: new AnswerCache(64 * 1024 * 1024),
    log,
    baseUrl: `http://127.0.0.1:${config.port}`,
    downloadSecret,
    packageUrl(p, ttlSeconds = 3600) {
      const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
      const sig = downloadSignature(this.downloadSecret, p.id, expires);
      return `${this.baseUrl}/download/package/${p.id}/${expires}/${sig}/${encodeURIComponent(p.filename)}`;
    },
  };
}
