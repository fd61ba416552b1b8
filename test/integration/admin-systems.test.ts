// system.* reads against a real server with Python's xmlrpc.client: one system's record and
// hardware (checked against what the traced client sent), the lists of systems, system.search,
// and relevance (upgrades, relevant errata, affected systems) checked against a python3-rpm
// oracle reading the same data through the API. Every answer's shape is checked against admin-api.md.
import t, { type Test } from 'tap';
import { hasRole } from '../../channels/index.js';
import { pythonJson } from '../support/python.js';
import type { Reply, Wire } from '../support/replay.js';
import { answer, call, registerSystem, S, tracedHardware } from '../support/system-fixtures.js';
import { problems } from '../support/system-shapes.js';
import { BASE, CHILD, systemWorld, WEB_PACKAGES, type SystemWorld } from '../support/system-world.js';

type Row = Record<string, Wire>;
let w: SystemWorld;

t.before(async () => {
  w = await systemWorld();
});
t.teardown(() => w?.stop());

/** Calls `[method, ...params]` as the admin; each answer is also checked against its shape. */
async function run(t: Test, calls: [string, ...unknown[]][]): Promise<Reply[]> {
  const replies = await call(w.server, calls.map(([method, ...params]) => ({ method, params: [S, ...params] })));
  replies.forEach((r, i) => t.same(problems(calls[i]![0], calls[i]!.length, r), [], `${calls[i]![0]}: answer as admin-api.md says`));
  return replies;
}
const rows = (r: Reply): Row[] => answer<Row[]>(r);
const names = (r: Reply): string[] => rows(r).map((x) => x['name'] as string);
const faultOf = (r: Reply): number | undefined => r.fault?.faultCode;

t.test('one system: record, network and hardware as the client reported them', async (t) => {
  const hw = tracedHardware() as Row[];
  const byClass = (c: string): Row => hw.find((i) => i['class'] === c)!;
  const [details, name, reg, kernel, uuid, dbUuid, osa, net, ents, cpu, dmi, mem, devices, nics] = await run(t, [
    ['system.getDetails', w.web.id], ['system.getName', w.web.id], ['system.getRegistrationDate', w.web.id],
    ['system.getRunningKernel', w.web.id], ['system.getUuid', w.web.id], ['system.getUuid', w.dbServer.id], ['system.getOsaPing', w.web.id],
    ['system.getNetwork', w.web.id], ['system.getEntitlements', w.web.id], ['system.getCpu', w.web.id], ['system.getDmi', w.web.id],
    ['system.getMemory', w.web.id], ['system.getDevices', w.web.id], ['system.getNetworkDevices', w.web.id],
  ]);
  const d = answer<Row>(details!);
  t.match(d, { id: w.web.id, profile_name: 'web1.example.com', description: 'front web server', release: '8', base_entitlement: 'enterprise_entitled', lock_status: false, auto_update: false, osa_status: 'unknown' });
  t.equal(d['hostname'], byClass('NETINFO')['hostname'], 'hostname from NETINFO');
  t.match(answer(name!), { id: w.web.id, name: 'web1.example.com', last_checkin: { __datetime__: String } });
  t.ok(typeof answer<Row>(reg!) === 'object', 'registration date is a dateTime');
  t.equal(answer(kernel!), 'Unknown', 'no kernel reported yet');
  t.equal(answer(uuid!), '');
  t.equal(answer(dbUuid!), '4c4c4544-0032-3010-8030-b4c04f4e4a31');
  t.same(answer(osa!), { state: 'unknown', lastMessageTime: { __datetime__: '19700101T00:00:00' }, lastPingTime: { __datetime__: '19700101T00:00:00' } });
  t.same(answer(net!), { ip: byClass('NETINFO')['ipaddr'], ip6: byClass('NETINFO')['ip6addr'], hostname: byClass('NETINFO')['hostname'] });
  t.same(answer(ents!), ['enterprise_entitled']);
  const c = byClass('CPU');
  t.match(answer(cpu!), { vendor: c['type'], model: c['model'], family: c['model_number'], stepping: c['model_rev'], cache: c['cache'], mhz: String(c['speed']), count: String(c['count']), arch: c['platform'], socket_count: c['socket_count'], flags: c['other'] });
  t.match(answer(dmi!), { asset: byClass('DMI')['asset'], board: '' });
  t.same(answer(mem!), { ram: Number(byClass('MEMORY')['ram']), swap: Number(byClass('MEMORY')['swap']) });
  const sent = hw.filter((i) => ['OTHER', 'HD'].includes(i['class'] as string));
  t.same(rows(devices!).map((x) => [x['device_class'], x['description'], x['driver'], x['bus'], x['prop1'] ?? null]),
    sent.map((i) => [i['class'], i['desc'], i['driver'], i['bus'], i['prop1'] ?? null]), 'one Device per device item, in order');
  const ifaces = byClass('NETINTERFACES');
  const eth0 = rows(nics!).find((n) => n['interface'] === 'eth0')!;
  const sentEth0 = ifaces['eth0'] as Row;
  t.same(eth0, {
    ip: sentEth0['ipaddr'], interface: 'eth0', netmask: sentEth0['netmask'], hardware_address: sentEth0['hwaddr'], module: sentEth0['module'], broadcast: sentEth0['broadcast'],
    ipv6: (sentEth0['ipv6'] as Row[]).map((a) => ({ address: a['addr'], netmask: String(a['netmask']), scope: a['scope'] })),
  });
  t.equal(rows(nics!).length, Object.keys(ifaces).filter((k) => k !== 'class').length, 'every interface');
});

