// A misbehaving loopback yum upstream for sync tests: serves a directory over HTTP or HTTPS
// (test CA from openssl, optional client-certificate requirement) with Range support, per-path
// faults set at run time and a request log; writers for mirrorlist and metalink files. The test
// proxy and PKI live beside it and are re-exported here.
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { testPki } from './pki.js';
import { cameViaProxy } from './proxy.js';

export { testPki, type TestPki } from './pki.js';
export { startProxy, type TestProxy } from './proxy.js';

/** What a path does wrong; `times` limits it to that many requests (default: every request). */
export interface Misbehaviour {
  status?: number; // answer with this status instead of the file
  retryAfter?: number; // seconds, sent with `status`
  dropAfter?: number; // cut the connection after this many body bytes of one response
  corruptAt?: number; // flip the byte at this offset of the file
  headerDelayMs?: number; // pause before answering at all
  delayMs?: number; // pause before every body chunk (the headers go out at once)
  chunkSize?: number; // body chunk size (default 16 KiB)
  noRange?: boolean; // ignore Range and If-Range: always 200 with the whole file
  redirect?: string; // answer 302 with this Location
  times?: number;
  /** what the path does once `times` is used up (default: nothing wrong) */
  then?: Misbehaviour;
}

export interface RequestRecord {
  method: string;
  /** path below the served directory, decoded, without the leading "/" */
  path: string;
  range: string | null;
  ifRange: string | null;
  userAgent: string | null;
  /** the connection came from one of this process's test proxies */
  viaProxy: boolean;
  status: number;
  /** body bytes sent before the response ended or was cut */
  bytesSent: number;
}

export interface Upstream {
  /** base URL, ending in "/" */
  url: string;
  port: number;
  dir: string;
  requests: RequestRecord[];
  /** most TCP connections open at the same time */
  maxConnections: number;
  /** set the fault of a path ("*" = every path without its own) */
  misbehave(path: string, m: Misbehaviour): void;
  /** forget faults and the request log */
  reset(): void;
  requestsFor(path: string): RequestRecord[];
  close(): Promise<void>;
}

export interface UpstreamOptions {
  tls?: boolean;
  /** HTTPS only: refuse clients without a certificate signed by the test CA */
  requireClientCert?: boolean;
}

interface State {
  root: string;
  faults: Map<string, Misbehaviour>;
  log: RequestRecord[];
}

