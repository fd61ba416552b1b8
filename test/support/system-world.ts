// A running server holding what the system admin-API tests look at: a base and a child channel
// filled with rpmbuild-built packages through `skylab package push`, errata created and
// published through the API, and three systems registered with profiles and hardware.
import { basename } from 'node:path';
import type { System } from '../../channels/index.js';
import { adminEnv, pushedLines, runPush } from './push.js';
import { buildRpms, type PkgSpec } from './rpmbuild.js';
import { startServer, type RunningServer } from './server.js';
import { answer, call, installed, openDb, registerSystem, S, tracedHardware, type Db } from './system-fixtures.js';

export const BASE = 'sys-base-x86_64';
export const CHILD = 'sys-child-x86_64';

const spec = (name: string, version: string, release: string, arch = 'noarch', epoch?: number): PkgSpec => ({
  name, version, release, arch, ...(epoch === undefined ? {} : { epoch }), summary: `${name} for the system API tests`,
  files: [{ path: `/usr/share/doc/${name}-${version}-${release}/README`, content: `${name} ${version}-${release}\n` }],
});

/** channel -> packages; the label of each is name-[epoch:]version-release.arch */
const PACKAGES: Record<string, PkgSpec[]> = {
  [BASE]: [
    spec('alpha', '1.0', '1'), spec('alpha', '1.2', '1'),
    spec('beta', '2.0', '1', 'x86_64'), spec('beta', '1.5', '1', 'x86_64', 1),
    spec('gamma', '3.1', '1', 'i686'),
    spec('delta', '1.0', '1'),
    spec('epsilon', '5.0', '1'),
    spec('kern', '4.18', '1', 'x86_64'), spec('kern', '4.18', '2', 'x86_64'), spec('kern', '4.18', '3', 'x86_64'),
  ],
  [CHILD]: [spec('zeta', '1.1', '1')],
};

export const labelOf = (p: PkgSpec): string => `${p.name}-${p.epoch === undefined ? '' : `${p.epoch}:`}${p.version}-${p.release}.${p.arch ?? 'noarch'}`;

/** advisory -> [type, channel, package labels, keywords, update date] */
export const ERRATA: Record<string, [string, string, string[], string[], string]> = {
  'SYS-SA-1': ['Security Advisory', BASE, ['alpha-1.2-1.noarch'], [], '20240105T10:00:00'],
  'SYS-BA-2': ['Bug Fix Advisory', BASE, ['beta-1:1.5-1.x86_64'], ['restart_suggested'], '20240110T10:00:00'],
  'SYS-EA-3': ['Product Enhancement Advisory', BASE, ['gamma-3.1-1.i686'], [], '20240115T10:00:00'],
  'SYS-BA-4': ['Bug Fix Advisory', CHILD, ['zeta-1.1-1.noarch'], [], '20240120T10:00:00'],
  'SYS-SA-5': ['Security Advisory', BASE, ['kern-4.18-3.x86_64'], ['reboot_suggested'], '20240125T10:00:00'],
};

export const WEB_PACKAGES = installed(
  'alpha-1.0-1.noarch', 'beta-2.0-1.x86_64', 'gamma-3.0-1.x86_64', 'delta-0.9-1.x86_64', 'zeta-1.0-1.noarch',
  'kern-4.18-1.x86_64', 'kern-4.18-2.x86_64', 'local-tool-0.1-1.x86_64', 'epsilon-5.0-1.noarch',
);
export const DB_PACKAGES = installed('alpha-1.2-1.noarch', 'beta-2.0-1.x86_64', 'zeta-1.0-1.noarch', 'kern-4.18-3.x86_64');

export interface SystemWorld {
  server: RunningServer;
  db: Db;
  channel: Record<string, number>;
  /** package label -> id */
  pkg: Record<string, number>;
  /** package label -> channel label */
  pkgChannel: Record<string, string>;
  /** advisory -> erratum id */
  errata: Record<string, number>;
  web: System;
  dbServer: System;
  old: System;
  stop(): Promise<void>;
}

async function pushAll(server: RunningServer): Promise<{ pkg: Record<string, number>; pkgChannel: Record<string, string> }> {
  const pkg: Record<string, number> = {};
  const pkgChannel: Record<string, string> = {};
  for (const [channel, specs] of Object.entries(PACKAGES)) {
    const files = await buildRpms(specs);
    const r = await runPush(['--server', server.url, '--channel', channel, ...files], adminEnv(server));
    if (r.code !== 0) throw new Error(`push failed: ${r.stderr}`);
    const ids = new Map(pushedLines(r.stdout).map((l) => [l.file, l.id]));
    specs.forEach((p, n) => {
      pkg[labelOf(p)] = ids.get(basename(files[n]!))!;
      pkgChannel[labelOf(p)] = channel;
    });
  }
  return { pkg, pkgChannel };
}

async function createErrata(server: RunningServer, pkg: Record<string, number>): Promise<void> {
  const calls = Object.entries(ERRATA).flatMap(([adv, [type, channel, labels, keywords, updated]]) => [
    {
      method: 'errata.create',
      params: [S, { synopsis: `${adv} synopsis`, advisory_name: adv, advisory_release: 1, advisory_type: type, product: 'Skylab', topic: 't', description: 'd', solution: 's' },
        [], keywords, labels.map((l) => pkg[l]!), true, [channel]],
    },
    { method: 'errata.setDetails', params: [S, adv, { issue_date: { __datetime__: updated }, update_date: { __datetime__: updated } }] },
  ]);
  (await call(server, calls)).forEach(answer);
}

export async function systemWorld(): Promise<SystemWorld> {
  const server = await startServer();
  try {
    const made = await call(server, [
      { method: 'channel.software.create', params: [S, BASE, 'Sys Base', 'base of the system tests', 'channel-x86_64', ''] },
      { method: 'channel.software.create', params: [S, CHILD, 'Sys Child', 'child of the system tests', 'channel-x86_64', BASE] },
    ]);
    made.forEach(answer);
    const { pkg, pkgChannel } = await pushAll(server);
    await createErrata(server, pkg);
    const db = await openDb(server);
    const channel = { [BASE]: (await db.stores.channels.getByLabel(BASE, db.org))!.id, [CHILD]: (await db.stores.channels.getByLabel(CHILD, db.org))!.id };
    const errata: Record<string, number> = {};
    for (const adv of Object.keys(ERRATA)) errata[adv] = (await db.stores.errata.getByName(db.org, adv))!.id;
    const web = await registerSystem(db, { name: 'web1.example.com', packages: WEB_PACKAGES, hardware: tracedHardware(), base: channel[BASE], children: [channel[CHILD]!], description: 'front web server' });
    const dbServer = await registerSystem(db, { name: 'db1.example.com', packages: DB_PACKAGES, base: channel[BASE], uuid: '4c4c4544-0032-3010-8030-b4c04f4e4a31', virtType: 'KVM' });
    const old = await registerSystem(db, { name: 'old1.example.com', packages: installed('alpha-1.0-1.noarch'), lastCheckin: Math.floor(Date.now() / 1000) - 3 * 86400 });
    return { server, db, channel, pkg, pkgChannel, errata, web, dbServer, old, stop: async () => void (db.close(), await server.stop()) };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
