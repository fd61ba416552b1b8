// The relevance engine against python3-rpm: hand-made cases for each rule (name, arch and noarch,
// epochs, ~ and ^, several installed builds, errata whose packages or channels the system lacks),
// then seeded random profiles and a real CentOS Stream 9 AppStream channel, all checked against a
// naive oracle that orders versions with rpm.labelCompare.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildChannelIndex, computeRelevance, type ChannelBuild, type PackageNevra, type Relevance } from '../../channels/index.js';
import { pythonJson } from '../support/python.js';
import { SHARED } from '../support/server.js';
import { seeded } from '../support/seeded.js';

type Row = [string, string, string, string, string]; // name, epoch, version, release, arch

interface Scenario {
  installed: Row[];
  /** every package, including those in no channel (errata may still name them) */
  packages: Record<number, Row>;
  channels: { packageIds: number[]; errataIds: number[] }[];
  errata: { id: number; packageIds: number[] }[];
}

/** [target id, installed build] per upgrade, and the relevant errata, as both sides report them. */
interface Outcome {
  needed: [number, Row][];
  errata: number[];
}

const nevra = ([name, epoch, version, release, arch]: Row): PackageNevra => ({ name, epoch, version, release, arch });
const row = (p: PackageNevra): Row => [p.name, p.epoch, p.version, p.release, p.arch];

function runEngine(s: Scenario): Outcome {
  const errataOf = new Map(s.errata.map((e) => [e.id, e.packageIds]));
  const indexes = s.channels.map((c, i) => {
    const builds: ChannelBuild[] = c.packageIds.map((id) => ({ id, ...nevra(s.packages[id]!) }));
    const links = c.errataIds.flatMap((errataId) => errataOf.get(errataId)!.map((packageId) => ({ errataId, packageId })));
    return buildChannelIndex(i + 1, 1, builds, links);
  });
  const r: Relevance = computeRelevance(s.installed.map(nevra), indexes);
  return { needed: r.packages.map((p): [number, Row] => [p.target.id, row(p.from)]).sort(byTarget), errata: r.errata };
}

const byTarget = (a: [number, Row], b: [number, Row]): number => a[0] - b[0] || (a[1][4] < b[1][4] ? -1 : a[1][4] > b[1][4] ? 1 : 0);

// Deliberately naive: every channel build of a name against each installed arch of it, rpm doing
// the ordering.
// Ties between equally new builds are broken as the engine documents (installed arch, noarch,
// arch name, lower id): that is policy, not version ordering.
const ORACLE = String.raw`
import json, sys, rpm
def evr(p): return (p[1] or '0', p[2], p[3])
def match(a, b): return a == b or a == 'noarch' or b == 'noarch'
def rank(inst_arch, a): return 0 if a == inst_arch else 1 if a == 'noarch' else 2
def better(inst_arch, x, y, pk):
    c = rpm.labelCompare(evr(pk[x]), evr(pk[y]))
    if c != 0: return c > 0
    kx, ky = (rank(inst_arch, pk[x][4]), pk[x][4], x), (rank(inst_arch, pk[y][4]), pk[y][4], y)
    return kx < ky
out = []
for s in json.load(sys.stdin):
    pk = {int(k): v for k, v in s['packages'].items()}
    in_channels = {i for c in s['channels'] for i in c['packageIds']}
    channel_errata = {e for c in s['channels'] for e in c['errataIds']}
    by_name = {}
    for i in in_channels: by_name.setdefault(pk[i][0], []).append(i)
    newest = {}
    for p in s['installed']:
        k = (p[0], p[4])
        if k not in newest or rpm.labelCompare(evr(p), evr(newest[k])) > 0: newest[k] = p
    installed_archs = {}
    for (n, a), i in newest.items(): installed_archs.setdefault(n, []).append((a, i))
    def upgrades(pid):
        b = pk[pid]
        return any(match(a, b[4]) and rpm.labelCompare(evr(b), evr(i)) > 0 for a, i in installed_archs.get(b[0], []))
    needed = []
    for (name, arch), inst in newest.items():
        best = None
        for pid in by_name.get(name, []):
            b = pk[pid]
            if match(arch, b[4]) and rpm.labelCompare(evr(b), evr(inst)) > 0:
                if best is None or better(arch, pid, best, pk): best = pid
        if best is not None: needed.append([best, inst])
    needed.sort(key=lambda x: (x[0], x[1][4]))
    errata = sorted(e['id'] for e in s['errata'] if e['id'] in channel_errata and any(p in in_channels and upgrades(p) for p in e['packageIds']))
    out.append({'needed': needed, 'errata': errata})
print(json.dumps(out))
`;

