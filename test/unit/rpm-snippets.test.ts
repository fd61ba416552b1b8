// The primary/filelists/other snippet writers against createrepo_c's own output for the
// same rpmbuild-built packages: byte for byte, under several createrepo_c option sets.

import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readRpmFile, statRpmFile } from '../../repo-sync/rpm/header.js';
import {
  DEFAULT_CHANGELOG_LIMIT,
  UnrepresentablePackageError,
  filelistsSnippet,
  otherSnippet,
  packageSnippets,
  primarySnippet,
  repodataChangelog,
} from '../../repo-sync/rpm/snippets.js';
import { buildRpms, buildSrpm, createRepo, packageElements, readRepoXml, type PkgSpec } from '../support/rpmbuild.js';

const day = (d: number): string => {
  const date = new Date(Date.UTC(2024, 0, 1 + d));
  const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][date.getUTCDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][date.getUTCMonth()];
  return `${wd} ${mon} ${String(date.getUTCDate()).padStart(2, '0')} ${date.getUTCFullYear()}`;
};

// Newest first, with runs of equal dates (createrepo_c bumps those apart) and trailing spaces.
const LONG_CHANGELOG = [40, 40, 40, 30, 25, 25, 20, 15, 10, 10, 5, 1].map((d, i) => ({
  time: day(d),
  author: `Dev ${i} <dev${i}@example.org> - 1.${12 - i}-1${i % 3 === 0 ? '   ' : ''}`,
  text: `- change ${i} & <stuff> "quoted"\n- more\ttabbed`,
}));

const SPECS: PkgSpec[] = [
  {
    name: 'snip-text', version: '1.0', release: '1',
    summary: `Quote " apos ' amp & lt < gt > tab\tx emoji 😀 ]]> é`,
    description: 'CR\r inside; <b>bold</b> & "q"\n\n  indented line\ntrailing',
    license: 'GPL & "MIT"', url: 'http://x.org/?a=1&b=2', vendor: 'V <v@x>', packager: 'P & Q <pq@x>', group: 'A/B',
    files: [
      { path: '/usr/bin/snip & co', content: 'x\n', mode: '0755' },
      { path: '/usr/share/snip/q"t<1>', content: 'y\n' },
    ],
    changelog: [{ time: day(3), author: 'Ann "Q" & <a@b> tab\tx', text: '- text & <x> "q" \'a\'\ttab\n  second line' }],
  },
  {
    name: 'snip-deps', version: '2.0', release: '5', epoch: 3, arch: 'x86_64',
    requires: [
      '(pre) /bin/sh', '(post) /bin/sh', '(preun) coreutils', 'bash', '(pre) bash',
      'libc.so.6()(64bit)', 'libc.so.6(GLIBC_2.2.5)(64bit)', 'libc.so.6(GLIBC_2.34)(64bit)', 'libc.so.6(GLIBC_2.14)(64bit)',
      'snip-api = 1.0', 'snip-api >= 1.0', 'snip-self', '/usr/bin/snip-deps', '/opt/snip/lib.so', '/usr/sbin/missing',
      'versioned = 2:1.0-3', 'noepoch >= 1.0', 'nover < 5', 'weird-op = 0:0',
    ],
    provides: ['snip-api = 1.0', 'snip-self', 'snip(x86-64) = 3:2.0-5'],
    conflicts: ['snip-old < 1:1.0', 'snip-other'],
    obsoletes: ['snip-legacy <= 1.9-1', 'snip-ancient'],
    recommends: ['snip-docs', 'snip-extra >= 2'], suggests: ['snip-fun'], supplements: ['(snip-base and snip-gui)'],
    enhances: ['snip-host = 1.0'],
    files: [
      { path: '/usr/bin/snip-deps', content: '#!/bin/sh\n', mode: '0755' },
      { path: '/opt/snip/lib.so', content: 'lib\n' },
      { path: '/usr/lib/sendmail', content: 'not sendmail\n' },
      { path: '/opt/tools/sbin/snip-admin', content: 'admin\n' },
      { path: '/opt/tools/bin.d/notbin', content: 'x\n' },
      { path: '/etc/snip/snip.conf', content: 'a=1\n', config: true },
      { path: '/etc/snip/ghost.state', content: '', ghost: true },
      { path: '/var/lib/snip/ghost', content: '', ghost: true },
    ],
    dirs: ['/etc/snip', '/var/lib/snip', '/opt/tools/bin.d'],
    scripts: { pre: 'exit 0', post: 'exit 0', preun: 'exit 0' },
  },
  { name: 'snip-changelog', version: '1.12', release: '1', changelog: LONG_CHANGELOG },
  { name: 'snip-i686', version: '0.9', release: '0.1.beta', epoch: 1, arch: 'i686', files: [{ path: '/usr/lib/snip/x', content: 'x' }] },
  { name: 'snip-empty', version: '1', release: '1', summary: 'Nothing else', description: '' },
  { name: 'snip-latin1', version: '1', release: '1', summary: 'caf\u00e9 \u00a9 na\u00efve', specEncoding: 'latin1' },
];

const CONTROL_SPEC: PkgSpec = {
  name: 'snip-control', version: '1', release: '1', expandMacros: true,
  description: 'has a %{lua: print(string.char(1))} control character',
};

let work = '';
let paths: string[] = [];
let srpm = '';

t.before(async () => {
  paths = await buildRpms([...SPECS, CONTROL_SPEC]);
  srpm = await buildSrpm(SPECS[1]!);
  work = await mkdtemp(join(tmpdir(), 'rpm-snippets-test-'));
});
t.teardown(() => rm(work, { recursive: true, force: true }));

