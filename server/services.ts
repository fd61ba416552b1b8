// Everything a request handler may use, built once at start and passed down: stores, config,
// the configured time zone, the XML-RPC encoder, sessions, per-revision answer caches, and the
// channel sync service with the scheduler that runs it.
import type { FastifyBaseLogger } from 'fastify';
import { createHmac, randomBytes } from 'node:crypto';
import type { BlobStore, Package, Stores } from '../channels/index.js';
import { Fetcher } from '../repo-sync/fetch/index.js';
import { OnDemandFiles } from '../repo-sync/sync/package-files.js';
import { SyncPipeline } from '../repo-sync/sync/pipeline.js';
import { SyncScheduler, type SchedulerLog } from '../repo-sync/scheduler.js';
import type { SyncService } from '../repo-sync/sync/types.js';
import { fetchOptions, type Config } from './config.js';
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
  /**
   * the install's key K for the guests' X-RHN-Auth tokens (client-protocol.md 4.2): made once
   * with crypto.randomBytes and kept in the database, so tokens survive restarts
   */
  clientAuthKey: string;
  packageUrl(p: Package, ttlSeconds?: number): string;
  /** runs channel syncs (the repo-sync pipeline) */
  sync: SyncService;
  /** cron schedules of channel syncs, and background syncs started through the API */
  scheduler: SyncScheduler;
  /** package files of on_demand repositories, fetched from upstream on first request */
  packageFiles: OnDemandFiles;
}

/** The scheduler's messages go to the server log (set after the app is built, hence late-bound). */
function schedulerLog(services: Pick<Services, 'log'>): SchedulerLog {
  const at = (level: 'info' | 'warn' | 'error') => (message: string, data?: Record<string, unknown>) => services.log?.[level](data ?? {}, message);
  return { info: at('info'), warn: at('warn'), error: at('error') };
}

/** The pipeline's messages go to the server log too. */
function pipelineLog(services: Pick<Services, 'log'>): { warn(o: object, m: string): void; info(o: object, m: string): void } {
  return { warn: (o, m) => services.log?.warn(o, m), info: (o, m) => services.log?.info(o, m) };
}

/** The signature of a download URL: an HMAC over package id and expiry. */
export function downloadSignature(secret: string, packageId: number, expires: number): string {
  return createHmac('sha256', secret).update(`${packageId}:${expires}`).digest('hex').slice(0, 32);
}

export function createServices(
  config: Config,
  stores: Stores,
  blobs: BlobStore,
  log: FastifyBaseLogger,
  downloadSecret: string,
  sync?: SyncService,
): Services {
  const zone = new Zone(config.timeZone);
  const fetch = fetchOptions(config);
  const services: Services = {
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
    clientAuthKey: stores.users.initSettingSync('client_auth_key', randomBytes(32).toString('hex')),
    packageUrl(p, ttlSeconds = 3600) {
      const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
      const sig = downloadSignature(this.downloadSecret, p.id, expires);
      return `${this.baseUrl}/download/package/${p.id}/${expires}/${sig}/${encodeURIComponent(p.filename)}`;
    },
    sync: undefined as never,
    scheduler: undefined as never,
    packageFiles: new OnDemandFiles({ stores, blobs, fetcher: new Fetcher(fetch) }),
  };
  services.sync = sync ?? new SyncPipeline({ stores, blobs, dataDir: config.dataDir, fetch, log: pipelineLog(services) });
  services.scheduler = new SyncScheduler({ source: stores.sync, sync: services.sync, timeZone: config.timeZone, log: schedulerLog(services) });
  return services;
}
