// Starts the real `skylab serve` process (bin/skylab.js, built dist/) on a free loopback port
// with a throwaway data directory, and stops it again. Integration tests drive it over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const SKYLAB_BIN = join(ROOT, 'bin', 'skylab.js');
export const SHARED = resolve(ROOT, '..', 'shared');

export interface RunningServer {
  url: string;
  apiUrl: string;
  port: number;
  dataDir: string;
  adminUser: string;
  adminPassword: string;
  proc: ChildProcess;
  /** everything the process printed so far */
  output(): string;
  stop(): Promise<number | null>;
}

export interface StartOptions {
  dataDir?: string;
  env?: Record<string, string>;
  args?: string[];
  /** keep the data directory after stop (default: removed unless it was passed in) */
  keepData?: boolean;
}

export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'skylab-test-'));
  const adminPassword = opts.env?.['SKYLAB_ADMIN_PASSWORD'] ?? 'test-admin-pw';
  const proc = spawn(process.execPath, [SKYLAB_BIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, ...(opts.args ?? [])], {
    env: { ...process.env, SKYLAB_ADMIN_PASSWORD: adminPassword, SKYLAB_LOG_LEVEL: 'warn', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${out}`)), 20_000);
    const check = (): void => {
      const m = /listening on (https?:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
  const port = Number(new URL(url).port);
  return {
    url,
    apiUrl: `${url}/rpc/api`,
    port,
    dataDir,
    adminUser: opts.env?.['SKYLAB_ADMIN_USER'] ?? 'admin',
    adminPassword,
    proc,
    output: () => out,
    stop: () =>
      new Promise((done) => {
        const finish = (code: number | null): void => {
          if (!opts.keepData && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
          done(code);
        };
        if (proc.exitCode !== null) return finish(proc.exitCode);
        proc.once('exit', (code) => finish(code));
        proc.kill('SIGTERM');
      }),
  };
}
