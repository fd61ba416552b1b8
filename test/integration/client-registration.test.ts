// Registration on a real server (client-protocol.md 2.1-2.2, 3.1-3.5, 3.9, 3.11) with Python's
// xmlrpc.client sending rhnlib's headers: activation keys (channels, entitlements, groups,
// packages, stacking, usage limits, faults 60/61/63), username/password with the dist channel
// map (fault 70) and the universal default key, the GUI structs, account calls, SMBIOS/virt
// identity, --force re-registration; systemids checked with a Python oracle of the checksum.
import t, { type Test } from 'tap';
import type { Channel } from '../../channels/index.js';
import { checkSystemId, guestCall, guestCalls, serverCapabilities, serverIdOf, type GuestReply } from '../support/guest-client.js';
import { guestWorld, type GuestWorld } from '../support/guest-world.js';

let w: GuestWorld;
let el8: Channel, tools: Channel, extra: Channel, el9: Channel, el9child: Channel, ia32: Channel;

t.before(async () => {
  w = await guestWorld();
  el8 = await w.channel('reg-el8', null);
  tools = await w.channel('reg-el8-tools', el8);
  extra = await w.channel('reg-el8-extra', el8);
  el9 = await w.channel('reg-el9', null);
  el9child = await w.channel('reg-el9-child', el9);
  ia32 = await w.channel('reg-el8-i386', null, 'channel-ia32');
});
t.teardown(() => w?.stop());

const secretOf = (id: number): string => w.one<{ secret: string }>('SELECT secret FROM systems WHERE id = ?', id).secret;
const channelsOf = (id: number): string[] =>
  w.all<{ label: string }>('SELECT c.label FROM system_channels sc JOIN channels c ON c.id = sc.channel_id WHERE sc.system_id = ? ORDER BY c.parent_id IS NOT NULL, c.label', id).map((r) => r.label);
const newSystem = (data: Record<string, unknown>): Promise<GuestReply> =>
  guestCall(w.url, 'registration.new_system', [{ profile_name: 'guest', os_release: '8', release_name: 'redhat-release', architecture: 'x86_64', ...data }]);

function isFault(t: Test, r: GuestReply, code: number, text?: string): void {
  t.equal(r.fault?.faultCode, -code, `fault -${code}`);
  t.match(r.fault?.faultString ?? '', `Error Class Code: ${code}\n`);
  if (text) t.match(r.fault?.faultString ?? '', text);
  t.ok(serverCapabilities(r).length > 0, 'capabilities on the fault too');
}

t.test('welcome_message and privacy_statement carry the server capabilities', async (t) => {
  const [wm, ps, wmLang] = await guestCalls(w.url, [
    { method: 'registration.welcome_message', params: [] },
    { method: 'registration.privacy_statement', params: [] },
    { method: 'registration.welcome_message', params: ['de'] },
  ]);
  for (const r of [wm!, ps!, wmLang!]) t.type(r.answer, 'string');
  const caps = serverCapabilities(wm!);
  for (const c of ['registration.smbios(1)=1', 'registration.delta_packages(1)=1', 'xmlrpc.packages.extended_profile(1-2)=1', 'ipv6(1)=1', 'cpu_sockets(1)=1', 'staging_content(1)=1']) {
    t.ok(caps.includes(c), c);
  }
  t.notOk(caps.some((c) => c.startsWith('registration.register_osad')), 'no OSAD');
});

