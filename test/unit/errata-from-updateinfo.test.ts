// Updateinfo advisories as the errata a channel sync commits: types, severities, dates and their
// fallbacks, references split into bugs/CVEs/others, flag keywords, the channel-arch filter and
// the package-id mapping. Inputs come from the real parser; reference values from createrepo_c.
import { join } from 'node:path';
import t from 'tap';
import { ADVISORY_TYPES, archAccepts, SEVERITIES } from '../../channels/index.js';
import { errataFromUpdateinfo, withPackageIds, type UpdateinfoErratum } from '../../repo-sync/errata-from-updateinfo.js';
import { readUpdateinfo } from '../../repo-sync/metadata/updateinfo.js';
import { byteStream } from '../support/repo-fixtures.js';
import { ROOT, SHARED } from '../support/server.js';
import { gnuDate, oracleUpdateinfo } from '../support/updateinfo-oracle.js';

const QUIRKS = join(ROOT, 'test', 'fixtures', 'updateinfo', 'quirks-updateinfo.xml');
const SAMPLES = join(SHARED, 'data', 'updateinfo-samples');

async function quirkErrata(channelArch?: string, fallbackDate?: Date) {
  const read = await readUpdateinfo(byteStream(QUIRKS));
  return errataFromUpdateinfo(read.advisories, { source: 'quirks-repo', ...(channelArch ? { channelArch } : {}), ...(fallbackDate ? { fallbackDate } : {}) });
}

const byName = (list: UpdateinfoErratum[], name: string): UpdateinfoErratum => {
  const e = list.find((x) => x.advisoryName === name);
  if (!e) throw new Error(`${name} missing`);
  return e;
};

t.test('advisory types, severities and releases', async (t) => {
  const { errata, warnings } = await quirkErrata('channel-x86_64');
  const types = Object.fromEntries(errata.map((e) => [e.advisoryName, e.advisoryType]));
  t.same(types, {
    'SKY-2024:0001': 'Security Advisory', // security
    'SKY-2024:0002': 'Bug Fix Advisory', // bugfix
    'SKY-2024:0003': 'Product Enhancement Advisory', // enhancement
    'SKY-2024:0004': 'Product Enhancement Advisory', // newpackage: a new package is a feature, not a fix
    'SKY-2024:0005': 'Bug Fix Advisory', // unknown types, as Spacewalk's reposync
    'SKY-2024:0006': 'Security Advisory', // "Security": case does not matter
    'SKY-2024:0007': 'Security Advisory',
  });
  const severities = Object.fromEntries(errata.map((e) => [e.advisoryName, e.severity]));
  t.same(severities, {
    'SKY-2024:0001': 'Important', // "important"
    'SKY-2024:0002': null, // None
    'SKY-2024:0003': null, // Moderate on an enhancement: severity is a security advisory's
    'SKY-2024:0004': null,
    'SKY-2024:0005': null, // CRITICAL on a non-security advisory
    'SKY-2024:0006': null, // Unspecified
    'SKY-2024:0007': 'Moderate', // Amazon's "medium"
  });
  t.match(warnings, [/SKY-2024:0006: severity "Unspecified"/], 'an unknown severity on a security advisory is reported');
  t.same(errata.map((e) => e.advisoryRelease), [2, 2, 1, 1, 1, 1, 1], 'version 2.0 -> 2, 1.4 -> 1, 0 -> 1');
  for (const e of errata) t.ok(ADVISORY_TYPES.includes(e.advisoryType as (typeof ADVISORY_TYPES)[number]) && (e.severity === null || SEVERITIES.includes(e.severity as (typeof SEVERITIES)[number])), `${e.advisoryName}: Spacewalk labels`);
});

t.test('dates: as given, updated defaults to issued, neither -> the fallback', async (t) => {
  const { errata } = await quirkErrata('channel-x86_64');
  const oracle = await oracleUpdateinfo(QUIRKS);
  const raw = (id: string, n = 0) => oracle.filter((o) => o.id === id)[n]!;
  const one = byName(errata, 'SKY-2024:0001');
  t.same([one.issueDate, one.updateDate], [await gnuDate(raw('SKY-2024:0001').issued!), await gnuDate(raw('SKY-2024:0001').updated!)]);
  const three = byName(errata, 'SKY-2024:0003');
  t.same([three.issueDate, three.updateDate], [await gnuDate('2024-04-20'), await gnuDate('2024-04-20')], 'no <updated>: the issue date');
  const merged = byName(errata, 'SKY-2024:0002');
  t.same([merged.issueDate, merged.updateDate], [await gnuDate(raw('SKY-2024:0002', 1).issued!), await gnuDate(raw('SKY-2024:0002', 1).updated!)], 'repeated id: the latest dates');
  const none = byName(errata, 'SKY-2024:0005');
  t.same([none.issueDate, none.updateDate], [new Date(0), new Date(0)], 'no dates: 1970-01-01, stable across syncs');
  const fallback = new Date('2020-01-01T00:00:00Z');
  const withFallback = byName((await quirkErrata('channel-x86_64', fallback)).errata, 'SKY-2024:0005');
  t.same([withFallback.issueDate, withFallback.updateDate], [fallback, fallback], 'or the caller-given fallback');

  const rocky = await readUpdateinfo(byteStream(join(SAMPLES, 'rocky8-updateinfo.xml')));
  const e = byName(errataFromUpdateinfo(rocky.advisories, { source: 'rocky' }).errata, 'RLBA-2021:2580');
  t.same([e.issueDate, e.updateDate], [await gnuDate('2021-07-22 18:25:24'), await gnuDate('2021-06-29 00:00:00')], 'updated earlier than issued is kept as given');
  t.ok(e.updateDate < e.issueDate);
});

