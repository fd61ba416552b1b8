// A real repository: a loopback copy of ../shared/data/cs9-baseos-2022 (CentOS Stream 9 BaseOS
// metadata: primary, filelists and group_gz; no package files) synced into an x86_64 channel
// with `skylab sync`. createrepo_c's parsers say how many packages the channel must take (its
// src and foreign-arch ones left out), what their dependencies and files are; the channel's
// dependencies (packages.listDependencies) and exported filelists must agree. The original
// repomd.xml, which also names an absent `other` and a plain `group`, syncs with a warning.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { archAccepts } from '../../channels/index.js';
import { adminLogin, type ApiLogin } from '../support/push.js';
import { documentRecords, parseRepomd } from '../support/repodata.js';
import { SHARED, startServer, type RunningServer } from '../support/server.js';
import { apiOk, channelWithRepo, cli, exitOk, nvra, syncCli, type PackageRow } from '../support/sync-harness.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

const run = promisify(execFile);
const SOURCE = join(SHARED, 'data', 'cs9-baseos-2022');
const CH = 'cs9-baseos';
let server: RunningServer;
let login: ApiLogin;
let work: string;
let up: Upstream;
let primary: Map<string, Record<string, unknown>>;
let taken: Record<string, unknown>[];
const recordNvra = (r: Record<string, unknown>): string => `${r.name}-${r.version}-${r.release}.${r.arch}`;

t.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'skylab-sync-cs9-'));
  await cp(SOURCE, join(work, 'root', 'current'), { recursive: true });
  await cp(SOURCE, join(work, 'root', 'orig'), { recursive: true });
  await rename(join(work, 'root', 'orig', 'repodata', 'repomd.xml.orig'), join(work, 'root', 'orig', 'repodata', 'repomd.xml'));
  up = await startUpstream(join(work, 'root'));
  primary = await documentRecords(join(work, 'root', 'current'), 'primary');
  taken = [...primary.values()].filter((r) => r.arch !== 'src' && r.arch !== 'nosrc' && archAccepts('channel-x86_64', String(r.arch)));
  server = await startServer();
  login = adminLogin(server);
  await channelWithRepo(login, CH, `${up.url}current/`);
  await channelWithRepo(login, `${CH}-orig`, `${up.url}orig/`);
});

t.teardown(async () => {
  await server?.stop();
  await up?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

let packages: PackageRow[];

t.test('the channel takes every binary package of an accepted arch', async (t) => {
  t.equal(primary.size, 1125, 'createrepo_c reads 1,125 packages');
  t.comment(`${taken.length} of them are x86_64/i686/noarch (${primary.size - taken.length} src or other arches)`);
  const r = await syncCli(server, [CH]);
  exitOk(t, r);
  t.match(r.stdout, new RegExp(`^${CH}: ${taken.length} packages \\(${taken.length} new\\), 0 errata new`, 'm'));
  t.comment(`sync of ${taken.length} packages: ${r.ms.toFixed(0)} ms wall, CLI start included`);
  t.notMatch(r.stdout, /warning/, 'no warning: repomd lists no other');
  [packages] = await apiOk<[PackageRow[]]>(login, [['channel.software.listAllPackages', CH]]);
  t.equal(packages.length, taken.length);
  const want = new Map(taken.map((rec) => [recordNvra(rec), String(rec.pkgid)]));
  t.same(packages.filter((p) => want.get(nvra(p)) !== p.checksum).map(nvra), [], 'each NEVRA with its upstream checksum');
});

t.test('packages.listDependencies answers what primary.xml says', async (t) => {
  const kinds = ['requires', 'provides', 'conflicts', 'obsoletes', 'recommends', 'suggests', 'supplements', 'enhances'];
  const sample = ['bash', 'glibc', 'systemd', 'openssh-server', 'kernel-core'];
  for (const name of sample) {
    const p = packages.find((x) => x.name === name && x.arch_label !== 'i686');
    if (!p) {
      t.fail(`${name} is not in the channel`);
      continue;
    }
    const rec = primary.get(p.checksum)!;
    const want = kinds.flatMap((k) => (rec[k] as { name: string }[]).map((d) => `${k} ${d.name}`)).sort();
    const [deps] = await apiOk<[{ dependency: string; dependency_type: string }[]]>(login, [['packages.listDependencies', p.id]]);
    t.same(deps.map((d) => `${d.dependency_type} ${d.dependency}`).sort(), want, `${nvra(p)}: ${want.length} dependencies`);
  }
});

t.test('the exported filelists and comps match upstream', async (t) => {
  const out = join(work, 'export');
  const x = await cli(['channel', 'export', '--data-dir', server.dataDir, '--metadata-only', CH, out]);
  exitOk(t, x);
  const theirs = await documentRecords(join(work, 'root', 'current'), 'filelists');
  const mine = await documentRecords(out, 'filelists');
  t.equal(mine.size, taken.length, 'one filelists entry per package');
  const differing = [...mine.entries()].filter(([pkgid, rec]) => JSON.stringify(rec.files) !== JSON.stringify(theirs.get(pkgid)?.files)).map(([, rec]) => recordNvra(rec));
  t.same(differing, [], 'every package with the files upstream lists');
  t.ok([...mine.values()].reduce((n, rec) => n + (rec.files as unknown[]).length, 0) > 10_000, 'and they are many');
  const records = (await parseRepomd(join(out, 'repodata', 'repomd.xml'))).records;
  const group = records.find((r) => r.type === 'group')!;
  const upstreamGroup = (await parseRepomd(join(work, 'root', 'current', 'repodata', 'repomd.xml'))).records.find((r) => r.type === 'group_gz')!;
  const { stdout } = await run('sha256sum', [join(out, group.location_href)]);
  t.equal(stdout.split(' ')[0], upstreamGroup.checksum_open, 'comps byte for byte (its upstream open-checksum)');
});

t.test("the original repomd.xml: `other` is absent (a warning), `group` absent but group_gz intact", async (t) => {
  const r = await syncCli(server, [`${CH}-orig`]);
  exitOk(t, r);
  t.match(r.stdout, new RegExp(`^${CH}-orig: ${taken.length} packages \\(${taken.length} new\\)`, 'm'), 'the same packages');
  t.match(r.stdout, /warning: .*other metadata skipped: .*404/);
  t.notMatch(r.stdout, /group/, 'nothing said about group');
  t.equal(up.requestsFor('orig/repodata/40232bada337516d6e75012012436d8138a529f3ac7171f07fbef5bd6c6e6a3a-comps-BaseOS.x86_64.xml').length, 0, 'the plain group was not needed');
});
