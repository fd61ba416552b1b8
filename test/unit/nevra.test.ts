// NEVRA parsing and formatting, checked against real repository metadata, rpmbuild's own file
// names and headers, and libdnf's parser (hawkey.split_nevra) as oracles.
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  InvalidNevra, formatNevra, formatNvra, parseNevra, parseRpmFilename, rpmFilename, type Nevra,
} from '../../channels/nevra.js';

const SHARED = new URL('../../../shared/data/', import.meta.url);

interface PrimaryPackage { nevra: Nevra; href: string; sourcerpm: string }

// A regex is enough here: createrepo_c writes these elements in one fixed order.
const PACKAGE_RE = new RegExp(
  '<name>([^<]*)</name>\\s*<arch>([^<]*)</arch>\\s*<version epoch="([^"]*)" ver="([^"]*)" rel="([^"]*)"/>' +
    '[\\s\\S]*?<location href="([^"]*)"/>[\\s\\S]*?<rpm:sourcerpm>([^<]*)</rpm:sourcerpm>',
  'g',
);

function readPrimary(dir: string): { declared: number; packages: PrimaryPackage[] } {
  const repodata = new URL(`${dir}/repodata/`, SHARED);
  const file = readdirSync(repodata).find((f) => f.endsWith('-primary.xml.gz'))!;
  const xml = gunzipSync(readFileSync(new URL(file, repodata))).toString('utf8');
  const declared = Number(/packages="(\d+)"/.exec(xml)![1]);
  const packages: PrimaryPackage[] = [];
  for (const m of xml.matchAll(PACKAGE_RE)) {
    const [, name, arch, epoch, version, release, href, sourcerpm] = m as unknown as string[];
    packages.push({ nevra: { name: name!, epoch: epoch!, version: version!, release: release!, arch: arch! }, href: href!, sourcerpm: sourcerpm! });
  }
  return { declared, packages };
}

type Split = [string, number, string, string, string] | null;
const HAWKEY = `
import json, sys, hawkey
out = []
for s in json.load(sys.stdin):
    try:
        n = hawkey.split_nevra(s)
        out.append([n.name, n.epoch, n.version, n.release, n.arch])
    except Exception:
        out.append(None)
json.dump(out, sys.stdout)
`;

