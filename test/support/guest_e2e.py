# A whole guest for the end-to-end tests: what rhnreg_ks, rhn_check and dnf-plugin-spacewalk do
# (client-protocol.md 8.1, 8.4, 8.7), with rhnlib's headers on /XMLRPC and python3-dnf (libdnf,
# librepo, libcurl) fetching repodata and packages through GET-REQ into a throwaway installroot.
#
# stdin: {"url": ".../XMLRPC", "state": dir, "headers": {rhnlib headers}, "steps": [{"op": ..., ...}]}
# The state directory is the guest's disk: systemid, login.json (the login pickle), the channel
# versions (_spacewalk.json), dnf's cache and the installroot `root/`. stdout: one result per step,
# each with "calls" (the /XMLRPC methods it sent, in order) and "error" when it failed.
import base64
import hashlib
import json
import os
import sys
import tempfile
import traceback
import urllib.error
import urllib.request
import xmlrpc.client

import dnf
import dnf.exceptions
import hawkey
import rpm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_client import GuestTransport, decode  # noqa: E402

AUTH_HEADERS = ['X-RHN-Server-Id', 'X-RHN-Auth-User-Id', 'X-RHN-Auth', 'X-RHN-Auth-Server-Time', 'X-RHN-Auth-Expire-Offset']


class Guest:
    def __init__(self, request):
        self.url = request['url']
        self.state = request['state']
        self.headers = request.get('headers', {})
        self.root = os.path.join(self.state, 'root')
        for d in (self.root, self.path('cache'), self.path('log')):
            os.makedirs(d, exist_ok=True)
        self.calls = []

    def path(self, name):
        return os.path.join(self.state, name)

    def rpc(self, method, *params):
        """One POST on a new connection, as rhnlib does; Faults propagate."""
        self.calls.append(method)
        transport = GuestTransport(dict(self.headers))
        try:
            return getattr(xmlrpc.client.ServerProxy(self.url, transport=transport), method)(*params)
        finally:
            transport.close()

    def read(self, name):
        with open(self.path(name)) as f:
            return f.read()

    def write(self, name, text):
        with open(self.path(name), 'w') as f:
            f.write(text)

    @property
    def systemid(self):
        return self.read('systemid')

    def login(self):
        info = self.rpc('up2date.login', self.systemid)
        self.write('login.json', json.dumps(info))
        return info

    def login_info(self):
        return json.loads(self.read('login.json'))


# --- the rpm database of the installroot (rhn-client-tools' rpmUtils.getInstalledPackageList) ---

def installed_packages(root):
    out = []
    for h in rpm.TransactionSet(root).dbMatch():
        if not h['arch']:
            continue  # gpg-pubkey and the like carry no arch and are left out
        epoch = h['epoch']
        out.append({'name': h['name'], 'epoch': '' if epoch is None else str(epoch), 'version': h['version'],
                    'release': h['release'], 'arch': h['arch'], 'installtime': h['installtime']})
    out.sort(key=lambda p: (p['name'], p['epoch'], p['version'], p['release']))
    return out


def send_profile(g):
    """dnf-plugin-spacewalk's transaction hook: WM, then the whole profile."""
    g.rpc('registration.welcome_message')
    return g.rpc('registration.update_packages', g.systemid, installed_packages(g.root))


# --- dnf as dnf-plugin-spacewalk sets it up ---

def plugin_headers(login):
    """SpacewalkRepo's header list: an empty value written with the libcurl workaround; force_http
    is a one-element tuple (always true), so no X-RHN-Transport-Capability."""
    out = []
    for name in AUTH_HEADERS:
        value = login[name]
        if value in (None, ''):
            out.append('%s: \r\nX-libcurl-Empty-Header-Workaround: *' % name)
        else:
            out.append('%s: %s' % (name, value))
    return out


