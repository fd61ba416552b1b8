// The .rpm header reader against rpm itself (`rpm -qp --queryformat`) and createrepo_c's
// header ranges, on packages built by rpmbuild; and against corrupt and truncated files.

import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { RpmFormatError, readRpm, readRpmFile, statRpmFile, type RpmPackage } from '../../repo-sync/rpm/header.js';
import { buildRpm, buildRpms, buildSrpm, createRepo, readRepoXml, signRpm, testSigningKey, type PkgSpec } from '../support/rpmbuild.js';

const run = promisify(execFile);

const changelog = [
  { time: 'Tue Feb 20 2024', author: 'Zoë Maintainer <zoe@example.org> - 2.5-3', text: '- Fix the “thing”\n- Second line & <more>' },
  { time: 'Mon Jan 15 2024', author: 'Joe <joe@example.org> - 2.5-1', text: '- First build' },
];

const SPECS: PkgSpec[] = [
  {
    name: 'hdr-noarch', version: '1.0', release: '1', arch: 'noarch',
    summary: 'Ünïcödé summary — with “quotes” & <angles>', description: 'Line one.\n\nLine three: 100% sure.',
    license: 'GPL-2.0-or-later AND MIT', group: 'System/Tools', url: 'https://example.org/hdr?a=1&b=2',
    vendor: 'Skylab Tests', packager: 'Pat Packager <pat@example.org>',
    files: [
      { path: '/usr/bin/hdr-tool', content: '#!/bin/sh\necho hi\n', mode: '0755' },
      { path: '/etc/hdr/hdr.conf', content: 'key=value\n', config: true },
      { path: '/usr/share/doc/hdr/README', content: 'readme ü\n' },
      { path: '/var/log/hdr.log', content: '', ghost: true },
    ],
    dirs: ['/etc/hdr', '/usr/share/doc/hdr'],
    changelog,
  },
  {
    name: 'hdr-deps', version: '2.5', release: '3.el9', epoch: 7, arch: 'x86_64',
    requires: [
      '(pre) /bin/sh', '(post) /usr/sbin/useradd', '(pre,postun) shadow-utils', 'glibc >= 2.34', 'openssl-libs < 1:4',
      'bash = 5.1-6.el9', 'zlib > 1.2', 'libfoo <= 3:2.0-1', 'python3dist(requests)',
    ],
    provides: ['hdr-api = 2.0', 'hdr(x86-64) = 7:2.5-3.el9', 'bundled(lib) = 1.0'],
    conflicts: ['old-hdr < 1.0', 'other-thing'],
    obsoletes: ['hdr-legacy <= 2.0-1', 'hdr-ancient'],
    recommends: ['hdr-docs'], suggests: ['hdr-extras >= 1'], supplements: ['hdr-base'], enhances: ['hdr-tool = 1.0'],
    files: [{ path: '/usr/lib64/hdr/libhdr.so.1', content: 'not really a library\n' }],
    scripts: { pre: 'exit 0', post: 'exit 0' },
    changelog,
  },
  { name: 'hdr-i686', version: '0.1', release: '0.1.rc1', arch: 'i686', files: [{ path: '/opt/hdr/data', content: 'x' }] },
  { name: 'hdr-empty', version: '3', release: '1', summary: 'No files, no changelog' },
  {
    name: 'hdr-many', version: '1.2.3', release: '4', arch: 'noarch',
    files: Array.from({ length: 300 }, (_, i) => ({ path: `/usr/share/hdr-many/d${i % 17}/file-${i}.txt`, content: `${i}\n` })),
    dirs: Array.from({ length: 17 }, (_, i) => `/usr/share/hdr-many/d${i}`),
  },
];