const oracle = (scenarios: Scenario[]): Promise<Outcome[]> => pythonJson<Outcome[]>(ORACLE, [], JSON.stringify(scenarios));

/** A scenario with one channel holding `inChannel` (ids 1..n); `outside` get ids after them and no channel. */
function oneChannel(installed: Row[], inChannel: Row[], errata: { id: number; packageIds: number[] }[] = [], outside: Row[] = []): Scenario {
  const packages: Record<number, Row> = {};
  [...inChannel, ...outside].forEach((p, i) => (packages[i + 1] = p));
  return { installed, packages, channels: [{ packageIds: inChannel.map((_, i) => i + 1), errataIds: errata.map((e) => e.id) }], errata };
}

const R = (name: string, evr: string, arch = 'x86_64'): Row => {
  const m = /^(?:(\d+):)?([^-]+)-(.+)$/.exec(evr)!;
  return [name, m[1] ?? '', m[2]!, m[3]!, arch];
};

const CASES: [string, Scenario, Outcome][] = [
  ['another name never upgrades', oneChannel([R('foo', '1.0-1')], [R('foobar', '2.0-1')]), { needed: [], errata: [] }],
  ['another arch does not match', oneChannel([R('foo', '1.0-1')], [R('foo', '2.0-1', 'i686')]), { needed: [], errata: [] }],
  ['a noarch build upgrades an x86_64 one', oneChannel([R('foo', '1.0-1')], [R('foo', '2.0-1', 'noarch')]), { needed: [[1, R('foo', '1.0-1')]], errata: [] }],
  ['any build upgrades a noarch one', oneChannel([R('foo', '1.0-1', 'noarch')], [R('foo', '2.0-1', 'i686')]), { needed: [[1, R('foo', '1.0-1', 'noarch')]], errata: [] }],
  ['the newest build is the target', oneChannel([R('foo', '1.0-1')], [R('foo', '2.0-1'), R('foo', '3.0-1'), R('foo', '1.5-1')]), { needed: [[2, R('foo', '1.0-1')]], errata: [] }],
  ['equal builds: the installed arch wins', oneChannel([R('foo', '1.0-1')], [R('foo', '2.0-1', 'noarch'), R('foo', '2.0-1')]), { needed: [[2, R('foo', '1.0-1')]], errata: [] }],
  ['multilib: each arch gets its own target', oneChannel([R('glibc', '2.34-1'), R('glibc', '2.34-1', 'i686')], [R('glibc', '2.34-2'), R('glibc', '2.34-2', 'i686')]),
    { needed: [[1, R('glibc', '2.34-1')], [2, R('glibc', '2.34-1', 'i686')]], errata: [] }],
  ['a higher epoch beats a higher version', oneChannel([R('foo', '1:1.0-1')], [R('foo', '2.0-1'), R('foo', '0:9.9-1')]), { needed: [], errata: [] }],
  ['an empty epoch is epoch 0', oneChannel([R('foo', '1.0-1')], [R('foo', '0:1.0-1')]), { needed: [], errata: [] }],
  ['a new epoch upgrades', oneChannel([R('foo', '0:2.0-1')], [R('foo', '1:1.0-1')]), { needed: [[1, R('foo', '0:2.0-1')]], errata: [] }],
  ['~ sorts before the release it precedes', oneChannel([R('foo', '1.0-1')], [R('foo', '1.0~rc1-1')]), { needed: [], errata: [] }],
  ['a pre-release is upgraded by the release', oneChannel([R('foo', '1.0~rc1-1')], [R('foo', '1.0-1')]), { needed: [[1, R('foo', '1.0~rc1-1')]], errata: [] }],
  ['^ sorts after the release it follows', oneChannel([R('foo', '1.0-1')], [R('foo', '1.0^git1-1')]), { needed: [[1, R('foo', '1.0-1')]], errata: [] }],
  ['several kernels: the newest installed one counts', oneChannel([R('kernel', '5.14-1'), R('kernel', '5.14-3')], [R('kernel', '5.14-2')], [{ id: 7, packageIds: [1] }]),
    { needed: [], errata: [] }],
  ['several kernels: upgraded from the newest', oneChannel([R('kernel', '5.14-3'), R('kernel', '5.14-1')], [R('kernel', '5.14-4')], [{ id: 7, packageIds: [1] }]),
    { needed: [[1, R('kernel', '5.14-3')]], errata: [7] }],
  ['errata: only packages in the channels count', oneChannel([R('foo', '1.0-1'), R('bar', '1.0-1')], [R('foo', '1.0-2')],
    [{ id: 1, packageIds: [1] }, { id: 2, packageIds: [2] }, { id: 3, packageIds: [2, 1] }], [R('bar', '1.0-2')]),
    { needed: [[1, R('foo', '1.0-1')]], errata: [1, 3] }],
  ['errata: an older or other-arch package is not enough', oneChannel([R('foo', '1.0-2'), R('bar', '1.0-1')], [R('foo', '1.0-1'), R('bar', '1.0-2', 'i686')],
    [{ id: 4, packageIds: [1] }, { id: 5, packageIds: [2] }]), { needed: [], errata: [] }],
];

