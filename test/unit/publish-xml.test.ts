// The XML writers of channel publishing, judged by createrepo_c's own parsers: primary snippets
// with their <location> rewritten (real CentOS Stream 9 packages and odd hand-written forms),
// minimal filelists/other elements, updateinfo <update> elements, and repomd.xml.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import t from 'tap';
import type { PublishErratum, PublishPackageRow } from '../../channels/index.js';
import { openMetadataFile, parsePrimary } from '../../repo-sync/metadata/index.js';
import { documentHead, documentTail, minimalElement, packageEntries, rewriteLocation } from '../../repo-sync/publish/package-xml.js';
import { repomdXml, readRepomd, type RepodataFile } from '../../repo-sync/publish/repomd.js';
import { CVE_URL, UPDATEINFO_EMPTY, UPDATEINFO_HEAD, UPDATEINFO_TAIL, updateDate, updateElement, updateType } from '../../repo-sync/publish/updateinfo.js';
import { referenceRecordsOf } from '../support/createrepo-reference.js';
import { parseRepomd, parseUpdateinfo } from '../support/repodata.js';
import { SHARED } from '../support/server.js';

let dir: string;
t.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skylab-publish-xml-'));
});
t.teardown(() => rm(dir, { recursive: true, force: true }));

const BASEOS = join(SHARED, 'data', 'cs9-baseos-2022', 'repodata');

function row(over: Partial<PublishPackageRow>): PublishPackageRow {
  return {
    id: 1, name: 'foo', epoch: '', version: '1.0', release: '1.el9', arch: 'x86_64', checksumType: 'sha256', checksum: 'a'.repeat(64),
    filename: 'foo-1.0-1.el9.x86_64.rpm', primaryXml: null, filelistsXml: null, otherXml: null, ...over,
  };
}

t.test('real primary snippets keep every field but the location, which points at getPackage/', async (t) => {
  const file = join(BASEOS, (await readdir(BASEOS)).find((f) => f.endsWith('-primary.xml.gz'))!);
  const originals: string[] = [];
  const rewritten: string[] = [];
  const names: string[] = [];
  let i = 0;
  for await (const p of parsePrimary(await openMetadataFile(file))) {
    if (i++ % 9 !== 0) continue; // every ninth of the 1,125 packages keeps the test quick
    originals.push(`${p.xml}\n`);
    const filename = basename(p.locationHref);
    names.push(filename);
    rewritten.push(packageEntries(row({ id: i, primaryXml: p.xml, filename, checksum: p.pkgid, name: p.name, arch: p.arch })).primary);
  }
  const before = await referenceRecordsOf('primary', documentHead('primary', originals.length) + originals.join('') + documentTail('primary'));
  const after = await referenceRecordsOf('primary', documentHead('primary', rewritten.length) + rewritten.join('') + documentTail('primary'));
  t.equal(after.length, originals.length, 'every package parses');
  for (const [k, rec] of after.entries()) {
    t.equal(rec['locationHref'], `getPackage/${names[k]}`);
    t.equal(rec['locationBase'], '');
    t.same({ ...rec, locationHref: null }, { ...before[k], locationHref: null }, `${rec['name']}: nothing else changed`);
  }
});

t.test('odd <location> forms are all replaced', async (t) => {
  const core = '<package type="rpm">\n  <name>odd</name>\n  <arch>noarch</arch>\n  <version epoch="0" ver="1" rel="1"/>\n' +
    '  <checksum type="sha256" pkgid="YES">' + 'b'.repeat(64) + '</checksum>\n';
  const format = '  <format>\n    <rpm:license>MIT</rpm:license>\n  </format>\n</package>';
  const forms = [
    '<location xml:base="http://mirror.example.org/9/" href="Packages/o/odd-1-1.noarch.rpm"/>',
    '<location href=\'a>b/odd.rpm\' xml:base="x"/>',
    '<location\n    href="odd.rpm"></location>',
    '<location href="odd.rpm" >\n  </location>',
    '',
  ];
  for (const form of forms) {
    const xml = rewriteLocation(`${core}  ${form}\n${format}`, 'odd-1+x^2-1.noarch.rpm');
    const [rec] = await referenceRecordsOf('primary', documentHead('primary', 1) + xml + '\n' + documentTail('primary'));
    t.equal(rec?.['locationHref'], 'getPackage/odd-1+x^2-1.noarch.rpm', JSON.stringify(form));
    t.equal(rec?.['locationBase'], '');
    t.equal(rec?.['license'], 'MIT');
  }
  t.throws(() => rewriteLocation('<name>x</name>', 'x.rpm'), /not a <package> element/);
  t.throws(() => packageEntries(row({ primaryXml: null })), /has no stored primary.xml snippet/);
});

