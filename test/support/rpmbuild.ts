// Test fixtures: real .rpm files built by rpmbuild from a small description, cached across
// tests and test processes by a hash of the generated spec; plus createrepo_c helpers.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

const run = promisify(execFile);

export interface PkgFile {
  path: string;
  content: string;
  /** Octal permission bits, e.g. '0755'; rpmbuild's default otherwise. */
  mode?: string;
  config?: boolean;
  /** Listed as %ghost: in the header, not in the payload (content is ignored). */
  ghost?: boolean;
}

export interface PkgChangelog {
  /** As rpm wants it in a spec, e.g. 'Mon Jan 15 2024'. Entries go newest first. */
  time: string;
  author: string;
  /** Body lines, e.g. '- fix things'. */
  text: string;
}

export interface PkgSpec {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch?: 'noarch' | 'x86_64' | 'i686' | 'aarch64' | 'ppc64le' | 's390x' | (string & {});
  summary?: string;
  description?: string;
  license?: string;
  group?: string;
  url?: string;
  vendor?: string;
  packager?: string;
  /** A leading `(pre)`, `(post)`, `(pre,postun)` ... becomes `Requires(pre):` and so on. */
  requires?: string[];
  provides?: string[];
  conflicts?: string[];
  obsoletes?: string[];
  recommends?: string[];
  suggests?: string[];
  supplements?: string[];
  enhances?: string[];
  files?: PkgFile[];
  /** Directories owned with %dir. */
  dirs?: string[];
  changelog?: PkgChangelog[];
  /** Scriptlet bodies (sh). */
  scripts?: { pre?: string; post?: string; preun?: string; postun?: string };
  /** rpmbuild's automatic dependency generation; off by default so deps are exactly the ones given. */
  autoReqProv?: boolean;
  /** Leave % in text fields alone so macros expand, e.g. `%{lua: print(string.char(1))}` for bytes rpmbuild refuses in a spec. */
  expandMacros?: boolean;
  /** Write the spec as Latin-1 (characters up to U+00FF become single bytes) to get non-UTF-8 headers. */
  specEncoding?: 'utf8' | 'latin1';
}

/** Bump when the generated spec or the build command changes meaning. */
const BUILDER_VERSION = 1;
export const RPM_CACHE_DIR = join(tmpdir(), 'skylab-rpm-cache');

// rpm expands macros in nearly every spec field; a literal % must be written %%.
const quoteMacros = (s: string): string => s.replace(/%/g, '%%');
const keepMacros = (s: string): string => s;

function depLines(tag: string, deps: string[] | undefined): string[] {
  return (deps ?? []).map((d) => {
    const m = /^\(((?:pre|post|preun|postun|pretrans|posttrans|verify|interp|meta)(?:,[a-z]+)*)\)\s*(.*)$/.exec(d);
    return m ? `${tag}(${m[1]}): ${m[2]}` : `${tag}: ${d}`;
  });
}

function preamble(s: PkgSpec, literal: (text: string) => string): string[] {
  const opt = (tag: string, v: string | number | undefined): string[] => (v === undefined ? [] : [`${tag}: ${v}`]);
  return [
    `Name: ${s.name}`,
    `Version: ${s.version}`,
    `Release: ${s.release}`,
    ...opt('Epoch', s.epoch),
    `Summary: ${literal(s.summary ?? `${s.name} test package`)}`,
    `License: ${literal(s.license ?? 'MIT')}`,
    ...opt('Group', s.group === undefined ? undefined : literal(s.group)),
    ...opt('URL', s.url === undefined ? undefined : literal(s.url)),
    ...opt('Vendor', s.vendor === undefined ? undefined : literal(s.vendor)),
    ...opt('Packager', s.packager === undefined ? undefined : literal(s.packager)),
    ...((s.arch ?? 'noarch') === 'noarch' ? ['BuildArch: noarch'] : []),
    `AutoReqProv: ${s.autoReqProv ? 'yes' : 'no'}`,
    ...depLines('Requires', s.requires),
    ...depLines('Provides', s.provides),
    ...depLines('Conflicts', s.conflicts),
    ...depLines('Obsoletes', s.obsoletes),
    ...depLines('Recommends', s.recommends),
    ...depLines('Suggests', s.suggests),
    ...depLines('Supplements', s.supplements),
    ...depLines('Enhances', s.enhances),
  ];
}

function installSection(s: PkgSpec): string[] {
  const lines = ['%install', 'rm -rf %{buildroot}', 'mkdir -p %{buildroot}'];
  for (const d of s.dirs ?? []) lines.push(`mkdir -p '%{buildroot}${d}'`);
  for (const f of s.files ?? []) {
    if (f.ghost) continue;
    const b64 = Buffer.from(f.content, 'utf8').toString('base64');
    lines.push(`mkdir -p "$(dirname '%{buildroot}${f.path}')"`);
    lines.push(`echo '${b64}' | base64 -d > '%{buildroot}${f.path}'`);
  }
  return lines;
}

