// One publisher per channel at a time: calls in this process for the same channel share one
// run, and processes (serve, `skylab channel export`, `skylab sync`) take a lease in the
// database; a loser waits for the holder, then finds the repodata already current.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LeaseHolder, Stores } from '../../channels/index.js';

/** A lease older than this is taken over even if its holder looks alive (hung or on another host). */
export const LEASE_STALE_SECONDS = 15 * 60;
const POLL_MS = 100;

const running = new Map<string, Promise<unknown>>();

/**
 * Runs `work` unless the same key is already running in this process; then shares its result.
 * `joined` says whether the result came from a run someone else started.
 */
export async function shareInProcess<T>(key: string, work: () => Promise<T>): Promise<{ value: T; joined: boolean }> {
  const existing = running.get(key) as Promise<T> | undefined;
  if (existing) return { value: await existing, joined: true };
  const p = work().finally(() => running.delete(key));
  running.set(key, p);
  return { value: await p, joined: false };
}

function isAlive(h: LeaseHolder): boolean {
  if (h.host !== hostname()) return true; // cannot tell; the stale timeout decides
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class PublishBusy extends Error {
  override readonly name = 'PublishBusy';
}

/**
 * Runs `work` holding the channel's publish lease, waiting up to `waitMs` for another process
 * to finish first.
 */
export async function withPublishLease<T>(stores: Stores, channelId: number, waitMs: number, work: () => Promise<T>): Promise<T> {
  const holder: LeaseHolder = { host: hostname(), pid: process.pid, token: randomBytes(8).toString('hex') };
  const deadline = Date.now() + waitMs;
  while (!(await stores.publish.acquireLease(channelId, holder, isAlive, LEASE_STALE_SECONDS))) {
    if (Date.now() > deadline) throw new PublishBusy(`another process has been publishing channel ${channelId} for more than ${Math.round(waitMs / 1000)} s`);
    await sleep(POLL_MS);
  }
  try {
    return await work();
  } finally {
    await stores.publish.releaseLease(channelId, holder);
  }
}
