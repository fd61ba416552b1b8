// A synced channel as dnf sees it. The repo keeps the default `on_demand` policy: the sync
// stores no package file, `skylab channel export` fetches them from upstream (checksum-checked,
// byte for byte what upstream has). Then Debian's dnf, in throwaway installroots, reads the
// export and the upstream repository itself side by side: old builds installed, `updateinfo
// list --all` / `updateinfo info` give the same advisories, types and severities from both,
// comps and modules survive, and after upstream moves to version 2 and the channel syncs again,
// `dnf upgrade` brings the newest builds.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { dnfRoot, type DnfRoot } from '../support/dnf.js';
import { adminLogin, api, blobListing, sha256sum, type ApiLogin } from '../support/push.js';
import { startServer, type RunningServer } from '../support/server.js';
import { BUGFIX_ID, ENHANCEMENT_ID, SECURITY_ID, V2_SECURITY_ID, packageFiles, writeUpstream } from '../support/sync-fixtures.js';
import { channelWithRepo, cli, exitOk, syncCli } from '../support/sync-harness.js';
import { expectedContent } from '../support/sync-oracle.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

const CH = 'dnf-main';
let server: RunningServer;
let login: ApiLogin;
let work: string;
let up: Upstream;
let exported: DnfRoot;
let upstream: DnfRoot;
const repoDir = (): string => join(work, 'upstream');
const outDir = (): string => join(work, 'export');
const OLD = ['sk-app-1.0-1.x86_64', 'sk-lib-1.0-1.x86_64', 'sk-doc-1.0-1.noarch'];

t.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'skylab-sync-dnf-'));
  await writeUpstream(repoDir(), 1);
  up = await startUpstream(repoDir());
  server = await startServer();
  login = adminLogin(server);
  await channelWithRepo(login, CH, up.url);
  exported = await dnfRoot('skylab-export', outDir());
  upstream = await dnfRoot('upstream', repoDir());
});