def dnf_base(g, login, channels, cachedir):
    base = dnf.Base()
    conf = base.conf
    conf.installroot = g.root
    conf.cachedir = cachedir
    conf.persistdir = os.path.join(g.root, 'var', 'lib', 'dnf')
    conf.logdir = g.path('log')
    conf.reposdir = []
    conf.gpgcheck = False
    conf.install_weak_deps = False
    conf.keepcache = True
    conf.substitutions['releasever'] = '8'
    versions_file = g.path('_spacewalk.json')
    cached = json.loads(g.read('_spacewalk.json')) if os.path.exists(versions_file) else {}
    for c in channels:
        if not c['last_modified']:
            continue  # the plugin skips channels without a version
        repo = dnf.repo.Repo(c['label'], conf)
        repo.name = c['name']
        repo.baseurl = [g.url + '/GET-REQ/' + c['label']]
        repo.retries = 1
        if cached.get(c['label']) != c['last_modified']:
            repo.metadata_expire = 1
        repo.set_http_headers(plugin_headers(login))
        base.repos.add(repo)
    g.write('_spacewalk.json', json.dumps({c['label']: c['last_modified'] for c in channels}))
    base.fill_sack(load_system_repo=True, load_available_repos=True)
    return base


def run_transaction(base):
    base.resolve()
    done = sorted(str(p) for p in base.transaction.install_set)
    base.download_packages(list(base.transaction.install_set))
    base.do_transaction()
    return done


def plugin_base(g, a):
    """The plugin's __init__: login from the pickle (or the step's `login`), then
    up2date.listChannels (or the step's `channels`, e.g. another guest's)."""
    channels = a.get('channels')
    if channels is None:
        channels = g.rpc('up2date.listChannels', g.systemid)
    cachedir = tempfile.mkdtemp(dir=g.state) if a.get('fresh_cache') else g.path('cache')
    return dnf_base(g, a.get('login') or g.login_info(), channels, cachedir), channels


def downloaded(g):
    """sha256 of every file dnf keeps in its cache (repodata and packages), by repo and name."""
    out = {}
    for dirpath, _, files in os.walk(g.path('cache')):
        for f in files:
            if f.endswith(('.rpm', '.xml', '.gz')) and ('/repodata' in dirpath or '/packages' in dirpath):
                with open(os.path.join(dirpath, f), 'rb') as fh:
                    repo = os.path.relpath(dirpath, g.path('cache')).split(os.sep)[0].rsplit('-', 1)[0]
                    out.setdefault(repo, {})[f] = hashlib.sha256(fh.read()).hexdigest()
    return out


# --- the errata.update and packages.update actions of the dnf plugin ---

def tup_to_pkg(query, tup):
    name, version, release, epoch = tup[:4]
    arch = tup[4] if len(tup) > 4 else ''
    q = {'name': name}
    if version:
        q['version'] = version
    if release:
        q['release'] = release
    if epoch:
        q['epoch'] = int(epoch)
    if arch:
        q['arch'] = arch
    found = query.filter(**q).run()
    return found[0] if found else None


def packages_update(g, login, package_list):
    base, _ = plugin_base(g, {'login': login})
    try:
        installed = base.sack.query().installed()
        available = base.sack.query().available()
        wanted, missing = [], []
        for tup in package_list:
            pkg = tup_to_pkg(available, tup)
            if pkg is None:
                missing.append(tup)
                continue
            if any(i.evr_cmp(pkg) >= 0 for i in installed.filter(name=pkg.name, arch=pkg.arch)):
                continue
            wanted.append(pkg)
        if not wanted:
            if missing:
                return [32, 'Failed: Packages failed to install properly: %r' % missing, {'version': '1', 'name': 'package_install_failure'}], []
            return [0, 'Requested packages already installed', {}], []
        for pkg in wanted:
            base.package_install(pkg)
        try:
            done = run_transaction(base)
        except dnf.exceptions.DepsolveError as e:
            return [18, 'Failed: packages requested raised dependency problems: %s' % e, {'version': '1', 'name': 'failed_deps'}], []
        except dnf.exceptions.Error as e:
            return [[6], 'Error while executing packages action: %s' % e, {}], []
    finally:
        base.close()
    send_profile(g)
    return [0, 'Update Succeeded', {}], done


def errata_update(g, login, ids, trail):
    info = []
    for i in ids:
        answer = g.rpc('errata.getErrataInfo', g.systemid, i)
        trail['errataInfo'].append(answer)
        info += answer
    by_arch = {p['name'] + p['arch']: p for p in installed_packages(g.root)}
    by_name = {p['name'] for p in installed_packages(g.root)}
    chosen = {}
    for p in info:
        if p[0] + p[4] in by_arch or p[0] + 'noarch' in by_arch or (p[4] == 'noarch' and p[0] in by_name):
            chosen[p[0] + p[4]] = p
    if not chosen:
        return [39, 'No packages from that errata are available', {'version': '0', 'name': 'errata.update.no_packages', 'erratas': ids}], []
    return packages_update(g, login, list(chosen.values()))


