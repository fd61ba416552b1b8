// Failed syncs through `skylab sync` beside the running server: each channel first syncs
// upstream version 1, then its repo points at version 2 served by a misbehaving loopback
// server (cut connections, corruption, 404, 500, stalls, a truncated repomd.xml, updateinfo
// that is not XML). Every failure must leave the channel exactly as it was (packages, errata,
// getDetails), be recorded in the history with its reason, exit non-zero with the reason, and
// the next run must recover. Also: a cut that happens once is resumed with Range, a missing
// `other` is a warning, a second sync of a busy channel is refused, and a sync killed with
// SIGKILL is found dead by the next one, which marks it interrupted and succeeds.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { adminLogin, blobListing, type ApiLogin } from '../support/push.js';
import { startServer, type RunningServer } from '../support/server.js';
import { hrefs, writeUpstream } from '../support/sync-fixtures.js';
import {
  FAST_FAILURE_ENV, apiOk, channelWithRepo, exitOk, history, linkFolders, nvra, snapshot, startCli, syncCli, waitFor, type ChannelSnapshot,
} from '../support/sync-harness.js';
import { expectedContent } from '../support/sync-oracle.js';
import { startUpstream, type Misbehaviour, type RequestRecord, type Upstream } from '../support/upstream.js';

let server: RunningServer;
let login: ApiLogin;
let work: string;
let v1: Upstream;
let v2: Upstream;
let v2Files: Record<string, string>;
let v2Nvras: string[];

const sync = (label: string): ReturnType<typeof syncCli> => syncCli(server, [label], FAST_FAILURE_ENV);

interface Case {
  name: string;
  /** paths below the channel's upstream folder (f: repomd.xml's location of each type) */
  faults?: (f: Record<string, string>) => [string, Misbehaviour][];
  /** changes upstream before the failing run; returns how to undo it */
  breakUpstream?: () => Promise<() => Promise<void>>;
  error: RegExp;
  /** the upstream log of the failing run */
  log?: (t: Test, requestsFor: (path: string) => RequestRecord[], f: Record<string, string>) => void;
}

const CASES: Case[] = [
  {
    name: 'primary cut mid-file on every request (no Range)',
    faults: (f) => [[f.primary!, { dropAfter: 300, noRange: true, chunkSize: 100 }]],
    error: /primary/,
    log: (t, requestsFor, f) => {
      const reqs = requestsFor(f.primary!);
      t.ok(reqs.length >= 2, `primary asked ${reqs.length} times (retried)`);
      t.ok(reqs.every((r) => r.bytesSent === 300), 'every response was cut at 300 bytes');
      // undici may hand over a little less than was sent before the cut: resume from at most 300
      t.ok(reqs.slice(1).some((r) => /^bytes=\d+-$/.test(r.range ?? '') && Number(r.range!.slice(6, -1)) <= 300), 'the fetcher tried to resume');
    },
  },
  {
    name: 'corrupted primary (checksum mismatch)',
    faults: (f) => [[f.primary!, { corruptAt: 40 }]],
    error: /primary.*(checksum|sha256)/i,
  },
  { name: '404 on updateinfo', faults: (f) => [[f.updateinfo!, { status: 404 }]], error: /updateinfo.*404/ },
  {
    name: '500 on filelists',
    faults: (f) => [[f.filelists!, { status: 500 }]],
    error: /filelists.*500/,
    log: (t, requestsFor, f) => t.equal(requestsFor(f.filelists!).length, 2, 'one retry (SKYLAB_FETCH_RETRIES=1)'),
  },
  {
    name: 'slow server past SKYLAB_FETCH_TIMEOUT_MS',
    faults: (f) => [[f.primary!, { delayMs: 4000, chunkSize: 256 }]],
    error: /primary.*tim(ed )?out/i,
  },
  {
    name: 'a truncated repomd.xml',
    breakUpstream: async () => {
      const path = join(v2Repo(), 'repodata', 'repomd.xml');
      const whole = await readFile(path);
      await writeFile(path, whole.subarray(0, Math.floor(whole.length / 2)));
      return () => writeFile(path, whole);
    },
    error: /repomd/i,
  },
  {
    name: 'updateinfo that is not well-formed XML (checksums fine: the failure comes after packages were stored)',
    breakUpstream: async () => {
      await writeUpstream(v2Repo(), 2, { updateinfo: '<?xml version="1.0"?>\n<updates>\n  <update type="security"><id>SKSA-BROKEN</id>\n' });
      return () => writeUpstream(v2Repo(), 2);
    },
    error: /updateinfo|XML|unexpected end|unclosed/i,
  },
];