const F = '@@F@@';
const D = '@@D@@';
const E = '@@E@@';
const SCALARS = [
  'NAME', 'EPOCH', 'VERSION', 'RELEASE', 'ARCH', 'SUMMARY', 'DESCRIPTION', 'LICENSE', 'VENDOR', 'GROUP',
  'BUILDHOST', 'BUILDTIME', 'URL', 'PACKAGER', 'SOURCERPM', 'SIZE', 'ARCHIVESIZE', 'PAYLOADDIGEST',
  'PAYLOADDIGESTALGO', 'COOKIE', 'SOURCEPACKAGE', 'SHA256HEADER', 'SHA1HEADER', 'SIGMD5',
] as const;
const DEP_KINDS = {
  provides: 'PROVIDE', requires: 'REQUIRE', conflicts: 'CONFLICT', obsoletes: 'OBSOLETE',
  recommends: 'RECOMMEND', suggests: 'SUGGEST', supplements: 'SUPPLEMENT', enhances: 'ENHANCE',
} as const;

/** Everything rpm says about a package file, in one rpm invocation. */
async function rpmOracle(path: string) {
  const arrays = [
    ...Object.values(DEP_KINDS).map((k) => `[%{${k}NAME}${D}%{${k}FLAGS}${D}%{${k}VERSION}${E}]`),
    `[%{FILENAMES}${D}%{FILEMODES}${D}%{FILEFLAGS}${D}%{FILESIZES}${E}]`,
    `[%{CHANGELOGTIME}${D}%{CHANGELOGNAME}${D}%{CHANGELOGTEXT}${E}]`,
  ];
  const qf = [...SCALARS.map((s) => `%{${s}}`), ...arrays].join(F);
  const { stdout } = await run('rpm', ['-qp', '--nosignature', '--nodigest', '--qf', qf, path], { maxBuffer: 64 << 20 });
  const parts = stdout.split(F);
  const scalar = Object.fromEntries(SCALARS.map((s, i) => [s, parts[i] === '(none)' ? '' : parts[i]!]));
  const rows = (i: number): string[][] => (parts[SCALARS.length + i] ?? '').split(E).slice(0, -1).map((r) => r.split(D));
  const deps = Object.fromEntries(
    Object.keys(DEP_KINDS).map((kind, i) => [kind, rows(i).map(([name, flags, version]) => ({ name, flags: Number(flags), version }))]),
  );
  const n = Object.keys(DEP_KINDS).length;
  const files = rows(n).map(([path, mode, flags, size]) => ({ path, mode: Number(mode), flags: Number(flags), size: Number(size) }));
  const changes = rows(n + 1).map(([time, author, text]) => ({ time: Number(time), author, text }));
  return { scalar, deps, files, changelog: changes };
}

function checkAgainstOracle(t: Test, pkg: RpmPackage, o: Awaited<ReturnType<typeof rpmOracle>>): void {
  const s = o.scalar;
  t.equal(pkg.name, s.NAME, 'name');
  t.equal(pkg.epoch, s.EPOCH, 'epoch');
  t.equal(pkg.version, s.VERSION, 'version');
  t.equal(pkg.release, s.RELEASE, 'release');
  t.equal(pkg.headerArch, s.ARCH, 'arch tag');
  t.equal(pkg.isSource, s.SOURCEPACKAGE === '1', 'isSource');
  t.equal(pkg.arch, s.SOURCEPACKAGE === '1' ? 'src' : s.ARCH, 'arch');
  for (const [field, tag] of [
    ['summary', 'SUMMARY'], ['description', 'DESCRIPTION'], ['license', 'LICENSE'], ['vendor', 'VENDOR'],
    ['group', 'GROUP'], ['buildhost', 'BUILDHOST'], ['url', 'URL'], ['packager', 'PACKAGER'],
    ['sourcerpm', 'SOURCERPM'], ['payloadDigest', 'PAYLOADDIGEST'], ['cookie', 'COOKIE'],
    ['headerSha256', 'SHA256HEADER'], ['headerSha1', 'SHA1HEADER'], ['md5', 'SIGMD5'],
  ] as const) {
    t.equal(pkg[field], s[tag], field);
  }
  t.equal(pkg.buildtime, Number(s.BUILDTIME), 'buildtime');
  t.equal(pkg.size, Number(s.SIZE), 'installed size');
  t.equal(pkg.archiveSize, Number(s.ARCHIVESIZE), 'archive size');
  t.equal(pkg.payloadDigestAlgo, Number(s.PAYLOADDIGESTALGO || 0), 'payload digest algo');
  for (const kind of Object.keys(DEP_KINDS) as (keyof typeof DEP_KINDS)[]) {
    t.same(pkg[kind].map(({ name, flags, version }) => ({ name, flags, version })), o.deps[kind], kind);
    t.same(pkg[kind].map((d) => d.pre), pkg[kind].map((d) => (d.flags & ((1 << 6) | (1 << 9) | (1 << 10))) !== 0), `${kind} pre`);
  }
  t.same(pkg.files.map(({ path, mode, flags, size }) => ({ path, mode, flags, size })), o.files, 'files');
  t.same(pkg.files.map((f) => f.isDir), o.files.map((f) => (f.mode & 0o170000) === 0o040000), 'dirs');
  t.same(pkg.files.map((f) => f.isGhost), o.files.map((f) => (f.flags & 64) !== 0), 'ghosts');
  t.same(pkg.changelog, o.changelog, 'changelog');
}