t.test('systems without hardware, channels and the unknown', async (t) => {
  const foreignOrg = Number(w.db.stores.db.prepare('INSERT INTO orgs (name, created) VALUES (?, ?)').run('Foreign Org', 0).lastInsertRowid);
  const foreign = await w.db.stores.systems.create({ orgId: foreignOrg, name: 'theirs', secret: 'a'.repeat(64), osRelease: '8', releaseName: 'r', architecture: 'x86_64' });
  const [cpu, dmi, base, children, subscribable, unknown, theirs] = await run(t, [
    ['system.getCpu', w.dbServer.id], ['system.getDmi', w.dbServer.id], ['system.getSubscribedBaseChannel', w.old.id],
    ['system.listSubscribedChildChannels', w.dbServer.id], ['system.listSubscribableChildChannels', w.dbServer.id],
  ]).then(async (r) => [...r, ...(await call(w.server, [{ method: 'system.getDetails', params: [S, 1] }, { method: 'system.getDetails', params: [S, foreign.id] }]))]);
  t.same(answer(cpu!), {}, 'no CPU item: {} (as Spacewalk)');
  t.same(answer(dmi!), {});
  t.same(answer(base!), {}, 'no base channel: {}');
  t.same(answer(children!), []);
  t.same(rows(subscribable!).map((c) => c['label']), [CHILD], 'the child of its base it lacks');
  t.equal(faultOf(unknown!), -208);
  t.equal(unknown!.fault!.faultString, 'redstone.xmlrpc.XmlRpcFault: No such system - sid = 1');
  t.equal(faultOf(theirs!), -208, "another org's system is unknown here");
  t.equal(theirs!.fault!.faultString, `redstone.xmlrpc.XmlRpcFault: No such system - sid = ${foreign.id}`);
  await w.db.stores.systems.delete(foreignOrg, [foreign.id]);
});