export async function startUpstream(dir: string, opts: UpstreamOptions = {}): Promise<Upstream> {
  const st: State = { root: resolve(dir), faults: new Map(), log: [] };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    serve(st, req, res).catch(() => res.destroy());
  };
  const server = opts.tls
    ? https.createServer({ cert: testPki().serverCert, key: testPki().serverKey, ca: testPki().caCert, requestCert: !!opts.requireClientCert, rejectUnauthorized: !!opts.requireClientCert }, handler)
    : http.createServer(handler);
  let open = 0;
  const conns = { max: 0 };
  server.on('connection', (socket: net.Socket) => {
    conns.max = Math.max(conns.max, ++open);
    socket.on('close', () => open--);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}/`,
    port,
    dir: st.root,
    requests: st.log,
    get maxConnections() {
      return conns.max;
    },
    misbehave: (path, m) => void st.faults.set(path.replace(/^\//, ''), { ...m }),
    reset: () => {
      st.faults.clear();
      st.log.length = 0;
      conns.max = open;
    },
    requestsFor: (path) => st.log.filter((r) => r.path === path.replace(/^\//, '')),
    close: () => new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    }),
  };
}

/** The fault for this request, counting it against `times`. */
function takeFault(st: State, path: string): Misbehaviour | null {
  const key = st.faults.has(path) ? path : st.faults.has('*') ? '*' : null;
  if (key === null) return null;
  let m = st.faults.get(key)!;
  while (m.times !== undefined && m.times <= 0) {
    if (!m.then) return null;
    m = { ...m.then };
    st.faults.set(key, m);
  }
  if (m.times !== undefined) m.times--;
  return m;
}

async function serve(st: State, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://upstream').pathname).replace(/^\//, '');
  const rec: RequestRecord = {
    method: req.method ?? 'GET', path, range: header(req, 'range'), ifRange: header(req, 'if-range'), userAgent: header(req, 'user-agent'),
    viaProxy: cameViaProxy(req.socket), status: 0, bytesSent: 0,
  };
  st.log.push(rec);
  const fault = takeFault(st, path);
  if (fault?.headerDelayMs) await sleep(fault.headerDelayMs);
  if (fault?.redirect) return void finish(rec, res, 302, '', 'text/plain', { location: fault.redirect });
  if (fault?.status) {
    rec.status = fault.status;
    res.writeHead(fault.status, fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {});
    res.end(`${fault.status}\n`);
    return;
  }
  const file = resolve(st.root, path);
  const info = file === st.root || file.startsWith(st.root + sep) ? await stat(file).catch(() => null) : null;
  if (!info) return void finish(rec, res, 404, 'not found\n');
  if (info.isDirectory()) return void finish(rec, res, 200, await listing(file, path), 'text/html');
  const whole = await readFile(file);
  const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const range = fault?.noRange ? null : wantedRange(rec, whole.length, etag);
  const headers: http.OutgoingHttpHeaders = { etag, 'last-modified': info.mtime.toUTCString(), 'content-type': 'application/octet-stream' };
  if (!fault?.noRange) headers['accept-ranges'] = 'bytes';
  if (range === 'unsatisfiable') {
    return void finish(rec, res, 416, '', 'text/plain', { 'content-range': `bytes */${whole.length}` });
  }
  const start = range?.start ?? 0;
  const body = whole.subarray(start, range ? range.end + 1 : whole.length);
  if (range) headers['content-range'] = `bytes ${start}-${range.end}/${whole.length}`;
  rec.status = range ? 206 : 200;
  res.writeHead(rec.status, { ...headers, 'content-length': body.length });
  if (req.method === 'HEAD') return void res.end();
  res.flushHeaders();
  await sendBody(res, rec, body, start, fault);
}

function header(req: http.IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return typeof v === 'string' ? v : null;
}

function finish(rec: RequestRecord, res: http.ServerResponse, status: number, body: string, type = 'text/plain', extra: http.OutgoingHttpHeaders = {}): void {
  rec.status = status;
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

async function listing(dir: string, path: string): Promise<string> {
  const names = (await readdir(dir)).sort();
  return `<html><body><h1>Index of /${path}</h1>\n${names.map((n) => `<a href="${n}">${n}</a><br>`).join('\n')}\n</body></html>\n`;
}

/** A single "bytes=a-" or "bytes=a-b" range, honoured unless If-Range names another version. */
function wantedRange(rec: RequestRecord, size: number, etag: string): { start: number; end: number } | 'unsatisfiable' | null {
  const m = rec.range ? /^bytes=(\d+)-(\d*)$/.exec(rec.range.trim()) : null;
  if (!m) return null;
  if (rec.ifRange && rec.ifRange !== etag) return null;
  const start = Number(m[1]);
  const end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  return start >= size || end < start ? 'unsatisfiable' : { start, end };
}

async function sendBody(res: http.ServerResponse, rec: RequestRecord, body: Buffer, fileOffset: number, fault: Misbehaviour | null): Promise<void> {
  const size = fault?.chunkSize ?? 16 * 1024;
  for (let pos = 0; pos < body.length; pos += size) {
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (res.destroyed) return;
    let chunk = Buffer.from(body.subarray(pos, pos + size));
    const at = fault?.corruptAt !== undefined ? fault.corruptAt - fileOffset - pos : -1;
    if (at >= 0 && at < chunk.length) chunk[at] ^= 0xff;
    if (fault?.dropAfter !== undefined && rec.bytesSent + chunk.length >= fault.dropAfter) {
      chunk = chunk.subarray(0, fault.dropAfter - rec.bytesSent);
      rec.bytesSent += chunk.length;
      await write(res, chunk);
      cut(res);
      return;
    }
    rec.bytesSent += chunk.length;
    await write(res, chunk);
  }
  res.end();
}

/** Ends the connection mid-body: what was written still arrives, then the peer sees EOF short of Content-Length. */
function cut(res: http.ServerResponse): void {
  const socket = res.socket;
  if (!socket) return;
  socket.end();
  setTimeout(() => socket.destroy(), 1000).unref();
}

function write(res: http.ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((done) => {
    if (res.destroyed || chunk.length === 0) return done();
    if (res.write(chunk)) return done();
    const finish = (): void => {
      res.off('drain', finish);
      res.off('close', finish);
      done();
    };
    res.on('drain', finish);
    res.on('close', finish);
  });
}

/** A yum mirrorlist: a comment line, then one base URL a line. */
export function writeMirrorlist(path: string, baseUrls: readonly string[]): string {
  const text = `# mirrorlist written by the Skylab tests\n\n${baseUrls.join('\n')}\n`;
  writeFileSync(path, text);
  return text;
}

/**
 * A MirrorManager-style metalink (3.0) for repodata/repomd.xml of `repomdFile`, listing each base
 * URL with a falling preference (the first is best).
 */
export function writeMetalink(path: string, baseUrls: readonly string[], repomdFile: string): string {
  const repomd = readFileSync(repomdFile);
  const hash = (alg: string): string => createHash(alg).update(repomd).digest('hex');
  const urls = baseUrls.map((b, i) => {
    const u = `${b.endsWith('/') ? b : `${b}/`}repodata/repomd.xml`;
    return `        <url protocol="${new URL(u).protocol.slice(0, -1)}" type="${new URL(u).protocol.slice(0, -1)}" location="XX" preference="${100 - i}">${u.replace(/&/g, '&amp;')}</url>`;
  });
  const text = `<?xml version="1.0" encoding="utf-8"?>
<metalink version="3.0" xmlns="http://www.metalinker.org/" type="dynamic" generator="skylab-tests" xmlns:mm0="http://fedorahosted.org/mirrormanager">
  <files>
    <file name="repomd.xml">
      <mm0:timestamp>${Math.floor(Date.now() / 1000)}</mm0:timestamp>
      <size>${repomd.length}</size>
      <verification>
        <hash type="md5">${hash('md5')}</hash>
        <hash type="sha1">${hash('sha1')}</hash>
        <hash type="sha256">${hash('sha256')}</hash>
        <hash type="sha512">${hash('sha512')}</hash>
      </verification>
      <resources maxconnections="1">
${urls.join('\n')}
      </resources>
    </file>
  </files>
</metalink>
`;
  writeFileSync(path, text);
  return text;
}

const scratch = new Set<string>();
process.once('exit', () => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp directory, removed when the test process exits. */
export function scratchDir(prefix = 'skylab-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.add(dir);
  return dir;
}

/** A writable copy of a repository directory (e.g. ../shared/data/cs9-baseos-2022) in a scratch dir. */
export function copyRepo(src: string): string {
  const dir = scratchDir('skylab-upstream-');
  cpSync(src, dir, { recursive: true });
  return dir;
}
