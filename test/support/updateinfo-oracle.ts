// Reference readings of updateinfo.xml and repomd.xml for the parser tests: createrepo_c's own
// parser (python3-createrepo-c), ElementTree for the raw texts it does not keep (date strings,
// flag contents), and GNU date for what a date string means.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pythonJson } from './python.js';

const run = promisify(execFile);

export interface OraclePackage {
  name: string;
  epoch: string | null;
  version: string;
  release: string;
  arch: string;
  src: string | null;
  filename: string | null;
  sum: string | null;
  sum_type: string | null;
  reboot: boolean;
  restart: boolean;
  relogin: boolean;
  /** text of each flag element per ElementTree (null: no such element) */
  flag_text: { reboot: string | null; restart: string | null; relogin: string | null };
}

export interface OracleUpdate {
  id: string;
  type: string | null;
  status: string | null;
  version: string | null;
  from: string | null;
  title: string | null;
  issued: string | null;
  updated: string | null;
  rights: string | null;
  release: string | null;
  pushcount: string | null;
  severity: string | null;
  summary: string | null;
  description: string | null;
  solution: string | null;
  reboot: boolean;
  reboot_text: string | null;
  references: { type: string | null; id: string | null; href: string | null; title: string | null }[];
  collections: {
    short: string | null;
    module: { name: string; stream: string; version: string; context: string; arch: string } | null;
    packages: OraclePackage[];
  }[];
}

const UPDATEINFO_SCRIPT = `
import createrepo_c as cr, gzip, json, sys, xml.etree.ElementTree as ET
path = sys.argv[1]
ui = cr.UpdateInfo()
cr.xml_parse_updateinfo(path, ui)
raw = open(path, 'rb').read()
if raw[:2] == b'\\x1f\\x8b':
    raw = gzip.decompress(raw)
root = ET.fromstring(raw)
def text(el, name):
    e = el.find(name)
    return None if e is None else (e.text or '')
def date(el, name):
    e = el.find(name)
    return None if e is None else e.get('date')
out = []
for u, x in zip(ui.updates, root.findall('update')):
    xpkgs = [p for c in x.findall('pkglist/collection') for p in c.findall('package')]
    colls, i = [], 0
    for c in u.collections:
        pk = []
        for p in c.packages:
            xp = xpkgs[i]; i += 1
            pk.append(dict(name=p.name, epoch=p.epoch, version=p.version, release=p.release, arch=p.arch, src=p.src,
                filename=p.filename, sum=p.sum, sum_type=cr.checksum_name_str(p.sum_type) if p.sum else None,
                reboot=bool(p.reboot_suggested), restart=bool(p.restart_suggested), relogin=bool(p.relogin_suggested),
                flag_text=dict(reboot=text(xp, 'reboot_suggested'), restart=text(xp, 'restart_suggested'), relogin=text(xp, 'relogin_suggested'))))
        m = c.module
        colls.append(dict(short=c.shortname, packages=pk, module=None if m is None else dict(
            name=m.name, stream=m.stream, version=str(m.version), context=m.context, arch=m.arch)))
    out.append({'id': u.id, 'type': u.type, 'status': u.status, 'version': u.version, 'from': u.fromstr,
        'title': u.title, 'issued': date(x, 'issued'), 'updated': date(x, 'updated'), 'rights': u.rights,
        'release': u.release, 'pushcount': u.pushcount, 'severity': u.severity, 'summary': u.summary,
        'description': u.description, 'solution': u.solution, 'reboot': bool(u.reboot_suggested),
        'reboot_text': text(x, 'reboot_suggested'),
        'references': [dict(type=r.type, id=r.id, href=r.href, title=r.title) for r in u.references],
        'collections': colls})
print(json.dumps(out))
`;

/** Every <update> of a file (plain or .gz) as createrepo_c reads it, in file order, duplicates included. */
export function oracleUpdateinfo(path: string): Promise<OracleUpdate[]> {
  return pythonJson<OracleUpdate[]>(UPDATEINFO_SCRIPT, [path]);
}

export interface OracleRepomd {
  revision: string | null;
  records: {
    type: string;
    location_href: string;
    location_base: string | null;
    checksum_type: string | null;
    checksum: string | null;
    checksum_open_type: string | null;
    checksum_open: string | null;
    size: number;
    size_open: number;
    timestamp: number;
    db_ver: number;
  }[];
}

const REPOMD_SCRIPT = `
import createrepo_c as cr, json, sys
r = cr.Repomd(sys.argv[1])
keys = ['type', 'location_href', 'location_base', 'checksum_type', 'checksum', 'checksum_open_type', 'checksum_open', 'size', 'size_open', 'timestamp', 'db_ver']
print(json.dumps({'revision': r.revision, 'records': [{k: getattr(x, k) for k in keys} for x in r.records]}))
`;

export function oracleRepomd(path: string): Promise<OracleRepomd> {
  return pythonJson<OracleRepomd>(REPOMD_SCRIPT, [path]);
}

/** What GNU date makes of a date string (UTC unless it names a zone); epoch seconds as they are. */
export async function gnuDate(text: string): Promise<Date | null> {
  const arg = /^\d+$/.test(text.trim()) ? `@${text.trim()}` : text;
  try {
    const { stdout } = await run('date', ['-u', '-d', arg, '+%s']);
    return new Date(Number(stdout.trim()) * 1000);
  } catch {
    return null;
  }
}