t.test('lists of systems', async (t) => {
  const alpha12 = w.pkg['alpha-1.2-1.noarch']!;
  const replies = await run(t, [
    ['system.listSystems'], ['system.listActiveSystems'], ['system.listInactiveSystems'], ['system.listInactiveSystems', 5],
    ['system.listUserSystems'], ['system.listUserSystems', w.server.adminUser], ['system.getId', 'web1.example.com'], ['system.searchByName', '^(WEB|db)1'],
    ['system.listSystemsWithPackage', alpha12], ['system.listSystemsWithPackage', 'alpha', '1.0', '1'], ['system.listOutOfDateSystems'],
    ['system.listActiveSystemsDetails', [w.web.id, w.old.id]], ['system.listSuggestedReboot'],
  ]);
  const all = ['db1.example.com', 'old1.example.com', 'web1.example.com'];
  t.same(names(replies[0]!), all, 'by name');
  t.same(names(replies[1]!), ['db1.example.com', 'web1.example.com'], 'checked in within a day');
  t.same(names(replies[2]!), ['old1.example.com'], 'inactive for a day (the default)');
  t.same(names(replies[3]!), [], 'nobody inactive for 5 days');
  t.same(names(replies[4]!), all);
  t.same(names(replies[5]!), all);
  t.same(rows(replies[6]!).map((r) => r['id']), [w.web.id]);
  t.same(names(replies[7]!), ['db1.example.com', 'web1.example.com'], 'case-insensitive regular expression');
  t.same(names(replies[8]!), ['db1.example.com'], 'installed alpha-1.2-1');
  t.same(names(replies[9]!), ['old1.example.com', 'web1.example.com'], 'installed alpha-1.0-1');
  t.same(names(replies[10]!).sort(), ['db1.example.com', 'web1.example.com'], 'systems needing a package (old1 has no channel)');
  t.same(rows(replies[11]!).map((r) => r['id']), [w.web.id], 'details of active systems only');
  t.match(rows(replies[11]!)[0], { ram: 24105, subscribed_channels: [{ channel_label: BASE }, { channel_label: CHILD }], active_guest_system_ids: [] });
  t.same(answer(replies[12]!), [], 'no errata applied yet');
  const bad = await call(w.server, [
    { method: 'system.listUserSystems', params: [S, 'nobody-here'] }, { method: 'system.searchByName', params: [S, '('] },
    { method: 'system.listSystemsWithPackage', params: [S, 999999] },
  ]);
  t.same(bad.map(faultOf), [-213, -1, 2300]);
  t.equal(bad[2]!.fault!.faultString, 'redstone.xmlrpc.XmlRpcFault: Invalid package: 999999');
});

t.test('system.search finds fields and devices of the org', async (t) => {
  const hw = tracedHardware() as Row[];
  const virtio = hw.filter((i) => typeof i['desc'] === 'string' && /virtio/i.test(i['desc'] as string));
  const replies = await run(t, [
    ['system.search.hostname', 'VM'], ['system.search.ip', '127.0.0'], ['system.search.nameAndDescription', 'FRONT web'], ['system.search.uuid', '4C4C4544'],
    ['system.search.deviceDescription', 'virtio'], ['system.search.deviceDriver', 'virtio-pci'], ['system.search.deviceVendorId', '1af4'], ['system.search.hostname', 'no-such-host'],
  ]);
  t.same(rows(replies[0]!).map((r) => r['id']), [w.web.id]);
  t.same(rows(replies[1]!).map((r) => r['id']), [w.web.id]);
  t.same(rows(replies[2]!).map((r) => r['id']), [w.web.id], 'matched in the description');
  t.same(rows(replies[3]!).map((r) => r['id']), [w.dbServer.id]);
  t.notOk('hw_driver' in rows(replies[0]!)[0]!, 'no hw_* members on a field hit');
  t.same(rows(replies[4]!).map((r) => r['hw_description']), virtio.map((i) => i['desc']), 'one hit per matching device');
  t.same(rows(replies[5]!).map((r) => r['hw_driver']), hw.filter((i) => i['driver'] === 'virtio-pci').map((i) => i['driver']));
  t.same(rows(replies[6]!).map((r) => [r['hw_vendor_id'], r['hw_device_id']]), hw.filter((i) => i['prop1'] === '1AF4').map((i) => [i['prop1'], i['prop2']]));
  t.same(answer(replies[7]!), []);
  const empty = await call(w.server, [{ method: 'system.search.hostname', params: [S, '  '] }]);
  t.equal(faultOf(empty[0]!), 2902, 'an empty query is a bad query');
});