// %files splits on whitespace unless the path is double-quoted.
const filePath = (p: string): string => (/\s/.test(p) ? `"${p}"` : p);

function filesSection(s: PkgSpec): string[] {
  const lines = ['%files'];
  for (const d of s.dirs ?? []) lines.push(`%dir ${filePath(d)}`);
  for (const f of s.files ?? []) {
    const attrs = [f.mode ? `%attr(${f.mode},-,-)` : '', f.config ? '%config' : '', f.ghost ? '%ghost' : ''];
    lines.push([...attrs.filter(Boolean), filePath(f.path)].join(' '));
  }
  return lines;
}

/** The spec file text buildRpm writes for a PkgSpec. */
export function specText(s: PkgSpec): string {
  const literal = s.expandMacros ? keepMacros : quoteMacros;
  const lines = [...preamble(s, literal), '', '%description', literal(s.description ?? s.summary ?? s.name), ''];
  lines.push(...installSection(s), '');
  for (const [name, body] of Object.entries(s.scripts ?? {})) lines.push(`%${name}`, body, '');
  lines.push(...filesSection(s), '');
  if (s.changelog?.length) {
    lines.push('%changelog');
    for (const c of s.changelog) lines.push(`* ${c.time} ${literal(c.author)}`, literal(c.text), '');
  }
  return lines.join('\n') + '\n';
}

async function findRpm(dir: string): Promise<string | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const rpm = names.find((n) => n.endsWith('.rpm'));
  return rpm && join(dir, rpm);
}

