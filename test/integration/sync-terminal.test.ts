// `skylab sync` on a terminal draws a redrawn progress bar (phase, bytes, packages, errata);
// on a pipe it prints plain progress lines. And a cloned channel publishes its own repodata.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeUpstream } from '../support/sync-fixtures.js';
import { apiOk, channelWithRepo, cli, exitOk, syncCli } from '../support/sync-harness.js';
import { adminLogin } from '../support/push.js';
import { startServer, SKYLAB_BIN } from '../support/server.js';
import { startUpstream } from '../support/upstream.js';

/** Runs a command under a pseudo-terminal (util-linux `script`) and returns what the terminal showed. */
function onTerminal(args: string[]): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, SKYLAB_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const p = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, COLUMNS: '120', TERM: 'xterm' } });
    let screen = '';
    p.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, screen }));
  });
}

t.test('progress on a terminal and on a pipe', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skylab-tty-'));
  await writeUpstream(dir, 1);
  const up = await startUpstream(dir);
  const up2 = await startUpstream(dir);
  const server = await startServer();
  t.teardown(async () => {
    await server.stop();
    await up.close();
    await up2.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const login = adminLogin(server);
  await channelWithRepo(login, 'tty-x86_64', up.url);
  await channelWithRepo(login, 'pipe-x86_64', up2.url);

  const tty = await onTerminal(['sync', '--data-dir', server.dataDir, 'tty-x86_64']);
  t.equal(tty.code, 0, 'the sync succeeds');
  t.match(tty.screen, /\rtty-x86_64: (repomd|download|packages|errata|commit|publish)/, 'the bar is redrawn in place with \\r');
  t.match(tty.screen, /\[#+\.*\]|MiB, \d+ packages, \d+ errata/, 'it shows bytes, packages and errata');
  t.match(tty.screen, /tty-x86_64: \d+ packages \(\d+ new\)/, 'and ends with the outcome line');

  const piped = await syncCli(server, ['pipe-x86_64']);
  exitOk(t, piped);
  t.notMatch(piped.stderr, /\r/, 'a pipe gets no carriage returns');
  t.match(piped.stderr, /pipe-x86_64: commit/, 'but plain progress lines');
  t.match(piped.stdout, /pipe-x86_64: \d+ packages/);

  // A clone is a channel of its own: its repodata is generated for it, under its own id.
  await apiOk(login, [['channel.software.clone', 'pipe-x86_64', { name: 'Pipe Clone', label: 'pipe-clone-x86_64', summary: 'clone' }, false]]);
  const outs = ['pipe-x86_64', 'pipe-clone-x86_64'].map((l) => ({ label: l, out: mkdtempSync(join(tmpdir(), 'skylab-exp-')) }));
  for (const { label, out } of outs) exitOk(t, await cli(['channel', 'export', '--data-dir', server.dataDir, '--metadata-only', label, out]), `export ${label}`);
  const primaryOf = (out: string): string => /<location href="(repodata\/[^"]*primary[^"]*)"/.exec(readFileSync(join(out, 'repodata', 'repomd.xml'), 'utf8'))![1]!;
  t.ok(primaryOf(outs[0]!.out) && primaryOf(outs[1]!.out), 'both have repodata');
  t.ok(readdirSync(join(server.dataDir, 'repodata')).length >= 2, 'published under two channel ids');
  const ids = readdirSync(join(server.dataDir, 'repodata')).length;
  await apiOk(login, [['channel.software.delete', 'pipe-clone-x86_64']]);
  t.equal(readdirSync(join(server.dataDir, 'repodata')).length, ids - 1, "a deleted channel's repodata goes with it");
  for (const o of outs) rmSync(o.out, { recursive: true, force: true });
});