t.test('an activation key gives its channels, entitlements, groups and packages', async (t) => {
  const group = await w.stores.groups.create(w.org, 'reg-group', 'made by the registration test');
  const key = await w.key('reg-full', {
    base: el8, children: [tools], entitlements: ['virtualization_host'], groups: [group.id],
    packages: [{ name: 'zsh', arch: 'x86_64' }, { name: 'vim-enhanced', arch: '' }],
  });
  const doc = await w.register(key, 'full.example.com');
  const id = serverIdOf(doc);
  t.ok(id >= 1000010000 && id <= 2147483647, 'a Spacewalk-range id');
  const check = await checkSystemId(doc, secretOf(id));
  t.ok(check.valid, 'the checksum holds with the stored secret (Python oracle)');
  t.same(check.fields, ['system_id', 'os_release', 'operating_system', 'architecture', 'username', 'type']);
  t.match(check.struct, {
    system_id: `ID-${id}`, os_release: '8', operating_system: 'redhat-release', architecture: 'x86_64-redhat-linux',
    username: w.server.adminUser, type: 'REAL', profile_name: 'full.example.com',
    description: 'Initial Registration Parameters:\nOS: redhat-release\nRelease: 8\nCPU Arch: x86_64-redhat-linux',
  });
  t.match(secretOf(id), /^[0-9a-f]{64}$/);
  t.same(channelsOf(id), [el8.label, tools.label]);
  t.same(w.all('SELECT entitlement FROM system_entitlements WHERE system_id = ?', id), [{ entitlement: 'virtualization_host' }]);
  t.same(w.all('SELECT group_id FROM system_group_members WHERE system_id = ?', id), [{ group_id: group.id }]);
  t.equal(w.one<{ n: number }>('SELECT count(*) AS n FROM system_activation_keys sk JOIN activation_keys k ON k.id = sk.key_id WHERE sk.system_id = ? AND k.key = ?', id, key).n, 1);
  const action = w.one<{ type: string; payload: string; status: number }>(
    'SELECT a.type, a.payload, sa.status FROM server_actions sa JOIN actions a ON a.id = sa.action_id WHERE sa.system_id = ?', id);
  t.equal(action.type, 'packages.update');
  t.equal(action.status, 0);
  t.same(JSON.parse(action.payload).packages, [['vim-enhanced', '', '', '', ''], ['zsh', '', '', '', 'x86_64']]);
  t.match(w.one('SELECT name, os_release, release_name, architecture FROM systems WHERE id = ?', id), {
    name: 'full.example.com', os_release: '8', release_name: 'redhat-release', architecture: 'x86_64-redhat-linux',
  });
});

t.test('stacked keys: children add up; conflicting bases and foreign keys are fault 63', async (t) => {
  const a = await w.key('stack-a', { base: el8, children: [tools] });
  const b = await w.key('stack-b', { children: [extra] });
  const c = await w.key('stack-c', { children: [el9child] });
  const id = serverIdOf(await w.register(`${a},${b},${c}`));
  t.same(channelsOf(id), [el8.label, extra.label, tools.label], 'the child of another base is left out');
  const both = await w.key('stack-el9', { base: el9 });
  isFault(t, await newSystem({ token: `${a},${both}` }), 63, 'Conflicting base channels');
  const foreign = await w.key('stack-foreign', { orgId: w.newOrg('Registration Other Org') });
  isFault(t, await newSystem({ token: `${a},${foreign}` }), 63, 'Tokens from mismatching orgs');
});

t.test('unknown, disabled and used-up keys', async (t) => {
  isFault(t, await newSystem({ token: `${w.org}-no-such-key` }), 60, `Could not find token '${w.org}-no-such-key'`);
  const off = await w.key('reg-disabled', { base: el8 });
  const k = (await w.stores.activationKeys.getByKey(off))!;
  await w.stores.activationKeys.update(w.org, k.id, { disabled: true });
  isFault(t, await newSystem({ token: off }), 60, `Could not find token '${off}'`);
  const once = await w.key('reg-once', { base: el8, usageLimit: 1 });
  t.type((await newSystem({ token: once })).answer, 'string', 'first use');
  isFault(t, await newSystem({ token: once }), 61);
  t.equal(w.one<{ n: number }>("SELECT count(*) AS n FROM systems WHERE name = 'guest' AND id IN (SELECT system_id FROM system_activation_keys sk JOIN activation_keys k ON k.id = sk.key_id WHERE k.key = ?)", once).n, 1);
});

