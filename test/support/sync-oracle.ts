// What a channel should hold after syncing an upstream repository, worked out with the real
// tools: createrepo_c's parsers for primary and updateinfo, python3-rpm's labelCompare for the
// newest builds. The channel-arch rule is Spacewalk's table (channels/arches.ts).
import { join } from 'node:path';
import { archAccepts } from '../../channels/index.js';
import { pythonJson } from './python.js';
import { documentRecords, parseUpdateinfo } from './repodata.js';
import { hrefs } from './sync-fixtures.js';

export interface ExpectedPackage {
  nvra: string;
  name: string;
  epoch: string;
  version: string;
  release: string;
  arch: string;
  checksum: string;
}

export interface ExpectedErratum {
  id: string;
  /** updateinfo's type and severity, as written */
  type: string;
  severity: string;
  /** NVRAs of the channel's packages it lists (every copy of the id unioned) */
  packages: string[];
  cves: string[];
  bugs: number[];
}

/**
 * What a channel of `archLabel` should hold after syncing the repo in `dir`, read with
 * createrepo_c's parsers: its binary packages of accepted arches, and the advisories with at
 * least one of those packages (each id once, with the packages of all its copies).
 */
export async function expectedContent(dir: string, archLabel: string, opts: { latest?: boolean; exclude?: (name: string) => boolean } = {}): Promise<{ packages: ExpectedPackage[]; errata: ExpectedErratum[] }> {
  const records = [...(await documentRecords(dir, 'primary')).values()];
  let packages: ExpectedPackage[] = records
    .map((r) => ({ name: String(r.name), epoch: String(r.epoch), version: String(r.version), release: String(r.release), arch: String(r.arch), checksum: String(r.pkgid) }))
    .filter((p) => p.arch !== 'src' && p.arch !== 'nosrc' && archAccepts(archLabel, p.arch) && !opts.exclude?.(p.name))
    .map((p) => ({ ...p, nvra: `${p.name}-${p.version}-${p.release}.${p.arch}` }));
  if (opts.latest) packages = await newestBuilds(packages);
  const inChannel = new Set(packages.map((p) => p.nvra));
  const byId = new Map<string, ExpectedErratum>();
  const href = (await hrefs(dir))['updateinfo'];
  for (const u of href ? await parseUpdateinfo(join(dir, href)) : []) {
    const e = byId.get(u.id) ?? { id: u.id, type: u.type, severity: u.severity ?? '', packages: [], cves: [], bugs: [] };
    byId.set(u.id, e);
    for (const c of u.collections) for (const p of c.packages) e.packages.push(`${p.name}-${p.version}-${p.release}.${p.arch}`);
    for (const r of u.references) {
      if (r.type === 'cve' && r.id) e.cves.push(r.id);
      if (r.type === 'bugzilla' && r.id) e.bugs.push(Number(r.id));
    }
  }
  const errata = [...byId.values()]
    .map((e) => ({ ...e, packages: [...new Set(e.packages.filter((n) => inChannel.has(n)))].sort(), cves: [...new Set(e.cves)].sort(), bugs: [...new Set(e.bugs)].sort() }))
    .filter((e) => e.packages.length > 0)
    .sort((a, b) => a.id.localeCompare(b.id));
  return { packages: packages.sort((a, b) => a.nvra.localeCompare(b.nvra)), errata };
}

/** Of each name.arch the newest build, as rpm.labelCompare (python3-rpm) orders them. */
async function newestBuilds(pkgs: ExpectedPackage[]): Promise<ExpectedPackage[]> {
  const script = `
import functools, json, sys, rpm
pkgs = json.load(sys.stdin)
best = {}
for p in pkgs:
    k = (p['name'], p['arch'])
    if k not in best or rpm.labelCompare((p['epoch'] or '0', p['version'], p['release']), (best[k]['epoch'] or '0', best[k]['version'], best[k]['release'])) > 0:
        best[k] = p
print(json.dumps([p['nvra'] for p in best.values()]))
`;
  const keep = new Set(await pythonJson<string[]>(script, [], JSON.stringify(pkgs)));
  return pkgs.filter((p) => keep.has(p.nvra));
}
