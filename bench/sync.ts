// bench/sync: syncs CentOS Stream 9 AppStream (17,649 packages, served on loopback) into an
// empty channel and prints wall time and peak RSS beside createrepo_c's own parse of the same
// primary.xml.gz timed in the same run; then a no-change re-sync; then a publish of the
// channel's repodata.   Run: npm run build && npx tsx bench/sync.ts [rounds]
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStores } from '../channels/index.js';
import { ROOT, SHARED } from './support/procs.js';
import { startStatic } from './support/static.js';

const ROUNDS = Number(process.argv[2] ?? '3');
const LABEL = 'cs9-appstream-x86_64';
const REPO = join(SHARED, 'data', 'cs9-appstream');
const PY_REFERENCE = fileURLToPath(new URL('../test/support/createrepo-reference.py', import.meta.url));
const DRIVER = join(ROOT, 'bench', 'support', 'sync-driver.mjs');

interface Driven {
  status?: string;
  error?: string | null;
  packages: number;
  ms: number;
  phases: Record<string, number>;
  maxRssKib: number;
  /** peak RSS up to the end of the commit (before the publish that follows it) */
  rssBeforePublishKib: number;
}

// Asynchronous: the upstream server runs in this process and must keep answering.
async function drive(mode: 'sync' | 'publish', dataDir: string): Promise<Driven> {
  const { stdout } = await promisify(execFile)(process.execPath, [DRIVER, mode, dataDir, LABEL], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Driven;
}

async function freshDataDir(url: string): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skylab-bench-sync-'));
  const stores = openStores(join(dataDir, 'skylab.db'), join(ROOT, 'migrations'));
  const org = await stores.users.ensureOrg('Bench');
  const channel = await stores.channels.create({ orgId: org.id, label: LABEL, name: 'CentOS Stream 9 AppStream', summary: 'bench', archLabel: 'channel-x86_64', parentId: null, checksumLabel: 'sha256' });
  const repo = await stores.repos.create({ orgId: org.id, label: 'cs9-appstream', type: 'yum', url });
  await stores.repos.associate(channel.id, repo.id, true);
  stores.close();
  return dataDir;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f0 = (n: number): string => n.toFixed(0).padStart(6);

async function main(): Promise<void> {
  const upstream = await startStatic(REPO);
  const primary = join(REPO, 'repodata', readdirSync(join(REPO, 'repodata')).find((f) => f.includes('primary.xml'))!);
  const full: Driven[] = [];
  const again: Driven[] = [];
  const publish: Driven[] = [];
  const reference: { seconds: number[]; maxrss_kib: number; packages: number }[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      reference.push(JSON.parse(execFileSync('/usr/bin/python3', [PY_REFERENCE, 'time', primary, '1'], { encoding: 'utf8' })));
      const dataDir = await freshDataDir(upstream.url);
      try {
        const r = await drive('sync', dataDir);
        if (r.status !== 'success') throw new Error(`sync failed: ${r.error}`);
        full.push(r);
        again.push(await drive('sync', dataDir));
        publish.push(await drive('publish', dataDir));
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await upstream.close();
  }
  const refMs = median(reference.map((r) => r.seconds[0]! * 1000));
  const commitMs = median(full.map((r) => r.phases['commit'] ?? r.ms));
  const syncMs = median(full.map((r) => r.phases['publish'] ?? r.ms));
  const rss = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
  console.log(`cs9-appstream: ${full[0]!.packages} packages, ${ROUNDS} rounds (medians)\n`);
  console.log(`createrepo_c parse of primary.xml.gz   ${f0(refMs)} ms   peak RSS ${rss(median(reference.map((r) => r.maxrss_kib)))}`);
  console.log(`skylab full sync (download..commit)    ${f0(syncMs)} ms   peak RSS ${rss(median(full.map((r) => r.rssBeforePublishKib)))}   = ${(syncMs / refMs).toFixed(2)}x createrepo_c (target <= 3x, <= 256 MiB)`);
  console.log(`  of which parse+import done at        ${f0(commitMs)} ms`);
  console.log(`  with the publish that follows it     ${f0(median(full.map((r) => r.ms)))} ms   peak RSS ${rss(median(full.map((r) => r.maxRssKib)))}`);
  console.log(`skylab no-change re-sync               ${f0(median(again.map((r) => r.ms)))} ms   (target <= 100 ms)`);
  console.log(`skylab publish of the channel          ${f0(median(publish.map((r) => r.ms)))} ms   peak RSS ${rss(median(publish.map((r) => r.maxRssKib)))}   (target <= 3000 ms)`);
}

await main();
