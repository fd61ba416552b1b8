// Syncs started through the admin API (Python's xmlrpc.client against the real server), polled
// the way CEFS's --sync-channels does (getDetails until yumrepo_last_sync moves): syncRepo now,
// again after upstream changed; repo filters (exclude, whitelist, and one added between two
// syncs); the `latest` and `no-errata` options; an ia32 channel taking only its arches; and the
// `immediate` download policy (package files in the blob store after the sync, fetched with
// bounded concurrency). Expectations come from createrepo_c's parsers and python3-rpm.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { adminLogin, blobListing, type ApiLogin } from '../support/push.js';
import { startServer, type RunningServer } from '../support/server.js';
import { ENHANCEMENT_ID, V2_SECURITY_ID, writeUpstream } from '../support/sync-fixtures.js';
import { FAST_FAILURE_ENV, apiOk, channelWithRepo, history, linkFolders, nvra, relink, sleep, snapshot, waitFor } from '../support/sync-harness.js';
import { expectedContent, type ExpectedErratum, type ExpectedPackage } from '../support/sync-oracle.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

let server: RunningServer;
let login: ApiLogin;
let work: string;
let up: Upstream;
const root = (): string => join(work, 'root');
const v1 = (): string => join(work, 'v1');
const v2 = (): string => join(work, 'v2');
const LABELS = ['api-now', 'api-exclude', 'api-whitelist', 'api-latest', 'api-noerrata', 'api-ia32', 'api-immediate'];
const url = (label: string): string => `${up.url}${label}/`;

t.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'skylab-sync-api-'));
  await writeUpstream(v1(), 1);
  await writeUpstream(v2(), 2);
  await linkFolders(root(), LABELS, v1());
  up = await startUpstream(root());
  server = await startServer({ env: FAST_FAILURE_ENV });
  login = adminLogin(server);
  for (const label of LABELS) await channelWithRepo(login, label, url(label), label === 'api-ia32' ? 'channel-ia32' : 'channel-x86_64');
});

