// Time and peak RSS of publishChannel on CentOS Stream 9 AppStream (17,649 packages, imported
// metadata-only from ../shared/data) with synthetic errata, comps and modules, each run in a
// fresh process; beside it, createrepo_c writing the same packages (python3-createrepo-c's
// Primary/Filelists/OtherXmlFile, gzip) and `gzip -6` of the same bytes, timed in the same run.
// Run: npx tsx bench/publish.ts [--errata N] [--runs R]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openStores, type Stores, type SyncedErratum } from '../channels/index.js';
import { importPrimaryFile, publishChannel, type PublishResult } from '../repo-sync/index.js';
import { ROOT, SHARED } from './support/procs.js';

const APPSTREAM = join(SHARED, 'data', 'cs9-appstream', 'repodata');
const MIGRATIONS = join(ROOT, 'migrations');
const find = (suffix: string): string => join(APPSTREAM, readdirSync(APPSTREAM).find((f) => f.endsWith(suffix))!);
const LABEL = 'cs9-appstream';

interface ChildReport {
  seconds: number;
  /** a second publish with nothing changed (reuses the files) */
  reuseSeconds: number;
  baseRssMiB: number;
  peakRssMiB: number;
  result: Pick<PublishResult, 'packages' | 'errata' | 'dir'> & { files: { type: string; size: number; openSize: number | null }[] };
}

/** N advisories over the channel's packages: mixed types, CVEs, bugs, a self reference, some modules. */
function syntheticErrata(orgId: number, ids: number[], n: number): SyncedErratum[] {
  const types = ['Security Advisory', 'Bug Fix Advisory', 'Product Enhancement Advisory'];
  const out: SyncedErratum[] = [];
  for (let i = 0; i < n; i++) {
    const type = types[i % 3]!;
    const name = `SKB${type[0]}A-2024:${String(i).padStart(5, '0')}`;
    out.push({
      orgId, advisoryName: name, advisoryType: type, advisoryRelease: 1, synopsis: `${type} number ${i}`, product: 'CentOS Stream 9',
      topic: 'An update is available.', description: `Advisory ${i} fixes things.\n`.repeat(6), solution: 'Apply the update.',
      severity: type === 'Security Advisory' ? ['Low', 'Moderate', 'Important', 'Critical'][i % 4]! : null,
      issueDate: new Date(Date.UTC(2024, 0, 1) + i * 3600_000), updateDate: new Date(Date.UTC(2024, 0, 2) + i * 3600_000),
      cves: type === 'Security Advisory' ? [`CVE-2024-${10000 + i}`, `CVE-2024-${20000 + i}`] : [],
      bugs: [{ id: 2000000 + i, summary: `bug ${i}`, url: `https://bugzilla.example.org/show_bug.cgi?id=${2000000 + i}` }],
      extras: { status: 'final', version: '1', rights: '', pushcount: '1', rebootSuggested: i % 17 === 0, source: 'bench' },
      otherReferences: [{ type: 'self', id: name, href: `https://errata.example.org/${name}`, title: name }],
      packages: [0, 1, 2].map((k) => ({ packageId: ids[(i * 7 + k * 131) % ids.length]!, module: k === 2 && i % 5 === 0 ? 'nodejs:18:9040020240101:abcd1234:x86_64' : null })),
    });
  }
  return out;
}

async function prepare(dir: string, errata: number): Promise<{ importSeconds: number }> {
  const stores: Stores = openStores(join(dir, 'skylab.db'), MIGRATIONS);
  try {
    const orgId = (await stores.users.ensureOrg('Bench')).id;
    const channel = await stores.channels.create({ orgId, label: LABEL, name: 'CentOS Stream 9 AppStream', summary: 'bench', archLabel: 'channel-x86_64', parentId: null, checksumLabel: 'sha256' });
    const t0 = performance.now();
    await importPrimaryFile(stores, orgId, channel.id, find('-primary.xml.gz'));
    const importSeconds = (performance.now() - t0) / 1000;
    const ids = await stores.publish.packageIds(channel.id);
    const comps = execFileSync('cat', [find('-comps-AppStream.x86_64.xml')], { maxBuffer: 1 << 26 });
    const modules = execFileSync('xz', ['-dc', find('-modules.yaml.xz')], { maxBuffer: 1 << 26 });
    await stores.sync.commit({
      channelId: channel.id, orgId, packageIds: [], repos: [], syncedAt: new Date(),
      errata: syntheticErrata(orgId, ids, errata),
      metadata: { group: { content: comps, sha256: 'bench' }, modules: { content: modules, sha256: 'bench' } },
    });
    return { importSeconds };
  } finally {
    stores.close();
  }
}

/** In a fresh process: bump the revision (so the publish cannot reuse), publish, report. */
async function child(dir: string): Promise<void> {
  const stores = openStores(join(dir, 'skylab.db'), MIGRATIONS);
  const channel = (await stores.channels.getByLabelAnyOrg(LABEL))!;
  stores.channels.bumpInTx(channel.id);
  const baseRssMiB = process.memoryUsage().rss / 1048576;
  const r = await publishChannel(stores, join(dir, 'data'), channel.id);
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  const again = await publishChannel(stores, join(dir, 'data'), channel.id);
  const report: ChildReport = {
    seconds: r.seconds,
    reuseSeconds: again.generated ? NaN : again.seconds,
    baseRssMiB,
    peakRssMiB,
    result: { packages: r.packages, errata: r.errata, dir: r.dir, files: r.files.map((f) => ({ type: f.type, size: f.size, openSize: f.openSize })) },
  };
  stores.close();
  console.log(JSON.stringify(report));
}

