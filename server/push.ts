// `skylab package push`: uploads .rpm files to a running server (POST /api/packages) under an
// admin API session from auth.login. It does the job of Spacewalk's rhnpush, not its protocol.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { UsageError } from './cli.js';
import { FAULT_PREFIX } from './rpc/faults.js';
import { SESSION_HEADER } from './routes/upload.js';
import { askHidden, askLine, Interrupted } from './terminal.js';
import { xmlRpcCall } from './xmlrpc/client.js';
import { XmlRpcFault } from './xmlrpc/types.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** A failure that ends the whole command with a one-line message (no stack). */
class PushFailure extends Error {}

interface PushOptions {
  server: string;
  channel: string;
  files: string[];
}

function parseOptions(args: string[], env: NodeJS.ProcessEnv): PushOptions {
  const { values, positionals } = parseArgs({
    args,
    options: { server: { type: 'string' }, channel: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (!values.channel) throw new UsageError('package push needs --channel LABEL');
  if (positionals.length === 0) throw new UsageError('package push needs at least one .rpm file');
  const server = (values.server ?? (env['SKYLAB_URL'] || DEFAULT_SERVER)).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`--server must be a URL such as ${DEFAULT_SERVER}, got ${JSON.stringify(server)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--server must be an http:// or https:// URL, got ${server}`);
  return { server, channel: values.channel, files: positionals };
}

async function credentials(env: NodeJS.ProcessEnv): Promise<{ login: string; password: string }> {
  let login = env['SKYLAB_USER'] ?? '';
  let password = env['SKYLAB_PASSWORD'] ?? '';
  if (login && password) return { login, password };
  if (!process.stdin.isTTY) {
    throw new PushFailure('no credentials: set SKYLAB_USER and SKYLAB_PASSWORD (standard input is not a terminal to ask on)');
  }
  if (!login) login = (await askLine('Skylab user: ')).trim();
  if (!password) password = await askHidden(`Password for ${login}: `);
  if (!login || !password) throw new PushFailure('a user name and a password are needed');
  return { login, password };
}

/** What went wrong talking to the server, in one line, with a hint for the usual TLS trouble. */
function networkMessage(server: string, err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.message || cause?.code || (err as Error).message;
  const tls = /certificate|self[- ]signed|CERT_|UNABLE_TO_VERIFY/i.test(`${cause?.code ?? ''} ${why}`);
  return `cannot reach ${server}: ${why}${tls ? " (for a private CA, set NODE_EXTRA_CA_CERTS to the server's CA certificate file)" : ''}`;
}

const faultText = (f: XmlRpcFault): string => (f.faultString.startsWith(FAULT_PREFIX) ? f.faultString.slice(FAULT_PREFIX.length) : f.faultString);

async function login(apiUrl: string, server: string, user: { login: string; password: string }): Promise<string> {
  try {
    const key = await xmlRpcCall(apiUrl, 'auth.login', [user.login, user.password]);
    if (typeof key !== 'string') throw new PushFailure(`auth.login at ${apiUrl} did not answer a session key`);
    return key;
  } catch (err) {
    if (err instanceof PushFailure) throw err;
    if (err instanceof XmlRpcFault) throw new PushFailure(`login as ${user.login} failed: ${faultText(err)}`);
    if (err instanceof TypeError) throw new PushFailure(networkMessage(server, err));
    throw new PushFailure(`login at ${apiUrl} failed: ${(err as Error).message}`);
  }
}

interface UploadAnswer {
  id?: number;
  filename?: string;
  new?: boolean;
  addedToChannel?: boolean;
  error?: string;
  message?: string;
}

function describe(a: UploadAnswer): string {
  const state = a.new ? 'new' : a.addedToChannel ? 'already stored, added to the channel' : 'already in the channel';
  return `pushed ${a.filename} -> id ${a.id} (${state})`;
}

/** Streams one file to the server; returns the line to print, throws with the reason. */
async function uploadFile(opts: PushOptions, key: string, file: string): Promise<string> {
  const st = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new Error(err.code === 'ENOENT' ? 'no such file' : err.message);
  });
  if (!st.isFile()) throw new Error('not a regular file');
  let res: Response;
  try {
    res = await fetch(`${opts.server}/api/packages?channel=${encodeURIComponent(opts.channel)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-rpm', 'Content-Length': String(st.size), [SESSION_HEADER]: key },
      body: Readable.toWeb(createReadStream(file)) as unknown as RequestInit['body'],
      duplex: 'half',
    } as RequestInit);
  } catch (err) {
    throw new Error(networkMessage(opts.server, err));
  }
  const text = await res.text();
  let answer: UploadAnswer;
  try {
    answer = JSON.parse(text) as UploadAnswer;
  } catch {
    throw new Error(`server answered HTTP ${res.status}: ${text.slice(0, 200).trim()}`);
  }
  if (!res.ok) throw new Error(`${answer.error ?? answer.message ?? 'refused'} (HTTP ${res.status})`);
  return describe(answer);
}

async function pushAll(opts: PushOptions, key: string): Promise<number> {
  let failed = 0;
  for (const file of opts.files) {
    try {
      process.stdout.write(`${await uploadFile(opts, key, file)}\n`);
    } catch (err) {
      failed++;
      process.stderr.write(`failed ${file}: ${(err as Error).message.replace(/\s*\n\s*/g, ' ')}\n`);
    }
  }
  return failed;
}

/** Exit code: 0 when every file went in, 1 when any failed or nothing could be sent, 130 on Ctrl-C. */
export async function pushCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const opts = parseOptions(args, env);
  const apiUrl = `${opts.server}/rpc/api`;
  try {
    const key = await login(apiUrl, opts.server, await credentials(env));
    let failed: number;
    try {
      failed = await pushAll(opts, key);
    } finally {
      await xmlRpcCall(apiUrl, 'auth.logout', [key]).catch(() => undefined);
    }
    if (failed > 0) process.stderr.write(`skylab: ${failed} of ${opts.files.length} package(s) not pushed\n`);
    return failed > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof Interrupted) return 130;
    if (err instanceof PushFailure) {
      process.stderr.write(`skylab: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
