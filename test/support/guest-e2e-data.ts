// The content of the guest end-to-end test, made the way an administrator makes it: rpmbuild-built
// old and new builds pushed with `skylab package push` (old into the channel, new into a staging
// channel), a Security Advisory with the new builds created and published through the admin API
// (publishing copies them in), and activation keys for the channels.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ProfilePackage } from './guest-e2e.js';
import { adminEnv, adminLogin, api, pushedLines, rpmQuery, runPush } from './push.js';
import { TRACES } from './replay.js';
import { buildRpms, type PkgSpec } from './rpmbuild.js';
import type { RunningServer } from './server.js';

export const CHANNEL = 'e2e-el8-x86_64';
export const STAGING = 'e2e-el8-staging-x86_64';
export const OTHER = 'e2e-other-x86_64';
export const ADVISORY = 'E2ESA-2024:0001';

const file = (path: string, text: string) => [{ path, content: text }];
// e2e-lib has an epoch and an arch, e2e-app needs the matching e2e-lib: the update must move both.
const OLD: PkgSpec[] = [
  { name: 'e2e-lib', epoch: 1, version: '1.0', release: '1.el8', arch: 'x86_64', provides: ['libe2e.so.1()(64bit)'], files: file('/usr/lib64/libe2e.so.1', 'lib 1.0\n') },
  { name: 'e2e-app', version: '1.0', release: '1.el8', requires: ['e2e-lib >= 1:1.0', 'libe2e.so.1()(64bit)'], files: file('/usr/share/e2e-app/version', 'app 1.0\n') },
];
const NEW: PkgSpec[] = [
  { ...OLD[0]!, version: '1.1', files: file('/usr/lib64/libe2e.so.1', 'lib 1.1\n') },
  { ...OLD[1]!, version: '1.1', requires: ['e2e-lib >= 1:1.1', 'libe2e.so.1()(64bit)'], files: file('/usr/share/e2e-app/version', 'app 1.1\n') },
];
const FOREIGN: PkgSpec = { name: 'e2e-other', version: '1.0', release: '1.el8', files: file('/usr/share/e2e-other/version', 'other\n') };

/** What rpm itself says about a built package. */
export interface Built {
  path: string;
  file: string;
  name: string;
  epoch: string;
  version: string;
  release: string;
  arch: string;
  /** dnf's spelling: name-[epoch:]version-release.arch */
  nevra: string;
}

export interface E2eData {
  old: Built[];
  new: Built[];
  foreign: Built;
  erratumId: number;
  /** the keys activationkey.create answered */
  key: string;
  otherKey: string;
  /** registration.add_hw_profile's list from the recorded rhnreg_ks run */
  hardware: unknown[];
}

async function describe(path: string): Promise<Built> {
  const q = await rpmQuery(path);
  const nevra = `${q.NAME}-${q.EPOCH ? `${q.EPOCH}:` : ''}${q.VERSION}-${q.RELEASE}.${q.ARCH}`;
  return { path, file: basename(path), name: q.NAME, epoch: q.EPOCH, version: q.VERSION, release: q.RELEASE, arch: q.ARCH, nevra };
}

/** The profile rhn-client-tools would send for these packages. */
export const profileOf = (pkgs: Built[], installtime: number): ProfilePackage[] =>
  pkgs.map((p) => ({ name: p.name, epoch: p.epoch, version: p.version, release: p.release, arch: p.arch, installtime })).sort((a, b) => a.name.localeCompare(b.name));

/** [n, v, r, e, a] as getErrataInfo and the action payloads spell a package. */
export const tupleOf = (p: Built): string[] => [p.name, p.version, p.release, p.epoch, p.arch];

async function push(server: RunningServer, channel: string, files: string[]): Promise<number[]> {
  const r = await runPush(['--server', server.url, '--channel', channel, ...files], adminEnv(server));
  if (r.code !== 0) throw new Error(`skylab package push failed (${r.code}):\n${r.stderr}`);
  return pushedLines(r.stdout).map((l) => l.id);
}

function check<T>(answers: unknown[], what: string): T[] {
  const bad = answers.find((a) => typeof a === 'object' && a !== null && 'fault' in a);
  if (bad) throw new Error(`${what}: ${JSON.stringify(bad)}`);
  return answers as T[];
}

export async function setupE2e(server: RunningServer): Promise<E2eData> {
  const paths = await buildRpms([...OLD, ...NEW, FOREIGN]);
  const login = adminLogin(server);
  check(await api(login, [
    ['channel.software.create', CHANNEL, 'E2E EL8 x86_64', 'the guests channel', 'channel-x86_64', ''],
    ['channel.software.create', STAGING, 'E2E EL8 staging', 'new builds before their advisory', 'channel-x86_64', ''],
    ['channel.software.create', OTHER, 'E2E other', "another guest's channel", 'channel-x86_64', ''],
  ]), 'channels');
  await push(server, CHANNEL, paths.slice(0, 2));
  const newIds = await push(server, STAGING, paths.slice(2, 4));
  await push(server, OTHER, paths.slice(4));
  const info = {
    synopsis: 'e2e-lib and e2e-app security update', advisory_name: ADVISORY, advisory_release: 1, advisory_type: 'Security Advisory',
    product: 'E2E Linux 8', topic: 'e2e 1.1', description: 'Fixes things in e2e-lib.', solution: 'Apply the update.', severity: 'Important',
  };
  const [created, , key, otherKey] = check<Record<string, unknown>>(await api(login, [
    ['errata.create', info, [], [], newIds, false, []],
    ['errata.publish', ADVISORY, [CHANNEL]],
    ['activationkey.create', 'e2e', 'E2E guests', CHANNEL, [], false],
    ['activationkey.create', 'e2e-other', 'E2E other guests', OTHER, [], false],
  ]), 'advisory and keys');
  const hwRecord = readFileSync(join(TRACES, 'rhnreg_ks-activationkey.jsonl'), 'utf8').split('\n').map((l) => (l ? JSON.parse(l) : null))
    .find((r) => r?.call?.method === 'registration.add_hw_profile');
  const built = await Promise.all(paths.map(describe));
  return {
    old: built.slice(0, 2), new: built.slice(2, 4), foreign: built[4]!,
    erratumId: created!['id'] as number, key: key as unknown as string, otherKey: otherKey as unknown as string,
    hardware: hwRecord.call.params[1] as unknown[],
  };
}
