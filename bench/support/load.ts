// A lean HTTP/1.1 load generator for the benches: N keep-alive TCP connections (or a new one per
// request), each sending one request after another for a fixed time and reading just enough of
// each answer (status line, Content-Length) to know where it ends. Node's http client costs more
// CPU per request than the servers measured here, so it would hide their differences.
import net from 'node:net';

export interface LoadResult {
  calls: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  /** body for the i-th request */
  body: (i: number) => string | Buffer;
  /** a fresh TCP connection per request, as rhnlib does */
  newConnectionEach?: boolean;
  headers?: Record<string, string>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The header lines after Content-Length, ending with the blank line. */
function headerLines(headers: Record<string, string>, keepAlive: boolean): string {
  let lines = keepAlive ? '' : 'Connection: close\r\n';
  for (const [k, v] of Object.entries(headers)) lines += `${k}: ${v}\r\n`;
  return lines + '\r\n';
}

function requestBytes(url: URL, body: string | Buffer, lines: string): Buffer {
  const head = `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: text/xml\r\nContent-Length: `;
  if (typeof body === 'string') return Buffer.from(`${head}${Buffer.byteLength(body)}\r\n${lines}${body}`);
  return Buffer.concat([Buffer.from(`${head}${body.length}\r\n${lines}`), body]);
}

/** One connection's request/response exchange; resolves with the status code. */
class Connection {
  private socket: net.Socket | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private waiting: ((status: number) => void) | null = null;
  private failed: ((err: Error) => void) | null = null;

  constructor(private readonly url: URL) {}

  private connect(): net.Socket {
    const s = net.connect({ host: this.url.hostname, port: Number(this.url.port), noDelay: true });
    s.on('data', (d: Buffer) => this.onData(d));
    s.on('error', (e) => this.fail(e));
    s.on('close', () => {
      this.socket = null;
      this.fail(new Error('connection closed'));
    });
    return s;
  }

  private fail(e: Error): void {
    const f = this.failed;
    this.waiting = this.failed = null;
    this.buf = Buffer.alloc(0);
    f?.(e);
  }

  // Bytes of the current answer still to come once its head has been read (-1: head not read yet).
  private remaining = -1;
  private status = 0;

  private onData(d: Buffer): void {
    if (this.remaining < 0) {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      const headEnd = this.buf.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = this.buf.subarray(0, headEnd).toString('latin1');
      const m = /content-length:\s*(\d+)/i.exec(head);
      this.status = Number(head.slice(9, 12));
      this.remaining = (m ? Number(m[1]) : 0) - (this.buf.length - headEnd - 4);
      this.buf = Buffer.alloc(0);
    } else {
      this.remaining -= d.length;
    }
    if (this.remaining > 0) return;
    this.remaining = -1;
    const w = this.waiting;
    this.waiting = this.failed = null;
    w?.(this.status);
  }

  send(bytes: Buffer, fresh: boolean): Promise<number> {
    if (fresh && this.socket) {
      this.socket.removeAllListeners('close');
      this.socket.destroy();
      this.socket = null;
    }
    if (!this.socket) this.socket = this.connect();
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failed = reject;
      this.socket!.write(bytes);
    });
  }

  close(): void {
    this.socket?.removeAllListeners('close');
    this.socket?.destroy();
  }
}

/** Failed requests of one send: 0 for an HTTP 200, else 1. */
async function sendCounting(conn: Connection, bytes: Buffer, fresh: boolean): Promise<number> {
  try {
    return (await conn.send(bytes, fresh)) === 200 ? 0 : 1;
  } catch {
    return 1;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `workers` connections, each running `one` (which returns its failures) again and again until
 * the time is up or `count` runs were started; the latency of each run.
 *
 * Without `rate`, a closed loop: each worker starts its next run when the last one ends, so the
 * load is whatever the server (and this generator, on the same cores) can take. With `rate` (runs
 * per second, all workers together), each worker's runs are due at fixed times, spread evenly
 * across the workers; a run that starts late because the one before it was slow counts from the
 * time it was due, so a stall is charged to every run it delayed (no coordinated omission).
 */
async function drive(url: URL, workers: number, seconds: number, count: number | undefined, one: (conn: Connection, i: number) => Promise<number>, rate?: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  const worker = async (w: number): Promise<void> => {
    const conn = new Connection(url);
    for (let j = 0; ; j++) {
      let t0 = performance.now();
      if (rate !== undefined) {
        const due = start + ((j * workers + w) * 1000) / rate;
        if (due >= end) break;
        if (due > t0) await sleep(due - t0);
        t0 = due;
      } else if (t0 >= end) break;
      if (count !== undefined && next >= count) break;
      const i = next++;
      errors += await one(conn, i);
      latencies.push(performance.now() - t0);
    }
    conn.close();
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((x, y) => x - y);
  return {
    calls: latencies.length,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors,
  };
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const url = new URL(opts.url);
  const fresh = opts.newConnectionEach ?? false;
  const lines = headerLines(opts.headers ?? {}, !fresh);
  const cache = new Map<string | Buffer, Buffer>();
  const bytesFor = (body: string | Buffer): Buffer => {
    let b = cache.get(body);
    if (!b) cache.set(body, (b = requestBytes(url, body, lines)));
    return b;
  };
  return drive(url, opts.connections, opts.seconds, undefined, (conn, i) => sendCounting(conn, bytesFor(opts.body(i)), fresh));
}

/** Sequential timing of one request, `runs` times, on one keep-alive connection. */
export async function timeSequential(url: string, body: string, runs: number): Promise<number[]> {
  const u = new URL(url);
  const conn = new Connection(u);
  const bytes = requestBytes(u, body, headerLines({}, true));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await conn.send(bytes, false);
    times.push(performance.now() - t0);
  }
  conn.close();
  return times;
}

/**
 * N clients, each running a scenario (a few requests, one after another, each on a new TCP
 * connection as rhnlib makes them) again and again for a fixed time; reports scenarios per
 * second and the latency of a whole scenario. With `count`, stops after that many scenarios;
 * with `rate`, the clients together start that many scenarios per second (see drive).
 */
export async function runScenarios(opts: { url: string; clients: number; seconds: number; scenario: (i: number) => (string | Buffer)[]; headers?: Record<string, string>; count?: number; rate?: number }): Promise<LoadResult> {
  const url = new URL(opts.url);
  const lines = headerLines(opts.headers ?? {}, false);
  return drive(
    url,
    opts.clients,
    opts.seconds,
    opts.count,
    async (conn, i) => {
      let failed = 0;
      for (const body of opts.scenario(i)) failed += await sendCounting(conn, requestBytes(url, body, lines), true);
      return failed;
    },
    opts.rate,
  );
}
