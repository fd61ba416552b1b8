// Profile uploads (client-protocol.md §3.6, §3.7): the package and hardware lists the recorded
// clients sent, both package shapes, epoch forms, fault 21 on bad lists, and the hardware rules
// (case-insensitive keys, CPU/MEMORY/NETINFO/DMI fields, NETINTERFACES checks -> fault 53,
// unknown classes ignored).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from '../support/server.js';
import { ClientFault, normaliseHardwareList, normalisePackageDelta, normalisePackageList, type HardwareRecord } from '../../client-shim/index.js';

interface TraceCall {
  method: string;
  params: unknown[];
}
function recorded(flow: string, method: string): unknown[][] {
  return readFileSync(join(SHARED, 'traces', `${flow}.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { call?: TraceCall }).call)
    .filter((c): c is TraceCall => c?.method === method)
    .map((c) => c.params);
}

function faultCode(fn: () => unknown): number | null {
  try {
    fn();
  } catch (err) {
    if (err instanceof ClientFault) return err.code;
    throw err;
  }
  return null;
}

t.test('the package lists the recorded clients sent', async (t) => {
  const uploads = [...recorded('rhnreg_ks-activationkey', 'registration.add_packages'), ...recorded('rhn_check-packages-update', 'registration.update_packages'), ...recorded('rhn-profile-sync', 'registration.update_packages')];
  t.ok(uploads.length >= 3);
  for (const [, list] of uploads) {
    const sent = list as Record<string, unknown>[];
    const got = normalisePackageList(sent);
    t.equal(got.length, sent.length, 'one record per package');
    t.same(
      got,
      sent.map((p) => ({ name: p['name'], epoch: p['epoch'], version: p['version'], release: p['release'], arch: p['arch'], installtime: p['installtime'] })),
      'struct shape (extended_profile 2): every field kept',
    );
  }
});

t.test('array shape, epochs, arch, installtime', async (t) => {
  t.same(normalisePackageList([['zsh', '5.0.2', '34.el7', '']]), [{ name: 'zsh', epoch: '', version: '5.0.2', release: '34.el7', arch: '', installtime: null }]);
  t.same(normalisePackageList([['zsh', '5.0.2', '34.el7', '1', 'x86_64', 'cookie']]), [{ name: 'zsh', epoch: '1', version: '5.0.2', release: '34.el7', arch: 'x86_64', installtime: null }]);
  const epochs = normalisePackageList([
    { name: 'a', version: '1', release: '1', epoch: '(none)', arch: 'noarch' },
    { name: 'b', version: '1', release: '1', arch: 'noarch' },
    { name: 'c', version: '1', release: '1', epoch: 2, arch: 'noarch', installtime: '1700000000' },
    ['d', '1', '1', '(none)'],
    { name: 'e', version: '1', release: '1', epoch: '0', arch: 'x86_64', installtime: 'soon' },
  ]);
  t.same(epochs.map((p) => p.epoch), ['', '', '2', '', '0'], "'(none)' and missing are '', numbers become text, '0' stays");
  t.same(epochs.map((p) => p.installtime), [null, null, 1700000000, null, null]);
  t.same(normalisePackageList([{ name: 'gpg-pubkey', version: '1', release: '2' }])[0]!.arch, '', 'a missing arch is empty');
  const dup = normalisePackageList([
    { name: 'x', version: '1', release: '1', epoch: '', arch: 'noarch', installtime: 5 },
    ['x', '1', '1', '', 'noarch'],
    { name: 'x', version: '1', release: '1', epoch: '', arch: 'i686', installtime: 6 },
  ]);
  t.same(dup.map((p) => [p.arch, p.installtime]), [['noarch', 5], ['i686', 6]], 'the same NEVRA twice is one row; other arches stay');
  t.same(normalisePackageList([]), []);
});

t.test('bad package lists are fault 21', async (t) => {
  const bad: [unknown, string][] = [
    [{ name: 'x' }, 'a struct instead of an array'],
    ['zsh', 'a string'],
    [[['zsh', '1', '1']], 'an array of 3'],
    [['zsh-1-1.x86_64'], 'an element that is a string'],
    [[{ name: 'x', release: '1' }], 'a struct without version'],
    [[{ name: ['x'], version: '1', release: '1' }], 'a name that is not text'],
    [[{ name: '', version: '1', release: '1' }], 'an empty name'],
    [[{ name: 'x', version: '1', release: '1', epoch: { e: 1 } }], 'an epoch that is a struct'],
  ];
  for (const [v, why] of bad) t.equal(faultCode(() => normalisePackageList(v)), 21, why);
  t.same(normalisePackageDelta({ added: [['a', '1', '1', '']] }), { added: [{ name: 'a', epoch: '', version: '1', release: '1', arch: '', installtime: null }], deleted: [] });
  t.same(normalisePackageDelta({}), { added: [], deleted: [] }, 'either key may be missing');
  t.equal(faultCode(() => normalisePackageDelta([[]])), 21, 'delta not a struct');
  t.equal(faultCode(() => normalisePackageDelta({ deleted: 'x' })), 21, 'delta with a non-list');
});

const byClass = (records: HardwareRecord[], cls: string): Record<string, unknown>[] => records.filter((r) => r.class === cls).map((r) => r.data);

t.test('the hardware lists the recorded clients sent', async (t) => {
  const lists = [...recorded('rhnreg_ks-activationkey', 'registration.add_hw_profile'), ...recorded('rhn-profile-sync', 'registration.refresh_hw_profile')];
  t.ok(lists.length >= 2);
  for (const [, list] of lists) {
    const sent = list as Record<string, unknown>[];
    const got = normaliseHardwareList(sent);
    t.equal(got.length, sent.length, 'every item of a known class is kept');
    t.same(got.map((r) => r.class), sent.map((i) => String(i['class']).toUpperCase()));
    const cpuIn = sent.find((i) => i['class'] === 'CPU')!;
    t.same(byClass(got, 'CPU')[0], {
      arch: cpuIn['platform'], count: cpuIn['count'], socket_count: cpuIn['socket_count'], vendor: cpuIn['type'], model: cpuIn['model'],
      family: cpuIn['model_number'], version: cpuIn['model_ver'], stepping: cpuIn['model_rev'], cache: cpuIn['cache'],
      bogomips: cpuIn['bogomips'], flags: cpuIn['other'], mhz: String(cpuIn['speed']),
    });
    const memIn = sent.find((i) => i['class'] === 'MEMORY')!;
    t.same(byClass(got, 'MEMORY')[0], { ram: Number(memIn['ram']), swap: Number(memIn['swap']) });
    const netIn = sent.find((i) => i['class'] === 'NETINTERFACES')! as Record<string, Record<string, unknown>>;
    const ifaces = byClass(got, 'NETINTERFACES')[0]!['interfaces'] as { name: string; hwaddr: string; module: string; ipv6: { address: string; netmask: string; scope: string }[] }[];
    t.same(ifaces.map((i) => i.name).sort(), Object.keys(netIn).filter((k) => k !== 'class').sort());
    for (const i of ifaces) {
      t.equal(i.hwaddr, netIn[i.name]!['hwaddr']);
      t.equal(i.module, netIn[i.name]!['module']);
      t.same(i.ipv6, (netIn[i.name]!['ipv6'] as Record<string, unknown>[]).map((a) => ({ address: a['addr'], netmask: String(a['netmask']), scope: a['scope'] })));
    }
    const device = byClass(got, 'OTHER')[0]!;
    const devIn = sent.find((i) => i['class'] === 'OTHER')!;
    t.equal(device['description'], devIn['desc']);
    t.equal(device['pcitype'], devIn['pciType'], 'pciType read case-insensitively');
    t.equal(device['prop1'], devIn['prop1']);
  }
});

t.test('hardware rules', async (t) => {
  const got = normaliseHardwareList([
    { CLASS: 'cpu', Platform: 'ppc64le', COUNT: '0', speed: '"3000"' },
    { class: 'MEMORY', ram: '2048L', swap: 'None' },
    { class: 'NETINFO', hostname: 'h', ipaddr: '010.001.000.009', ip6addr: '' },
    { class: 'DMI', vendor: 'v'.repeat(300), bios_release: ' 2020 ' },
    { class: 'INSTALLINFO', INSTALLMETHOD: 'cdrom', ISOSTATUS: 'ok', MEDIASUM: 'abc' },
    { class: 'NETINTERFACES', eth0: { hw_addr: 'aa', module: 'e1000', ipaddr: '192.168.001.002' }, Class: 'NETINTERFACES' },
    { class: 'SOUND_BLASTER', desc: 'unknown class' },
    { desc: 'no class at all' },
    '',
  ]);
  t.same(got.map((r) => r.class), ['CPU', 'MEMORY', 'NETINFO', 'DMI', 'INSTALLINFO', 'NETINTERFACES'], 'unknown and class-less items are dropped');
  t.match(byClass(got, 'CPU')[0], { arch: 'ppc64le', count: 1, mhz: '3000', socket_count: null }, 'count 0 -> 1, quotes stripped, keys in any case');
  t.same(byClass(got, 'MEMORY')[0], { ram: 2048, swap: -1 }, 'a trailing L is dropped; None is -1');
  t.equal(byClass(got, 'NETINFO')[0]!['ipaddr'], '10.1.0.9', 'zero-padded octets cleaned');
  t.equal((byClass(got, 'DMI')[0]!['vendor'] as string).length, 256, 'DMI values cut to 256');
  t.equal(byClass(got, 'DMI')[0]!['bios_release'], '2020');
  t.same(byClass(got, 'INSTALLINFO')[0], { install_method: 'cdrom', iso_status: 'ok', mediasum: 'abc' });
  t.match(byClass(got, 'NETINTERFACES')[0], { interfaces: [{ name: 'eth0', hwaddr: 'aa', module: 'e1000', ipaddr: '192.168.1.2', ipv6: [] }] });

  const net = (iface: unknown): number | null => faultCode(() => normaliseHardwareList([{ class: 'NETINTERFACES', eth0: iface }]));
  t.equal(net({ module: 'e1000' }), 53, 'an interface without hwaddr');
  t.equal(net({ hwaddr: 'aa' }), 53, 'an interface without module');
  t.equal(net('eth0'), 53, 'an interface that is not a struct');
  t.equal(net({ hwaddr: 'aa', module: 'm', ipv6: [{ addr: '::1', scope: 'host' }] }), 53, 'an IPv6 address without netmask');
  t.equal(net({ hwaddr: 'aa', module: 'm', ipv6: ['::1'] }), 53, 'an IPv6 entry that is not a struct');
  t.equal(net({ hwaddr: 'aa', module: 'm', ipv6: [{ address: '::1', netmask: 64, scope: 'global' }] }), null, 'address is accepted for addr');
  try {
    normaliseHardwareList([{ class: 'NETINTERFACES', eth0: { module: 'x' } }]);
  } catch (err) {
    t.equal((err as ClientFault).text, 'Unable to find required field hwaddr');
  }
  t.equal(faultCode(() => normaliseHardwareList({ class: 'CPU' })), 21, 'the list is not an array');
  t.equal(faultCode(() => normaliseHardwareList([['CPU']])), 21, 'an item that is not a struct');
});