t.test('a key base channel of another arch is not subscribed; the dist map still applies', async (t) => {
  const key = await w.key('reg-ia32', { base: ia32 });
  const plain = serverIdOf(await w.register(key, 'wrong-arch', { os_release: 'nomap-8' }));
  t.same(channelsOf(plain), [], 'no base channel, registered anyway (token mode)');
  await w.stores.distMaps.setForOrg(w.org, 'redhat-release', 'map-8', 'channel-x86_64', el8.id);
  const mapped = serverIdOf(await w.register(key, 'wrong-arch-mapped', { os_release: 'map-8' }));
  t.same(channelsOf(mapped), [el8.label]);
  const i686 = serverIdOf(await w.register(key, 'i686', { architecture: 'i686' }));
  t.same(channelsOf(i686), [ia32.label]);
  t.equal(w.one<{ architecture: string }>('SELECT architecture FROM systems WHERE id = ?', i686).architecture, 'i686-redhat-linux');
});

t.test('username and password: the dist channel map, fault 70, credentials', async (t) => {
  await w.user('reg-jdoe', 'jdoe-secret');
  await w.user('reg-gone', 'gone-secret', w.org, false);
  await w.stores.distMaps.setForOrg(w.org, 'redhat-release', 'u8', 'channel-x86_64', el8.id);
  const ok = await newSystem({ username: 'reg-jdoe', password: 'jdoe-secret', os_release: 'u8' });
  const id = serverIdOf(ok.answer as string);
  t.same(channelsOf(id), [el8.label]);
  const check = await checkSystemId(ok.answer as string, secretOf(id));
  t.ok(check.valid);
  t.equal(check.struct['username'], 'reg-jdoe');
  isFault(t, await newSystem({ username: 'reg-jdoe', password: 'jdoe-secret', os_release: 'u9' }), 70);
  isFault(t, await newSystem({ username: 'reg-jdoe', password: 'wrong', os_release: 'u8' }), 2);
  isFault(t, await newSystem({ username: 'reg-nobody', password: 'x', os_release: 'u8' }), 2);
  isFault(t, await newSystem({ username: 'reg-gone', password: 'gone-secret', os_release: 'u8' }), 1, 'deactivated');
  const token = await w.key('reg-token-wins', { base: el9 });
  const both = serverIdOf((await newSystem({ token, username: 'reg-jdoe', password: 'wrong', os_release: 'u8' })).answer as string);
  t.same(channelsOf(both), [el9.label], 'a token wins over username/password');
});

t.test("the org's universal default key applies in username mode", async (t) => {
  const org = { id: w.newOrg('Registration Universal Org') };
  await w.user('reg-uni', 'uni-secret', org.id);
  const base = await w.stores.channels.create({ orgId: org.id, label: 'uni-base', name: 'Universal base', summary: 'u', archLabel: 'channel-x86_64', parentId: null, checksumLabel: 'sha256' });
  const child = await w.stores.channels.create({ orgId: org.id, label: 'uni-child', name: 'Universal child', summary: 'u', archLabel: 'channel-x86_64', parentId: base.id, checksumLabel: 'sha256' });
  isFault(t, await newSystem({ username: 'reg-uni', password: 'uni-secret' }), 70, undefined);
  const key = await w.key('uni', { orgId: org.id, base, children: [child], universal: true });
  const r = await guestCall(w.url, 'registration.new_system_user_pass', ['uni.example.com', 'redhat-release', '8', 'x86_64', 'reg-uni', 'uni-secret', {}]);
  const s = r.answer as Record<string, unknown>;
  t.same(Object.keys(s).sort(), ['channels', 'failed_channels', 'failed_options', 'failed_system_slots', 'system_id', 'system_slots', 'universal_activation_key']);
  t.same(s['channels'], ['uni-base', 'uni-child']);
  t.same(s['universal_activation_key'], [key]);
  t.same(s['system_slots'], ['enterprise_entitled']);
  t.same([s['failed_channels'], s['failed_options'], s['failed_system_slots']], [[], [], []]);
  t.same(channelsOf(serverIdOf(s['system_id'] as string)), ['uni-base', 'uni-child']);
});

