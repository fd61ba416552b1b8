// The repodata scanners against createrepo_c's own parsers (python3-createrepo-c) on real
// CentOS Stream 9 metadata and on a repo createrepo_c builds from rpmbuild packages: every field
// of every package, the exact <package> source text, and snippet round trips.

import { readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { gunzipSync } from 'node:zlib';
import t, { type Test } from 'tap';
import {
  openMetadataFile, parseFilelists, parseFilelistsSnippet, parseOther, parseOtherSnippet,
  parsePrimary, parsePrimarySnippet,
} from '../../repo-sync/metadata/index.js';
import { type MetadataKind, referenceRecords } from '../support/createrepo-reference.js';
import { buildRpms, createRepo, type PkgSpec } from '../support/rpmbuild.js';

const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

type Kind = MetadataKind;
type Rec = { xml: string; [k: string]: unknown };

function dataFile(repo: string, suffix: string): string {
  const dir = join(DATA, repo, 'repodata');
  const file = readdirSync(dir).find((f) => f.endsWith(suffix));
  if (file === undefined) throw new Error(`no *${suffix} in ${dir}`);
  return join(dir, file);
}

const parsers = { primary: parsePrimary, filelists: parseFilelists, other: parseOther };
const snippetParsers = { primary: parsePrimarySnippet, filelists: parseFilelistsSnippet, other: parseOtherSnippet };

/** Plain copy without `xml`, for comparison with the reference's JSON. */
function fields(rec: Rec): Record<string, unknown> {
  const { xml: _xml, ...rest } = rec;
  return { ...rest };
}

interface Comparison {
  count: number;
  referenceCount: number;
  mismatches: string[];
  xmlMismatches: number;
  snippetMismatches: number;
}

/**
 * Parses `path` with Skylab's scanner and compares, package by package, with createrepo_c's
 * parser; checks each `xml` against the decompressed document text at the same place, and
 * re-parses every `snippetEvery`-th snippet.
 */
async function compare(kind: Kind, path: string, snippetEvery = 1): Promise<Comparison> {
  const raw = await readFile(path);
  const doc = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  const ref = referenceRecords(kind, path)[Symbol.asyncIterator]();
  const result: Comparison = { count: 0, referenceCount: 0, mismatches: [], xmlMismatches: 0, snippetMismatches: 0 };
  let cursor = 0;
  for await (const pkg of parsers[kind](await openMetadataFile(path)) as AsyncIterable<Rec>) {
    const next = await ref.next();
    if (!next.done) result.referenceCount++;
    const got = fields(pkg);
    if (next.done || !isDeepStrictEqual(got, next.value)) {
      const keys = Object.keys(got).filter((k) => next.done || !isDeepStrictEqual(got[k], next.value[k]));
      if (result.mismatches.length < 5) result.mismatches.push(`#${result.count + 1} ${String(got.name)}: ${keys.join(', ')}`);
    }
    const start = doc.indexOf('<package', cursor);
    if (!doc.startsWith(pkg.xml, start) || !pkg.xml.endsWith('</package>')) result.xmlMismatches++;
    cursor = start + pkg.xml.length;
    if (result.count % snippetEvery === 0) {
      const again = snippetParsers[kind](pkg.xml) as unknown as Rec[];
      if (again.length !== 1 || !isDeepStrictEqual(fields(again[0]!), got) || again[0]!.xml !== pkg.xml) {
        result.snippetMismatches++;
      }
    }
    result.count++;
  }
  for (let r = await ref.next(); !r.done; r = await ref.next()) result.referenceCount++;
  return result;
}

function check(tt: Test, c: Comparison, expected: number): void {
  tt.equal(c.count, expected, 'every package read');
  tt.equal(c.referenceCount, expected, 'createrepo_c read as many');
  tt.same(c.mismatches, [], 'every field of every package equals createrepo_c');
  tt.equal(c.xmlMismatches, 0, 'xml is the exact source text of each <package>');
  tt.equal(c.snippetMismatches, 0, 'xml snippets parse back to the same records');
}

t.test('cs9-appstream primary (17,649 packages)', async (tt) => {
  check(tt, await compare('primary', dataFile('cs9-appstream', '-primary.xml.gz'), 7), 17649);
});

t.test('cs9-baseos-2022 primary (1,125 packages)', async (tt) => {
  check(tt, await compare('primary', dataFile('cs9-baseos-2022', '-primary.xml.gz')), 1125);
});

t.test('cs9-baseos-2022 filelists (1,125 packages)', async (tt) => {
  check(tt, await compare('filelists', dataFile('cs9-baseos-2022', '-filelists.xml.gz')), 1125);
});

t.test('chunking does not change the result: baseos primary in random-sized chunks', async (tt) => {
  const doc = gunzipSync(await readFile(dataFile('cs9-baseos-2022', '-primary.xml.gz')));
  const whole: Rec[] = [];
  for await (const p of parsePrimary([doc])) whole.push(p as unknown as Rec);
  let seed = 7;
  const chunks: Buffer[] = [];
  for (let at = 0; at < doc.length;) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const size = 1 + (seed % (seed % 3 === 0 ? 300_000 : 5_000));
    chunks.push(doc.subarray(at, at + size));
    at += size;
  }
  const split: Rec[] = [];
  for await (const p of parsePrimary(chunks)) split.push(p as unknown as Rec);
  tt.equal(split.length, whole.length);
  tt.ok(split.every((p, i) => isDeepStrictEqual({ ...p }, { ...whole[i] })), 'same records, same xml');
});

