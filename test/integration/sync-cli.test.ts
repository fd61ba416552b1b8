// `skylab sync` end to end while the real server runs: an upstream built with rpmbuild,
// createrepo_c and modifyrepo_c on a loopback HTTP server; the first sync (packages, errata
// with types, severities, CVEs, bugs, merged duplicates, the arch-refused advisory left out),
// history through the API and `--history`, a no-op re-sync that asks for repomd.xml only, an
// upstream update, and the same repository compressed with xz, bz2 and zstd. Expectations come
// from createrepo_c's own parsers of the upstream files.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { adminLogin, type ApiLogin } from '../support/push.js';
import { parseRepomd } from '../support/repodata.js';
import { startServer, type RunningServer } from '../support/server.js';
import { ARM_ONLY_ID, BUGFIX_ID, BUG_ID, CVE, SECURITY_ID, V2_SECURITY_ID, hrefs, writeUpstream, type Codec } from '../support/sync-fixtures.js';
import { expectedContent, type ExpectedErratum, type ExpectedPackage } from '../support/sync-oracle.js';
import { apiOk, channelWithRepo, cli, exitOk, history, nvra, snapshot, syncCli } from '../support/sync-harness.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

const run = promisify(execFile);
const CH = 'sync-main';
let server: RunningServer;
let login: ApiLogin;
let work: string;
let up: Upstream;
const repoDir = (): string => join(work, 'main');

t.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'skylab-sync-cli-'));
  await writeUpstream(repoDir(), 1);
  up = await startUpstream(repoDir());
  server = await startServer();
  login = adminLogin(server);
  await channelWithRepo(login, CH, up.url);
});