/** A repo dir with some packages at the top and some under Packages/; returns file -> href. */
async function layout(dir: string): Promise<Map<string, string>> {
  await mkdir(join(dir, 'Packages', 's'), { recursive: true });
  const hrefs = new Map<string, string>();
  for (const [i, p] of [...paths, srpm].entries()) {
    const href = i % 2 ? `Packages/s/${p.split('/').pop()}` : p.split('/').pop()!;
    await copyFile(p, join(dir, href));
    hrefs.set(join(dir, href), href);
  }
  return hrefs;
}

const RUNS = [
  { label: 'createrepo_c defaults', args: [] as string[], limit: undefined, base: undefined },
  { label: '--changelog-limit=3 and an http base', args: ['--baseurl=http://example.com/repo/'], limit: 3, base: 'http://example.com/repo/' },
  { label: '--changelog-limit=0 and a path base', args: ['--baseurl=/srv/repo'], limit: 0, base: '/srv/repo' },
];

for (const runOpts of RUNS) {
  t.test(`snippets equal createrepo_c output: ${runOpts.label}`, async (t) => {
    const dir = join(work, `run-${RUNS.indexOf(runOpts)}`);
    const hrefs = await layout(dir);
    const repodata = await createRepo(dir, { changelogLimit: runOpts.limit, noDatabase: true, args: runOpts.args });
    const theirs = {
      primary: packageElements(await readRepoXml(repodata, 'primary')),
      filelists: packageElements(await readRepoXml(repodata, 'filelists')),
      other: packageElements(await readRepoXml(repodata, 'other')),
    };
    let written = 0;
    for (const [file, href] of hrefs) {
      const pkg = await readRpmFile(file);
      const facts = { ...(await statRpmFile(file)), href, base: runOpts.base };
      const opts = runOpts.limit === undefined ? {} : { changelogLimit: runOpts.limit };
      const find = (list: string[]): string | undefined => list.find((x) => x.includes(`"${facts.sha256}"`) || x.includes(`>${facts.sha256}<`));
      if (pkg.name === CONTROL_SPEC.name) {
        t.throws(() => packageSnippets(pkg, facts, opts), UnrepresentablePackageError, 'control characters refused');
        t.equal(find(theirs.primary), undefined, 'createrepo_c left it out too');
        continue;
      }
      const mine = packageSnippets(pkg, facts, opts);
      t.equal(mine.primary, find(theirs.primary), `${href} primary`);
      t.equal(mine.filelists, find(theirs.filelists), `${href} filelists`);
      t.equal(mine.other, find(theirs.other), `${href} other`);
      t.equal(primarySnippet(pkg, facts, opts), mine.primary, 'primarySnippet alone');
      t.equal(filelistsSnippet(pkg, facts, opts), mine.filelists, 'filelistsSnippet alone');
      t.equal(otherSnippet(pkg, facts, opts), mine.other, 'otherSnippet alone');
      written++;
    }
    t.equal(written, theirs.primary.length, 'every package createrepo_c wrote was compared');
  });
}

t.test('the fixtures exercise the createrepo_c rules they are meant to', async (t) => {
  const deps = await readRpmFile(paths[1]!);
  const facts = { ...(await statRpmFile(paths[1]!)), href: 'x.rpm' };
  const primary = primarySnippet(deps, facts);
  t.notMatch(primary, /rpmlib\(/, 'rpmlib() requires dropped');
  t.equal(primary.match(/name="libc\.so\.6/g)?.length, 1, 'one libc.so.6 require kept');
  t.match(primary, /<rpm:entry name="libc\.so\.6\(GLIBC_2\.34\)\(64bit\)"\/>\n {4}<\/rpm:requires>/, 'the newest, last');
  t.match(primary, /<rpm:entry name="\/bin\/sh" pre="1"\/>/, 'pre="1"');
  t.notMatch(primary, /name="\/usr\/bin\/snip-deps"\/>/, 'require of an own primary file dropped');
  t.match(primary, /<rpm:entry name="\/opt\/snip\/lib\.so"\/>/, 'require of an own non-primary file kept');
  t.match(primary, /<file>\/usr\/lib\/sendmail<\/file>/, '/usr/lib/sendmail is a primary file');
  t.match(primary, /<file>\/opt\/tools\/sbin\/snip-admin<\/file>/, 'any */bin/ path is a primary file');
  t.notMatch(primary, /<file>\/opt\/snip\/lib\.so<\/file>/, 'other files stay out of primary');
  t.match(primary, /<file type="ghost">\/etc\/snip\/ghost\.state<\/file>/, 'ghost type');
  t.match(primary, /<file type="dir">\/etc\/snip<\/file>/, 'dir type');
  const other = otherSnippet(await readRpmFile(paths[2]!), facts);
  t.equal(other.match(/<changelog /g)?.length, DEFAULT_CHANGELOG_LIMIT, 'default limit of 10 entries');
});

t.test('repodataChangelog keeps the newest entries, oldest first, with equal times bumped', async (t) => {
  const entries = [
    { time: 300, author: 'c  ', text: 'c' },
    { time: 200, author: 'b', text: 'b1' },
    { time: 200, author: 'b', text: 'b2' },
    { time: 200, author: 'b', text: 'b3' },
    { time: 100, author: ' ', text: 'a' },
  ];
  t.same(repodataChangelog(entries, -1).map((e) => [e.time, e.author, e.text]), [
    [100, ' ', 'a'], [200, 'b', 'b3'], [201, 'b', 'b2'], [202, 'b', 'b1'], [300, 'c', 'c'],
  ]);
  t.same(repodataChangelog(entries, 2).map((e) => e.text), ['b1', 'c']);
  t.same(repodataChangelog(entries, 0), []);
  t.equal(entries[2]!.time, 200, 'input not modified');
});