let paths: string[] = [];
let srpm = '';
let signed = '';
let work = '';
const headerRanges = new Map<string, { start: number; end: number }>();
// The signed copy shares its file name with the unsigned package, so it goes in as signed-*.
const repoName = (p: string): string => (p === signed ? `signed-${basename(p)}` : basename(p));

t.before(async () => {
  paths = await buildRpms(SPECS);
  srpm = await buildSrpm(SPECS[1]!);
  signed = await signRpm(paths[1]!);
  work = await mkdtemp(join(tmpdir(), 'rpm-header-test-'));
  for (const p of [...paths, srpm, signed]) await copyFile(p, join(work, repoName(p)));
  const primary = await readRepoXml(await createRepo(work, { noDatabase: true }), 'primary');
  for (const m of primary.matchAll(/<location href="([^"]+)"\/>[\s\S]*?<rpm:header-range start="(\d+)" end="(\d+)"\/>/g)) {
    headerRanges.set(m[1]!, { start: Number(m[2]), end: Number(m[3]) });
  }
});
t.teardown(() => rm(work, { recursive: true, force: true }));

t.test('every field agrees with rpm -qp and the header range with createrepo_c', async (t) => {
  for (const path of [...paths, srpm, signed]) {
    await t.test(repoName(path), async (t) => {
      const pkg = await readRpmFile(path);
      checkAgainstOracle(t, pkg, await rpmOracle(path));
      t.same(pkg.headerRange, headerRanges.get(repoName(path)), 'header range as createrepo_c');
      t.same(readRpm(await readFile(path)), pkg, 'readRpm on the whole file gives the same');
    });
  }
});

t.test('signature facts agree with rpm and the signing key', async (t) => {
  const pkg = await readRpmFile(signed);
  const key = await testSigningKey();
  const { stdout } = await run('rpm', ['-qp', '--nosignature', '--nodigest', '--qf', '%{RSAHEADER:pgpsig}', signed]);
  t.ok(pkg.signed, 'signed');
  t.equal(pkg.signatureKeyId, key.keyId, 'key id of the test key');
  t.match(stdout, new RegExp(`Key ID ${pkg.signatureKeyId}$`), 'the key id rpm reports');
  const unsigned = await readRpmFile(paths[1]!);
  t.same([unsigned.signed, unsigned.signatureKeyId], [false, ''], 'unsigned package');
  const { headerRange, signed: _s, signatureKeyId: _k, md5: _m, ...sameAsUnsigned } = pkg;
  const { headerRange: h2, signed: _s2, signatureKeyId: _k2, md5: _m2, ...unsignedRest } = unsigned;
  t.same(sameAsUnsigned, unsignedRest, 'signing changes nothing else');
  t.equal(headerRange.end - headerRange.start, h2.end - h2.start, 'main header unchanged by signing');
});

