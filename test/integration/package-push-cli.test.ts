// `skylab package push` as a person runs it: credentials typed at a terminal (a real pty; the
// password is not echoed), and an https server with a self-signed certificate.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { buildRpm } from '../support/rpmbuild.js';
import { adminEnv, api, pushedLines, runPush } from '../support/push.js';
import { pythonJson } from '../support/python.js';
import { ROOT, SKYLAB_BIN, startServer, type RunningServer } from '../support/server.js';

const run = promisify(execFile);
const CHANNEL = 'cli-x86';

let work: string;
let rpm: string;

t.before(async () => {
  work = await mkdtemp(join(tmpdir(), 'skylab-push-cli-'));
  rpm = await buildRpm({ name: 'sw-cli', version: '1', release: '1', arch: 'noarch', files: [{ path: '/usr/share/sw-cli', content: 'cli\n' }] });
});
t.teardown(() => rm(work, { recursive: true, force: true }));

async function withServer(args: string[], cafile: string | undefined, body: (s: RunningServer) => Promise<void>): Promise<void> {
  const server = await startServer({ args });
  try {
    const login = { url: server.apiUrl, user: server.adminUser, password: server.adminPassword, ...(cafile ? { cafile } : {}) };
    const created = await api(login, [['channel.software.create', CHANNEL, 'CLI push tests', 'cli tests', 'channel-x86_64', '']]);
    if (JSON.stringify(created) !== '[1]') throw new Error(`channel setup failed: ${JSON.stringify(created)}`);
    await body(server);
  } finally {
    await server.stop();
  }
}

// Answers the prompts through a pseudo-terminal and hands back all the terminal showed.
const PTY_SCRIPT = `
import json, os, pty, select, sys
a = json.load(sys.stdin)
pid, fd = pty.fork()
if pid == 0:
    env = {k: v for k, v in os.environ.items() if k not in ('SKYLAB_USER', 'SKYLAB_PASSWORD')}
    os.chdir(a['cwd'])
    os.execve(a['node'], [a['node'], a['bin'], 'package', 'push', '--server', a['url'], '--channel', a['channel'], a['file']], env)
seen = b''
def read_until(marker):
    global seen
    while marker not in seen:
        r, _, _ = select.select([fd], [], [], 30)
        if not r: raise SystemExit('timed out waiting for %r; saw %r' % (marker, seen))
        seen += os.read(fd, 4096)
read_until(b'Skylab user: ')
os.write(fd, a['user'].encode() + b'\\r')
read_until(b'Password for ' + a['user'].encode() + b': ')
os.write(fd, b'typo\\x7f\\x7f\\x7f\\x7f' + a['password'].encode() + b'\\r')
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk: break
    seen += chunk
_, status = os.waitpid(pid, 0)
print(json.dumps({'code': os.waitstatus_to_exitcode(status), 'output': seen.decode('utf-8', 'replace')}))
`;

t.test('asks for the user and the password on a terminal, without echoing the password', async (t) => {
  await withServer([], undefined, async (server) => {
    const input = { cwd: ROOT, node: process.execPath, bin: SKYLAB_BIN, url: server.url, channel: CHANNEL, file: rpm, user: server.adminUser, password: server.adminPassword };
    const r = await pythonJson<{ code: number; output: string }>(PTY_SCRIPT, [], JSON.stringify(input));
    t.equal(r.code, 0, r.output);
    // readline moves the cursor with an escape sequence before echoing what was typed.
    t.match(r.output, /Skylab user: (?:\x1b\[\d+G)?admin\r/, 'the user name is echoed');
    t.match(r.output, /Password for admin: \r?\n/, 'nothing after the password prompt');
    t.notMatch(r.output, server.adminPassword, 'the password never shows');
    t.notMatch(r.output, 'typo');
    t.match(r.output, /pushed sw-cli-1-1\.noarch\.rpm -> id \d+ \(new\)/);
  });
});

t.test('https with a self-signed certificate, trusted through NODE_EXTRA_CA_CERTS', async (t) => {
  const cert = join(work, 'cert.pem');
  const key = join(work, 'key.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ]);
  await withServer(['--tls-cert', cert, '--tls-key', key], cert, async (server) => {
    t.match(server.url, /^https:\/\//);
    const untrusted = await runPush(['--server', server.url, '--channel', CHANNEL, rpm], { ...adminEnv(server), NODE_EXTRA_CA_CERTS: undefined });
    t.equal(untrusted.code, 1);
    t.match(untrusted.stderr, /^skylab: cannot reach https:\/\/127\.0\.0\.1:\d+: self[- ]signed certificate.*set NODE_EXTRA_CA_CERTS/);
    const trusted = await runPush(['--server', server.url, '--channel', CHANNEL, rpm], { ...adminEnv(server), NODE_EXTRA_CA_CERTS: cert });
    t.equal(trusted.code, 0, trusted.stderr);
    t.equal(pushedLines(trusted.stdout)[0]?.state, 'new');
    // SKYLAB_URL stands in for --server.
    const viaEnv = await runPush(['--channel', CHANNEL, rpm], { ...adminEnv(server), NODE_EXTRA_CA_CERTS: cert, SKYLAB_URL: server.url });
    t.equal(viaEnv.code, 0, viaEnv.stderr);
    t.equal(pushedLines(viaEnv.stdout)[0]?.state, 'already in the channel');
  });
});
