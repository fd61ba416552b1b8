// The data the recorded admin-API traces ran against, rebuilt for real: the two channels (made
// through the API) and rpmbuild-built packages pushed with `skylab package push`.
import { basename } from 'node:path';
import { adminEnv, adminLogin, api, pushedLines, runPush } from './push.js';
import { buildRpms, type PkgSpec } from './rpmbuild.js';
import type { RunningServer } from './server.js';

export const BASE = 'skylab-test-el8-x86_64';
export const TOOLS = 'skylab-test-el8-x86_64-tools';
export const PUBLISHER_ROLES = ['satellite_admin', 'org_admin', 'channel_admin'];

export interface TracePackage {
  /** the id the stand-in server gave it (the traces echo it); never sent as is */
  recordedId: number;
  channel: typeof BASE | typeof TOOLS;
  spec: PkgSpec;
}

const pkg = (name: string, version: string, release: string, arch = 'noarch'): PkgSpec => ({
  name, version, release, arch, summary: `${name} (trace replay test package)`,
  files: [{ path: `/usr/share/doc/${name}-${version}/README`, content: `${name} ${version}-${release}\n` }],
});

/**
 * Which package each recorded id stands for, worked out from the traces:
 * - cefs-import #125-135: the importer fetches 1001-1006 right after listing the base channel,
 *   1007-1008 after listing the tools channel.
 * - errata.create lists ids per advisory; each synopsis is one advisory of
 *   data/cefs-sample/errata.latest.xml, which names the files: CEEA-9103 [1001] dnf-plugin-spacewalk,
 *   CESA-9101 [1006] sw-hello-1.1, CEBA-9102 [1004, 1003] rhnlib + rhn-client-tools,
 *   CEEA-9105 [1007, 1008, 1002] sw-extra + sw-lib (tools) + redhat-release.x86_64 (base: 1002).
 * - The stand-in numbered each channel in file-name order (true of every single-package
 *   advisory above), which settles 1003/1004 and 1007/1008; 1005, in no advisory, falls between
 *   rhnlib and sw-hello-1.1: sw-hello-1.0-1.el8, what the rhnreg_ks guests have installed and
 *   rhn_check-packages-update updates from this channel.
 * The cefs test checks this table against the trace and the XML again.
 */
export const TRACE_PACKAGES: readonly TracePackage[] = [
  { recordedId: 1001, channel: BASE, spec: pkg('dnf-plugin-spacewalk', '2.11.0', '1.el8') },
  { recordedId: 1002, channel: BASE, spec: pkg('redhat-release', '8.9', '0.1.el8', 'x86_64') },
  { recordedId: 1003, channel: BASE, spec: pkg('rhn-client-tools', '2.11.0', '1.el8') },
  { recordedId: 1004, channel: BASE, spec: pkg('rhnlib', '2.11.0', '1.el8') },
  { recordedId: 1005, channel: BASE, spec: pkg('sw-hello', '1.0', '1.el8') },
  { recordedId: 1006, channel: BASE, spec: pkg('sw-hello', '1.1', '1.el8') },
  { recordedId: 1007, channel: TOOLS, spec: pkg('sw-extra', '1.0', '1.el8') },
  { recordedId: 1008, channel: TOOLS, spec: pkg('sw-lib', '1.0', '1.el8') },
];

export interface TraceData {
  /** recorded id -> our id (joined on the file name) */
  idMap: Map<number, number>;
  /** recorded id -> RPM file name */
  fileOf: Map<number, string>;
  /** our id -> RPM file name */
  fileById: Map<number, string>;
  /** RPM file name -> path of the built package */
  pathOf: Map<string, string>;
  channelId: Record<string, number>;
}

async function createChannels(server: RunningServer): Promise<Record<string, number>> {
  const answers = await api<unknown[]>(adminLogin(server), [
    ['channel.software.create', BASE, 'Skylab test EL8 x86_64', 'Base channel of the recorded traces', 'channel-x86_64', ''],
    ['channel.software.create', TOOLS, 'Skylab test EL8 x86_64 tools', 'Child channel of the recorded traces', 'channel-x86_64', BASE],
    ['channel.software.getDetails', BASE],
    ['channel.software.getDetails', TOOLS],
  ]);
  if (answers[0] !== 1 || answers[1] !== 1) throw new Error(`channel setup failed: ${JSON.stringify(answers.slice(0, 2))}`);
  const [base, tools] = answers.slice(2) as { id: number }[];
  return { [BASE]: base!.id, [TOOLS]: tools!.id };
}

/** Builds the packages, creates the channels and pushes each package into its channel. */
export async function setupTraceData(server: RunningServer): Promise<TraceData> {
  const paths = await buildRpms(TRACE_PACKAGES.map((p) => p.spec));
  const channelId = await createChannels(server);
  const ourIdByFile = new Map<string, number>();
  for (const channel of [BASE, TOOLS]) {
    const files = paths.filter((_, i) => TRACE_PACKAGES[i]!.channel === channel);
    const r = await runPush(['--server', server.url, '--channel', channel, ...files], adminEnv(server));
    if (r.code !== 0) throw new Error(`skylab package push failed (${r.code}):\n${r.stderr}`);
    for (const line of pushedLines(r.stdout)) ourIdByFile.set(line.file, line.id);
  }
  const data: TraceData = { idMap: new Map(), fileOf: new Map(), fileById: new Map(), pathOf: new Map(), channelId };
  TRACE_PACKAGES.forEach((p, i) => {
    const file = basename(paths[i]!);
    const id = ourIdByFile.get(file);
    if (id === undefined) throw new Error(`push did not report ${file}`);
    data.idMap.set(p.recordedId, id);
    data.fileOf.set(p.recordedId, file);
    data.fileById.set(id, file);
    data.pathOf.set(file, paths[i]!);
  });
  return data;
}
