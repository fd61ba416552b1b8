// `skylab serve` as an admin meets it: first start creates the admin (generated password printed
// once, or SKYLAB_ADMIN_PASSWORD), restarts keep the data, --port 0 reports the bound URL,
// SKYLAB_TZ sets the zone of XML-RPC dates, SIGTERM/SIGINT end cleanly, and a tampered
// migration stops the start.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonJson } from '../support/python.js';
import { ROOT, startServer } from '../support/server.js';

const LOGIN = `
import sys, json, xmlrpc.client
url, user, pw = sys.argv[1:4]
s = xmlrpc.client.ServerProxy(url)
try:
    k = s.auth.login(user, pw)
    print(json.dumps({"ok": True, "roles": s.user.listRoles(k, user)}))
except xmlrpc.client.Fault as f:
    print(json.dumps({"ok": False, "code": f.faultCode, "text": f.faultString}))
`;

t.test('first start prints a generated password once; a restart keeps the account', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skylab-serve-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { SKYLAB_ADMIN_PASSWORD: '' };
  const first = await startServer({ dataDir, env });
  const m = /created admin user "admin" with password: (\S+)/.exec(first.output());
  t.ok(m, 'the generated password is printed');
  const password = m![1]!;
  t.ok(password.length >= 16, 'and it is long');
  t.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'the ready line states the URL bound');
  t.not(first.port, 0, 'with the port actually picked');
  const ok = await pythonJson<{ ok: boolean; roles: string[] }>(LOGIN, [first.apiUrl, 'admin', password]);
  t.ok(ok.ok, 'the printed password logs in');
  t.same(ok.roles.sort(), ['channel_admin', 'org_admin', 'satellite_admin'], 'the first admin holds the admin roles');
  t.equal(await first.stop(), 0, 'SIGTERM ends the process with status 0');

  const second = await startServer({ dataDir, env });
  t.notMatch(second.output(), /created admin user/, 'a restart creates no second admin and prints no password');
  t.ok((await pythonJson<{ ok: boolean }>(LOGIN, [second.apiUrl, 'admin', password])).ok, 'the account survives the restart');
  const bad = await pythonJson<{ ok: boolean; code: number; text: string }>(LOGIN, [second.apiUrl, 'admin', 'wrong']);
  t.equal(bad.code, 2950, 'a wrong password faults 2950');
  t.match(bad.text, 'Either the password or username is incorrect.');
  second.proc.kill('SIGINT');
  t.equal(await second.stop(), 0, 'SIGINT ends the process with status 0');
});

t.test('SKYLAB_ADMIN_USER / SKYLAB_ADMIN_PASSWORD choose the first admin', async (t) => {
  const s = await startServer({ env: { SKYLAB_ADMIN_USER: 'root-admin', SKYLAB_ADMIN_PASSWORD: 'chosen-pw-1' } });
  t.teardown(() => s.stop());
  t.match(s.output(), /created admin user "root-admin" with the password from SKYLAB_ADMIN_PASSWORD/);
  t.notMatch(s.output(), /chosen-pw-1/, 'the chosen password is not printed');
  t.ok((await pythonJson<{ ok: boolean }>(LOGIN, [s.apiUrl, 'root-admin', 'chosen-pw-1'])).ok);
});

t.test('SKYLAB_TZ sets the zone of dateTime values', async (t) => {
  const script = `
import sys, json, xmlrpc.client
s = xmlrpc.client.ServerProxy(sys.argv[1])
k = s.auth.login('admin', 'test-admin-pw')
s.channel.software.create(k, 'tz-check-x86_64', 'TZ check', 'tz', 'channel-x86_64', '')
print(json.dumps(s.channel.software.getDetails(k, 'tz-check-x86_64')['last_modified'].value))
`;
  const utc = await startServer();
  const tokyo = await startServer({ env: { SKYLAB_TZ: 'Asia/Tokyo' } });
  t.teardown(async () => {
    await utc.stop();
    await tokyo.stop();
  });
  const [a, b] = await Promise.all([pythonJson<string>(script, [utc.apiUrl]), pythonJson<string>(script, [tokyo.apiUrl])]);
  t.match(a, /^\d{8}T\d{2}:\d{2}:\d{2}$/, 'YYYYMMDDTHH:MM:SS without a zone');
  const parse = (s: string): number => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(12, 14), +s.slice(15, 17));
  const shift = (parse(b) - parse(a)) / 3_600_000;
  t.ok(shift > 8.9 && shift < 9.1, `Tokyo wall clock is 9 h ahead of UTC (got ${shift.toFixed(2)} h)`);
});

t.test('a migration edited after it was applied stops the start', async (t) => {
  // A copy of the package whose migrations/ can be edited without touching the real one.
  const copy = mkdtempSync(join(tmpdir(), 'skylab-pkg-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'skylab-data-'));
  t.teardown(() => {
    rmSync(copy, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });
  for (const part of ['package.json', 'bin', 'dist', 'migrations']) cpSync(join(ROOT, part), join(copy, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  const bin = join(copy, 'bin', 'skylab.js');
  const run = (): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, [bin, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
      env: { ...process.env, SKYLAB_ADMIN_PASSWORD: 'pw-12345', SKYLAB_LOG_LEVEL: 'warn' },
      timeout: 3000,
      encoding: 'utf8',
    });
  const ok = run();
  t.match(String(ok.stdout), /listening on/, 'starts on the pristine migrations');
  const first = join(copy, 'migrations', '0001-init.sql');
  appendFileSync(first, '\n-- edited after being applied\n');
  t.not(readFileSync(first, 'utf8'), '', 'the migration was edited');
  const refused = run();
  t.equal(refused.status, 1, 'the start fails with status 1');
  t.match(String(refused.stderr), /0001-init\.sql changed after it was applied/, 'and says which migration changed');
});