// Two channels: an erratum of channel 1 shipping a package that only channel 2 holds is relevant;
// an erratum in no channel of the system is not, even with a newer package.
const twoChannels: Scenario = {
  installed: [R('foo', '1.0-1'), R('bar', '1.0-1')],
  packages: { 1: R('foo', '1.0-2'), 2: R('bar', '1.0-2') },
  channels: [{ packageIds: [1], errataIds: [10] }, { packageIds: [2], errataIds: [] }],
  errata: [{ id: 10, packageIds: [2] }, { id: 11, packageIds: [1] }],
};
CASES.push(['errata: channels combine; an erratum must be in one of them', twoChannels, { needed: [[1, R('foo', '1.0-1')], [2, R('bar', '1.0-1')]], errata: [10] }]);

t.test('each rule, as stated and as rpm orders versions', async (t) => {
  const fromOracle = await oracle(CASES.map((c) => c[1]));
  CASES.forEach(([name, s, expected], i) => {
    const got = runEngine(s);
    t.same(got, expected, name);
    t.same(got, fromOracle[i], `${name} (python3-rpm)`);
  });
});

// mulberry32, seeded: a failure reproduces from RELEVANCE_SEED.
const SEED = Number(process.env.RELEVANCE_SEED ?? 7_040_111) >>> 0;
const { rand, int, pick } = seeded(SEED);

// Small pools make equal, nearly equal and "equal but spelled differently" EVRs common.
const NAMES = ['kernel', 'glibc', 'bash', 'python3', 'openssl-libs', 'vim'];
const ARCHES = ['x86_64', 'x86_64', 'i686', 'noarch'];
const EPOCHS = ['', '', '', '0', '1', '2', '01'];
const VERSIONS = ['1.0', '1.00', '1.0.1', '1.0~rc1', '1.0~rc2', '1.0^git1', '1.0^', '1.1', '2', '2.0a', '10', '1_0', 'r1'];
const RELEASES = ['1', '2', '1.el9', '1.el9_1', '0.1', '1~beta', '1^post', '10.el9', '2.fc40'];
const randomRow = (): Row => [pick(NAMES), pick(EPOCHS), pick(VERSIONS), pick(RELEASES), pick(ARCHES)];
const subset = <T>(xs: readonly T[], p: number): T[] => xs.filter(() => rand() < p);