t.teardown(async () => {
  await exported?.remove();
  await upstream?.remove();
  await server?.stop();
  await up?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const exportChannel = (): ReturnType<typeof cli> => cli(['channel', 'export', '--data-dir', server.dataDir, CH, outDir()]);
const packageRequests = (): string[] => up.requests.filter((q) => q.path.startsWith('Packages/')).map((q) => q.path).sort();

t.test('on_demand (the default): the sync stores no package file', async (t) => {
  const r = await syncCli(server, [CH]);
  exitOk(t, r);
  const [repo] = await api<[Record<string, unknown>]>(login, [['channel.software.getRepoDetails', `${CH}-repo`]]);
  t.equal(repo.downloadPolicy, 'on_demand');
  t.same(packageRequests(), [], 'no package file asked of upstream');
  t.same((await blobListing(server.dataDir)).stored, [], 'the blob store is empty');
});

t.test('skylab channel export fetches the files from upstream, checksum-verified', async (t) => {
  const want = await expectedContent(repoDir(), 'channel-x86_64');
  up.reset();
  const r = await exportChannel();
  exitOk(t, r);
  t.match(r.stdout, new RegExp(`^exported ${want.packages.length} package files \\([\\d.]+ MiB, ${want.packages.length} fetched first\\)`, 'm'));
  const files = (await readdir(join(outDir(), 'getPackage'))).sort();
  t.same(files, want.packages.map((p) => `${p.nvra}.rpm`).sort(), 'one file per channel package');
  t.same(packageRequests(), files.map((f) => `Packages/${f}`), 'each fetched from upstream once');
  const built = new Map((await packageFiles(1)).map((f) => [f.split('/').pop()!, f]));
  for (const f of files) t.equal(await sha256sum(join(outDir(), 'getPackage', f)), await sha256sum(built.get(f)!), `${f} byte for byte`);
  t.equal((await blobListing(server.dataDir)).stored.length, files.length, 'now cached in the blob store');

  up.reset();
  const again = await exportChannel();
  exitOk(t, again);
  t.match(again.stdout, new RegExp(`^exported ${files.length} package files \\([\\d.]+ MiB\\) to `, 'm'), 'a second export fetches nothing');
  t.same(packageRequests(), [], 'upstream not asked again');
});

/** `dnf updateinfo list --all` rows as "ID TYPE/SEVERITY NEVRA", sorted, each once (dnf prints duplicated ids twice). */
async function updateinfoList(root: DnfRoot): Promise<string[]> {
  const r = await root.dnf(['-q', 'updateinfo', 'list', '--all']);
  if (r.code !== 0) throw new Error(`dnf updateinfo list failed: ${r.stderr}`);
  const rows = r.stdout.split('\n').map((l) => l.trim().split(/\s+/).filter((w) => w !== 'i').join(' ')).filter((l) => /^\S+-\d{4}:\d+ /.test(l));
  return [...new Set(rows)].sort();
}

/** The fields of `dnf updateinfo info ID` that both sides must agree on. */
async function updateinfoInfo(root: DnfRoot, id: string): Promise<Record<string, string>> {
  const r = await root.dnf(['-q', 'updateinfo', 'info', id]);
  if (r.code !== 0) throw new Error(`dnf updateinfo info failed: ${r.stderr}`);
  const out: Record<string, string> = {};
  let key = '';
  let rules = 0;
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*([A-Za-z ]+?)\s*:\s(.*)$/.exec(line);
    if (/^=+$/.test(line.trim())) {
      rules++;
      continue;
    }
    if (rules === 1 && line.trim()) out['Title'] = line.trim();
    else if (m) [key, out[m[1]!]] = [m[1]!, m[2]!.trim()];
    else if (key && line.trim() && /^\s+:/.test(line)) out[key] += `\n${line.replace(/^\s+:\s?/, '').trim()}`;
  }
  return out;
}

t.test('dnf: old builds installed, the synced advisories as upstream has them', async (t) => {
  for (const root of [exported, upstream]) {
    const r = await root.dnf(['-y', 'install', ...OLD.map((n) => n.replace(/\.(x86_64|noarch)$/, ''))]);
    t.equal(r.code, 0, `dnf install (${root === exported ? 'export' : 'upstream'})`, { stderr: r.stderr });
  }
  t.same(await exported.installed(), await upstream.installed(), 'the same packages resolved from both');
  const installed = await exported.installed();
  t.ok(OLD.every((n) => installed.includes(n)), `old builds installed: ${installed.join(' ')}`);
  const mine = await updateinfoList(exported);
  t.same(mine, await updateinfoList(upstream), 'updateinfo list --all: the same rows from the export and from upstream');
  t.comment(mine.join('\n'));
  const row = (id: string): string[] => mine.filter((l) => l.startsWith(`${id} `));
  t.match(row(SECURITY_ID), [/ Important\/Sec\. sk-lib-1\.1-1\.x86_64$/]);
  t.match(row(BUGFIX_ID).join('\n'), / bugfix sk-app-1\.1-1\.x86_64/);
  t.match(row(ENHANCEMENT_ID), [/ enhancement sk-doc-1\.1-1\.noarch$/]);

  for (const id of [SECURITY_ID, BUGFIX_ID, ENHANCEMENT_ID]) {
    const a = await updateinfoInfo(exported, id);
    const b = await updateinfoInfo(upstream, id);
    for (const k of ['Title', 'Update ID', 'Type', 'Severity', 'Updated', 'Bugs', 'CVEs', 'Description']) t.equal(a[k], b[k], `${id} ${k}: ${a[k]}`);
  }
  const sec = await updateinfoInfo(exported, SECURITY_ID);
  t.match(sec, { Title: 'Important: sk-lib security update', Type: 'security', Severity: 'Important', CVEs: /CVE-2024-1111/, Bugs: /2001/ });
});

t.test('dnf: comps and modules survive', async (t) => {
  const [a, b] = await Promise.all([exported.dnf(['-q', 'group', 'info', 'sk-tools']), upstream.dnf(['-q', 'group', 'info', 'sk-tools'])]);
  t.equal(a.code, 0, 'dnf group info', { stderr: a.stderr });
  t.equal(a.stdout, b.stdout, 'group info as from upstream');
  t.match(a.stdout, /Mandatory Packages:\s+sk-app/);
  const [m, n] = await Promise.all([exported.dnf(['-q', 'module', 'list']), upstream.dnf(['-q', 'module', 'list'])]);
  t.equal(m.code, 0, 'dnf module list', { stderr: m.stderr });
  // the listing is headed by the repo id, the one difference between the two roots
  t.equal(m.stdout, n.stdout.replace(/^upstream$/m, 'skylab-export'), 'module list as from upstream');
  t.match(m.stdout, /sk-mod\s+1\.0 \[d\]/);
});

t.test('upstream moves to version 2: re-sync, re-export, dnf upgrade', async (t) => {
  await writeUpstream(repoDir(), 2);
  exitOk(t, await syncCli(server, [CH]), 'sync');
  exitOk(t, await exportChannel(), 'export');
  const rows = await updateinfoList(exported);
  const theirs = await updateinfoList(upstream);
  // upstream writes <severity>moderate</severity>: dnf reads severities case-sensitively and shows
  // Unknown; Skylab stores Spacewalk's "Moderate", which dnf then understands
  const v2Rows = (list: string[]): string[] => list.filter((l) => l.startsWith(`${V2_SECURITY_ID} `));
  const others = (list: string[]): string[] => list.filter((l) => !l.startsWith(`${V2_SECURITY_ID} `));
  t.same(others(rows), others(theirs), 'updateinfo list --all agrees with upstream on the version 1 advisories');
  t.same(v2Rows(rows), v2Rows(theirs).map((l) => l.replace(' Unknown/Sec. ', ' Moderate/Sec. ')), `${V2_SECURITY_ID}: the same rows, severity understood (upstream: ${v2Rows(theirs)[0]})`);
  t.match(v2Rows(rows), [/ Moderate\/Sec\. sk-app-1\.2-1\.x86_64$/, / Moderate\/Sec\. sk-lib-1\.2-1\.x86_64$/]);
  const r = await exported.dnf(['-y', 'upgrade']);
  t.equal(r.code, 0, 'dnf upgrade', { stderr: r.stderr });
  const newest = (await expectedContent(repoDir(), 'channel-x86_64', { latest: true })).packages.map((p) => p.nvra);
  const installed = await exported.installed();
  const nameArch = (nvra: string): string => nvra.replace(/-[^-]+-[^-]+(\.[^.]+)$/, '$1');
  const have = new Set(installed.map(nameArch));
  t.same(installed, newest.filter((n) => have.has(nameArch(n))).sort(), 'every installed package at its newest build');
  t.ok(installed.includes('sk-lib-1.2-1.x86_64') && installed.includes('sk-app-1.2-1.x86_64'), installed.join(' '));
});