t.test('references: bugzilla -> bugs, cve -> CVEs, the rest kept', async (t) => {
  const { errata } = await quirkErrata('channel-x86_64');
  const one = byName(errata, 'SKY-2024:0001');
  t.same(one.bugs, [
    { id: 1001, summary: 'sky: greeting overflow', url: 'https://bugzilla.example.invalid/show_bug.cgi?id=1001' },
    { id: 1002, summary: 'id not numeric, number in the href', url: 'https://bugzilla.example.invalid/show_bug.cgi?id=1002' },
  ]);
  t.same(one.cves, ['CVE-2024-0001', 'CVE-2024-0002'], 'a cve reference without id gives its id from the href');
  t.same(one.otherReferences.map((r) => [r.type, r.id]), [['bugzilla', 'SKY-7'], ['self', 'SKY-2024:0001'], ['erratum', 'RHSA-2024:0001']], 'a bug without a number stays a reference');
  t.equal(one.references!.split('\n').length, 7, 'every href in the references text');
  t.same(byName(errata, 'SKY-2024:0002').bugs!.map((b) => b.id), [2002], 'references of the repeated id kept');
});

t.test('packages: the channel arch filter, source packages, modules, epochs, flags as keywords', async (t) => {
  const { errata, dropped } = await quirkErrata('channel-x86_64');
  const one = byName(errata, 'SKY-2024:0001');
  t.same(one.packages.map((p) => `${p.name}.${p.arch}`), ['sky.x86_64', 'sky.i686', 'sky-doc.noarch', 'sky-tool.x86_64'], 'x86_64, i686 and noarch kept; aarch64 and src dropped');
  t.equal(one.packages.find((p) => p.name === 'sky-doc')!.epoch, '', 'empty epoch stays empty');
  t.equal(one.packages.find((p) => p.name === 'sky-tool')!.module, 'sky-tools:2:8090020240101000000:abcdef12:x86_64', 'a module collection scopes its packages');
  t.equal(one.packages.find((p) => p.name === 'sky')!.module, null);
  t.same(one.keywords, ['reboot_suggested', 'restart_suggested', 'relogin_suggested'], 'per-package flags become keywords');
  t.equal(one.extras.rebootSuggested, true);
  t.same(byName(errata, 'SKY-2024:0002').keywords, ['restart_suggested'], 'reboot_suggested written False is not a keyword');
  t.same(byName(errata, 'SKY-2024:0005').keywords, ['reboot_suggested'], 'advisory-level flag');
  t.same(byName(errata, 'SKY-2024:0002').packages.map((p) => `${p.name}.${p.arch}`), ['sky-lib.x86_64', 'sky-lib-devel.x86_64'], 'merged list, ppc64le dropped');
  t.same(dropped, [{ advisory: 'SKY-2024:0008', reason: 'none of its 2 packages is of an arch channel-x86_64 accepts' }], 'an advisory left without packages is dropped, with why');
  for (const e of errata) {
    t.equal(e.extras.source, 'quirks-repo');
    for (const p of e.packages) t.ok(archAccepts('channel-x86_64', p.arch), `${e.advisoryName}: ${p.name}.${p.arch} accepted by the channel`);
  }
  const ia32 = await quirkErrata('channel-ia32');
  t.same(byName(ia32.errata, 'SKY-2024:0001').packages.map((p) => `${p.name}.${p.arch}`), ['sky.i686', 'sky-doc.noarch'], 'an IA-32 channel takes i686 and noarch only');
  const any = await quirkErrata();
  t.same(byName(any.errata, 'SKY-2024:0001').packages.length, 5, 'without a channel arch only the source package goes');
});

t.test('withPackageIds maps NEVRAs to ids and drops what the channel lacks', async (t) => {
  const { errata } = await quirkErrata('channel-x86_64');
  const one = byName(errata, 'SKY-2024:0001');
  const ids = new Map([['sky.x86_64', 11], ['sky-tool.x86_64', 12]]);
  const synced = withPackageIds(one, 7, (p) => ids.get(`${p.name}.${p.arch}`) ?? null)!;
  t.equal(synced.orgId, 7);
  t.same(synced.packages, [{ packageId: 11, module: null }, { packageId: 12, module: 'sky-tools:2:8090020240101000000:abcdef12:x86_64' }]);
  t.equal(withPackageIds(one, 7, () => null), null, 'no package in the channel: nothing to commit');
});

t.test('every sample converts to Spacewalk labels', async (t) => {
  for (const f of ['rocky8-updateinfo.xml', 'pulp-fixtures-updateinfo.xml', 'amazon-updateinfo_1_item.xml.gz', 'amazon-updateinfo_2_items.xml.gz', 'amazon-updateinfo_AL2023.xml.gz']) {
    const read = await readUpdateinfo(byteStream(join(SAMPLES, f)));
    const { errata, dropped } = errataFromUpdateinfo(read.advisories, { source: f, channelArch: 'channel-x86_64' });
    t.equal(errata.length + dropped.length, read.advisories.length, `${f}: every advisory converted or dropped`);
    for (const e of errata) {
      t.ok(e.packages.length > 0 && e.synopsis !== '' && e.issueDate.getTime() > 0, `${e.advisoryName}: packages, synopsis, a real date`);
      if (e.advisoryType === 'Security Advisory' && /amazon/.test(f)) t.ok(e.severity !== null, `${e.advisoryName}: Amazon's lower-case severity understood`);
    }
  }
});
