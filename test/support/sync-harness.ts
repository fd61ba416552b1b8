// What the sync tests do around a running server: run the real `skylab` CLI against its data
// directory, set channels and repos up through Python's xmlrpc.client, and take a snapshot of
// everything a channel shows (packages, errata, getDetails) to compare before and after.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Test } from 'tap';
import { api, type ApiLogin } from './push.js';
import { ROOT, SKYLAB_BIN, type RunningServer } from './server.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Short timeouts and one retry: failure cases end in seconds. */
export const FAST_FAILURE_ENV: Record<string, string> = { SKYLAB_FETCH_RETRIES: '1', SKYLAB_FETCH_TIMEOUT_MS: '1500' };

export interface CliRun {
  proc: ChildProcess;
  done: Promise<CliResult>;
}

/** Starts `skylab ARGS` (stdin and stdout are pipes, so no progress bar). */
export function startCli(args: string[], env: Record<string, string> = {}): CliRun {
  const started = performance.now();
  const proc = spawn(process.execPath, [SKYLAB_BIN, ...args], { cwd: ROOT, env: { ...process.env, SKYLAB_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - started }));
  });
  return { proc, done };
}

/** Asserts a zero exit, showing the output only when it was not. */
export function exitOk(t: Test, r: CliResult, what = 'exit 0'): void {
  t.equal(r.code, 0, what, { stdout: r.stdout, stderr: r.stderr });
}

export const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => startCli(args, env).done;

/** `skylab sync --data-dir <server's> ...` while the server runs. */
export const syncCli = (server: RunningServer, args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  cli(['sync', '--data-dir', server.dataDir, ...args], env);

export type Fault = { fault: number; faultString: string };
export const isFault = (x: unknown): x is Fault => typeof x === 'object' && x !== null && 'fault' in x;

/** Runs the calls and throws on the first fault (for setup steps). */
export async function apiOk<T = unknown[]>(login: ApiLogin, calls: unknown[][]): Promise<T> {
  const out = await api<unknown[]>(login, calls);
  const bad = out.findIndex(isFault);
  if (bad >= 0) throw new Error(`${String(calls[bad]![0])} failed: ${JSON.stringify(out[bad])}`);
  return out as T;
}

/** A channel of `arch` with its own repository at `url`, associated. */
export async function channelWithRepo(login: ApiLogin, label: string, url: string, arch = 'channel-x86_64'): Promise<string> {
  const repo = `${label}-repo`;
  await apiOk(login, [
    ['channel.software.create', label, `Sync test ${label}`, `sync test channel ${label}`, arch, ''],
    ['channel.software.createRepo', repo, 'yum', url],
    ['channel.software.associateRepo', label, repo],
  ]);
  return repo;
}

export interface PackageRow {
  id: number;
  name: string;
  epoch: string;
  version: string;
  release: string;
  arch_label: string;
  checksum: string;
}

export interface ChannelSnapshot {
  packages: PackageRow[];
  errata: Record<string, unknown>[];
  details: Record<string, unknown>;
}

/** name-version-release.arch, the way rpm -q prints it. */
export const nvra = (p: { name: string; version: string; release: string; arch_label?: string; arch?: string }): string =>
  `${p.name}-${p.version}-${p.release}.${p.arch_label ?? p.arch}`;

/** Everything the channel shows through the API, in a stable order. */
export async function snapshot(login: ApiLogin, label: string): Promise<ChannelSnapshot> {
  const [packages, errata, details] = await apiOk<[PackageRow[], Record<string, unknown>[], Record<string, unknown>]>(login, [
    ['channel.software.listAllPackages', label],
    ['channel.software.listErrata', label],
    ['channel.software.getDetails', label],
  ]);
  packages.sort((a, b) => a.id - b.id);
  errata.sort((a, b) => String(a.advisory_name).localeCompare(String(b.advisory_name)));
  return { packages, errata, details };
}

export interface HistoryRow {
  id: number;
  status: string;
  trigger: string;
  error?: string;
  warnings: string[];
  packages_total: number;
  packages_added: number;
  errata_added: number;
  errata_updated: number;
  pid: number;
}

export async function history(login: ApiLogin, label: string): Promise<HistoryRow[]> {
  const [rows] = await apiOk<[HistoryRow[]]>(login, [['channel.software.listSyncHistory', label]]);
  return rows;
}

/**
 * Repository URLs are unique in an org, so channels reach the same upstream folder through a
 * symlink each: ROOT/<label> -> target. Serve ROOT; a channel's URL is `${url}${label}/`.
 */
export async function linkFolders(root: string, labels: string[], target: string): Promise<void> {
  await mkdir(root, { recursive: true });
  for (const label of labels) await symlink(target, join(root, label));
}

/** Points ROOT/<label> at another folder (upstream changes for that channel only). */
export async function relink(root: string, label: string, target: string): Promise<void> {
  await rm(join(root, label), { force: true });
  await symlink(target, join(root, label));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` answers something other than undefined (or throws after `ms`). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, ms = 30_000, every = 100): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}