const v2Repo = (): string => join(work, 'v2');

t.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'skylab-sync-fail-'));
  await writeUpstream(join(work, 'v1'), 1);
  await writeUpstream(v2Repo(), 2);
  v2Files = await hrefs(v2Repo());
  v2Nvras = (await expectedContent(v2Repo(), 'channel-x86_64')).packages.map((p) => p.nvra);
  const labels = [...CASES.map((_, i) => `fail-${i + 1}`), 'fail-other', 'fail-resume', 'fail-close', 'fail-kill'];
  for (const v of ['v1', 'v2']) await linkFolders(join(work, `${v}-root`), labels, join(work, v));
  v1 = await startUpstream(join(work, 'v1-root'));
  v2 = await startUpstream(join(work, 'v2-root'));
  server = await startServer({ env: FAST_FAILURE_ENV });
  login = adminLogin(server);
  for (const label of labels) await channelWithRepo(login, label, `${v1.url}${label}/`);
  // version 1 everywhere, in one CLI run
  const r = await syncCli(server, labels);
  if (r.code !== 0) throw new Error(`initial syncs failed:\n${r.stdout}\n${r.stderr}`);
  for (const label of labels) await apiOk(login, [['channel.software.updateRepoUrl', `${label}-repo`, `${v2.url}${label}/`]]);
});

/** Sets faults on paths below the channel's folder; answers its request log reader. */
function upstreamOf(label: string): { misbehave(path: string, m: Misbehaviour): void; requestsFor(path: string): RequestRecord[] } {
  return { misbehave: (path, m) => v2.misbehave(`${label}/${path}`, m), requestsFor: (path) => v2.requestsFor(`${label}/${path}`) };
}

t.teardown(async () => {
  await server?.stop();
  await Promise.all([v1?.close(), v2?.close()]);
  if (work) await rm(work, { recursive: true, force: true });
});

/** Work folders of syncs left in the data directory. */
const syncWorkDirs = async (): Promise<string[]> => (await readdir(join(server.dataDir, 'tmp')).catch(() => [] as string[])).filter((n) => n.startsWith('sync-'));

/** The channel must show exactly what it showed before. */
function unchanged(t: Test, before: ChannelSnapshot, after: ChannelSnapshot): void {
  t.same(after.packages, before.packages, 'listAllPackages unchanged');
  t.same(after.errata, before.errata, 'listErrata unchanged');
  t.same(after.details, before.details, 'getDetails unchanged (last_modified, yumrepo_last_sync)');
}

CASES.forEach((c, i) => {
  t.test(c.name, async (t) => {
    const label = `fail-${i + 1}`;
    const before = await snapshot(login, label);
    const up = upstreamOf(label);
    v2.reset();
    for (const [path, m] of c.faults?.(v2Files) ?? []) up.misbehave(path, m);
    const undo = c.breakUpstream ? await c.breakUpstream() : null;
    const r = await sync(label);
    t.equal(r.code, 1, 'exit 1', { stdout: r.stdout, stderr: r.stderr });
    const failedLine = new RegExp(`^${label}: FAILED: .+`, 'm').exec(r.stdout)?.[0] ?? '';
    t.match(failedLine, c.error, 'the reason is printed');
    t.comment(`${failedLine.slice(0, 300)} (${r.ms.toFixed(0)} ms)`);
    c.log?.(t, up.requestsFor, v2Files);
    unchanged(t, before, await snapshot(login, label));
    const [run] = await history(login, label);
    t.match(run, { status: 'failed', trigger: 'cli' }, 'recorded as failed');
    t.match(run!.error, c.error, 'with the reason');
    const h = await syncCli(server, ['--history', '--limit', '1', label]);
    t.match(h.stdout, new RegExp(`^${label}  #${run!.id} .* failed .* error: .+`, 'm'), 'skylab sync --history shows it with its error');
    t.same(await syncWorkDirs(), [], 'no work folder left behind');

    await undo?.();
    v2Files = await hrefs(v2Repo());
    v2.reset();
    const again = await sync(label);
    exitOk(t, again, 'the next run succeeds');
    t.same((await snapshot(login, label)).packages.map(nvra).sort(), v2Nvras, 'and brings version 2');
    t.match((await history(login, label))[0], { status: 'success' });
  });
});

