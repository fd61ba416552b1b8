// Oracles for published repodata: createrepo_c's own parsers (python3-createrepo-c) read
// repomd.xml, updateinfo and the package documents; sha256sum and zcat check every checksum.
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pythonJson } from './python.js';
import { referenceRecords, type MetadataKind } from './createrepo-reference.js';

const run = promisify(execFile);

export interface RepomdRecord {
  type: string;
  location_href: string;
  checksum: string;
  checksum_type: string;
  checksum_open: string | null;
  checksum_open_type: string | null;
  size: number;
  size_open: number;
  timestamp: number;
}

const REPOMD_SCRIPT = `
import json, sys, createrepo_c as cr
r = cr.Repomd(sys.argv[1])
keys = ('type', 'location_href', 'checksum', 'checksum_type', 'checksum_open', 'checksum_open_type', 'size', 'size_open', 'timestamp')
print(json.dumps({'revision': r.revision, 'records': [{k: getattr(x, k) for k in keys} for x in r.records]}))
`;

export function parseRepomd(path: string): Promise<{ revision: string; records: RepomdRecord[] }> {
  return pythonJson(REPOMD_SCRIPT, [path]);
}

const UPDATEINFO_SCRIPT = `
import json, sys, createrepo_c as cr
ui = cr.UpdateInfo()
cr.xml_parse_updateinfo(sys.argv[1], ui)
# libxml2's SAX1 interface (createrepo_c 0.17) hands '&amp;' in attribute values over as '&#38;';
# later createrepo_c releases undo that, and so does this oracle (as createrepo-reference.py).
def a(x): return None if x is None else x.replace('&#38;', '&')
def d(x): return None if x is None else x.strftime('%Y-%m-%d %H:%M:%S')
def mod(m): return None if m is None else {k: getattr(m, k) for k in ('name', 'stream', 'version', 'context', 'arch')}
out = []
for u in ui.updates:
    out.append({
        'id': u.id, 'type': a(u.type), 'title': u.title, 'severity': u.severity, 'status': a(u.status), 'version': a(u.version),
        'from': a(u.fromstr), 'issued': d(u.issued_date), 'updated': d(u.updated_date), 'release': u.release, 'rights': u.rights,
        'pushcount': u.pushcount, 'summary': u.summary, 'description': u.description, 'solution': u.solution,
        'reboot_suggested': bool(u.reboot_suggested),
        'references': [{'type': a(r.type), 'id': a(r.id), 'href': a(r.href), 'title': a(r.title)} for r in u.references],
        'collections': [{'short': a(c.shortname), 'name': c.name, 'module': mod(c.module), 'packages': [
            {'name': a(p.name), 'version': a(p.version), 'release': a(p.release), 'epoch': a(p.epoch), 'arch': a(p.arch), 'src': a(p.src),
             'filename': p.filename, 'sum': p.sum, 'sum_type': cr.checksum_name_str(p.sum_type),
             'reboot_suggested': bool(p.reboot_suggested)} for p in c.packages]} for c in u.collections],
    })
print(json.dumps(out))
`;

export interface UpdateRecord {
  id: string;
  type: string;
  title: string;
  severity: string | null;
  status: string | null;
  version: string | null;
  from: string | null;
  issued: string | null;
  updated: string | null;
  release: string | null;
  rights: string | null;
  pushcount: string | null;
  summary: string | null;
  description: string | null;
  solution: string | null;
  reboot_suggested: boolean;
  references: { type: string; id: string | null; href: string | null; title: string | null }[];
  collections: {
    short: string;
    name: string;
    module: Record<string, string | number> | null;
    packages: { name: string; version: string; release: string; epoch: string; arch: string; src: string; filename: string; sum: string; sum_type: string; reboot_suggested: boolean }[];
  }[];
}

/** createrepo_c's reading of an updateinfo.xml(.gz). */
export function parseUpdateinfo(path: string): Promise<UpdateRecord[]> {
  return pythonJson(UPDATEINFO_SCRIPT, [path]);
}

export async function sha256Of(path: string, gunzip = false): Promise<{ sha256: string; size: number }> {
  const cmd = gunzip ? `zcat -- "$1" | tee >(wc -c >&2) | sha256sum` : 'sha256sum -- "$1"; wc -c < "$1" >&2';
  const { stdout, stderr } = await run('bash', ['-c', cmd, 'sh', path]);
  return { sha256: stdout.split(' ')[0]!, size: Number(stderr.trim()) };
}

/** Each repomd record checked against sha256sum, zcat | sha256sum and the file sizes; problems as text. */
export async function repomdProblems(repoDir: string): Promise<string[]> {
  const { records } = await parseRepomd(join(repoDir, 'repodata', 'repomd.xml'));
  const out: string[] = [];
  for (const r of records) {
    const path = join(repoDir, r.location_href);
    const file = await sha256Of(path);
    if (r.checksum_type !== 'sha256' || file.sha256 !== r.checksum) out.push(`${r.type}: checksum ${r.checksum_type}:${r.checksum} but sha256sum says ${file.sha256}`);
    if ((await stat(path)).size !== r.size) out.push(`${r.type}: size ${r.size} but the file has ${(await stat(path)).size}`);
    if (r.location_href.endsWith('.gz')) {
      const open = await sha256Of(path, true);
      if (r.checksum_open_type !== 'sha256' || r.checksum_open !== open.sha256) out.push(`${r.type}: open-checksum ${r.checksum_open} but zcat | sha256sum says ${open.sha256}`);
      if (r.size_open !== open.size) out.push(`${r.type}: open-size ${r.size_open} but zcat gives ${open.size} bytes`);
    }
  }
  return out;
}

/** createrepo_c's records of one package document of a repo, keyed by pkgid. */
export async function documentRecords(repoDir: string, kind: MetadataKind): Promise<Map<string, Record<string, unknown>>> {
  const { records } = await parseRepomd(join(repoDir, 'repodata', 'repomd.xml'));
  const rec = records.find((r) => r.type === kind);
  if (!rec) throw new Error(`no ${kind} in ${repoDir}`);
  const out = new Map<string, Record<string, unknown>>();
  for await (const r of referenceRecords(kind, join(repoDir, rec.location_href))) out.set(r['pkgid'] as string, r);
  return out;
}

/** The text of repomd.xml. */
export const repomdText = (repoDir: string): Promise<string> => readFile(join(repoDir, 'repodata', 'repomd.xml'), 'utf8');