/** libdnf's NEVRA parser over many strings in one python process; null where it refuses. */
function hawkeySplit(labels: string[]): Split[] {
  const run = spawnSync('/usr/bin/python3', ['-c', HAWKEY], {
    input: JSON.stringify(labels), maxBuffer: 1 << 28, encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`hawkey failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Split[];
}

const asSplit = (n: Nevra): Split => [n.name, Number(n.epoch || '0'), n.version, n.release, n.arch];

for (const dir of ['cs9-baseos-2022', 'cs9-appstream']) {
  t.test(`${dir}: every location href parses to the package's own N-V-R.A`, async (t) => {
    const { declared, packages } = readPrimary(dir);
    t.equal(packages.length, declared, 'read every <package> of primary.xml');
    let bad = 0;
    for (const p of packages) {
      const base = p.href.slice(p.href.lastIndexOf('/') + 1);
      const got = parseRpmFilename(p.href);
      const want = { ...p.nevra, epoch: '' };
      if (JSON.stringify(got) !== JSON.stringify(want) || rpmFilename(got) !== base) {
        if (bad++ < 5) t.fail(`${p.href}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
      }
    }
    t.equal(bad, 0, 'no href disagrees with its package');
  });

  t.test(`${dir}: sourcerpm names and formatted NEVRAs agree with hawkey.split_nevra`, async (t) => {
    const { packages } = readPrimary(dir);
    const srcLabels = packages.map((p) => p.sourcerpm.slice(0, -'.rpm'.length));
    const labels = packages.map((p) => formatNevra(p.nevra));
    const want = hawkeySplit([...srcLabels, ...labels]);
    let bad = 0;
    packages.forEach((p, i) => {
      const src = parseRpmFilename(p.sourcerpm);
      const full = parseNevra(labels[i]!);
      const a = JSON.stringify(asSplit(src)) === JSON.stringify(want[i]) && src.arch === 'src';
      const b = JSON.stringify(asSplit(full)) === JSON.stringify(want[srcLabels.length + i]);
      if (!a || !b || (p.nevra.epoch !== '0' && full.epoch !== p.nevra.epoch)) {
        if (bad++ < 5) t.fail(`${p.sourcerpm} / ${labels[i]}: ${JSON.stringify([src, full])}`);
      }
    });
    t.equal(bad, 0, 'no disagreement with libdnf');
    t.ok(packages.some((p) => p.nevra.epoch !== '0'), 'the data has packages with epochs');
    t.ok(packages.some((p) => p.nevra.name.split('-').length > 2), 'and names with dashes');
  });
}

t.test('tricky labels agree with hawkey.split_nevra', async (t) => {
  const labels = [
    'a-b-c-1-1.noarch', 'foo-01:1-1.noarch', 'sw-hello-1.1-1.el8.noarch', 'kernel-4.18.0-513.el8.x86_64',
    'python3-dnf-plugin-spacewalk-2:2.8.5-11.el8.noarch', 'x-1.0~rc1^git2-0.1.el8_9.ppc64le', 'perl-Net-1_0-1.nosrc',
  ];
  const want = hawkeySplit(labels);
  labels.forEach((l, i) => t.same(asSplit(parseNevra(l)), want[i], l));
  t.same(parseNevra('foo-01:1-1.noarch').epoch, '01', 'epoch kept as written');
  t.same(parseNevra('3:foo-bar-1-1.noarch'), parseNevra('foo-bar-3:1-1.noarch'), 'yum E:N-V-R.A form');
});

t.test('malformed labels throw InvalidNevra, and libdnf refuses them too', async (t) => {
  const labels = [
    '', 'foo', 'foo-1-1', 'foo-1.0-1', '-1-1.x86_64', 'foo--1.x86_64', 'foo-1-.x86_64', 'foo-1-1.',
    'foo-x:1-1.noarch', 'foo-:1-1.noarch', 'foo-1:2:3-1.noarch', 'foo 1-1-1.noarch', 'foo-1-1.x86-64',
    'x:foo-1-1.noarch',
  ];
  const want = hawkeySplit(labels);
  labels.forEach((l, i) => {
    t.equal(want[i], null, `hawkey refuses ${JSON.stringify(l)}`);
    t.throws(() => parseNevra(l), InvalidNevra, JSON.stringify(l));
  });
  // Stricter than libdnf, which takes a tab into the release: rpmbuild refuses whitespace.
  t.throws(() => parseNevra('foo-1-1\t.noarch'), InvalidNevra, 'control character');
  const err = t.throws(() => parseNevra('foo-1-1')) as InvalidNevra;
  t.equal(err.name, 'InvalidNevra');
  t.equal(err.input, 'foo-1-1');
  t.ok(err instanceof Error && err.reason.length > 0);
});

t.test('parseRpmFilename refuses what is not an rpm file name', async (t) => {
  for (const f of ['foo-1-1.noarch', 'foo-1-1.noarch.rpm.orig', 'foo-1:1-1.noarch.rpm', '.rpm', 'foo-1-1.rpm', 'a/b\\c-1-1.x86_64.rpm']) {
    t.throws(() => parseRpmFilename(f), InvalidNevra, f);
  }
});

t.test('formatting', async (t) => {
  const n: Nevra = { name: 'sw-hello', epoch: '', version: '1.1', release: '1.el8', arch: 'noarch' };
  t.equal(formatNvra(n), 'sw-hello-1.1-1.el8.noarch');
  t.equal(formatNevra(n), 'sw-hello-1.1-1.el8.noarch', 'no epoch');
  t.equal(formatNevra({ ...n, epoch: '0' }), 'sw-hello-1.1-1.el8.noarch', "epoch '0' is omitted");
  t.equal(formatNevra({ ...n, epoch: '00' }), 'sw-hello-1.1-1.el8.noarch', 'so is any zero epoch');
  t.equal(formatNevra({ ...n, epoch: '2' }), 'sw-hello-2:1.1-1.el8.noarch');
  t.equal(formatNvra({ ...n, epoch: '2' }), 'sw-hello-1.1-1.el8.noarch', 'NVRA never shows the epoch');
  t.equal(rpmFilename({ ...n, epoch: '2' }), 'sw-hello-1.1-1.el8.noarch.rpm');
  t.same(parseRpmFilename('sw-hello-1.1-1.el8.noarch.rpm'), n);
  t.same(parseRpmFilename('sw-hello-1.1-1.el8.src.rpm'), { ...n, arch: 'src' });
});

const SPEC = (name: string, epoch: string) => `
Name: ${name}
${epoch ? `Epoch: ${epoch}` : ''}
Version: 1.2^git20240101
Release: 0.1.el8~beta
Summary: test
License: MIT
BuildArch: noarch
%description
test
%files
`;

t.test('rpmbuild: file names and headers round-trip', async (t) => {
  const top = mkdtempSync(join(tmpdir(), 'skylab-nevra-'));
  t.teardown(() => rmSync(top, { recursive: true, force: true }));
  for (const [name, epoch] of [['sw-hello-world', '3'], ['plain', '']] as const) {
    const spec = join(top, `${name}.spec`);
    writeFileSync(spec, SPEC(name, epoch));
    execFileSync('rpmbuild', ['-ba', '--quiet', '--define', `_topdir ${top}`, spec], { stdio: 'pipe' });
    const rpms = join(top, 'RPMS', 'noarch');
    const bin = readdirSync(rpms).find((f) => f.startsWith(`${name}-1`))!;
    const q = (file: string, fmt: string) => execFileSync('rpm', ['-qp', '--qf', fmt, file], { encoding: 'utf8' });
    const [n, v, r, a, e, nevra, srpm] = q(join(rpms, bin), '%{NAME}|%{VERSION}|%{RELEASE}|%{ARCH}|%{EPOCH}|%{NEVRA}|%{SOURCERPM}').split('|');
    const parsed = parseRpmFilename(bin);
    t.same(parsed, { name: n, epoch: '', version: v, release: r, arch: a }, bin);
    t.equal(rpmFilename(parsed), bin, 'rpmFilename rebuilds the name rpmbuild chose');
    const withEpoch = { ...parsed, epoch: e === '(none)' ? '' : e! };
    t.equal(formatNevra(withEpoch), nevra, 'formatNevra == rpm %{NEVRA}');
    t.same(parseNevra(nevra!), withEpoch, 'parseNevra(rpm %{NEVRA})');
    const src = readdirSync(join(top, 'SRPMS')).find((f) => f.startsWith(`${name}-1`))!;
    t.equal(src, srpm, 'the .src.rpm is the SOURCERPM named in the header');
    const srcHdr = q(join(top, 'SRPMS', src), '%{NAME}|%{VERSION}|%{RELEASE}').split('|');
    t.same(parseRpmFilename(src), { name: srcHdr[0], epoch: '', version: srcHdr[1], release: srcHdr[2], arch: 'src' });
  }
});
