// Comparisons per second of rpmvercmp and compareEvr on real CentOS Stream 9 EVRs.
// Run: npx tsx bench/rpmvercmp.ts
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { compareEvr, rpmvercmp, type Evr } from '../channels/rpmvercmp.js';

const repodata = new URL('../../shared/data/cs9-appstream/repodata/', import.meta.url);
const file = readdirSync(repodata).find((f) => f.endsWith('-primary.xml.gz'))!;
const xml = gunzipSync(readFileSync(new URL(file, repodata))).toString('utf8');
const evrs: Evr[] = [];
for (const m of xml.matchAll(/<version epoch="([^"]*)" ver="([^"]*)" rel="([^"]*)"\/>/g)) {
  evrs.push({ epoch: m[1], version: m[2]!, release: m[3]! });
}

// Neighbours in file order are mostly builds of related packages: close versions, the slow case.
const N = 2_000_000;
const left: Evr[] = [];
const right: Evr[] = [];
let seed = 42;
for (let i = 0; i < N; i++) {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  const k = seed % evrs.length;
  left.push(evrs[k]!);
  right.push(i % 2 === 0 ? evrs[(k + 1) % evrs.length]! : { ...evrs[k]!, epoch: Number(evrs[k]!.epoch) });
}

function bench(label: string, run: () => number): void {
  run(); // warm up the JIT
  const start = process.hrtime.bigint();
  const sink = run();
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${label}: ${(N / s / 1e6).toFixed(1)} M comparisons/s (${(s * 1e9 / N).toFixed(0)} ns each, sink ${sink})`);
}

console.log(`${evrs.length} EVRs from cs9-appstream, ${N} pairs`);
bench('rpmvercmp(version)', () => {
  let acc = 0;
  for (let i = 0; i < N; i++) acc += rpmvercmp(left[i]!.version, right[i]!.version);
  return acc;
});
bench('rpmvercmp(release)', () => {
  let acc = 0;
  for (let i = 0; i < N; i++) acc += rpmvercmp(left[i]!.release, right[i]!.release);
  return acc;
});
bench('compareEvr', () => {
  let acc = 0;
  for (let i = 0; i < N; i++) acc += compareEvr(left[i]!, right[i]!);
  return acc;
});
