// Helpers for the `skylab package push` tests: run the real CLI, call the admin API with
// Python's xmlrpc.client, ask rpm itself about package files, and list the blob store.
import { execFile, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { pythonJson } from './python.js';
import { SKYLAB_BIN, ROOT, type RunningServer } from './server.js';

const run = promisify(execFile);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `skylab package push ...` as a user runs it (stdin is a pipe, so never a terminal). */
export function runPush(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
    const proc = spawn(process.execPath, [SKYLAB_BIN, 'package', 'push', ...args], { cwd: ROOT, env: clean, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
    proc.stdin.end();
  });
}

export const adminEnv = (s: RunningServer): Record<string, string> => ({ SKYLAB_USER: s.adminUser, SKYLAB_PASSWORD: s.adminPassword });

// Calls run in order with the session key first; `download` fetches a URL and answers its
// sha256 and size instead. A fault becomes {fault, faultString} so tests can look at it.
const API_SCRIPT = `
import hashlib, json, ssl, sys, urllib.request, xmlrpc.client
a = json.load(sys.stdin)
ctx = ssl.create_default_context(cafile=a['cafile']) if a.get('cafile') else None
c = xmlrpc.client.ServerProxy(a['url'], context=ctx)
k = c.auth.login(a['user'], a['password'])
out = []
for name, *args in a['calls']:
    if name == 'download':
        data = urllib.request.urlopen(args[0], context=ctx).read()
        out.append({'sha256': hashlib.sha256(data).hexdigest(), 'size': len(data)})
        continue
    try:
        out.append(getattr(c, name)(k, *args))
    except xmlrpc.client.Fault as f:
        out.append({'fault': f.faultCode, 'faultString': f.faultString})
c.auth.logout(k)
print(json.dumps(out, default=str))
`;

export interface ApiLogin {
  url: string;
  user: string;
  password: string;
  cafile?: string;
}

export function api<T = unknown[]>(login: ApiLogin, calls: unknown[][]): Promise<T> {
  return pythonJson<T>(API_SCRIPT, [], JSON.stringify({ ...login, calls }));
}

/** A session key of its own (the caller logs out, or lets it expire with the server). */
export function sessionKey(login: ApiLogin): Promise<string> {
  const script = 'import json, sys, xmlrpc.client\na = json.load(sys.stdin)\nprint(json.dumps(xmlrpc.client.ServerProxy(a["url"]).auth.login(a["user"], a["password"])))';
  return pythonJson<string>(script, [], JSON.stringify(login));
}

export const adminLogin = (s: RunningServer): ApiLogin => ({ url: s.apiUrl, user: s.adminUser, password: s.adminPassword });

const F = '@@F@@';
export const RPM_FIELDS = ['NAME', 'EPOCH', 'VERSION', 'RELEASE', 'ARCH', 'SUMMARY', 'DESCRIPTION', 'LICENSE', 'VENDOR', 'BUILDHOST', 'COOKIE', 'ARCHIVESIZE'] as const;

/** What rpm itself says about a package file; rpm's "(none)" becomes ''. */
export async function rpmQuery(file: string): Promise<Record<(typeof RPM_FIELDS)[number], string>> {
  const { stdout } = await run('rpm', ['-qp', '--queryformat', RPM_FIELDS.map((f) => `%{${f}}`).join(F), file]);
  const values = stdout.split(F);
  return Object.fromEntries(RPM_FIELDS.map((f, i) => [f, values[i] === '(none)' ? '' : values[i]!])) as Record<(typeof RPM_FIELDS)[number], string>;
}

/** `rpm -qp --requires` or `--provides`, one dependency per entry. */
export async function rpmDeps(file: string, kind: 'requires' | 'provides'): Promise<string[]> {
  const { stdout } = await run('rpm', ['-qp', `--${kind}`, file]);
  return stdout.split('\n').filter((l) => l !== '');
}

export async function sha256sum(file: string): Promise<string> {
  const { stdout } = await run('sha256sum', [file]);
  return stdout.split(' ')[0]!;
}

async function walk(dir: string, root: string, out: string[]): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, e.name);
    if (e.isDirectory()) await walk(path, root, out);
    else out.push(relative(root, path));
  }
}

/** Files of the blob store, sorted; `tmp/` (staging) separately. */
export async function blobListing(dataDir: string): Promise<{ stored: string[]; staging: string[] }> {
  const root = join(dataDir, 'blobs');
  const all: string[] = [];
  await walk(root, root, all);
  all.sort();
  return { stored: all.filter((p) => !p.startsWith('tmp/')), staging: all.filter((p) => p.startsWith('tmp/')) };
}

/** `pushed <file> -> id N (...)` lines of a CLI run, as {file, id, state}. */
export function pushedLines(stdout: string): { file: string; id: number; state: string }[] {
  return [...stdout.matchAll(/^pushed (\S+) -> id (\d+) \(([^)]*)\)$/gm)].map((m) => ({ file: m[1]!, id: Number(m[2]), state: m[3]! }));
}