// The definition in the issue, written in Python with rpm.labelCompare: an installed package is
// upgradable by the newest newer build of its name with a matching arch (noarch matches any) in
// the system's channels; an erratum is relevant when one of its packages is such a newer build
// and the erratum is in one of the system's channels.
const ORACLE = String.raw`
import json, sys, rpm
d = json.load(sys.stdin)
ev = lambda p: (p['epoch'].strip() or None, p['version'], p['release'])
match = lambda a, b: a == b or a == 'noarch' or b == 'noarch'
newest = {}
for p in d['installed']:
    k = (p['name'], p['arch'])
    if k not in newest or rpm.labelCompare(ev(p), ev(newest[k])) > 0: newest[k] = p
ups = []
for (name, arch), inst in sorted(newest.items()):
    cands = [b for b in d['builds'] if b['name'] == name and match(arch, b['arch_label']) and rpm.labelCompare(ev(b), ev(inst)) > 0]
    if cands:
        best = cands[0]
        for b in cands[1:]:
            if rpm.labelCompare(ev(b), ev(best)) > 0: best = b
        ups.append([name, arch, best['id']])
def newer(pid):
    b = next((x for x in d['builds'] if x['id'] == pid), None)
    return b is not None and any(match(a, b['arch_label']) and rpm.labelCompare(ev(b), ev(i)) > 0 for (n, a), i in newest.items() if n == b['name'])
errata = sorted(e['advisory'] for e in d['errata'] if any(newer(p) for p in e['packages']))
print(json.dumps({'upgrades': ups, 'errata': errata}))
`;

async function oracleFor(t: Test, sid: number, channels: string[]): Promise<{ upgrades: [string, string, number][]; errata: string[] }> {
  const calls: [string, ...unknown[]][] = [['system.listPackages', sid], ...channels.map((c): [string, string] => ['channel.software.listAllPackages', c]), ...channels.map((c): [string, string] => ['channel.software.listErrata', c])];
  const replies = await call(w.server, calls.map(([method, ...params]) => ({ method, params: [S, ...params] })));
  const builds = replies.slice(1, 1 + channels.length).flatMap((r) => rows(r));
  const advisories = [...new Set(replies.slice(1 + channels.length).flatMap((r) => rows(r).map((e) => e['advisory_name'] as string)))];
  const pkgReplies = await call(w.server, advisories.map((a) => ({ method: 'errata.listPackages', params: [S, a] })));
  const errata = advisories.map((a, i) => ({ advisory: a, packages: rows(pkgReplies[i]!).map((p) => p['id']) }));
  t.ok(builds.length > 0 && errata.length > 0, 'the oracle sees channel packages and errata');
  return pythonJson(ORACLE, [], JSON.stringify({ installed: rows(replies[0]!), builds, errata }));
}

t.test('relevance agrees with a python3-rpm oracle reading the same data', async (t) => {
  for (const [sys, channels] of [[w.web, [BASE, CHILD]], [w.dbServer, [BASE]]] as const) {
    const expected = await oracleFor(t, sys.id, [...channels]);
    const [ups, relevant] = await run(t, [['system.listLatestUpgradablePackages', sys.id], ['system.getRelevantErrata', sys.id]]);
    t.same(rows(ups!).map((u) => [u['name'], u['from_arch'], u['to_package_id']]), expected.upgrades, `${sys.name}: upgrades`);
    t.same(rows(relevant!).map((e) => e['advisory_name']).sort(), expected.errata, `${sys.name}: relevant errata`);
    const dates = rows(relevant!).map((e) => e['update_date'] as string).map((x) => { const [m, d, y] = x.split('/').map(Number); return y! * 10000 + m! * 100 + d!; });
    t.same(dates, [...dates].sort((a, b) => b - a), 'newest update first');
  }
  t.ok((await oracleFor(t, w.web.id, [BASE, CHILD])).errata.includes('SYS-BA-4'), 'the child channel erratum counts for a subscriber');
  const byType = await run(t, [['system.getRelevantErrataByType', w.web.id, 'Security Advisory'], ['system.getUnscheduledErrata', w.web.id]]);
  t.ok(rows(byType[0]!).every((e) => e['advisory_type'] === 'Security Advisory') && rows(byType[0]!).length === 2, 'two security errata');
  t.same(rows(byType[1]!).map((e) => e['advisory_name']).sort(), (await oracleFor(t, w.web.id, [BASE, CHILD])).errata, 'nothing scheduled: unscheduled = relevant');
});

