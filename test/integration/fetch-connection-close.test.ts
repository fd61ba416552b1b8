// Upstreams that close the connection after each response ("Connection: close", HTTP/1.0
// servers such as `python3 -m http.server`) while the reader applies backpressure: undici 7
// crashed the process there (an assertion in a socket event), which repo-sync/fetch/patch-undici.mjs
// fixes at install. A slow reader must get every byte, and the process must live on.
import t from 'tap';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { Fetcher } from '../../repo-sync/fetch/index.js';

const BODY = Buffer.alloc(3 * 1024 * 1024);
for (let i = 0; i < BODY.length; i++) BODY[i] = (i * 131) & 0xff;
const SHA = createHash('sha256').update(BODY).digest('hex');

async function closingServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Length': BODY.length, Connection: 'close' });
    res.end(BODY);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((done) => server.close(() => done())) };
}

t.test('the installed undici carries the fix', async (t) => {
  const source = readFileSync(join(import.meta.dirname, '..', '..', 'node_modules', 'undici', 'lib', 'dispatcher', 'client-h1.js'), 'utf8');
  t.match(source, 'skylab: drain a paused parser before EOF');
});

t.test('a slow reader of a closing upstream gets every byte', async (t) => {
  const s = await closingServer();
  const agent = new Agent();
  t.teardown(async () => {
    await agent.close();
    await s.close();
  });
  for (let round = 0; round < 4; round++) {
    const res = await request(`${s.url}file`, { dispatcher: agent });
    const hash = createHash('sha256');
    for await (const chunk of res.body) {
      hash.update(chunk);
      await sleep(1); // slower than loopback: the body stream fills and pauses the parser
    }
    t.equal(hash.digest('hex'), SHA, `round ${round}: the whole body arrived`);
  }
});

t.test('Fetcher downloads from a closing upstream in parallel', async (t) => {
  const s = await closingServer();
  const dir = mkdtempSync(join(tmpdir(), 'skylab-close-'));
  const fetcher = new Fetcher({ retries: 0 });
  t.teardown(async () => {
    await fetcher.close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) => fetcher.fetchFile({ url: s.url }, `f${i}`, join(dir, `f${i}`), { checksumType: 'sha256', checksum: SHA })),
  );
  t.ok(results.every((r) => r.sha256 === SHA && r.bytes === BODY.length), 'eight verified downloads');
});