t.test('a connection cut once is resumed with a Range request', async (t) => {
  const label = 'fail-resume';
  const up = upstreamOf(label);
  v2.reset();
  const size = (await readFile(join(v2Repo(), v2Files.primary!))).length;
  const cutAt = Math.floor(size / 2);
  up.misbehave(v2Files.primary!, { dropAfter: cutAt, chunkSize: 128, times: 1 });
  const r = await sync(label);
  exitOk(t, r);
  const reqs = up.requestsFor(v2Files.primary!);
  t.equal(reqs.length, 2, 'primary asked twice');
  t.match(reqs[0], { range: null, bytesSent: cutAt });
  // undici may hand over a little less than was sent before the cut: resumed from at most cutAt
  const from = Number(/^bytes=(\d+)-$/.exec(reqs[1]?.range ?? '')?.[1]);
  t.ok(from > 0 && from <= cutAt, `resumed from byte ${from} (cut at ${cutAt})`);
  t.match(reqs[1], { status: 206, bytesSent: size - from }, 'the rest only');
  t.ok(reqs[1]!.ifRange, `guarded by If-Range (${reqs[1]!.ifRange})`);
  t.same((await snapshot(login, label)).packages.map(nvra).sort(), v2Nvras);
});

t.test('an upstream that drops the connection right after every complete response', async (t) => {
  const label = 'fail-close';
  const up = upstreamOf(label);
  v2.reset();
  for (const path of ['repodata/repomd.xml', ...Object.values(v2Files)]) {
    up.misbehave(path, { dropAfter: (await readFile(join(v2Repo(), path))).length, chunkSize: 256 });
  }
  const r = await sync(label);
  exitOk(t, r);
  t.same((await snapshot(login, label)).packages.map(nvra).sort(), v2Nvras);
});

t.test('a missing other (changelogs) is a warning, not a failure', async (t) => {
  const label = 'fail-other';
  v2.reset();
  upstreamOf(label).misbehave(v2Files.other!, { status: 404 });
  const r = await sync(label);
  exitOk(t, r);
  t.match(r.stdout, /warning: .*other metadata skipped: .*404/);
  t.same((await snapshot(login, label)).packages.map(nvra).sort(), v2Nvras, 'version 2 imported');
  const [run] = await history(login, label);
  t.equal(run!.status, 'success');
  t.match(run!.warnings.join('\n'), /other metadata skipped/, 'the warning is in the history');
  v2.reset();
});

t.test('a sync killed with SIGKILL: a second one is refused while it lives, the next one after it marks it interrupted', async (t) => {
  const label = 'fail-kill';
  const repo = `${label}-repo`;
  await apiOk(login, [['channel.software.setRepoDownloadPolicy', repo, 'immediate']]);
  const before = await snapshot(login, label);
  v2.reset();
  // package files come last (after packages are stored): make one crawl
  const rpm = 'Packages/sk-extra-1.0-1.noarch.rpm';
  const up = upstreamOf(label);
  up.misbehave(rpm, { delayMs: 1000, chunkSize: 512 });
  const victim = startCli(['sync', '--data-dir', server.dataDir, label], FAST_FAILURE_ENV);
  await waitFor('the slow package download', async () => (up.requestsFor(rpm).some((q) => q.bytesSent > 0) ? true : undefined), 30_000);
  const [running] = await history(login, label);
  t.match(running, { status: 'running', pid: victim.proc.pid }, 'the run is recorded as running, held by the CLI process');

  const second = await sync(label);
  t.equal(second.code, 1, 'a second sync of the busy channel exits 1', { stdout: second.stdout, stderr: second.stderr });
  t.match(second.stdout, new RegExp(`^${label}: FAILED: A sync of this channel is already running .*pid ${victim.proc.pid}`, 'm'), 'and says why');
  t.notMatch(second.stderr, /\n\s+at /, 'without a stack trace');

  victim.proc.kill('SIGKILL');
  const killed = await victim.done;
  t.equal(killed.signal, 'SIGKILL');
  unchanged(t, before, await snapshot(login, label));
  t.match((await history(login, label))[0], { id: running!.id, status: 'running' }, 'the dead run still looks like running');
  t.ok(existsSync(join(server.dataDir, 'tmp', `sync-${running!.id}`)), 'and its work folder is there');

  v2.reset();
  const next = await sync(label);
  exitOk(t, next, 'the next sync succeeds');
  const rows = await history(login, label);
  t.match(rows[0], { status: 'success' });
  const dead = rows.find((r) => r.id === running!.id)!;
  t.match(dead, { status: 'failed', error: /interrupted/ }, 'the killed run is marked failed: interrupted');
  t.same(await syncWorkDirs(), [], "the killed run's work folder was cleaned up");
  t.same((await snapshot(login, label)).packages.map(nvra).sort(), v2Nvras, 'version 2 is in');
  const { staging } = await blobListing(server.dataDir);
  t.comment(`blob staging files after the killed run: ${staging.length ? staging.join(', ') : 'none'}`);
});
