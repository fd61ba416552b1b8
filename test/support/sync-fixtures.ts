// The upstream yum repository of the sync tests, made with the real tools: rpmbuild packages
// (noarch, x86_64, i686, one aarch64 the x86_64 channels refuse, a source rpm, two builds of
// several), createrepo_c (gz, xz or bz2; zstd re-packed with the zstd tool, since Debian's
// createrepo_c 0.17 has no zstd), comps through --groupfile, updateinfo and modules through
// modifyrepo_c. Version 1 is the first state of upstream, version 2 an update of it.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { parseRepomd, sha256Of } from './repodata.js';
import { buildRpm, buildSrpm, type PkgSpec } from './rpmbuild.js';

const run = promisify(execFile);

export type Codec = 'gz' | 'xz' | 'bz2' | 'zstd';

const lib = (version: string, arch: 'x86_64' | 'i686'): PkgSpec => ({
  name: 'sk-lib', version, release: '1', arch,
  provides: [arch === 'x86_64' ? 'libsk.so.1()(64bit)' : 'libsk.so.1'],
  files: [{ path: arch === 'x86_64' ? '/usr/lib64/libsk.so.1' : '/usr/lib/libsk.so.1', content: `sk-lib ${version} ${arch}\n` }],
  changelog: [{ time: 'Fri Mar 01 2024', author: `Pat <pat@example.org> - ${version}-1`, text: `- sk-lib ${version}` }],
});
const app = (version: string): PkgSpec => ({
  name: 'sk-app', version, release: '1', arch: 'x86_64', requires: [`sk-lib >= ${version}`, 'libsk.so.1()(64bit)', 'sk-data'],
  files: [{ path: '/usr/bin/sk-app', content: `#!/bin/sh\necho ${version}\n`, mode: '0755' }, { path: '/etc/sk-app.conf', content: 'level=1\n', config: true }],
});
const doc = (version: string): PkgSpec => ({ name: 'sk-doc', version, release: '1', files: [{ path: '/usr/share/doc/sk/README', content: `docs ${version}\n` }] });

/** Binary packages of upstream version 1 (with two builds of sk-lib, sk-app and sk-doc). */
export const V1_PACKAGES: PkgSpec[] = [
  lib('1.0', 'x86_64'), lib('1.1', 'x86_64'), lib('1.0', 'i686'), lib('1.1', 'i686'),
  app('1.0'), app('1.1'),
  { name: 'sk-data', version: '1.0', release: '1', files: [{ path: '/usr/share/sk/data.txt', content: 'data\n' }] },
  doc('1.0'), doc('1.1'),
  { name: 'sk-tools', version: '2.0', release: '1', epoch: 1, arch: 'x86_64', files: [{ path: '/usr/bin/sk-tools', content: 'tools\n', mode: '0755' }] },
  { name: 'sk-arm', version: '1.0', release: '1', arch: 'aarch64', files: [{ path: '/usr/bin/sk-arm', content: 'arm\n' }] },
];
/** What version 2 adds: new builds, and a package that was not there. */
export const V2_ADDED: PkgSpec[] = [lib('1.2', 'x86_64'), lib('1.2', 'i686'), app('1.2'), { name: 'sk-extra', version: '1.0', release: '1', files: [{ path: '/usr/share/sk/extra', content: 'extra\n' }] }];
/** The source package in the repo folder (createrepo_c lists it with arch "src"). */
export const SOURCE_PACKAGE: PkgSpec = app('1.1');

export const packagesOf = (version: 1 | 2): PkgSpec[] => (version === 1 ? V1_PACKAGES : [...V1_PACKAGES, ...V2_ADDED]);

export const COMPS = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps>
  <group>
    <id>sk-tools</id>
    <name>Skylab test tools</name>
    <description>Packages of the Skylab sync tests</description>
    <default>false</default>
    <uservisible>true</uservisible>
    <packagelist>
      <packagereq type="mandatory">sk-app</packagereq>
      <packagereq type="default">sk-doc</packagereq>
    </packagelist>
  </group>
</comps>
`;

// The artifact is not in the repository, so the stream hides none of its packages from dnf.
export const MODULES = `---
document: modulemd
version: 2
data:
  name: sk-mod
  stream: "1.0"
  version: 20240301000000
  context: c0ffee42
  arch: x86_64
  summary: Skylab test module
  description: >-
    A module stream of the Skylab sync tests.
  license:
    module:
    - MIT
  profiles:
    default:
      rpms:
      - sk-modtool
  api:
    rpms:
    - sk-modtool
  artifacts:
    rpms:
    - sk-modtool-0:1.0-1.noarch
...
---
document: modulemd-defaults
version: 1
data:
  module: sk-mod
  stream: "1.0"
  profiles:
    "1.0": [default]