t.test('the test packages cover what they claim', async (t) => {
  const [noarch, deps, i686] = await Promise.all(paths.slice(0, 3).map((p) => readRpmFile(p)));
  const src = await readRpmFile(srpm);
  t.equal(noarch!.epoch, '', 'no epoch reads as empty');
  t.match(noarch!.summary, /Ünïcödé/, 'UTF-8 summary decoded');
  t.ok(noarch!.files.some((f) => f.isDir) && noarch!.files.some((f) => f.isGhost), 'dirs and ghosts');
  t.equal(deps!.epoch, '7');
  t.equal(deps!.arch, 'x86_64');
  t.ok(deps!.requires.some((d) => d.name === '/bin/sh' && d.pre), 'Requires(pre) has the pre bit');
  t.ok(deps!.requires.some((d) => d.name === 'glibc' && d.version === '2.34'), 'versioned require');
  for (const kind of ['conflicts', 'obsoletes', 'recommends', 'suggests', 'supplements', 'enhances'] as const) {
    t.ok(deps![kind].length > 0, `has ${kind}`);
  }
  t.equal(deps!.changelog.length, 2);
  t.equal(i686!.arch, 'i686');
  t.ok(src.isSource && src.arch === 'src' && src.sourcerpm === '', 'source package detected');
  t.equal(src.headerArch, 'x86_64');
  t.ok(src.files.some((f) => f.path === 'hdr-deps.spec'), 'source package lists its spec file');
});

/** Every prefix shorter than the main header's end must fail cleanly; longer ones must parse. */
t.test('truncated files throw RpmFormatError at every offset', async (t) => {
  for (const path of [paths[0]!, paths[4]!, srpm]) {
    const buf = await readFile(path);
    const full = readRpm(buf);
    const end = full.headerRange.end;
    let failures = 0;
    for (let len = 0; len < end; len++) {
      try {
        readRpm(buf.subarray(0, len));
        t.fail(`prefix of ${len} bytes parsed`);
      } catch (err) {
        if (!(err instanceof RpmFormatError)) throw err;
        failures++;
      }
    }
    t.equal(failures, end, `${basename(path)}: all ${end} short prefixes rejected`);
    for (const len of [end, end + 1, end + 100, buf.length]) t.same(readRpm(buf.subarray(0, len)), full, `prefix ${len} parses`);
  }
  const buf = await readFile(paths[0]!);
  const err = (() => { try { readRpm(buf.subarray(0, 5000)); } catch (e) { return e as Error; } })();
  t.match(err?.message, /^truncated main header: needs \d+ bytes, file has 5000$/, 'message names the part and sizes');
});

t.test('readRpmFile reads only the headers and fails cleanly on short files', async (t) => {
  const buf = await readFile(paths[0]!);
  const full = readRpm(buf);
  const tmp = join(work, 'short.rpm');
  for (const len of [0, 10, 96, 100, 112, 2000, full.headerRange.start + 10, full.headerRange.end - 1]) {
    await writeFile(tmp, buf.subarray(0, len));
    await t.rejects(readRpmFile(tmp), RpmFormatError, `${len}-byte file`);
  }
  await writeFile(tmp, buf.subarray(0, full.headerRange.end));
  t.same(await readRpmFile(tmp), full, 'a file cut right after the main header is enough');
  const st = await statRpmFile(paths[0]!);
  const { stdout } = await run('sha256sum', [paths[0]!]);
  t.equal(st.sha256, stdout.split(' ')[0], 'statRpmFile sha256 as sha256sum');
  t.equal(st.size, buf.length);
});

