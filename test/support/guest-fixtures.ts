// A throwaway database for the guest store tests: two orgs, a user, a channel tree per org, and
// helpers to register systems and read tables back through the sqlite3 shell (not the code under test).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStores, type NewSystem, type Stores, type System } from '../../channels/index.js';
import { ROOT } from './server.js';

export interface GuestFixture {
  stores: Stores;
  file: string;
  org: number;
  otherOrg: number;
  userId: number;
  base: number;
  child: number;
  child2: number;
  otherBase: number;
  /** a private base channel of the other org, invisible to `org` */
  foreignBase: number;
  /** registers a system in `org` (or as overridden) with a fresh secret */
  register(over?: Partial<NewSystem>): Promise<System>;
  /** sqlite3 shell query on the database file */
  sql(query: string): string;
  close(): void;
}

let counter = 0;

export async function guestFixture(): Promise<GuestFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'skylab-guests-'));
  const file = join(dir, 'skylab.db');
  const stores = openStores(file, join(ROOT, 'migrations'));
  const org = (await stores.users.ensureOrg('Guest Org')).id;
  const otherOrg = Number(stores.db.prepare('INSERT INTO orgs (name, created) VALUES (?, ?)').run('Other Org', 0).lastInsertRowid);
  const userId = (await stores.users.createUser({ orgId: org, login: 'admin', passwordHash: 'x', roles: ['org_admin'] })).id;
  const channel = async (orgId: number, label: string, parentId: number | null): Promise<number> =>
    (await stores.channels.create({ orgId, label, name: label, summary: label, archLabel: 'channel-x86_64', parentId, checksumLabel: 'sha256' })).id;
  const base = await channel(org, 'base-el7', null);
  const child = await channel(org, 'child-a', base);
  const child2 = await channel(org, 'child-b', base);
  const otherBase = await channel(org, 'base-el8', null);
  const foreignBase = await channel(otherOrg, 'foreign-base', null);
  return {
    stores, file, org, otherOrg, userId, base, child, child2, otherBase, foreignBase,
    register: (over = {}) =>
      stores.systems.create({
        orgId: org,
        name: `host${++counter}.example.com`,
        secret: randomBytes(32).toString('hex'),
        osRelease: '7Server',
        releaseName: 'redhat-release-server',
        architecture: 'x86_64-redhat-linux',
        ...over,
      }),
    sql: (query) => execFileSync('sqlite3', ['-batch', '-separator', '|', file, query], { encoding: 'utf8' }).trim(),
    close: () => {
      stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Median milliseconds of `runs` calls of fn. */
export async function medianMs(runs: number, fn: (i: number) => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** The error a promise rejects with (fails when it resolves), for t.match against domain errors. */
export async function refusal(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal, the operation succeeded');
}
