// `skylab errata import-cefs` against a running server: rpmbuild-built packages pushed with the
// real CLI into a base and a child channel made through the API, the sample CEFS feed imported
// beside the server (same SQLite file), the result read back with Python's xmlrpc.client;
// then a re-run (idempotent), a feed with one more matching package, and a malformed feed.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { adminLogin, api, type CliResult } from '../support/push.js';
import { pythonJson } from '../support/python.js';
import { ROOT, SHARED, SKYLAB_BIN, startServer, type RunningServer } from '../support/server.js';
import { BASE, setupTraceData, TOOLS, type TraceData } from '../support/trace-data.js';

const SAMPLE = join(SHARED, 'data', 'cefs-sample', 'errata.latest.xml');
// A zone with an offset, so a date read in the wrong zone shows.
const ENV = { SKYLAB_TZ: 'America/New_York' };

interface FeedAdvisory {
  name: string;
  attrs: Record<string, string>;
  packages: string[];
  cves: string[];
  keywords: string[];
}

/** The sample feed as Python's ElementTree reads it: the reference for what the import must store. */
function feedAdvisories(path: string): Promise<FeedAdvisory[]> {
  const script = `
import json, sys, xml.etree.ElementTree as ET
out = []
for el in ET.parse(sys.argv[1]).getroot():
    if el.tag == 'meta': continue
    out.append({'name': el.tag.replace('--', ':'), 'attrs': dict(el.attrib),
        'packages': [p.text for p in el.findall('packages')], 'cves': [c.text for c in el.findall('cves')],
        'keywords': [k.text for k in el.findall('keywords')]})
print(json.dumps(out))`;
  return pythonJson<FeedAdvisory[]>(script, [path]);
}

function importCefs(server: RunningServer, feed: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [SKYLAB_BIN, 'errata', 'import-cefs', '--data-dir', server.dataDir, feed], {
      cwd: ROOT, env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (out: string, verb: string): string[] => [...out.matchAll(new RegExp(`^${verb} (\\S+?):? `, 'gm'))].map((m) => m[1]!).sort();

let server: RunningServer;
let data: TraceData;
let feed: FeedAdvisory[];
let built: Set<string>;

/** Everything the import can change, as the admin API shows it. */
async function state(names: string[]): Promise<Record<string, unknown>> {
  const calls: unknown[][] = [];
  for (const n of names) calls.push(['errata.getDetails', n], ['errata.listPackages', n], ['errata.listCves', n], ['errata.listKeywords', n], ['errata.applicableToChannels', n]);
  calls.push(['channel.software.listErrata', BASE], ['channel.software.listErrata', TOOLS], ['channel.software.listAllPackages', BASE], ['channel.software.listAllPackages', TOOLS]);
  const answers = await api<unknown[]>(adminLogin(server), calls);
  const out: Record<string, unknown> = {};
  calls.forEach((c, i) => (out[`${c[0]} ${c[1]}`] = answers[i]));
  return out;
}

const fileNames = (pkgs: unknown): string[] => (pkgs as { file: string }[]).map((p) => p.file).sort();
const advisoryNames = (rows: unknown): string[] => (rows as { advisory_name: string }[]).map((r) => r.advisory_name).sort();

t.before(async () => {
  server = await startServer({ env: ENV });
  data = await setupTraceData(server);
  feed = await feedAdvisories(SAMPLE);
  built = new Set(data.pathOf.keys());
});
t.teardown(() => server?.stop());

t.test('first import: created, skipped, published where the packages are', async (t) => {
  const before = await state([]);
  const r = await importCefs(server, SAMPLE);
  t.equal(r.code, 0, `exit 0\n${r.stderr}`);
  const importable = feed.filter((a) => a.packages.some((f) => built.has(f))).map((a) => a.name).sort();
  t.same(lines(r.stdout, 'created'), importable, 'every advisory with a matching package created');
  t.same(lines(r.stdout, 'skipped'), ['CEBA-2023:5104'], 'the advisory whose packages no channel holds is skipped');
  t.match(r.stdout, /^skipped CEBA-2023:5104: none of its 1 package file is in a channel/m, 'and says why');
  t.match(r.stdout, new RegExp(`^${feed.length} advisories read: ${importable.length} created, 0 updated, 0 unchanged, 1 skipped$`, 'm'));

  const s = await state(feed.map((a) => a.name));
  for (const a of feed.filter((x) => importable.includes(x.name))) {
    const d = s[`errata.getDetails ${a.name}`] as Record<string, unknown>;
    t.match(d, {
      synopsis: a.attrs['synopsis'], type: a.attrs['type'], release: Number(a.attrs['release']), product: a.attrs['product'], errataFrom: a.attrs['from'],
      topic: a.attrs['topic'], description: a.attrs['description'], solution: a.attrs['solution'], notes: a.attrs['notes'], references: a.attrs['references'],
    }, `${a.name}: details from the feed's attributes`);
    t.equal(d['severity'], a.attrs['type'] === 'Security Advisory' ? a.attrs['severity'] : undefined, `${a.name}: severity only on security`);
    t.same(fileNames(s[`errata.listPackages ${a.name}`]), a.packages.filter((f) => built.has(f)).sort(), `${a.name}: the feed's files that are in channels`);
    t.same((s[`errata.listCves ${a.name}`] as string[]).sort(), [...a.cves].sort(), `${a.name}: CVEs`);
    t.same((s[`errata.listKeywords ${a.name}`] as string[]).sort(), [...a.keywords].sort(), `${a.name}: keywords`);
    const listed = (s[`channel.software.listErrata ${BASE}`] as { advisory_name: string; issue_date: string }[]).concat(s[`channel.software.listErrata ${TOOLS}`] as never[]);
    t.equal(listed.find((e) => e.advisory_name === a.name)?.issue_date, a.attrs['issue_date'], `${a.name}: issue date read in the server's zone`);
  }
  t.match(s['errata.getDetails CEBA-2023:5104'], { fault: -208 }, 'nothing stored for the skipped advisory');
  const channelsOf = (n: string): string[] => (s[`errata.applicableToChannels ${n}`] as { label: string }[]).map((c) => c.label).sort();
  t.same(channelsOf('CEEA-2023:5105'), [BASE, TOOLS].sort(), 'the base+child advisory is in both channels');
  t.same(channelsOf('CESA-2023:5101'), [BASE]);
  t.same(advisoryNames(s[`channel.software.listErrata ${TOOLS}`]), ['CEEA-2023:5105'], 'the child channel lists only its advisory');
  t.same(advisoryNames(s[`channel.software.listErrata ${BASE}`]), importable, 'the base channel lists all of them');
  t.same(s[`channel.software.listAllPackages ${BASE}`], before[`channel.software.listAllPackages ${BASE}`], 'no package copied into the base channel');
  t.same(s[`channel.software.listAllPackages ${TOOLS}`], before[`channel.software.listAllPackages ${TOOLS}`], 'nor into the child channel');
});

t.test('a second run changes nothing', async (t) => {
  const names = feed.map((a) => a.name);
  const before = await state(names);
  const r = await importCefs(server, SAMPLE);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /: 0 created, 0 updated, 4 unchanged, 1 skipped$/m);
  t.same(await state(names), before, 'every answer as before');
});

const feedDirs: string[] = [];
t.teardown(() => Promise.all(feedDirs.map((d) => rm(d, { recursive: true, force: true }))));

async function writeFeed(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'skylab-cefs-feed-'));
  feedDirs.push(dir);
  await writeFile(join(dir, 'errata.latest.xml'), text);
  return join(dir, 'errata.latest.xml');
}

