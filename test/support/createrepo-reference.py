#!/usr/bin/python3
"""Reference output of createrepo_c's own repodata parsers, the oracle for Skylab's scanners.

Run with /usr/bin/python3 (the createrepo_c bindings load only there).
  createrepo-reference.py primary|filelists|other PATH
      one JSON object per package on stdout, with Skylab's field names; absent strings are ''
      (createrepo_c gives None) and file paths are joined back (createrepo_c splits dir/name)
  createrepo-reference.py time PATH RUNS
      parses primary PATH RUNS times; prints {"packages", "seconds": [...], "maxrss_kib"}
  createrepo-reference.py wellformed PATH...
      for each file, one JSON line: {"wellformed": bool, "error": str} as judged by expat
"""
import json
import resource
import sys
import time

import xml.parsers.expat

import createrepo_c as cr

DEP_KINDS = ('provides', 'requires', 'conflicts', 'obsoletes', 'suggests', 'enhances',
             'recommends', 'supplements')


def s(value):
    return '' if value is None else value


def a(value):
    """An attribute value. libxml2's SAX1 interface, which createrepo_c uses, hands '&amp;' in
    attribute values over as '&#38;'; createrepo_c releases after 0.17 undo that
    (unescape_ampersand_from_values), and so does this oracle."""
    return s(value).replace('&#38;', '&')


def files(pkg):
    return [{'path': s(d) + s(n), 'type': s(t)} for (t, d, n) in pkg.files]


def nevra(pkg, from_attributes):
    """pkgid, name and arch are attributes in filelists/other, text in primary."""
    text = a if from_attributes else s
    return {'pkgid': text(pkg.pkgId), 'name': text(pkg.name), 'arch': text(pkg.arch),
            'epoch': a(pkg.epoch), 'version': a(pkg.version), 'release': a(pkg.release)}


def primary(pkg):
    rec = nevra(pkg, False)
    rec.update({
        'checksumType': a(pkg.checksum_type), 'summary': s(pkg.summary),
        'description': s(pkg.description), 'packager': s(pkg.rpm_packager), 'url': s(pkg.url),
        'timeFile': pkg.time_file, 'timeBuild': pkg.time_build,
        'sizePackage': pkg.size_package, 'sizeInstalled': pkg.size_installed,
        'sizeArchive': pkg.size_archive, 'locationHref': a(pkg.location_href),
        'locationBase': a(pkg.location_base), 'license': s(pkg.rpm_license),
        'vendor': s(pkg.rpm_vendor), 'group': s(pkg.rpm_group),
        'buildhost': s(pkg.rpm_buildhost), 'sourcerpm': s(pkg.rpm_sourcerpm),
        'headerStart': pkg.rpm_header_start, 'headerEnd': pkg.rpm_header_end,
    })
    for kind in DEP_KINDS:
        rec[kind] = [{'name': a(n), 'flags': a(f), 'epoch': a(e), 'ver': a(v), 'rel': a(r),
                      'pre': bool(p)} for (n, f, e, v, r, p) in getattr(pkg, kind)]
    rec['files'] = files(pkg)
    return rec


def filelists(pkg):
    rec = nevra(pkg, True)
    rec['files'] = files(pkg)
    return rec


def other(pkg):
    rec = nevra(pkg, True)
    rec['changelogs'] = [{'author': a(au), 'date': d, 'text': s(tx)} for (au, d, tx) in pkg.changelogs]
    return rec


def dump(kind, path):
    out = sys.stdout
    convert = {'primary': primary, 'filelists': filelists, 'other': other}[kind]
    parse = getattr(cr, 'xml_parse_' + kind)

    def emit(pkg):
        out.write(json.dumps(convert(pkg), ensure_ascii=False) + '\n')

    parse(path, pkgcb=emit)


def timing(path, runs):
    seconds = []
    count = 0
    for _ in range(runs):
        seen = [0]

        def cb(_pkg):
            seen[0] += 1

        start = time.perf_counter()
        cr.xml_parse_primary(path, pkgcb=cb, do_files=True)
        seconds.append(time.perf_counter() - start)
        count = seen[0]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({'packages': count, 'seconds': seconds, 'maxrss_kib': usage.ru_maxrss}))


def wellformed(paths):
    for path in paths:
        parser = xml.parsers.expat.ParserCreate()
        with open(path, 'rb') as f:
            data = f.read()
        try:
            parser.Parse(data, True)
            print(json.dumps({'wellformed': True, 'error': ''}))
        except xml.parsers.expat.ExpatError as e:
            print(json.dumps({'wellformed': False, 'error': str(e)}))


def main(argv):
    if len(argv) >= 3 and argv[1] == 'wellformed':
        wellformed(argv[2:])
    elif len(argv) == 4 and argv[1] == 'time':
        timing(argv[2], int(argv[3]))
    elif len(argv) == 3 and argv[1] in ('primary', 'filelists', 'other'):
        sys.stdout.reconfigure(encoding='utf-8')
        dump(argv[1], argv[2])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv)