...
`;

interface Pkg {
  name: string;
  version: string;
  release: string;
  arch: string;
}
const pkgXml = (p: Pkg, reboot = false): string =>
  `        <package name="${p.name}" version="${p.version}" release="${p.release}" epoch="0" arch="${p.arch}" src="${p.name}-${p.version}-${p.release}.src.rpm">
          <filename>${p.name}-${p.version}-${p.release}.${p.arch}.rpm</filename>${reboot ? '\n          <reboot_suggested>True</reboot_suggested>' : ''}
        </package>\n`;

interface Advisory {
  id: string;
  type: string;
  title: string;
  severity?: string;
  issued: string;
  updated: string;
  refs?: { type: string; id: string; href: string; title: string }[];
  packages: Pkg[];
  reboot?: boolean;
  description?: string;
}

function advisoryXml(a: Advisory): string {
  const refs = (a.refs ?? []).map((r) => `      <reference href="${r.href}" id="${r.id}" title="${r.title}" type="${r.type}"/>\n`).join('');
  return `  <update from="errata@skylab.example" status="final" type="${a.type}" version="2">
    <id>${a.id}</id>
    <title>${a.title}</title>
    <issued date="${a.issued}"/>
    <updated date="${a.updated}"/>
    <rights>Copyright 2024 Skylab tests</rights>
    <release>Skylab 9</release>
${a.severity !== undefined ? `    <severity>${a.severity}</severity>\n` : ''}    <summary>Summary of ${a.id}</summary>
    <description>${a.description ?? `What ${a.id} changes.`}</description>
    <solution>Update the packages.</solution>
    <references>
${refs}    </references>
    <pkglist>
      <collection short="skylab-9">
        <name>Skylab 9</name>
${a.packages.map((p) => pkgXml(p, a.reboot)).join('')}      </collection>
    </pkglist>
  </update>