function randomScenario(): Scenario {
  const packages: Record<number, Row> = {};
  const ids: number[] = [];
  for (let i = 1, n = 10 + int(40); i <= n; i++) {
    packages[i] = randomRow();
    ids.push(i);
  }
  const errata = Array.from({ length: int(8) }, (_, i) => ({ id: 100 + i, packageIds: [...new Set(Array.from({ length: 1 + int(4) }, () => pick(ids)))] }));
  const channels = Array.from({ length: 1 + int(3) }, () => ({ packageIds: subset(ids, 0.5), errataIds: subset(errata, 0.4).map((e) => e.id) }));
  const installed = Array.from({ length: int(14) }, randomRow);
  return { installed, packages, channels, errata };
}

t.test(`random profiles agree with python3-rpm (seed ${SEED})`, async (t) => {
  const scenarios = Array.from({ length: 3000 }, randomScenario);
  const fromOracle = await oracle(scenarios);
  let mismatches = 0;
  let needed = 0;
  let errata = 0;
  scenarios.forEach((s, i) => {
    const got = runEngine(s);
    needed += got.needed.length;
    errata += got.errata.length;
    if (JSON.stringify(got) !== JSON.stringify(fromOracle[i]) && mismatches++ < 5) t.same(got, fromOracle[i], JSON.stringify(s));
  });
  t.equal(mismatches, 0, 'no scenario differs');
  t.ok(needed > 3000 && errata > 1000, `the scenarios exercise both outputs (${needed} upgrades, ${errata} errata)`);
});

t.test('a real channel: CentOS Stream 9 AppStream against random older and newer profiles', async (t) => {
  const dir = join(SHARED, 'data', 'cs9-appstream', 'repodata');
  const xml = gunzipSync(readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('-primary.xml.gz'))!))).toString('utf8');
  const re = /<name>([^<]*)<\/name>\s*<arch>([^<]*)<\/arch>\s*<version epoch="([^"]*)" ver="([^"]*)" rel="([^"]*)"\/>/g;
  const builds: Row[] = [...xml.matchAll(re)].map((m) => [m[1]!, m[3] === '0' ? '' : m[3]!, m[4]!, m[5]!, m[2]!]);
  t.equal(builds.length, 17_649);
  const packages: Record<number, Row> = {};
  builds.forEach((b, i) => (packages[i + 1] = b));
  const ids = builds.map((_, i) => i + 1);
  // errata: one per source-like group of 1-3 builds, so relevance depends on which of them upgrade
  const errata = Array.from({ length: 2000 }, (_, i) => ({ id: i + 1, packageIds: Array.from({ length: 1 + int(3) }, () => pick(ids)) }));
  const scenarios: Scenario[] = Array.from({ length: 4 }, () => ({
    // installed: real builds, some with a lowered release so most have something newer
    installed: Array.from({ length: 1500 }, () => {
      const [n, e, v, r, a] = pick(builds);
      return [n, e, v, rand() < 0.7 ? `0.${r}` : r, a] as Row;
    }),
    packages,
    channels: [{ packageIds: ids, errataIds: errata.filter(() => rand() < 0.8).map((e) => e.id) }],
    errata,
  }));
  const fromOracle = await oracle(scenarios);
  scenarios.forEach((s, i) => {
    const got = runEngine(s);
    t.ok(got.needed.length > 500 && got.errata.length > 100, `profile ${i}: ${got.needed.length} upgrades, ${got.errata.length} errata`);
    t.same(got, fromOracle[i], `profile ${i} agrees with python3-rpm`);
  });
});