t.test('minimal filelists and other elements carry the pkgid and the version', async (t) => {
  const rows = [
    row({}),
    row({ id: 2, name: 'bar', epoch: '3', version: '2.0~rc1', release: '0.1', arch: 'noarch', checksum: 'c'.repeat(40), checksumType: 'sha1' }),
  ];
  for (const kind of ['filelists', 'other'] as const) {
    const recs = await referenceRecordsOf(kind, documentHead(kind, rows.length) + rows.map(minimalElement).join('') + documentTail(kind));
    t.same(recs.map((r) => [r['pkgid'], r['name'], r['arch'], r['epoch'], r['version'], r['release']]), [
      ['a'.repeat(64), 'foo', 'x86_64', '0', '1.0', '1.el9'],
      ['c'.repeat(40), 'bar', 'noarch', '3', '2.0~rc1', '0.1'],
    ], kind);
    t.same(recs.map((r) => r[kind === 'filelists' ? 'files' : 'changelogs']), [[], []]);
  }
  const stored = '<package pkgid="x" name="foo" arch="x86_64">\n  <version epoch="0" ver="1.0" rel="1.el9"/>\n  <file>/a</file>\n</package>';
  t.equal(packageEntries(row({ primaryXml: '<package type="rpm"><location href="x"/></package>', filelistsXml: stored })).filelists, `${stored}\n`, 'a stored snippet is used as is');
});

const date = (s: string): Date => new Date(`${s}Z`);
function erratum(over: Partial<PublishErratum>): PublishErratum {
  return {
    id: 1, advisoryName: 'SKY-1', advisoryType: 'Bug Fix Advisory', advisoryRelease: 1, synopsis: 'syn', product: '', errataFrom: '', topic: '',
    description: '', solution: '', severity: null, issueDate: date('2024-02-03T04:05:06'), updateDate: date('2024-02-04T00:00:00'), status: 'final',
    version: '', rights: '', pushcount: '', rebootSuggested: false, keywords: [], bugs: [], cves: [], refs: [], packages: [], ...over,
  };
}
const pkg = (name: string, module: string | null = null) => ({
  name, epoch: '', version: '1.2', release: '3.el9', arch: 'x86_64', filename: `${name}-1.2-3.el9.x86_64.rpm`, sourceRpm: `${name}-1.2-3.el9.src.rpm`,
  checksumType: 'sha256', checksum: 'd'.repeat(64), module,
});

