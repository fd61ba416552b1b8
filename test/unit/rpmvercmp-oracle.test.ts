// Differential test: compareEvr against python3-rpm's rpm.labelCompare on >100k seeded random
// (epoch, version, release) pairs, all sent to one python process in a single batch.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { compareEvr, type Cmp, type Evr } from '../../channels/rpmvercmp.js';
import { seeded } from '../support/seeded.js';

const PAIRS = 120_000;
const SEED = Number(process.env.RPMVERCMP_SEED ?? 20240518) >>> 0;

const { rand, int, pick } = seeded(SEED);

const WORDS = ['a', 'b', 'z', 'A', 'Z', 'rc', 'git', 'pre', 'p', 'el', 'fc', 'beta', 'post'];
const SEPS = ['.', '.', '.', '_', '+', '-', '%', '..', '.+', ' ', 'é', 'α'];

function digits(): string {
  const r = rand();
  if (r < 0.55) return String(int(12));
  if (r < 0.7) return '0'.repeat(1 + int(3)) + String(int(100)); // leading zeros
  if (r < 0.85) return String(int(100000));
  let s = String(1 + int(9)); // longer than any machine integer
  for (let n = 10 + int(30); n > 0; n--) s += String(int(10));
  return s;
}

function token(): string {
  const r = rand();
  if (r < 0.45) return digits();
  if (r < 0.7) return pick(WORDS);
  if (r < 0.8) return '~' + (rand() < 0.7 ? pick(WORDS) + (rand() < 0.5 ? digits() : '') : '');
  if (r < 0.9) return '^' + (rand() < 0.7 ? (rand() < 0.5 ? pick(WORDS) : digits()) : '');
  return pick(SEPS);
}

function version(maxTokens: number): string {
  let s = '';
  for (let n = 1 + int(maxTokens); n > 0; n--) {
    if (s !== '' && rand() < 0.6) s += pick(SEPS.slice(0, 5));
    s += token();
  }
  return s;
}

// Most random pairs differ in their first segment; mutating one side keeps the pair close,
// so the comparison has to walk deep into both strings.
function mutate(v: string): string {
  const at = int(v.length + 1);
  switch (int(7)) {
    case 0: return v.slice(0, at) + token() + v.slice(at);
    case 1: return v.slice(0, at) + v.slice(at + 1);
    case 2: return v.slice(0, at) + pick(SEPS) + v.slice(at + 1);
    case 3: return v.replace(/(^|\D)(\d)/, `$1${'0'.repeat(1 + int(2))}$2`);
    case 4: return v + pick(['~', '^', '.', '_', '~rc1', '^git1', '.0', 'a', '1']);
    case 5: return v.replace(/[.~^_+]/, pick(['.', '~', '^', '_', '+', '']));
    default: return v;
  }
}

function second(v: string, maxTokens: number): string {
  const r = rand();
  if (r < 0.25) return version(maxTokens);
  if (r < 0.35) return v;
  let w = mutate(v);
  if (rand() < 0.3) w = mutate(w);
  return w;
}

// labelCompare (rpm 4.18: rpmverNew) raises ValueError on an empty version; releases may be empty.
const nonEmpty = (v: string): string => (v === '' ? '0' : v);

const EPOCHS: readonly Evr['epoch'][] = [
  null, undefined, '', '0', '00', 0, '1', '01', 1, 2, '2', '10', 10, '9', '007',
  '123456789012345678901234567890', '123456789012345678901234567891',
];

function epochPair(): [Evr['epoch'], Evr['epoch']] {
  const a = pick(EPOCHS);
  return [a, rand() < 0.6 ? a : pick(EPOCHS)];
}

function randomPair(): [Evr, Evr] {
  const [ea, eb] = epochPair();
  const va = version(6);
  const ra = rand() < 0.03 ? '' : version(4);
  const vb = nonEmpty(second(va, 6));
  // Equal versions half of the time so that releases get compared too.
  const rb = rand() < 0.5 ? second(ra, 4) : ra;
  return [
    { epoch: ea, version: va, release: ra },
    { epoch: eb, version: rand() < 0.5 ? va : vb, release: rb },
  ];
}

// labelCompare takes (str|None) triples. '' epochs go over as None: compareEvr treats an
// empty epoch as missing by design (labelCompare would rank '' below '0'; see compareEvr).
type PyTriple = [string | null, string | null, string | null];
function toPy(e: Evr): PyTriple {
  const epoch = e.epoch == null || e.epoch === '' ? null : String(e.epoch);
  return [epoch, e.version ?? null, e.release ?? null];
}

const PY = `
import json, sys, rpm
pairs = json.load(sys.stdin)
json.dump([rpm.labelCompare(tuple(a), tuple(b)) for a, b in pairs], sys.stdout)
`;

function labelCompareAll(pairs: Array<[Evr, Evr]>): number[] {
  const input = JSON.stringify(pairs.map(([a, b]) => [toPy(a), toPy(b)]));
  const run = spawnSync('/usr/bin/python3', ['-c', PY], { input, maxBuffer: 1 << 28, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python3-rpm failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as number[];
}

function fixedPairs(): Array<[Evr, Evr]> {
  const pairs: Array<[Evr, Evr]> = [];
  const none = null as unknown as string;
  for (const ea of EPOCHS) for (const eb of EPOCHS) {
    pairs.push([{ epoch: ea, version: '1.0', release: '1' }, { epoch: eb, version: '1.0', release: '1' }]);
  }
  const rels = ['', '.', '1', '1.el8', '1.el8_1', '01', '1~', '1^', '~', '^', none];
  for (const ra of rels) for (const rb of rels) {
    pairs.push([{ epoch: 0, version: '1', release: ra }, { epoch: 0, version: '1', release: rb }]);
    if (ra && rb) pairs.push([{ epoch: 0, version: ra, release: '1' }, { epoch: 0, version: rb, release: '1' }]);
  }
  return pairs;
}

t.test(`compareEvr == rpm.labelCompare on ${PAIRS} random pairs (seed ${SEED})`, async (t) => {
  const pairs = fixedPairs();
  for (let n = 0; n < PAIRS; n++) pairs.push(randomPair());
  const started = Date.now();
  const want = labelCompareAll(pairs);
  t.comment(`python3-rpm answered ${pairs.length} pairs in ${Date.now() - started} ms`);
  t.equal(want.length, pairs.length, 'one answer per pair');

  const mismatches: string[] = [];
  const seen: Record<string, number> = { '-1': 0, '0': 0, '1': 0 };
  let asymmetric = 0;
  for (let i = 0; i < pairs.length; i++) {
    const [a, b] = pairs[i]!;
    const got: Cmp = compareEvr(a, b);
    seen[String(want[i])]!++;
    if (got !== want[i]) mismatches.push(`${JSON.stringify([a, b])}: compareEvr ${got}, labelCompare ${want[i]}`);
    if (compareEvr(b, a) !== (-got || 0)) asymmetric++;
  }
  if (mismatches.length > 0) t.comment(`first mismatches:\n${mismatches.slice(0, 10).join('\n')}`);
  t.equal(mismatches.length, 0, 'no mismatches with labelCompare');
  t.equal(asymmetric, 0, 'compareEvr(b, a) == -compareEvr(a, b)');
  t.comment(`labelCompare results: ${JSON.stringify(seen)}`);
  for (const k of ['-1', '0', '1']) t.ok(seen[k]! > pairs.length / 20, `the cases exercise result ${k}`);
});
