// Runs Python snippets with Debian's /usr/bin/python3 (the only interpreter with the rpm, dnf and
// createrepo_c bindings) and returns their JSON output: tests use Python's xmlrpc.client as
// the real client of the admin API.
import { spawn } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

export interface PythonResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runPython(script: string, args: string[] = [], input?: string): Promise<PythonResult> {
  return runPythonArgs(['-c', script, ...args], input);
}

function runPythonArgs(argv: string[], input?: string, env?: NodeJS.ProcessEnv): Promise<PythonResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(PYTHON, argv, { stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
    proc.stdin.end(input ?? '');
  });
}

/** Runs a script that prints one JSON document; throws with stderr if it fails. */
export async function pythonJson<T = unknown>(script: string, args: string[] = [], input?: string): Promise<T> {
  const r = await runPython(script, args, input);
  if (r.code !== 0) throw new Error(`python failed (${r.code}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Runs a script file fed one JSON document on stdin that prints one JSON document; throws with stderr if it fails. */
export async function pythonFileJson<T = unknown>(path: string, input: unknown, env?: NodeJS.ProcessEnv): Promise<T> {
  const r = await runPythonArgs([path], JSON.stringify(input), env);
  if (r.code !== 0) throw new Error(`${path.split('/').pop()} failed (${r.code}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