const day = (d: number): string => {
  const date = new Date(Date.UTC(2024, 0, 1 + d));
  const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][date.getUTCDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][date.getUTCMonth()];
  return `${wd} ${mon} ${String(date.getUTCDate()).padStart(2, '0')} ${date.getUTCFullYear()}`;
};

// Text that needs escaping, non-ASCII, every dependency kind, (pre) requires, epochs, ghost files,
// directories and changelogs: what createrepo_c writes for real packages, read back by both parsers.
const SPECS: PkgSpec[] = [
  {
    name: 'scan-text', version: '1.0', release: '1',
    summary: `Quote " apos ' amp & lt < gt > emoji 😀 ]]> é ünïcödé 中文`,
    description: 'Line one & <b>two</b>\n\n  indented "quoted"\ttab\ntrailing ',
    license: 'GPL & "MIT"', url: 'http://x.org/?a=1&b=2', vendor: 'V <v@x>', packager: 'P & Q <pq@x>',
    files: [
      { path: '/usr/bin/scan & co', content: 'x\n', mode: '0755' },
      { path: '/usr/share/scan/q"t<1>é', content: 'y\n' },
      { path: '/var/log/scan.log', content: '', ghost: true },
    ],
    dirs: ['/usr/share/scan'],
    changelog: [
      { time: day(9), author: 'Ann "Q" & <a@b> - 1.0-1', text: '- text & <x> "q" \'a\'\n- ]]> and 😀' },
      { time: day(3), author: 'Bob <b@b> - 0.9-1', text: '- older' },
    ],
  },
  {
    name: 'scan-deps', version: '2.0', release: '5.el9', epoch: 3, arch: 'x86_64',
    requires: ['(pre) /bin/sh', '(post) /bin/sh', 'bash', 'scan-api >= 1.0', 'versioned = 2:1.0-3',
      '(scan-a or scan-b)', 'nover < 5'],
    provides: ['scan-api = 1.0', 'scan-self', 'scan(x86-64) = 3:2.0-5.el9'],
    conflicts: ['scan-old < 1:1.0'], obsoletes: ['scan-legacy <= 1.9-1', 'scan-ancient'],
    recommends: ['scan-docs'], suggests: ['scan-fun'], supplements: ['(scan-base and scan-gui)'],
    enhances: ['scan-host = 1.0'],
    files: [{ path: '/usr/bin/scan-deps', content: '#!/bin/sh\n', mode: '0755' }],
    changelog: [{ time: day(1), author: 'Dev <d@x> - 3:2.0-5', text: '- first' }],
  },
  { name: 'scan-empty', version: '0', release: '0', arch: 'noarch' },
];

t.test('createrepo_c repo of rpmbuild packages: primary, filelists, other', async (tt) => {
  const rpms = await buildRpms(SPECS);
  const dir = await mkdtemp(join(tmpdir(), 'skylab-scan-'));
  tt.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'Packages'));
  for (const rpm of rpms) await copyFile(rpm, join(dir, 'Packages', rpm.split('/').pop()!));
  const repodata = await createRepo(dir, { noDatabase: true });
  for (const kind of ['primary', 'filelists', 'other'] as const) {
    const file = readdirSync(repodata).find((f) => f.endsWith(`-${kind}.xml.gz`))!;
    await tt.test(kind, async (t3) => check(t3, await compare(kind, join(repodata, file)), SPECS.length));
  }
});