t.test('updateinfo <update> elements read back by createrepo_c', async (t) => {
  const tricky = 'Fix "quotes", <tags> & ampersands — ünïcode\nsecond line';
  const errata = [
    erratum({
      advisoryName: 'SKSA-2024:0001', advisoryType: 'Security Advisory', advisoryRelease: 3, synopsis: tricky, product: 'Sky 9', errataFrom: 'sec@example.org',
      topic: 'topic & more', description: tricky, solution: 'yum update', severity: 'Critical', rights: 'Copyright & co', pushcount: '2', status: 'stable',
      keywords: ['Reboot_Suggested'], bugs: [{ id: 42, summary: 'bug <42> & "x"', url: 'https://bz.example.org/42?a=1&b=2' }, { id: 43, summary: '', url: '' }],
      cves: ['CVE-2024-1234'], refs: [{ type: 'self', id: 'SKSA-2024:0001', href: 'https://errata.example.org/SKSA-2024:0001', title: 'self ref' }],
      packages: [pkg('plain'), pkg('nginx', 'nginx:1.24:9040020240101:abcdef12:x86_64'), pkg('nginx-mod', 'nginx:1.24:9040020240101:abcdef12:x86_64')],
    }),
    erratum({ advisoryName: 'SKEA-1', advisoryType: 'Product Enhancement Advisory', version: '1.4', rebootSuggested: true }),
    erratum({ advisoryName: 'SKNP-1', advisoryType: 'newpackage' }),
  ];
  const file = join(dir, 'updateinfo.xml');
  const collection = { short: 'sky-9 & co', name: 'Sky "9" <x86_64>' };
  await writeFile(file, UPDATEINFO_HEAD + errata.map((e) => updateElement(e, collection)).join('') + UPDATEINFO_TAIL);
  const [sa, ea, np] = await parseUpdateinfo(file);
  t.match(sa, {
    id: 'SKSA-2024:0001', type: 'security', title: tricky, severity: 'Critical', status: 'stable', version: '3', from: 'sec@example.org',
    issued: '2024-02-03 04:05:06', updated: '2024-02-04 00:00:00', release: 'Sky 9', rights: 'Copyright & co', pushcount: '2',
    summary: 'topic & more', description: tricky, solution: 'yum update', reboot_suggested: true,
  });
  t.same(sa!.references, [
    { type: 'bugzilla', id: '42', href: 'https://bz.example.org/42?a=1&b=2', title: 'bug <42> & "x"' },
    { type: 'bugzilla', id: '43', href: null, title: null },
    { type: 'cve', id: 'CVE-2024-1234', href: `${CVE_URL}CVE-2024-1234`, title: 'CVE-2024-1234' },
    { type: 'self', id: 'SKSA-2024:0001', href: 'https://errata.example.org/SKSA-2024:0001', title: 'self ref' },
  ]);
  t.same(sa!.collections.map((c) => [c.short, c.name, c.module, c.packages.map((p) => p.name)]), [
    ['sky-9 & co', 'Sky "9" <x86_64>', null, ['plain']],
    ['sky-9 & co__nginx_1.24', 'Sky "9" <x86_64>', { name: 'nginx', stream: '1.24', version: 9040020240101, context: 'abcdef12', arch: 'x86_64' }, ['nginx', 'nginx-mod']],
  ]);
  t.same(sa!.collections[0]!.packages[0], {
    name: 'plain', version: '1.2', release: '3.el9', epoch: '0', arch: 'x86_64', src: 'plain-1.2-3.el9.src.rpm', filename: 'plain-1.2-3.el9.x86_64.rpm',
    sum: 'd'.repeat(64), sum_type: 'sha256', reboot_suggested: true,
  });
  t.match(ea, { id: 'SKEA-1', type: 'enhancement', version: '1.4', severity: null, reboot_suggested: true, references: [], collections: [] });
  t.match(np, { id: 'SKNP-1', type: 'newpackage' });

  await writeFile(file, UPDATEINFO_EMPTY);
  t.same(await parseUpdateinfo(file), [], 'the empty document');
});

t.test('advisory types and dates', async (t) => {
  t.same(['Security Advisory', 'Bug Fix Advisory', 'Product Enhancement Advisory', 'security', 'Something Else'].map(updateType),
    ['security', 'bugfix', 'enhancement', 'security', 'enhancement']);
  t.equal(updateDate(new Date(Date.UTC(2023, 11, 31, 23, 59, 7))), '2023-12-31 23:59:07');
});

t.test('repomd.xml read back by createrepo_c', async (t) => {
  const files: RepodataFile[] = [
    { type: 'updateinfo', file: `${'1'.repeat(64)}-updateinfo.xml.gz`, checksum: '1'.repeat(64), size: 10, openChecksum: '2'.repeat(64), openSize: 20, timestamp: 1700000000 },
    { type: 'group', file: `${'3'.repeat(64)}-comps.xml`, checksum: '3'.repeat(64), size: 30, openChecksum: null, openSize: null, timestamp: 1700000001 },
    { type: 'primary', file: `${'4'.repeat(64)}-primary.xml.gz`, checksum: '4'.repeat(64), size: 40, openChecksum: '5'.repeat(64), openSize: 50, timestamp: 1700000002 },
  ];
  const xml = repomdXml(17, files);
  const path = join(dir, 'repomd.xml');
  await writeFile(path, xml);
  const parsed = await parseRepomd(path);
  t.equal(parsed.revision, '17');
  t.same(parsed.records.map((r) => [r.type, r.location_href, r.checksum_type, r.checksum, r.checksum_open, r.size, r.size_open, r.timestamp]), [
    ['primary', `repodata/${files[2]!.file}`, 'sha256', '4'.repeat(64), '5'.repeat(64), 40, 50, 1700000002],
    ['group', `repodata/${files[1]!.file}`, 'sha256', '3'.repeat(64), null, 30, -1, 1700000001],
    ['updateinfo', `repodata/${files[0]!.file}`, 'sha256', '1'.repeat(64), '2'.repeat(64), 10, 20, 1700000000],
  ]);
  t.same(readRepomd(xml), { revision: '17', files: [files[2], files[1], files[0]] }, 'and read back by Skylab');
});
