// Configuration, read and validated once at start from command-line flags and SKYLAB_*
// environment variables, then passed down; nothing else reads process.env.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertTimeZone } from './xmlrpc/zone.js';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  tlsCert: string | null;
  tlsKey: string | null;
  timeZone: string;
  adminUser: string;
  adminPassword: string | null;
  orgName: string;
  logLevel: string;
  /** proxy for repositories without their own (SKYLAB_PROXY; else HTTPS_PROXY/HTTP_PROXY apply) */
  globalProxy: string | null;
  /** repository downloads: connect/idle timeout and retries per mirror (SKYLAB_FETCH_TIMEOUT_MS, SKYLAB_FETCH_RETRIES) */
  fetchTimeoutMs: number;
  fetchRetries: number;
  /** sliding idle lifetime of admin API sessions, seconds */
  sessionLifetime: number;
  packageRoot: string;
  migrationsDir: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The folder holding package.json and migrations/, whether running from sources or dist/. */
export function findPackageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'migrations'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new ConfigError(`cannot find the Skylab package root above ${from}`);
    dir = up;
  }
}

export const DEFAULT_DATA_DIR = '/var/lib/skylab';

/** Where the data lives when --data-dir is not given: SKYLAB_DATA_DIR, else ./data beside the package. */
export function defaultDataDir(env: NodeJS.ProcessEnv, packageRoot: string): string {
  return env['SKYLAB_DATA_DIR'] ?? join(packageRoot, 'data');
}

export interface FlagValues {
  host?: string;
  port?: string;
  'data-dir'?: string;
  'tls-cert'?: string;
  'tls-key'?: string;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min) throw new ConfigError(`${name} must be a whole number >= ${min}, got ${JSON.stringify(text)}`);
  return n;
}

/** Download settings for repo sync, from the configuration. */
export function fetchOptions(config: Pick<Config, 'globalProxy' | 'fetchTimeoutMs' | 'fetchRetries'>): { globalProxy: string | null; timeoutMs: number; retries: number } {
  return { globalProxy: config.globalProxy, timeoutMs: config.fetchTimeoutMs, retries: config.fetchRetries };
}

export function loadConfig(flags: FlagValues, env: NodeJS.ProcessEnv = process.env): Config {
  const packageRoot = findPackageRoot();
  const portText = flags.port ?? env['SKYLAB_PORT'] ?? '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new ConfigError(`--port must be 0-65535, got ${JSON.stringify(portText)}`);
  const tlsCert = flags['tls-cert'] ?? env['SKYLAB_TLS_CERT'] ?? null;
  const tlsKey = flags['tls-key'] ?? env['SKYLAB_TLS_KEY'] ?? null;
  if ((tlsCert === null) !== (tlsKey === null)) throw new ConfigError('--tls-cert and --tls-key go together');
  for (const f of [tlsCert, tlsKey]) if (f !== null && !existsSync(f)) throw new ConfigError(`TLS file not found: ${f}`);
  const timeZone = env['SKYLAB_TZ'] || 'UTC';
  try {
    assertTimeZone(timeZone);
  } catch {
    throw new ConfigError(`SKYLAB_TZ is not a known IANA time zone: ${timeZone}`);
  }
  const lifetimeText = env['SKYLAB_SESSION_LIFETIME'] ?? '3600';
  const sessionLifetime = Number(lifetimeText);
  if (!/^\d+$/.test(lifetimeText) || sessionLifetime < 60) throw new ConfigError('SKYLAB_SESSION_LIFETIME must be a number of seconds >= 60');
  const adminPassword = env['SKYLAB_ADMIN_PASSWORD'] || null;
  return {
    host: flags.host ?? env['SKYLAB_HOST'] ?? '0.0.0.0',
    port,
    dataDir: resolve(flags['data-dir'] ?? defaultDataDir(env, packageRoot)),
    tlsCert,
    tlsKey,
    timeZone,
    adminUser: env['SKYLAB_ADMIN_USER'] || 'admin',
    adminPassword,
    orgName: env['SKYLAB_ORG_NAME'] || 'Default Organization',
    logLevel: env['SKYLAB_LOG_LEVEL'] || 'info',
    globalProxy: env['SKYLAB_PROXY'] || null,
    fetchTimeoutMs: positiveInt(env, 'SKYLAB_FETCH_TIMEOUT_MS', 30_000),
    fetchRetries: positiveInt(env, 'SKYLAB_FETCH_RETRIES', 3, 0),
    sessionLifetime,
    packageRoot,
    migrationsDir: join(packageRoot, 'migrations'),
  };
}

export function databaseFile(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'skylab.db');
}

export function blobDir(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'blobs');
}