`;
}

const P = (name: string, version: string, arch: string): Pkg => ({ name, version, release: '1', arch });

export const SECURITY_ID = 'SKSA-2024:0001';
export const BUGFIX_ID = 'SKBA-2024:0002';
export const ENHANCEMENT_ID = 'SKEA-2024:0003';
export const ARM_ONLY_ID = 'SKSA-2024:0004';
export const V2_SECURITY_ID = 'SKSA-2024:0005';
export const CVE = 'CVE-2024-1111';
export const BUG_ID = 2001;

/** The updateinfo.xml of an upstream version: security (Important, CVE, bugzilla), bugfix listed twice, enhancement, one for aarch64 only. */
export function updateinfoXml(version: 1 | 2): string {
  const advisories: Advisory[] = [
    {
      id: SECURITY_ID, type: 'security', title: 'Important: sk-lib security update', severity: 'Important', issued: '2024-03-01 10:00:00', updated: '2024-03-02 11:00:00', reboot: true,
      refs: [
        { type: 'bugzilla', id: String(BUG_ID), href: `https://bugzilla.example.org/show_bug.cgi?id=${BUG_ID}`, title: `${CVE} sk-lib: heap overflow in the parser` },
        { type: 'cve', id: CVE, href: `https://www.cve.org/CVERecord?id=${CVE}`, title: CVE },
      ],
      packages: [P('sk-lib', '1.1', 'x86_64'), P('sk-lib', '1.1', 'i686'), P('sk-lib', '1.1', 'src')],
    },
    {
      id: BUGFIX_ID, type: 'bugfix', title: 'sk-app bug fix update', issued: '2024-03-03 09:00:00', updated: version === 1 ? '2024-03-03 09:00:00' : '2024-04-10 08:00:00',
      description: version === 1 ? 'sk-app crashed on empty input.' : 'sk-app crashed on empty input (revised text).',
      packages: [P('sk-app', '1.1', 'x86_64')],
    },
    { id: ENHANCEMENT_ID, type: 'enhancement', title: 'sk-doc enhancement update', issued: '2024-03-04 09:00:00', updated: '2024-03-04 09:00:00', packages: [P('sk-doc', '1.1', 'noarch')] },
    // the same id again, as EPEL writes it: its packages join the first copy's
    {
      id: BUGFIX_ID, type: 'bugfix', title: 'sk-app bug fix update', issued: '2024-03-03 09:00:00', updated: '2024-03-03 09:00:00',
      description: 'sk-app crashed on empty input.', packages: [P('sk-data', '1.0', 'noarch')],
    },
    { id: ARM_ONLY_ID, type: 'security', title: 'Moderate: sk-arm security update', severity: 'Moderate', issued: '2024-03-05 09:00:00', updated: '2024-03-05 09:00:00', packages: [P('sk-arm', '1.0', 'aarch64')] },
  ];
  if (version === 2) {
    advisories.push({
      id: V2_SECURITY_ID, type: 'security', title: 'Moderate: sk-lib and sk-app security update', severity: 'moderate', issued: '2024-04-01 09:00:00', updated: '2024-04-01 09:00:00',
      refs: [{ type: 'cve', id: 'CVE-2024-2222', href: 'https://www.cve.org/CVERecord?id=CVE-2024-2222', title: 'CVE-2024-2222' }],
      packages: [P('sk-lib', '1.2', 'x86_64'), P('sk-lib', '1.2', 'i686'), P('sk-app', '1.2', 'x86_64')],
    });
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<updates>\n${advisories.map(advisoryXml).join('')}</updates>\n`;
}

/** Built package files of a version (binary ones and the source rpm). */
export async function packageFiles(version: 1 | 2): Promise<string[]> {
  const bins: string[] = [];
  for (const spec of packagesOf(version)) bins.push(await buildRpm(spec));
  return [...bins, await buildSrpm(SOURCE_PACKAGE)];
}

export interface UpstreamOptions {
  codec?: Codec;
  /** leave out the modules document */
  noModules?: boolean;
  /** this text as updateinfo.xml instead of the version's own */
  updateinfo?: string;
}

/** Writes upstream `version` into `dir` (replacing what was there): Packages/ and repodata/. */
export async function writeUpstream(dir: string, version: 1 | 2, opts: UpstreamOptions = {}): Promise<void> {
  const codec = opts.codec ?? 'gz';
  await rm(join(dir, 'repodata'), { recursive: true, force: true });
  await rm(join(dir, 'Packages'), { recursive: true, force: true });
  await mkdir(join(dir, 'Packages'), { recursive: true });
  for (const f of await packageFiles(version)) await copyFile(f, join(dir, 'Packages', basename(f)));
  const inputs = join(dir, '..', `${basename(dir)}-inputs`);
  await mkdir(inputs, { recursive: true });
  await writeFile(join(inputs, 'comps.xml'), COMPS);
  await writeFile(join(inputs, 'updateinfo.xml'), opts.updateinfo ?? updateinfoXml(version));
  await writeFile(join(inputs, 'modules.yaml'), MODULES);
  const general = codec === 'zstd' ? 'gz' : codec;
  await run('createrepo_c', ['--quiet', '--no-database', `--general-compress-type=${general}`, `--groupfile=${join(inputs, 'comps.xml')}`, dir]);
  const repodata = join(dir, 'repodata');
  await run('modifyrepo_c', [`--compress-type=${general}`, '--mdtype=updateinfo', join(inputs, 'updateinfo.xml'), repodata]);
  if (!opts.noModules) await run('modifyrepo_c', [`--compress-type=${general}`, '--mdtype=modules', join(inputs, 'modules.yaml'), repodata]);
  if (codec === 'zstd') for (const type of ['primary', 'updateinfo']) await repackZstd(dir, type);
  await rm(inputs, { recursive: true, force: true });
}

/**
 * Re-compresses one gzip file of the repo with the zstd tool and points its repomd entry at
 * the new file; the checksum is sha256sum's, the open checksum (of the XML) stays createrepo_c's.
 */
async function repackZstd(dir: string, type: string): Promise<void> {
  const repomdPath = join(dir, 'repodata', 'repomd.xml');
  const { records } = await parseRepomd(repomdPath);
  const rec = records.find((r) => r.type === type);
  if (!rec) throw new Error(`no ${type} in ${repomdPath}`);
  const gz = join(dir, rec.location_href);
  const tmp = join(dir, 'repodata', `${type}.xml.zst`);
  await run('bash', ['-c', 'zcat -- "$1" | zstd -q -19 -o "$2"', 'sh', gz, tmp]);
  const { sha256, size } = await sha256Of(tmp);
  const href = `repodata/${sha256}-${type}.xml.zst`;
  await run('mv', [tmp, join(dir, href)]);
  await rm(gz);
  const text = await readFile(repomdPath, 'utf8');
  const block = new RegExp(`(<data type="${type}">)([\\s\\S]*?)(</data>)`);
  const patched = text.replace(block, (_m, open: string, body: string, close: string) => {
    const b = body
      .replace(/<checksum type="sha256">[0-9a-f]+<\/checksum>/, `<checksum type="sha256">${sha256}</checksum>`)
      .replace(/<location href="[^"]+"\/>/, `<location href="${href}"/>`)
      .replace(/<size>\d+<\/size>/, `<size>${size}</size>`);
    return open + b + close;
  });
  if (patched === text) throw new Error(`could not re-point ${type} in ${repomdPath}`);
  await writeFile(repomdPath, patched);
  const check = (await parseRepomd(repomdPath)).records.find((r) => r.type === type)!;
  if (check.checksum !== sha256 || check.size !== (await stat(join(dir, href))).size) throw new Error(`repomd entry of ${type} was not re-pointed`);
}

/** repomd.xml's location of each metadata type, as createrepo_c reads it. */
export async function hrefs(dir: string): Promise<Record<string, string>> {
  const { records } = await parseRepomd(join(dir, 'repodata', 'repomd.xml'));
  return Object.fromEntries(records.map((r) => [r.type, r.location_href]));
}