def uptime():
    with open('/proc/uptime') as f:
        up, idle = f.read().split()[:2]
    return [int(float(up)), int(float(idle))]


def run_action(g, action, login, trail):
    params, method = xmlrpc.client.loads(action['action'])
    trail.update({'id': action['id'], 'version': action['version'], 'method': method, 'params': decode(params), 'errataInfo': []})
    if method == 'errata.update':
        return errata_update(g, login, params[0], trail)
    if method == 'packages.update':
        return packages_update(g, login, params[0])
    return [6, 'Invalid function call attempted', {}], []


def op_rhn_check(g, a):
    """rhn_check (8.4): queue.get until nothing is left, each action run and submitted."""
    actions = []
    status = {'uname': list(os.uname()), 'uptime': uptime()}
    while True:
        action = g.rpc('queue.get', g.systemid, 2, status)
        if action == '':
            break
        login = g.login()
        trail = {}
        result, installed = run_action(g, action, login, trail)
        trail['result'] = result
        trail['transaction'] = installed
        trail['submit'] = g.rpc('queue.submit', g.systemid, action['id'], *result)
        actions.append(trail)
        if len(actions) > 10:
            raise RuntimeError('the queue keeps handing out actions')
    g.rpc('registration.welcome_message')
    future = g.rpc('queue.get_future_actions', g.systemid, 24)
    return {'actions': actions, 'future': future}


# --- the other steps ---

def op_rhnreg_ks(g, a):
    """rhnreg_ks --activationkey (8.1): WM, new_system, WM + hardware, WM + packages, systemid saved."""
    g.rpc('registration.welcome_message')
    g.rpc('registration.welcome_message')
    smbios = {k: '' for k in ['smbios.system.uuid', 'smbios.bios.vendor', 'smbios.system.serial', 'smbios.system.manufacturer',
                              'smbios.system.product', 'smbios.system.skunumber', 'smbios.system.family', 'smbios.system.version']}
    data = {'profile_name': a['profile_name'], 'os_release': '8', 'release_name': 'redhat-release', 'architecture': 'x86_64',
            'token': a['token'], 'smbios': smbios}
    systemid = g.rpc('registration.new_system', data)
    g.write('systemid', systemid)
    g.rpc('registration.welcome_message')
    hw = g.rpc('registration.add_hw_profile', systemid, a['hardware'])
    g.rpc('registration.welcome_message')
    pk = g.rpc('registration.add_packages', systemid, a['packages'])
    return {'systemid': systemid, 'add_hw_profile': hw, 'add_packages': pk}


def op_dnf_install(g, a):
    """`dnf install <specs>` through the plugin's repos; the profile is sent only when asked."""
    base, channels = plugin_base(g, a)
    try:
        for spec in a['specs']:
            base.install(spec)
        done = run_transaction(base)
    finally:
        base.close()
    out = {'channels': [c['label'] for c in channels], 'transaction': done, 'cache': downloaded(g)}
    if a.get('report'):
        out['update_packages'] = send_profile(g)
    return out


def op_updateinfo(g, a):
    """`dnf updateinfo list --all`: each advisory package newer than or equal to an installed one."""
    base, _ = plugin_base(g, a)
    try:
        q = base.sack.query().installed()
        out = []
        for cmp, installed in ((hawkey.GT, False), (hawkey.EQ, True)):
            for apkg in q.get_advisory_pkgs(cmp):
                adv = apkg.get_advisory(base.sack)
                kind = {hawkey.ADVISORY_SECURITY: 'security', hawkey.ADVISORY_BUGFIX: 'bugfix', hawkey.ADVISORY_ENHANCEMENT: 'enhancement'}.get(adv.type, 'other')
                out.append({'id': adv.id, 'type': kind, 'severity': adv.severity, 'package': '%s-%s.%s' % (apkg.name, apkg.evr, apkg.arch), 'installed': installed})
    finally:
        base.close()
    return {'advisories': sorted(out, key=lambda x: (x['id'], x['package']))}