function throwsFormatError(t: Test, buf: Buffer, what: string, message?: RegExp): void {
  try {
    readRpm(buf);
    t.fail(`${what}: parsed`);
  } catch (err) {
    t.type(err, RpmFormatError, what);
    if (message) t.match((err as Error).message, message, `${what}: message`);
  }
}

t.test('structural corruption throws RpmFormatError', async (t) => {
  const orig = await readFile(paths[1]!);
  const { start: mainStart } = readRpm(orig).headerRange;
  const sigIl = orig.readUInt32BE(104);
  const mainIl = orig.readUInt32BE(mainStart + 8);
  const mainDl = orig.readUInt32BE(mainStart + 12);
  const entry = (i: number): number => mainStart + 16 + i * 16;
  const edit = (f: (b: Buffer) => void): Buffer => {
    const b = Buffer.from(orig);
    f(b);
    return b;
  };
  throwsFormatError(t, edit((b) => b.writeUInt32BE(0xdeadbeef, 0)), 'bad lead magic', /lead magic deadbeef/);
  throwsFormatError(t, edit((b) => b.writeUInt8(9, 4)), 'bad lead version', /lead version 9/);
  throwsFormatError(t, edit((b) => b.writeUInt16BE(1, 78)), 'bad signature type', /signature type 1/);
  throwsFormatError(t, edit((b) => b.writeUInt32BE(0x8eade802, 96)), 'bad signature magic', /signature header magic/);
  throwsFormatError(t, edit((b) => b.writeUInt32BE(0, mainStart)), 'bad main magic', /main header magic/);
  throwsFormatError(t, edit((b) => b.writeUInt32BE(0xffffffff, 104)), 'huge signature index count', /limit 65535/);
  throwsFormatError(t, edit((b) => b.writeUInt32BE(0xffff, 104)), 'large signature index count', /truncated|outside|type|count/);
  throwsFormatError(t, edit((b) => b.writeUInt32BE(0x7fffffff, 108)), 'huge signature data size', /limit/);
  throwsFormatError(t, edit((b) => b.writeUInt32BE(0x10000, mainStart + 8)), 'huge main index count', /limit 65535/);
  throwsFormatError(t, edit((b) => b.writeUInt32BE(0xfffffff0, mainStart + 12)), 'huge main data size', /limit/);
  const headerOnly = (b: Buffer): Buffer => b.subarray(0, mainStart + 16 + mainIl * 16 + mainDl);
  throwsFormatError(t, headerOnly(edit((b) => b.writeUInt32BE(mainDl + 1, mainStart + 12))), 'data size past the end',
    /^truncated main header: needs \d+ bytes, file has \d+$/);
  throwsFormatError(t, edit((b) => b.writeUInt32BE(sigIl + 1, 104)), 'signature index count off by one');
  for (let i = 0; i < mainIl; i++) {
    throwsFormatError(t, edit((b) => b.writeInt32BE(mainDl + 16, entry(i) + 8)), `entry ${i} offset past the store`, /outside/);
    throwsFormatError(t, edit((b) => b.writeInt32BE(-4, entry(i) + 8)), `entry ${i} negative offset`, /outside/);
    throwsFormatError(t, edit((b) => b.writeUInt32BE(42, entry(i) + 4)), `entry ${i} unknown type`, /unknown type 42/);
    throwsFormatError(t, edit((b) => b.writeUInt32BE(0xffffffff, entry(i) + 12)), `entry ${i} huge count`, /count/);
  }
  const tagAt = new Map<number, number>();
  for (let i = 0; i < mainIl; i++) tagAt.set(orig.readUInt32BE(entry(i)), i);
  throwsFormatError(t, edit((b) => b.writeUInt32BE(7, entry(tagAt.get(1000)!) + 4)), 'NAME typed BIN', /NAME \(1000\) has type BIN, expected a string/);
  throwsFormatError(t, edit((b) => b.writeUInt32BE(6, entry(tagAt.get(1006)!) + 4)), 'BUILDTIME typed STRING', /BUILDTIME \(1006\) has type STRING, expected an integer/);
  throwsFormatError(t, edit((b) => b.writeUInt32BE(4, entry(tagAt.get(1000)!) + 4)), 'NAME typed INT32 (misaligned)', /misaligned|has type INT32/);
  throwsFormatError(t, edit((b) => b.writeUInt32BE(0, entry(tagAt.get(1000)!))), 'NAME missing', /missing NAME/);
  const storeStart = mainStart + 16 + mainIl * 16;
  throwsFormatError(t, edit((b) => b.fill(0x41, storeStart, storeStart + mainDl)), 'no NUL anywhere in the store', /runs past the end/);
  const dirIdx = tagAt.get(1116)!;
  const dirIdxOffset = storeStart + orig.readInt32BE(entry(dirIdx) + 8);
  throwsFormatError(t, edit((b) => b.writeUInt32BE(999, dirIdxOffset)), 'dir index out of range', /directory index 999/);
  throwsFormatError(t, edit((b) => b.writeUInt32BE(orig.readUInt32BE(entry(tagAt.get(1049)!) + 12) + 1, entry(tagAt.get(1049)!) + 12)),
    'require names and flags disagree', /requires flags has/);
});