t.teardown(async () => {
  await server?.stop();
  await up?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Packages and errata through the API against createrepo_c's reading of upstream. */
async function checkContent(t: Test, label: string, want: { packages: ExpectedPackage[]; errata: ExpectedErratum[] }): Promise<void> {
  const snap = await snapshot(login, label);
  t.same(snap.packages.map(nvra).sort(), want.packages.map((p) => p.nvra), `${label}: the packages createrepo_c lists, minus source and aarch64 ones`);
  const sums = new Map(snap.packages.map((p) => [nvra(p), p.checksum]));
  t.same(want.packages.filter((p) => sums.get(p.nvra) !== p.checksum).map((p) => p.nvra), [], 'each package keyed by its upstream checksum');
  t.same(snap.errata.map((e) => e.advisory_name), want.errata.map((e) => e.id), `${label}: one erratum per advisory id with packages here`);
}

const TYPES: Record<string, string> = { security: 'Security Advisory', bugfix: 'Bug Fix Advisory', enhancement: 'Product Enhancement Advisory' };

t.test('first sync through the CLI while the server runs', async (t) => {
  const r = await syncCli(server, [CH]);
  exitOk(t, r);
  const want = await expectedContent(repoDir(), 'channel-x86_64');
  t.match(r.stdout, new RegExp(`^${CH}: ${want.packages.length} packages \\(${want.packages.length} new\\), ${want.errata.length} errata new, 0 updated \\[`, 'm'));
  t.comment(`first sync: ${r.ms.toFixed(0)} ms wall (process start included)`);
  await checkContent(t, CH, want);
  t.notOk(want.errata.some((e) => e.id === ARM_ONLY_ID), 'oracle: the aarch64-only advisory has no package here');

  for (const e of want.errata) {
    const [details, cves, bugs, pkgs] = await apiOk<[Record<string, unknown>, string[], Record<string, string>, { name: string; version: string; release: string; arch_label: string }[]]>(login, [
      ['errata.getDetails', e.id],
      ['errata.listCves', e.id],
      ['errata.bugzillaFixes', e.id],
      ['errata.listPackages', e.id],
    ]);
    t.equal(details.type, TYPES[e.type], `${e.id}: type from updateinfo "${e.type}"`);
    t.equal(details.severity ?? '', e.severity, `${e.id}: severity`);
    t.same(cves.sort(), e.cves, `${e.id}: CVEs`);
    t.same(Object.keys(bugs).map(Number).sort(), e.bugs, `${e.id}: bugzilla ids`);
    t.same(pkgs.map(nvra).sort(), e.packages, `${e.id}: packages (duplicate copies merged)`);
  }
  t.ok(want.errata.find((e) => e.id === BUGFIX_ID)!.packages.length === 2, 'the duplicate id contributed a package');
  const [sec] = await apiOk<[Record<string, string>]>(login, [['errata.bugzillaFixes', SECURITY_ID]]);
  t.match(sec[String(BUG_ID)], CVE, 'bug summary kept');

  const snap = await snapshot(login, CH);
  t.ok(snap.details.yumrepo_last_sync, 'getDetails: yumrepo_last_sync set');
  const rows = await history(login, CH);
  t.equal(rows.length, 1);
  t.match(rows[0], { status: 'success', trigger: 'cli', packages_total: want.packages.length, packages_added: want.packages.length, errata_added: want.errata.length });
  t.notOk(rows[0]!.error, 'no error');
  const h = await syncCli(server, ['--history', CH]);
  exitOk(t, h);
  t.match(h.stdout, new RegExp(`^${CH}  #${rows[0]!.id}  \\S+  \\d+ s\\s+success\\s+cli\\s+${want.packages.length} packages`, 'm'));
});

t.test('a re-sync of an unchanged upstream asks for repomd.xml only', async (t) => {
  const before = await snapshot(login, CH);
  up.reset();
  const r = await syncCli(server, [CH]);
  exitOk(t, r);
  t.match(r.stdout, /repository unchanged, nothing to import/);
  t.same(up.requests.map((q) => q.path), ['repodata/repomd.xml'], 'one request: repomd.xml (the base URL itself is not read)');
  const after = await snapshot(login, CH);
  t.same(after.packages, before.packages);
  t.same(after.errata, before.errata);
  t.same(after.details.last_modified, before.details.last_modified, 'last_modified unchanged');
  t.match((await history(login, CH))[0], { status: 'unchanged', trigger: 'cli' });
  t.comment(`no-op re-sync: ${r.ms.toFixed(0)} ms wall (process start included)`);
});

t.test('an upstream update brings new builds and errata, and a changed advisory', async (t) => {
  const before = await snapshot(login, CH);
  const oldWant = await expectedContent(repoDir(), 'channel-x86_64');
  await writeUpstream(repoDir(), 2);
  const want = await expectedContent(repoDir(), 'channel-x86_64');
  const newPackages = want.packages.length - oldWant.packages.length;
  await new Promise((r) => setTimeout(r, 1100)); // last_modified has whole seconds
  const r = await syncCli(server, [CH]);
  exitOk(t, r);
  t.match(r.stdout, new RegExp(`^${CH}: ${want.packages.length} packages \\(${newPackages} new\\), 1 errata new, 1 updated`, 'm'));
  await checkContent(t, CH, want);
  const [v2, bugfix] = await apiOk<Record<string, unknown>[]>(login, [['errata.getDetails', V2_SECURITY_ID], ['errata.getDetails', BUGFIX_ID]]);
  t.match(v2, { type: 'Security Advisory', severity: 'Moderate' }, 'severity "moderate" stored in Spacewalk case');
  t.match(bugfix!.description, /revised text/, 'the advisory whose updated date moved was refreshed');
  const after = await snapshot(login, CH);
  t.not(after.details.last_modified, before.details.last_modified, 'last_modified moved');
  t.match((await history(login, CH))[0], { status: 'success', packages_added: newPackages, errata_added: 1, errata_updated: 1 });
});

const decompress: Record<string, string> = { gz: 'zcat', xz: 'xzcat', bz2: 'bzcat', zst: 'zstdcat', xml: 'cat', yaml: 'cat' };
const plain = async (path: string): Promise<string> => (await run(decompress[path.split('.').pop()!]!, [path], { maxBuffer: 64 << 20 })).stdout;

for (const codec of ['xz', 'bz2', 'zstd'] as Codec[]) {
  t.test(`the same repository compressed with ${codec}`, async (t) => {
    const dir = join(work, codec);
    await writeUpstream(dir, 1, { codec });
    const cup = await startUpstream(dir);
    t.teardown(() => cup.close());
    const label = `sync-${codec}`;
    await channelWithRepo(login, label, cup.url);
    const r = await syncCli(server, [label]);
    exitOk(t, r);
    const names = await hrefs(dir);
    t.ok(Object.values(names).some((h) => h.endsWith(codec === 'zstd' ? '.zst' : `.${codec}`)), `upstream really has ${codec} files: ${Object.values(names).join(' ')}`);
    const fetched = new Set(cup.requests.filter((q) => q.status === 200).map((q) => q.path));
    for (const type of ['primary', 'filelists', 'other', 'updateinfo', 'modules']) t.ok(fetched.has(names[type]!), `${type} downloaded`);
    t.same(r.stdout.match(/warning/g), null, 'no warnings');
    // the gz twin of this repository, read by createrepo_c, says what to expect
    const twin = join(work, `${codec}-gz-twin`);
    await writeUpstream(twin, 1);
    await checkContent(t, label, await expectedContent(twin, 'channel-x86_64'));

    // comps and modules came through: the exported repodata carries them byte for byte
    const out = join(work, `${codec}-export`);
    const x = await cli(['channel', 'export', '--data-dir', server.dataDir, '--metadata-only', label, out]);
    exitOk(t, x);
    const exported = Object.fromEntries((await parseRepomd(join(out, 'repodata', 'repomd.xml'))).records.map((rec) => [rec.type, rec.location_href]));
    const groupHref = names['group_gz'] ?? names['group_xz'] ?? names['group']!;
    t.equal(await plain(join(out, exported['group']!)), await plain(join(dir, groupHref)), 'comps as upstream had it');
    t.equal(await plain(join(out, exported['modules']!)), await plain(join(dir, names['modules']!)), 'modules as upstream had it');
    t.ok(exported['updateinfo'], 'updateinfo published');
  });
}