t.test('a re-run with a newly matching package only adds it', async (t) => {
  const sample = readFileSync(SAMPLE, 'utf8');
  const changed = sample
    .replace('<packages>sw-hello-1.1-1.el8.noarch.rpm</packages>', '<packages>sw-hello-1.1-1.el8.noarch.rpm</packages>\n  <packages>sw-hello-1.0-1.el8.noarch.rpm</packages>')
    .replace('synopsis="Important CentOS 8 sw-hello Security Update"', 'synopsis="Changed synopsis that must not be applied"');
  const before = await state(['CESA-2023:5101']);
  const r = await importCefs(server, await writeFeed(changed));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^updated CESA-2023:5101 \(\+1 package, \+0 channels\)$/m);
  t.match(r.stdout, /: 0 created, 1 updated, 3 unchanged, 1 skipped$/m);
  const after = await state(['CESA-2023:5101']);
  t.same(fileNames(after['errata.listPackages CESA-2023:5101']), ['sw-hello-1.0-1.el8.noarch.rpm', 'sw-hello-1.1-1.el8.noarch.rpm']);
  const { last_modified_date: _a, ...detailsAfter } = after['errata.getDetails CESA-2023:5101'] as Record<string, unknown>;
  const { last_modified_date: _b, ...detailsBefore } = before['errata.getDetails CESA-2023:5101'] as Record<string, unknown>;
  t.same(detailsAfter, detailsBefore, 'nothing else about the advisory changes');
  t.same(after[`channel.software.listAllPackages ${BASE}`], before[`channel.software.listAllPackages ${BASE}`], 'still no package copied');
});

t.test('a malformed feed fails and imports nothing', async (t) => {
  const names = [...feed.map((a) => a.name), 'CEBA-2023:5199'];
  const before = await state(names);
  const extra = '<CEBA-2023--5199 type="Bug Fix Advisory" synopsis="x" issue_date="2023-02-01 00:00:00" release="1"><packages>sw-lib-1.0-1.el8.noarch.rpm</packages></CEBA-2023--5199>';
  const sample = readFileSync(SAMPLE, 'utf8');
  // a new, importable advisory first, then the document is cut off
  const cut = sample.replace('<CESA-2023--5101', `${extra}\n <CESA-2023--5101`).slice(0, -200);
  const r = await importCefs(server, await writeFeed(cut));
  t.equal(r.code, 1, 'exit 1');
  t.match(r.stderr, /malformed CEFS feed .*nothing was imported/);
  t.equal(r.stdout, '', 'no report');
  t.same(await state(names), before, 'every answer as before');
  const missing = await importCefs(server, join(SHARED, 'no-such-feed.xml'));
  t.equal(missing.code, 1);
  t.match(missing.stderr, /cannot read .*no-such-feed\.xml/);
});