const CREATEREPO_WRITE = `
import createrepo_c as cr, json, resource, sys, time
pri, fil, oth, out = sys.argv[1:5]
pkgs = {}
def keep(p):
    pkgs[p.pkgId] = p
cr.xml_parse_primary(pri, pkgcb=keep, do_files=False)
cr.xml_parse_filelists(fil, newpkgcb=lambda pkgid, name, arch: pkgs.get(pkgid))
cr.xml_parse_other(oth, newpkgcb=lambda pkgid, name, arch: pkgs.get(pkgid))
start = time.perf_counter()
files = [cr.PrimaryXmlFile(out + '/primary.xml.gz', cr.GZ), cr.FilelistsXmlFile(out + '/filelists.xml.gz', cr.GZ), cr.OtherXmlFile(out + '/other.xml.gz', cr.GZ)]
for f in files:
    f.set_num_of_pkgs(len(pkgs))
for p in pkgs.values():
    for f in files:
        f.add_pkg(p)
for f in files:
    f.close()
print(json.dumps({'packages': len(pkgs), 'seconds': time.perf_counter() - start, 'maxrss_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
`;

function createrepoWrite(published: string, out: string): { packages: number; seconds: number; maxrss_kib: number } {
  const file = (type: string): string => join(published, readdirSync(published).find((f) => f.endsWith(`-${type}.xml.gz`))!);
  const r = execFileSync('/usr/bin/python3', ['-c', CREATEREPO_WRITE, file('primary'), file('filelists'), file('other'), out], { encoding: 'utf8' });
  return JSON.parse(r) as { packages: number; seconds: number; maxrss_kib: number };
}

/** `gzip -6` of the decompressed package documents, one file after the other. */
function gzipReference(published: string, scratch: string): number {
  let seconds = 0;
  for (const type of ['primary', 'filelists', 'other']) {
    const src = join(published, readdirSync(published).find((f) => f.endsWith(`-${type}.xml.gz`))!);
    const plain = join(scratch, `${type}.xml`);
    writeFileSync(plain, execFileSync('zcat', [src], { maxBuffer: 1 << 28 }));
    const t0 = performance.now();
    spawnSync('bash', ['-c', 'gzip -6 -c "$1" > /dev/null', 'sh', plain]);
    seconds += (performance.now() - t0) / 1000;
  }
  return seconds;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { errata: { type: 'string' }, runs: { type: 'string' }, child: { type: 'string' } } });
  if (values.child) return child(values.child);
  const errata = Number(values.errata ?? 3000);
  const runs = Number(values.runs ?? 5);
  const dir = mkdtempSync(join(tmpdir(), 'skylab-bench-publish-'));
  try {
    const { importSeconds } = await prepare(dir, errata);
    console.log(`prepared: ${LABEL} imported metadata-only in ${importSeconds.toFixed(2)} s, ${errata} synthetic errata, comps, modules`);
    const reports: ChildReport[] = [];
    for (let i = 0; i < runs; i++) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', dir], { cwd: ROOT, encoding: 'utf8' });
      reports.push(JSON.parse(out.trim().split('\n').pop()!) as ChildReport);
    }
    const last = reports[reports.length - 1]!;
    const scratch = mkdtempSync(join(dir, 'ref-'));
    const cr = createrepoWrite(last.result.dir, scratch);
    const gz = gzipReference(last.result.dir, scratch);
    const mb = (n: number | null): string => (n === null ? '-' : `${(n / 1048576).toFixed(1)} MiB`);
    console.log(`published ${last.result.packages} packages, ${last.result.errata} errata:`);
    for (const f of last.result.files) console.log(`  ${f.type.padEnd(10)} ${mb(f.size).padStart(10)} (open ${mb(f.openSize)})`);
    console.log('');
    console.log(`publishChannel            median ${median(reports.map((r) => r.seconds)).toFixed(3)} s  runs [${reports.map((r) => r.seconds.toFixed(3)).join(', ')}]`);
    console.log(`  unchanged, again        median ${(median(reports.map((r) => r.reuseSeconds)) * 1000).toFixed(1)} ms (files reused)`);
    console.log(`  peak RSS                ${Math.max(...reports.map((r) => r.peakRssMiB)).toFixed(0)} MiB (process before publishing: ${median(reports.map((r) => r.baseRssMiB)).toFixed(0)} MiB)`);
    console.log(`createrepo_c write       ${cr.seconds.toFixed(3)} s  (${cr.packages} packages: Primary/Filelists/OtherXmlFile, gzip; parse not timed; peak RSS ${(cr.maxrss_kib / 1024).toFixed(0)} MiB incl. the parsed packages)`);
    console.log(`gzip -6 of the same text ${gz.toFixed(3)} s  (primary + filelists + other, one after the other)`);
    console.log(`target: publish <= 3 s -> ${median(reports.map((r) => r.seconds)) <= 3 ? 'met' : 'MISSED'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