// A small deterministic PRNG so a failure can be replayed.
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

t.test('random byte flips either parse or throw RpmFormatError, quickly', async (t) => {
  const rand = prng(20240115);
  let parsed = 0;
  let rejected = 0;
  let slowest = 0;
  for (const path of [paths[1]!, paths[4]!, srpm]) {
    const orig = await readFile(path);
    const { start, end } = readRpm(orig).headerRange;
    for (let iter = 0; iter < 1500; iter++) {
      const b = Buffer.from(orig);
      const flips = 1 + Math.floor(rand() * 4);
      // Half of the flips aim at the index entries and preambles, where damage is most varied.
      const hot = rand() < 0.5;
      for (let k = 0; k < flips; k++) {
        const at = hot ? (rand() < 0.3 ? 96 + Math.floor(rand() * 64) : start + Math.floor(rand() * Math.min(16 * 60, end - start))) : Math.floor(rand() * end);
        b[at] = rand() < 0.5 ? b[at]! ^ (1 << Math.floor(rand() * 8)) : Math.floor(rand() * 256);
      }
      const t0 = performance.now();
      try {
        readRpm(b);
        parsed++;
      } catch (err) {
        if (!(err instanceof RpmFormatError)) {
          t.fail(`iteration ${iter} of ${basename(path)} threw ${(err as Error).name}: ${(err as Error).message}`);
          return;
        }
        rejected++;
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
  }
  t.equal(parsed + rejected, 4500, `${parsed} parsed, ${rejected} rejected`);
  t.ok(rejected > 100, 'many corruptions are detected');
  t.ok(slowest < 500, `slowest parse ${slowest.toFixed(1)} ms`);
});

t.test('concurrent builds of one spec, in and across processes, share one cache entry', async (t) => {
  const spec: PkgSpec = { name: 'cache-race', version: '1', release: '1', files: [{ path: '/opt/race', content: 'x' }] };
  await rm(dirname(await buildRpm(spec)), { recursive: true, force: true });
  const support = join(dirname(fileURLToPath(import.meta.url)), '..', 'support', 'rpmbuild.ts');
  const child = run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
    `const { buildRpm } = await import(${JSON.stringify(support)}); process.stdout.write(await buildRpm(${JSON.stringify(spec)}));`]);
  const inProcess = await Promise.all([buildRpm(spec), buildRpm(spec), buildRpm(spec)]);
  const fromChild = (await child).stdout;
  t.same(new Set([...inProcess, fromChild]).size, 1, 'one path for all');
  t.equal((await readRpmFile(fromChild)).name, 'cache-race', 'and it is a complete package');
});