t.test('new_system_user_pass and new_system_activation_key', async (t) => {
  await w.stores.distMaps.setForOrg(w.org, 'redhat-release', 'gui-8', 'channel-x86_64', el8.id);
  const [up, ak, empty, short] = await guestCalls(w.url, [
    { method: 'registration.new_system_user_pass', params: ['gui.example.com', 'redhat-release', 'gui-8', 'x86_64', 'admin', w.server.adminPassword, { org_id: '1' }] },
    { method: 'registration.new_system_activation_key', params: ['gui-key.example.com', 'redhat-release', '8', 'x86_64', await w.key('gui', { base: el8, children: [tools, el9child] }), {}] },
    { method: 'registration.new_system_user_pass', params: ['', 'redhat-release', 'gui-8', 'x86_64', 'admin', w.server.adminPassword, {}] },
    { method: 'registration.new_system_activation_key', params: ['x', 'redhat-release', '8', 'x86_64', 'k'] },
  ]);
  const u = up!.answer as Record<string, unknown>;
  t.same(u['channels'], [el8.label]);
  t.ok((await checkSystemId(u['system_id'] as string, secretOf(serverIdOf(u['system_id'] as string)))).valid);
  const a = ak!.answer as Record<string, unknown>;
  t.same(a['channels'], [el8.label, tools.label]);
  t.same(a['failed_channels'], [el9child.label]);
  t.same(a['universal_activation_key'], []);
  isFault(t, empty!, 800);
  t.equal(short!.fault?.faultCode, 1, 'wrong argument count is fault 1');
});

t.test('account calls', async (t) => {
  await w.stores.distMaps.setForOrg(w.org, 'redhat-release', 'eus-8', 'channel-x86_64', el8.id);
  const pw = w.server.adminPassword;
  const r = await guestCalls(w.url, [
    { method: 'registration.reserve_user', params: ['admin', pw] },
    { method: 'registration.reserve_user', params: ['admin', 'wrong'] },
    { method: 'registration.reserve_user', params: ['reg-nobody', 'x'] },
    { method: 'registration.remaining_subscriptions', params: ['admin', pw, 'x86_64', '8'] },
    { method: 'registration.update_contact_info', params: ['admin', pw, {}] },
    { method: 'registration.update_contact_info', params: ['admin', 'wrong'] },
    { method: 'registration.get_possible_orgs', params: ['admin', pw] },
    { method: 'registration.activate_registration_number', params: ['admin', pw, 'key', {}] },
    { method: 'registration.activate_hardware_info', params: ['admin', pw, {}, {}] },
    { method: 'registration.anonymous', params: [] },
    { method: 'registration.available_eus_channels', params: ['admin', pw, 'x86_64', 'eus-8', '8'] },
    { method: 'registration.available_eus_channels', params: ['admin', 'wrong', 'x86_64', 'eus-8', '8', {}] },
    { method: 'registration.new_user', params: ['a', 'b'] },
  ]);
  t.equal(r[0]!.answer, 1);
  isFault(t, r[1]!, 3);
  isFault(t, r[2]!, 2001);
  t.equal(r[3]!.answer, 1);
  t.equal(r[4]!.answer, 0);
  isFault(t, r[5]!, 2);
  const orgName = w.one<{ name: string }>('SELECT name FROM orgs WHERE id = ?', w.org).name;
  t.same(r[6]!.answer, { orgs: { [String(w.org)]: orgName }, default_org: String(w.org) });
  isFault(t, r[7]!, 602);
  isFault(t, r[8]!, 601);
  isFault(t, r[9]!, 28);
  t.same(r[10]!.answer, { default_channel: el8.label, receiving_updates: [el8.label], channels: { [el8.label]: el8.name } });
  isFault(t, r[11]!, 2);
  t.equal(r[12]!.fault?.faultCode, -1, 'new_user is not served');
});

t.test('required data, unknown arches', async (t) => {
  const key = await w.key('reg-args', { base: el8 });
  isFault(t, await newSystem({ token: key, profile_name: '' }), 21, 'Required data missing');
  isFault(t, await newSystem({ os_release: undefined, token: key }), 21, 'Required data missing');
  isFault(t, await newSystem({}), 21, 'Required members missing');
  isFault(t, await newSystem({ username: 'admin' }), 21, 'Required members missing');
  isFault(t, await guestCall(w.url, 'registration.new_system', ['not a struct']), 21);
  isFault(t, await newSystem({ token: key, architecture: 'm68k' }), 24, "Architecture `m68k' is not supported");
  isFault(t, await newSystem({ token: key, architecture: 'x86_64-sun-solaris' }), 24);
  const long = 'p'.repeat(200);
  const id = serverIdOf((await newSystem({ token: key, profile_name: long })).answer as string);
  t.equal(w.one<{ name: string }>('SELECT name FROM systems WHERE id = ?', id).name, 'p'.repeat(128), 'profile names keep 128 characters');
});

