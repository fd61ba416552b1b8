// A small HTTP load generator for the benches: N keep-alive connections, each sending one
// request after another for a fixed time; reports calls/s and latency percentiles.
import http from 'node:http';

export interface LoadResult {
  calls: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  /** body for the i-th request (cycled by the caller as it likes) */
  body: (i: number) => string | Buffer;
  /** a fresh TCP connection per request, as rhnlib does */
  newConnectionEach?: boolean;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function post(agent: http.Agent | false, url: URL, body: string | Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const url = new URL(opts.url);
  const agent = opts.newConnectionEach ? false : new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const start = performance.now();
  const end = start + opts.seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const status = await post(agent, url, opts.body(next++));
        if (status !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, worker));
  const seconds = (performance.now() - start) / 1000;
  if (agent) agent.destroy();
  latencies.sort((a, b) => a - b);
  return { calls: latencies.length, seconds, perSecond: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

/** Sequential timing of one request, `runs` times. */
export async function timeSequential(url: string, body: string, runs: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await post(agent, new URL(url), body);
    times.push(performance.now() - t0);
  }
  agent.destroy();
  return times;
}