def op_get(g, a):
    """One GET-REQ request with the login's headers (or others), as urllib sends it."""
    login = a.get('login') or g.login_info()
    headers = {k: str(login[k]) for k in AUTH_HEADERS}
    for k, v in a.get('headers', {}).items():
        if v is None:
            headers.pop(k, None)
        else:
            headers[k] = v
    req = urllib.request.Request(g.url + '/GET-REQ/' + a['path'], headers=headers, method=a.get('method', 'GET'))
    try:
        res = urllib.request.urlopen(req)
    except urllib.error.HTTPError as e:
        res = e
    body = res.read()
    fault_lines = res.headers.get_all('X-RHN-Fault-String') or []
    return {'status': res.status if hasattr(res, 'status') else res.code, 'headers': [[k, v] for k, v in res.headers.items()],
            'length': len(body), 'sha256': hashlib.sha256(body).hexdigest(), 'sqlite': body.startswith(b'SQLite format'),
            'faultCode': res.headers.get('X-RHN-Fault-Code'),
            'faultString': base64.b64decode(''.join(fault_lines)).decode('utf-8', 'replace') if fault_lines else None}


def forged(g, how):
    """The stored systemid with its checksum, a signed field (`field:<name>`), an unsigned one
    (`unsigned:<name>`) or its system_id (`id:<n>`) changed; `redumped` re-encodes it unchanged."""
    doc = g.systemid
    s = xmlrpc.client.loads(doc)[0][0]
    kind, _, arg = how.partition(':')
    if kind == 'checksum':
        c = s['checksum']
        s['checksum'] = c[:-1] + ('0' if c[-1] != '0' else '1')
    elif kind in ('field', 'unsigned'):
        assert (arg in s['fields']) == (kind == 'field'), '%s is%s a signed field' % (arg, ' not' if kind == 'field' else '')
        s[arg] = s[arg] + 'x'
    elif kind == 'id':
        s['system_id'] = 'ID-' + arg
    elif kind != 'redumped':
        raise ValueError(how)
    return '<?xml version="1.0"?>\n' + xmlrpc.client.dumps((s,))


def placeholders(g, value):
    if isinstance(value, dict):
        if set(value) == {'__systemid__'}:
            return g.systemid if value['__systemid__'] == 'own' else forged(g, value['__systemid__'])
        return {k: placeholders(g, v) for k, v in value.items()}
    if isinstance(value, list):
        return [placeholders(g, v) for v in value]
    return value


def op_call(g, a):
    """Any /XMLRPC call; {"__systemid__": "own" | "checksum" | "profile" | "id:<n>"} is this guest's
    systemid, as stored or forged."""
    try:
        return {'answer': decode(g.rpc(a['method'], *placeholders(g, a['params'])))}
    except xmlrpc.client.Fault as f:
        return {'fault': {'faultCode': f.faultCode, 'faultString': f.faultString}}


OPS = {
    'rhnreg_ks': op_rhnreg_ks,
    'login': lambda g, a: g.login(),
    'list_channels': lambda g, a: g.rpc('up2date.listChannels', g.systemid),
    'dnf_install': op_dnf_install,
    'updateinfo': op_updateinfo,
    'update_packages': lambda g, a: {'profile': installed_packages(g.root), 'answer': send_profile(g)},
    'installed': lambda g, a: installed_packages(g.root),
    'cache': lambda g, a: downloaded(g),
    'rhn_check': op_rhn_check,
    'get': op_get,
    'call': op_call,
}


def main():
    request = json.load(sys.stdin)
    g = Guest(request)
    out = []
    for step in request['steps']:
        g.calls = []
        try:
            result = {'result': decode(OPS[step['op']](g, step))}
        except xmlrpc.client.Fault as f:
            result = {'error': 'fault %d: %s' % (f.faultCode, f.faultString), 'fault': f.faultCode}
        except Exception as e:  # reported to the test, which decides whether a failure was expected
            result = {'error': '%s: %s' % (type(e).__name__, e), 'trace': traceback.format_exc()}
        result['op'] = step['op']
        result['calls'] = g.calls
        out.append(result)
    json.dump(out, sys.stdout)


main()
