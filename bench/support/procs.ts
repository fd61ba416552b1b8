// Starting the processes a bench compares: Skylab itself (bin/skylab.js on a temp data dir)
// and the bare Fastify reference; both on loopback, both stopped at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const SHARED = resolve(ROOT, '..', 'shared');

export interface Proc {
  proc: ChildProcess;
  url: string;
  stop(): void;
}

function waitFor(proc: ChildProcess, re: RegExp): Promise<RegExpExecArray> {
  let out = '';
  return new Promise((done, fail) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = re.exec(out);
      if (m) done(m);
    });
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('exit', (code) => fail(new Error(`exited with ${code}:\n${out}`)));
  });
}

export async function startSkylab(password: string, env: Record<string, string> = {}): Promise<Proc & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skylab-bench-'));
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'skylab.js'), 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, SKYLAB_ADMIN_PASSWORD: password, SKYLAB_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const m = await waitFor(proc, /listening on (http:\/\/[^\s]+)/);
  return { proc, url: m[1]!, dataDir, stop: () => proc.kill('SIGTERM') };
}

export async function startBare(bodySize: number): Promise<Proc> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'support', 'bare-server.ts'), String(bodySize)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: ROOT,
  });
  const m = await waitFor(proc, /port (\d+)/);
  return { proc, url: `http://127.0.0.1:${m[1]}`, stop: () => proc.kill('SIGTERM') };
}