t.teardown(async () => {
  await server?.stop();
  await up?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/**
 * syncRepo through the API, then getDetails until yumrepo_last_sync moves (as CEFS polls) and
 * the history shows the run ended; answers that run.
 */
async function syncViaApi(label: string, params?: Record<string, boolean>): Promise<{ result: unknown; run: Awaited<ReturnType<typeof history>>[number] }> {
  const before = (await snapshot(login, label)).details.yumrepo_last_sync ?? null;
  const lastRun = (await history(login, label))[0]?.id ?? 0;
  if (before !== null) await sleep(1100); // yumrepo_last_sync has whole seconds
  const [result] = await apiOk(login, [['channel.software.syncRepo', label, ...(params ? [params] : [])]]);
  const run = await waitFor(`sync of ${label}`, async () => {
    const details = (await snapshot(login, label)).details;
    const [top] = await history(login, label);
    const ended = top && top.id > lastRun && top.status !== 'running';
    return ended && (details.yumrepo_last_sync ?? null) !== before ? top : undefined;
  });
  return { result, run };
}

async function contentIs(t: Test, label: string, want: { packages: ExpectedPackage[]; errata: ExpectedErratum[] }): Promise<void> {
  const snap = await snapshot(login, label);
  t.same(snap.packages.map(nvra).sort(), want.packages.map((p) => p.nvra).sort(), `${label}: packages`);
  t.same(snap.errata.map((e) => e.advisory_name).sort(), want.errata.map((e) => e.id).sort(), `${label}: errata`);
}

t.test('syncRepo(label) returns 1 and runs in the background until yumrepo_last_sync moves', async (t) => {
  const label = 'api-now';
  t.notOk((await snapshot(login, label)).details.yumrepo_last_sync, 'never synced: no yumrepo_last_sync');
  const first = await syncViaApi(label);
  t.equal(first.result, 1, 'syncRepo answers 1');
  t.match(first.run, { status: 'success', trigger: 'api' });
  await contentIs(t, label, await expectedContent(v1(), 'channel-x86_64'));

  await relink(root(), label, v2());
  const second = await syncViaApi(label);
  t.equal(second.result, 1);
  t.match(second.run, { status: 'success', trigger: 'api', errata_added: 1, errata_updated: 1 });
  await contentIs(t, label, await expectedContent(v2(), 'channel-x86_64'));
  const [cron] = await apiOk<[string]>(login, [['channel.software.getRepoSyncCronExpression', label]]);
  t.equal(cron, '', 'a sync now sets no schedule');
});

t.test('repo filters: an exclude rule, a whitelist, and a rule added between two syncs', async (t) => {
  const [added] = await apiOk(login, [['channel.software.addRepoFilter', 'api-exclude-repo', { filter: 'sk-doc*', flag: '-' }]]);
  t.equal(added, 1, 'addRepoFilter answers the number of filters');
  await syncViaApi('api-exclude');
  const noDoc = (name: string): boolean => name.startsWith('sk-doc');
  const first = await expectedContent(v1(), 'channel-x86_64', { exclude: noDoc });
  await contentIs(t, 'api-exclude', first);
  t.notOk(first.errata.some((e) => e.id === ENHANCEMENT_ID), 'oracle: the sk-doc advisory has nothing left here');

  await apiOk(login, [['channel.software.setRepoFilters', 'api-whitelist-repo', [{ filter: 'sk-lib*, sk-data', flag: '+' }]]]);
  await syncViaApi('api-whitelist');
  await contentIs(t, 'api-whitelist', await expectedContent(v1(), 'channel-x86_64', { exclude: (n) => n !== 'sk-lib' && n !== 'sk-data' }));

  // a second rule, then upstream moves: the next sync leaves sk-lib's new builds out, keeps what was there
  t.equal((await apiOk(login, [['channel.software.addRepoFilter', 'api-exclude-repo', { filter: 'sk-lib', flag: '-' }]]))[0], 2);
  const [filters] = await apiOk<[{ filter: string; flag: string }[]]>(login, [['channel.software.listRepoFilters', 'api-exclude-repo']]);
  t.same(filters.map((f) => `${f.flag}${f.filter}`), ['-sk-doc*', '-sk-lib']);
  await relink(root(), 'api-exclude', v2());
  await syncViaApi('api-exclude');
  const next = await expectedContent(v2(), 'channel-x86_64', { exclude: (n) => noDoc(n) || n === 'sk-lib' });
  const snap = await snapshot(login, 'api-exclude');
  const have = snap.packages.map(nvra).sort();
  t.same(have, [...new Set([...first.packages, ...next.packages].map((p) => p.nvra))].sort(), 'version 1 packages kept, version 2 ones added except sk-lib');
  t.notOk(have.some((n) => n.startsWith('sk-lib-1.2-')), 'no sk-lib 1.2 build');
  t.same(snap.errata.map((e) => e.advisory_name).sort(), [...new Set([...first.errata, ...next.errata].map((e) => e.id))].sort(), 'errata of both versions that have packages here');
  t.ok(next.errata.some((e) => e.id === V2_SECURITY_ID), `oracle: ${V2_SECURITY_ID} still has sk-app 1.2 here`);
});

t.test("syncRepo(label, {'latest': True}) keeps only the newest build of each package", async (t) => {
  const { result, run } = await syncViaApi('api-latest', { latest: true });
  t.equal(result, 1);
  const want = await expectedContent(v1(), 'channel-x86_64', { latest: true });
  t.ok(want.packages.length < (await expectedContent(v1(), 'channel-x86_64')).packages.length, 'oracle: upstream has older builds');
  await contentIs(t, 'api-latest', want);
  t.equal(run.packages_total, want.packages.length);
});

t.test("syncRepo(label, {'no-errata': True}) skips errata (and never asks for updateinfo)", async (t) => {
  up.reset();
  const { run } = await syncViaApi('api-noerrata', { 'no-errata': true });
  t.match(run, { status: 'success', errata_added: 0 });
  await contentIs(t, 'api-noerrata', { packages: (await expectedContent(v1(), 'channel-x86_64')).packages, errata: [] });
  t.same(up.requests.filter((q) => q.path.includes('updateinfo')), [], 'no updateinfo request');
});

t.test('an ia32 channel takes the i686 and noarch packages, and the errata that have some', async (t) => {
  await syncViaApi('api-ia32');
  const want = await expectedContent(v1(), 'channel-ia32');
  t.ok(want.packages.some((p) => p.arch === 'i686') && !want.packages.some((p) => p.arch === 'x86_64'), 'oracle: i686 and noarch only');
  await contentIs(t, 'api-ia32', want);
});

t.test('immediate: package files downloaded during the sync, a few at a time', async (t) => {
  const label = 'api-immediate';
  const [repo] = await apiOk<[Record<string, unknown>]>(login, [['channel.software.setRepoDownloadPolicy', `${label}-repo`, 'immediate']]);
  t.equal(repo.downloadPolicy, 'immediate');
  const storedBefore = (await blobListing(server.dataDir)).stored;
  t.same(storedBefore, [], 'the other channels (on_demand) left no package file');
  up.reset();
  up.misbehave('*', { delayMs: 40, chunkSize: 4096 }); // slow enough for downloads to overlap
  const { run } = await syncViaApi(label);
  const rpms = up.requests.filter((q) => q.path.startsWith(`${label}/Packages/`));
  const maxConnections = up.maxConnections;
  up.reset();
  t.equal(run.status, 'success');
  const want = await expectedContent(v1(), 'channel-x86_64');
  const stored = (await blobListing(server.dataDir)).stored;
  t.same(want.packages.filter((p) => !stored.some((s) => s.endsWith(p.checksum))).map((p) => p.nvra), [], 'every package file is in the blob store under its checksum');
  t.equal(stored.length, want.packages.length, 'and nothing else');
  t.same(rpms.map((q) => q.path.slice(label.length + 1)).sort(), want.packages.map((p) => `Packages/${p.nvra}.rpm`).sort(), 'each downloaded once, during the sync');
  t.ok(rpms.every((q) => q.status === 200), 'all whole');
  t.ok(maxConnections <= 8, `at most 8 connections at once (saw ${maxConnections})`);
  t.ok(maxConnections >= 2, 'and more than one');
});
