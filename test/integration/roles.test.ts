// Every write of the admin API checks roles: a user without channel_admin/org_admin gets fault
// -23 with Spacewalk's text on each, and nothing changes; the same calls work for the admin.
import t from 'tap';
import { buildRpm } from '../support/rpmbuild.js';
import { adminEnv, adminLogin, api, runPush } from '../support/push.js';
import { startServer } from '../support/server.js';

type Fault = { fault: number; faultString: string };
const isFault = (x: unknown): x is Fault => typeof x === 'object' && x !== null && 'fault' in x;

t.test('writes need the role Spacewalk asks for', async (t) => {
  const s = await startServer();
  t.teardown(() => s.stop());
  const admin = adminLogin(s);
  const base = 'roles-base-x86_64';
  const setup = await api(admin, [
    ['channel.software.create', base, 'Roles Base', 'base', 'channel-x86_64', ''],
    ['user.create', 'plainuser', 'plain-pw-1', 'Plain', 'User', 'plain@example.invalid'],
  ]);
  t.same(setup, [1, 1], 'admin creates a channel and a user without roles');
  const rpm = await buildRpm({ name: 'roles-pkg', version: '1.0', release: '1.el8', arch: 'noarch' });
  t.equal((await runPush(['--server', s.url, '--channel', base, rpm], adminEnv(s))).code, 0, 'admin pushes a package');
  const [pkgs] = await api<[{ id: number }[]]>(admin, [['channel.software.listAllPackages', base]]);
  const pid = pkgs[0]!.id;
  const info = {
    synopsis: 's', advisory_name: 'ROLE-2024:1', advisory_release: 1, advisory_type: 'Bug Fix Advisory',
    product: 'p', topic: 't', description: 'd', solution: 'x',
  };
  await api(admin, [['errata.create', info, [], [], [pid], true, [base]]]);

  const writes: unknown[][] = [
    ['channel.software.create', 'roles-other-x86_64', 'Roles Other', 'o', 'channel-x86_64', ''],
    ['channel.software.delete', base],
    ['channel.software.setDetails', base, { summary: 'changed' }],
    ['channel.software.addPackages', base, [pid]],
    ['channel.software.removePackages', base, [pid]],
    ['channel.software.clone', base, { name: 'Roles Clone', label: 'roles-clone-x86_64', summary: 'c' }, false],
    ['channel.software.removeErrata', base, ['ROLE-2024:1'], false],
    ['channel.access.setOrgSharing', base, 'public'],
    ['errata.create', { ...info, advisory_name: 'ROLE-2024:2' }, [], [], [pid], false, []],
    ['errata.setDetails', 'ROLE-2024:1', { synopsis: 'changed' }],
    ['errata.publish', 'ROLE-2024:1', [base]],
    ['errata.addPackages', 'ROLE-2024:1', [pid]],
    ['errata.removePackages', 'ROLE-2024:1', [pid]],
    ['errata.delete', 'ROLE-2024:1'],
    ['errata.clone', base, ['ROLE-2024:1']],
    ['packages.removePackage', pid],
    ['user.create', 'another', 'another-pw', 'A', 'N', 'a@example.invalid'],
    ['user.addRole', 'plainuser', 'org_admin'],
    ['user.delete', 'admin'],
  ];
  const plain = { url: s.apiUrl, user: 'plainuser', password: 'plain-pw-1' };
  const before = await api(admin, [['channel.software.getDetails', base], ['errata.getDetails', 'ROLE-2024:1'], ['channel.software.listAllPackages', base], ['user.listUsers']]);
  const answers = await api<unknown[]>(plain, writes);
  writes.forEach((call, i) => {
    const a = answers[i];
    t.ok(isFault(a) && a.fault === -23, `${call[0]} by a user without roles: fault -23`);
    if (isFault(a)) t.match(a.faultString, /^redstone\.xmlrpc\.XmlRpcFault: You do not have permissions to perform this action\./, `${call[0]}: Spacewalk's text`);
  });
  const after = await api(admin, [['channel.software.getDetails', base], ['errata.getDetails', 'ROLE-2024:1'], ['channel.software.listAllPackages', base], ['user.listUsers']]);
  t.same(after, before, 'nothing changed');
  const reads = await api<unknown[]>(plain, [['channel.software.getDetails', base], ['errata.getDetails', 'ROLE-2024:1'], ['user.listRoles', 'plainuser']]);
  t.ok(reads.every((r) => !isFault(r)), 'the same user may still read');
  t.same(reads[2], [], 'and has no roles');

  const granted = await api<unknown[]>(admin, [['user.addRole', 'plainuser', 'channel_admin']]);
  t.same(granted, [1], 'admin grants channel_admin');
  const now = await api<unknown[]>(plain, [['channel.software.setDetails', base, { summary: 'by a channel admin' }], ['user.create', 'x2', 'x2-pw-12', 'X', 'Y', 'x@example.invalid']]);
  t.equal(now[0], 1, 'a channel admin may change channels');
  t.ok(isFault(now[1]) && now[1].fault === -23, 'but not create users (org_admin)');
});