async function rpmbuild(spec: PkgSpec, mode: '-bb' | '-bs'): Promise<string> {
  const text = specText(spec);
  const target = mode === '-bb' && (spec.arch ?? 'noarch') !== 'noarch' ? spec.arch : undefined;
  const enc = spec.specEncoding ?? 'utf8';
  const key = createHash('sha256').update(`${BUILDER_VERSION}\0${mode}\0${target ?? ''}\0${enc}\0${text}`).digest('hex');
  const finalDir = join(RPM_CACHE_DIR, key.slice(0, 32));
  const cached = await findRpm(finalDir);
  if (cached) return cached;

  await mkdir(RPM_CACHE_DIR, { recursive: true });
  const top = await mkdtemp(join(RPM_CACHE_DIR, 'build-'));
  try {
    const specPath = join(top, `${spec.name}.spec`);
    await writeFile(specPath, text, enc);
    const args = [mode, '--quiet', '--define', `_topdir ${top}`, '--define', `_tmppath ${top}/tmp`];
    args.push('--define', '_build_id_links none', '--define', 'debug_package %{nil}');
    if (target) args.push('--target', target);
    if (enc === 'latin1') args.push('--define', '_invalid_encoding_terminates_build 0');
    await mkdir(join(top, 'tmp'));
    await run('rpmbuild', [...args, specPath], { maxBuffer: 16 << 20 }).catch((err: Error & { stderr?: string }) => {
      throw new Error(`rpmbuild failed for ${spec.name}: ${err.stderr ?? err.message}\n--- spec ---\n${text}`);
    });
    const outDir = join(top, 'out');
    await mkdir(outDir);
    const built = mode === '-bs' ? join(top, 'SRPMS') : join(top, 'RPMS', target ?? 'noarch');
    const rpm = await findRpm(built);
    if (!rpm) throw new Error(`rpmbuild wrote no package for ${spec.name} in ${built}`);
    await rename(rpm, join(outDir, rpm.slice(built.length + 1)));
    // Another process may have finished the same build first: its directory wins, ours goes.
    await rename(outDir, finalDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(top, { recursive: true, force: true });
  }
  const result = await findRpm(finalDir);
  if (!result) throw new Error(`no package in ${finalDir} after building ${spec.name}`);
  return result;
}

/** Build (or reuse from the cache) a binary package; returns the .rpm path. Do not modify it. */
export function buildRpm(spec: PkgSpec): Promise<string> {
  return rpmbuild(spec, '-bb');
}

/** Build (or reuse) the source package of a spec; returns the .src.rpm path. */
export function buildSrpm(spec: PkgSpec): Promise<string> {
  return rpmbuild(spec, '-bs');
}

/** Build several packages, two rpmbuilds at a time; paths in the order of the specs. */
export async function buildRpms(specs: PkgSpec[], concurrency = 2): Promise<string[]> {
  const out: string[] = new Array<string>(specs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < specs.length) {
      const i = next++;
      out[i] = await buildRpm(specs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, worker));
  return out;
}

export interface TestKey {
  /** GNUPGHOME holding the key; copy it before use, gpg-agent writes sockets into it. */
  home: string;
  /** Lower-case 16-digit key id, as rpm prints it. */
  keyId: string;
  fingerprint: string;
  /** ASCII-armored public key (what a channel's GPG key URL would serve). */
  publicKey: string;
}

const gpgEnv = (home: string): NodeJS.ProcessEnv => ({ ...process.env, GNUPGHOME: home });
// gpg starts an agent per home directory; stop it so no process outlives the helper.
const stopAgent = (home: string): Promise<unknown> => run('gpgconf', ['--kill', 'gpg-agent'], { env: gpgEnv(home) }).catch(() => undefined);

async function makeKey(finalHome: string): Promise<void> {
  await mkdir(RPM_CACHE_DIR, { recursive: true });
  const tmp = await mkdtemp(join(RPM_CACHE_DIR, 'key-'));
  const home = join(tmp, 'g');
  try {
    await mkdir(home, { mode: 0o700 });
    const env = gpgEnv(home);
    await run('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'Skylab Test Key <test@skylab.invalid>', 'rsa2048', 'sign', 'never'], { env });
    const { stdout: armored } = await run('gpg', ['--batch', '--armor', '--export', 'test@skylab.invalid'], { env });
    const { stdout: colons } = await run('gpg', ['--batch', '--with-colons', '--list-keys', 'test@skylab.invalid'], { env });
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1];
    if (!fingerprint) throw new Error(`no fingerprint in gpg output:\n${colons}`);
    await writeFile(join(home, 'skylab-key.json'), JSON.stringify({ fingerprint, publicKey: armored }));
    await stopAgent(home);
    await rename(home, finalHome).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await stopAgent(home);
    await rm(tmp, { recursive: true, force: true });
  }
}

/** A throwaway RSA signing key, made once and cached next to the built packages. */
export async function testSigningKey(): Promise<TestKey> {
  const home = join(RPM_CACHE_DIR, `gnupg-${BUILDER_VERSION}`);
  const meta = join(home, 'skylab-key.json');
  let text = await readFile(meta, 'utf8').catch(() => undefined);
  if (text === undefined) {
    await makeKey(home);
    text = await readFile(meta, 'utf8');
  }
  const { fingerprint, publicKey } = JSON.parse(text) as { fingerprint: string; publicKey: string };
  return { home, fingerprint, publicKey, keyId: fingerprint.slice(-16).toLowerCase() };
}

/** A signed copy (rpmsign --addsign with the test key) of a package; cached. Do not modify it. */
export async function signRpm(rpmPath: string): Promise<string> {
  const key = await testSigningKey();
  const id = createHash('sha256').update(`${BUILDER_VERSION}\0signed\0${key.fingerprint}\0${rpmPath}`).digest('hex');
  const finalDir = join(RPM_CACHE_DIR, id.slice(0, 32));
  const cached = await findRpm(finalDir);
  if (cached) return cached;
  const tmp = await mkdtemp(join(RPM_CACHE_DIR, 'sign-'));
  const home = join(tmp, 'g');
  try {
    await cp(key.home, home, { recursive: true });
    const out = join(tmp, 'out');
    await mkdir(out);
    await cp(rpmPath, join(out, basename(rpmPath)));
    const args = ['--addsign', '--define', `_gpg_name ${key.fingerprint}`, '--define', '__gpg /usr/bin/gpg'];
    args.push('--define', `_gpg_path ${home}`, join(out, basename(rpmPath)));
    await run('rpmsign', args, { env: gpgEnv(home) });
    await rename(out, finalDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await stopAgent(home);
    await rm(tmp, { recursive: true, force: true });
  }
  return (await findRpm(finalDir))!;
}

export interface CreateRepoOptions {
  /** createrepo_c's --changelog-limit (its default is 10). */
  changelogLimit?: number;
  /** Skip the sqlite databases (faster). Default false, as createrepo_c. */
  noDatabase?: boolean;
  /** Extra arguments passed through. */
  args?: string[];
}

/** Run createrepo_c on a directory of packages; returns the repodata directory. */
export async function createRepo(dir: string, opts: CreateRepoOptions = {}): Promise<string> {
  const args = ['--quiet'];
  if (opts.changelogLimit !== undefined) args.push(`--changelog-limit=${opts.changelogLimit}`);
  if (opts.noDatabase) args.push('--no-database');
  args.push(...(opts.args ?? []), dir);
  await run('createrepo_c', args, { maxBuffer: 16 << 20 });
  return join(dir, 'repodata');
}

/** The decompressed text of one metadata file ('primary', 'filelists', 'other', ...) of a repo. */
export async function readRepoXml(repodata: string, type: string): Promise<string> {
  const repomd = await readFile(join(repodata, 'repomd.xml'), 'utf8');
  const block = new RegExp(`<data type="${type}">[\\s\\S]*?<location href="repodata/([^"]+)"`).exec(repomd);
  if (!block) throw new Error(`no ${type} in ${repodata}/repomd.xml`);
  const raw = await readFile(join(repodata, block[1]!));
  return (block[1]!.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
}

/** The `<package>...</package>` elements of a primary/filelists/other document, each with its newline. */
export function packageElements(xml: string): string[] {
  return xml.match(/<package[ >][\s\S]*?<\/package>\n/g) ?? [];
}
