// Packages/s, wall time and peak RSS of Skylab's primary.xml scanner next to createrepo_c's own
// parser (python3-createrepo-c), each in a fresh child process, on the same file, gunzip included.
// Run: npx tsx bench/parse-primary.ts [path/to/primary.xml(.gz)] [--runs N] [--rounds R] [--repeat K]
// Each of R rounds starts one process per parser that parses N times; rounds alternate the two
// parsers so that a busy machine weighs on both alike. --repeat K streams the document with its packages repeated K times (scanner only), which
// shows that peak RSS does not grow with the document.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scanPrimary } from '../repo-sync/metadata/primary.js';
import { openMetadataFile } from '../repo-sync/metadata/source.js';

interface Result {
  packages: number;
  seconds: number[];
  maxrssKib: number;
}

const PY_REFERENCE = fileURLToPath(new URL('../test/support/createrepo-reference.py', import.meta.url));

function defaultPath(): string {
  const dir = new URL('../../shared/data/cs9-appstream/repodata/', import.meta.url);
  const file = readdirSync(dir).find((f) => f.endsWith('-primary.xml.gz'));
  if (file === undefined) throw new Error('no primary.xml.gz in shared/data/cs9-appstream');
  return fileURLToPath(new URL(file, dir));
}

/**
 * The packages of `path`, streamed `repeat` times inside one <metadata> root, decompressing the
 * file again for each copy so that the harness itself holds no more than a chunk or two.
 */
async function* repeated(path: string, repeat: number): AsyncGenerator<Buffer> {
  const TRAILER = 64;
  for (let copy = 0; copy < repeat; copy++) {
    let held = Buffer.alloc(0);
    let first = true;
    for await (const chunk of await openMetadataFile(path)) {
      let data = Buffer.concat([held, chunk]);
      if (first) {
        first = false;
        const text = data.toString('latin1');
        const at = text.indexOf('<package');
        const head = text.slice(0, at).replace(/packages="(\d+)"/, (_, n: string) => `packages="${Number(n) * repeat}"`);
        data = Buffer.concat([copy === 0 ? Buffer.from(head, 'latin1') : Buffer.alloc(0), data.subarray(at)]);
      }
      held = data.subarray(Math.max(0, data.length - TRAILER));
      yield data.subarray(0, data.length - held.length);
    }
    const end = held.lastIndexOf('</package>') + '</package>'.length;
    yield held.subarray(0, end);
  }
  yield Buffer.from('\n</metadata>\n');
}

async function child(path: string, runs: number, repeat: number): Promise<void> {
  const seconds: number[] = [];
  let packages = 0;
  for (let r = 0; r < runs; r++) {
    let seen = 0;
    const source = repeat > 1 ? repeated(path, repeat) : await openMetadataFile(path);
    const start = process.hrtime.bigint();
    await scanPrimary(source, () => { seen++; });
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    packages = seen;
  }
  const result: Result = { packages, seconds, maxrssKib: process.resourceUsage().maxRSS };
  console.log(JSON.stringify(result));
}

function runChild(label: string, command: string, args: string[]): Result & { label: string; processSeconds: number } {
  const start = process.hrtime.bigint();
  const out = execFileSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  const processSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  const parsed = JSON.parse(out.trim().split('\n').pop()!) as Result & { maxrss_kib?: number };
  return { label, ...parsed, maxrssKib: parsed.maxrssKib ?? parsed.maxrss_kib ?? 0, processSeconds };
}

type ChildResult = ReturnType<typeof runChild>;

/** One row from several processes: all parse times, the worst peak RSS, the mean process time. */
function merge(parts: ChildResult[]): ChildResult & { firsts: number[] } {
  return {
    ...parts[0]!,
    seconds: parts.flatMap((p) => p.seconds),
    firsts: parts.map((p) => p.seconds[0]!),
    maxrssKib: Math.max(...parts.map((p) => p.maxrssKib)),
    processSeconds: parts.reduce((a, p) => a + p.processSeconds, 0) / parts.length,
  };
}

function row(r: ReturnType<typeof merge>): string {
  const sorted = [...r.seconds].sort((a, b) => a - b);
  const best = sorted[0];
  const median = sorted[sorted.length >> 1];
  const cells = [
    r.label.padEnd(26), String(r.packages).padStart(9), (r.packages / best).toFixed(0).padStart(10),
    `${(Math.min(...r.firsts) * 1000).toFixed(0)}`.padStart(8), `${(best * 1000).toFixed(0)}`.padStart(8),
    `${(median * 1000).toFixed(0)}`.padStart(8), `${(r.maxrssKib / 1024).toFixed(0)}`.padStart(9),
    `${(r.processSeconds * 1000).toFixed(0)}`.padStart(9),
  ];
  return cells.join(' ');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string, fallback: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args.splice(i, 2)[1]) : fallback;
  };
  const isChild = args[0] === '--child';
  if (isChild) args.shift();
  const runs = flag('--runs', 7);
  const repeat = flag('--repeat', 1);
  const rounds = flag('--rounds', 3);
  const path = args[0] ?? defaultPath();
  if (isChild) return child(path, runs, repeat);

  const self = fileURLToPath(import.meta.url);
  const scanner = () => runChild('skylab scanner (node)', process.execPath,
    ['--import', 'tsx', self, '--child', path, '--runs', String(runs), '--repeat', String(repeat)]);
  const python = () => runChild('createrepo_c (python3)', '/usr/bin/python3', [PY_REFERENCE, 'time', path, String(runs)]);
  const ours: ChildResult[] = [];
  const theirs: ChildResult[] = [];
  for (let r = 0; r < rounds; r++) {
    ours.push(scanner());
    if (repeat === 1) theirs.push(python());
  }
  const results = theirs.length > 0 ? [merge(ours), merge(theirs)] : [merge(ours)];
  console.log(`${path}\n${rounds} processes x ${runs} parses per parser, gunzip included; times in ms`
    + ' (first: the first parse in a fresh process)');
  console.log(`${'parser'.padEnd(26)} ${'packages'.padStart(9)} ${'pkgs/s'.padStart(10)} ${'first'.padStart(8)}`
    + ` ${'best'.padStart(8)} ${'median'.padStart(8)} ${'peak MiB'.padStart(9)} ${'process'.padStart(9)}`);
  for (const r of results) console.log(row(r));
  if (results.length === 2) {
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const best = Math.min(...results[0].seconds) / Math.min(...results[1].seconds);
    const mid = median(results[0].seconds) / median(results[1].seconds);
    console.log(`scanner/createrepo_c time ratio: best ${best.toFixed(2)}, median ${mid.toFixed(2)}`);
  }
}

await main();