t.test("old clients' packages, hardware_profile, os and description members", async (t) => {
  const key = await w.key('reg-old', { base: el8 });
  const r = await newSystem({
    token: key, profile_name: 'old.example.com', os: 'Red Hat Enterprise Linux Server', description: 'set by the client',
    packages: [['bash', '3.2', '33.el5', '']], hardware_profile: [{ class: 'MEMORY', ram: '2048L', swap: '1024' }],
  });
  const id = serverIdOf(r.answer as string);
  t.match(w.one('SELECT release_name, description FROM systems WHERE id = ?', id), { release_name: 'Red Hat Enterprise Linux Server', description: 'set by the client' });
  t.equal((await checkSystemId(r.answer as string, secretOf(id))).struct['operating_system'], 'Red Hat Enterprise Linux Server');
  t.same(w.all('SELECT name, version, release, epoch, arch FROM system_packages WHERE system_id = ?', id), [{ name: 'bash', version: '3.2', release: '33.el5', epoch: '', arch: '' }]);
  t.same(w.all('SELECT class, data FROM system_hardware WHERE system_id = ?', id), [{ class: 'MEMORY', data: JSON.stringify({ ram: 2048, swap: 1024 }) }]);
  const before = w.one<{ n: number }>('SELECT count(*) AS n FROM systems').n;
  isFault(t, await newSystem({ token: key, packages: [['bash']] }), 21);
  t.equal(w.one<{ n: number }>('SELECT count(*) AS n FROM systems').n, before, 'a bad package list registers nothing');
});

t.test('SMBIOS and Xen identity', async (t) => {
  const key = await w.key('reg-virt', { base: el8 });
  const virtOf = (doc: string) => w.one<{ uuid: string; virt_type: string }>('SELECT uuid, virt_type FROM systems WHERE id = ?', serverIdOf(doc));
  const smbios = { 'smbios.system.uuid': '4c4c4544-0042-3010-8057-b4c04f4e4a31', 'smbios.bios.vendor': 'QEMU', 'smbios.system.serial': '', 'smbios.system.manufacturer': 'QEMU', 'smbios.system.product': 'Standard PC' };
  t.same(virtOf(await w.register(key, 'kvm', { smbios })), { uuid: '4c4c4544004230108057b4c04f4e4a31', virt_type: 'qemu' });
  t.same(virtOf(await w.register(key, 'vmw', { smbios: { ...smbios, 'smbios.bios.vendor': 'Phoenix', 'smbios.system.manufacturer': 'VMware, Inc.', 'smbios.system.serial': 'VMware-42 1a' } })).virt_type, 'vmware');
  t.same(virtOf(await w.register(key, 'xen', { virt_uuid: 'abc123', virt_type: 'para' })), { uuid: 'abc123', virt_type: 'para_virtualized' });
  t.same(virtOf(await w.register(key, 'odd', { virt_uuid: 'def456', virt_type: 'weird' })), { uuid: 'def456', virt_type: 'weird' }, 'lenient where Spacewalk fails with 500');
  t.same(virtOf(await w.register(key, 'metal', { smbios: { 'smbios.system.uuid': '' } })), { uuid: '', virt_type: '' });
});

t.test('rhnreg_ks --force registers a new profile; the old systemid stays valid', async (t) => {
  const key = await w.key('reg-force', { base: el8 });
  const first = await w.register(key, 'force.example.com');
  const second = await w.register(key, 'force.example.com');
  t.not(serverIdOf(first), serverIdOf(second));
  t.equal(w.one<{ n: number }>("SELECT count(*) AS n FROM systems WHERE name = 'force.example.com'").n, 2);
  const [a, b] = await guestCalls(w.url, [
    { method: 'registration.finish_message', params: [first] },
    { method: 'registration.finish_message', params: [second] },
  ]);
  t.same([a!.answer, b!.answer], [[0, '', ''], [0, '', '']]);
});