t.test('errata.listAffectedSystems and channel.software.listSubscribedSystems answer for real', async (t) => {
  const replies = await run(t, [
    ['errata.listAffectedSystems', 'SYS-BA-2'], ['errata.listAffectedSystems', 'SYS-BA-4'], ['errata.listAffectedSystems', 'SYS-EA-3'],
    ['channel.software.listSubscribedSystems', BASE], ['channel.software.listSubscribedSystems', CHILD],
  ]);
  t.same(names(replies[0]!).sort(), ['db1.example.com', 'web1.example.com'], 'beta 1:1.5 upgrades both');
  t.same(names(replies[1]!), ['web1.example.com'], 'only web1 has the child channel');
  t.same(names(replies[2]!), [], 'an i686 build does not upgrade x86_64 gamma');
  t.same(names(replies[3]!), ['db1.example.com', 'web1.example.com']);
  t.same(rows(replies[4]!), [{ id: w.web.id, name: 'web1.example.com' }]);
});

t.test('packages of a system: installed, installable, available, extra', async (t) => {
  const [listed, installable, available, none, extra, withExtra] = await run(t, [
    ['system.listPackages', w.web.id], ['system.listLatestInstallablePackages', w.dbServer.id], ['system.listLatestAvailablePackage', [w.web.id, w.dbServer.id], 'alpha'],
    ['system.listLatestAvailablePackage', [w.web.id], 'no-such-package'], ['system.listExtraPackages', w.web.id], ['system.listSystemsWithExtraPackages'],
  ]);
  const label = (p: Row): string => `${p['name']}-${p['epoch'] === ' ' ? '' : `${p['epoch']}:`}${p['version']}-${p['release']}.${p['arch']}`;
  t.same(rows(listed!).map(label).sort(), WEB_PACKAGES.map((p) => `${p.name}-${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}.${p.arch}`).sort(), 'the uploaded profile');
  t.ok(rows(listed!).every((p) => p['epoch'] === ' '), 'a missing epoch is " "');
  const dbHas = new Set(['alpha', 'beta', 'zeta', 'kern']);
  const [base] = await call(w.server, [{ method: 'channel.software.listAllPackages', params: [S, BASE] }]);
  const expectNames = [...new Set(rows(base!).map((p) => p['name'] as string).filter((n) => !dbHas.has(n)))].sort();
  t.same([...new Set(rows(installable!).map((p) => p['name']))].sort(), expectNames, 'newest builds of names db1 lacks');
  t.same(rows(available!).map((r) => [r['id'], (r['package'] as Row)['id']]), [[w.web.id, w.pkg['alpha-1.2-1.noarch']], [w.dbServer.id, w.pkg['alpha-1.2-1.noarch']]]);
  t.same(answer(none!), []);
  const inChannels = new Set(Object.keys(w.pkg).filter((l) => w.pkgChannel[l] === BASE || w.pkgChannel[l] === CHILD));
  const expectedExtra = WEB_PACKAGES.map((p) => `${p.name}-${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}.${p.arch}`).filter((l) => !inChannels.has(l)).sort();
  t.same(rows(extra!).map((p) => `${p['name']}-${p['version']}-${p['release']}.${p['arch']}`).sort(), expectedExtra, 'installed builds no channel holds');
  t.match(rows(withExtra!).find((r) => r['id'] === w.web.id), { extra_pkg_count: expectedExtra.length });
});

t.test('a user without org_admin cannot list another user systems; roles come from the user', async (t) => {
  const [made] = await call(w.server, [{ method: 'user.create', params: [S, 'sysviewer', 'viewer-pw-1', 'V', 'W', 'v@example.invalid'] }]);
  t.equal(answer(made!), 1);
  const u = (await w.db.stores.users.getUserByLogin('sysviewer'))!;
  t.notOk(hasRole(u, 'org_admin'));
  const r = await call(w.server, [
    { method: 'system.listUserSystems', params: [S, w.server.adminUser] }, { method: 'system.listUserSystems', params: [S] },
    { method: 'system.listSystems', params: [S] },
  ], ['sysviewer', 'viewer-pw-1']);
  t.equal(faultOf(r[0]!), -23);
  t.equal(rows(r[1]!).length, 3, 'the org systems');
  t.equal(rows(r[2]!).length, 3);
  const extra = await registerSystem(w.db, { name: 'zz-temp.example.com' });
  const [listed] = await call(w.server, [{ method: 'system.listSystems', params: [S] }]);
  t.ok(names(listed!).includes('zz-temp.example.com'), 'a system registered meanwhile is listed');
  await w.db.stores.systems.delete(w.db.org, [extra.id]);
});
