// A small HTTP proxy for tests: absolute-form requests are forwarded, CONNECT opens a tunnel,
// and every connection it opens to an upstream is recorded so the upstream can tell (see
// cameViaProxy) whether a request came through a proxy.
import http from 'node:http';
import net from 'node:net';

/** Local source ports of the connections test proxies opened to upstreams (while open). */
const proxyPorts = new Set<number>();

/** Whether a connection accepted by a test upstream was opened by a test proxy. */
export function cameViaProxy(socket: net.Socket): boolean {
  return proxyPorts.has(socket.remotePort ?? -1);
}

export interface TestProxy {
  url: string;
  port: number;
  /** requests forwarded plus CONNECT tunnels opened */
  hits: number;
  log: { method: string; target: string; status: number }[];
  close(): Promise<void>;
}

/** An HTTP proxy: absolute-form requests are forwarded, CONNECT opens a tunnel; `auth` ("user:pass") requires Basic proxy credentials. */
export async function startProxy(opts: { auth?: string } = {}): Promise<TestProxy> {
  const log: TestProxy['log'] = [];
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const authorised = (req: http.IncomingMessage): boolean =>
    !opts.auth || req.headers['proxy-authorization'] === `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  const server = http.createServer((req, res) => forward(req, res, log, authorised(req)));
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => tunnel(req, client, head, log, authorised(req), track));
  server.on('connection', track);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get hits() {
      return log.filter((l) => l.status !== 407).length;
    },
    log,
    close: () => new Promise<void>((done) => {
      for (const s of sockets) s.destroy();
      server.close(() => done());
    }),
  };
}

function forward(req: http.IncomingMessage, res: http.ServerResponse, log: TestProxy['log'], authorised: boolean): void {
  const entry = { method: req.method ?? 'GET', target: req.url ?? '', status: 0 };
  log.push(entry);
  if (!authorised) {
    entry.status = 407;
    res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
    return;
  }
  const target = new URL(req.url ?? '');
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !k.startsWith('proxy-')));
  const out = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers, agent: false }, (up) => {
    entry.status = up.statusCode ?? 0;
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
    up.on('error', () => res.destroy());
    up.on('aborted', () => res.destroy());
  });
  out.on('socket', (s) => s.once('connect', () => registerPort(s)));
  out.on('error', () => res.destroy());
  res.on('close', () => out.destroy());
  req.pipe(out);
}

function tunnel(req: http.IncomingMessage, client: net.Socket, head: Buffer, log: TestProxy['log'], authorised: boolean, track: (s: net.Socket) => void): void {
  const entry = { method: 'CONNECT', target: req.url ?? '', status: 0 };
  log.push(entry);
  if (!authorised) {
    entry.status = 407;
    client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const [host, port] = (req.url ?? '').split(':');
  const upstream = net.connect(Number(port), host, () => {
    registerPort(upstream);
    entry.status = 200;
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  track(upstream);
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());
}

function registerPort(s: net.Socket): void {
  const p = s.localPort;
  if (p === undefined) return;
  proxyPorts.add(p);
  s.once('close', () => proxyPorts.delete(p));
}

