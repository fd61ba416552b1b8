// What an /XMLRPC call leaves to the old generation. An idle fleet's check-ins are short-lived
// garbage; anything that ties a request to an old-generation object gets the whole request
// promoted at the next scavenges. A getter in an object literal did: V8 allocates each literal's
// accessor pair in the old generation, and the getter's closure held the request.
// Measured with real sockets and minor collections only, beside a bare Fastify route in the same
// process: the difference is what Skylab's route adds.
import t from 'tap';
import net from 'node:net';
import v8 from 'node:v8';
import Fastify from 'fastify';
import { buildApp } from '../../server/app.js';
import { createRegistry } from '../../server/rpc/namespaces.js';
import { exposeGc } from '../support/gc.js';
import { inProcessServices } from '../support/in-process.js';

const skylabSide = await inProcessServices('promotion');
const skylab = buildApp({ services: skylabSide.services, registry: createRegistry() });
await skylab.listen({ host: '127.0.0.1', port: 0 });
const bare = Fastify();
bare.removeAllContentTypeParsers();
bare.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
bare.post('/XMLRPC', async (_request, reply) => {
  reply.header('Content-Type', 'text/xml');
  return `<?xml version="1.0"?>${'x'.repeat(300)}`;
});
await bare.listen({ host: '127.0.0.1', port: 0 });
t.teardown(async () => {
  await skylab.close();
  await bare.close();
  skylabSide.remove();
});

const gc = exposeGc();

const BODY = '<?xml version="1.0"?><methodCall><methodName>registration.welcome_message</methodName><params></params></methodCall>';
const REQUEST = Buffer.from(`POST /XMLRPC HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: ${BODY.length}\r\nConnection: close\r\n\r\n${BODY}`);

/** One call on a new connection, as rhnlib makes it; resolves with the answer's status line. */
function call(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port, '127.0.0.1', () => s.end(REQUEST));
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(chunks).toString('latin1').split('\r\n')[0]!));
  });
}

const oldGeneration = (): number =>
  v8.getHeapSpaceStatistics().filter((s) => s.space_name === 'old_space' || s.space_name === 'map_space').reduce((sum, s) => sum + s.space_used_size, 0);

/** Bytes promoted per call over `n` calls, 16 at a time, with only minor collections between. */
async function promotedPerCall(port: number, n: number): Promise<{ bytes: number; statuses: Set<string> }> {
  const statuses = new Set<string>();
  gc({ type: 'major' });
  const before = oldGeneration();
  for (let i = 0; i < n; i += 16) {
    for (const status of await Promise.all(Array.from({ length: 16 }, () => call(port)))) statuses.add(status);
    gc({ type: 'minor' });
  }
  return { bytes: (oldGeneration() - before) / n, statuses };
}

t.test('an /XMLRPC call promotes no more than a bare Fastify route does', async (t) => {
  const portOf = (app: { server: net.Server }): number => (app.server.address() as net.AddressInfo).port;
  await promotedPerCall(portOf(bare), 500); // warm-up: code, caches
  await promotedPerCall(portOf(skylab), 500);
  const reference = await promotedPerCall(portOf(bare), 2000);
  const ours = await promotedPerCall(portOf(skylab), 2000);
  t.same([...ours.statuses], ['HTTP/1.1 200 OK'], 'every call answered');
  t.same([...reference.statuses], ['HTTP/1.1 200 OK']);
  // with the getter: ~8,200 bytes per call against ~4,800 for the bare route; without: ~4,400
  t.ok(ours.bytes < reference.bytes + 1500, `${ours.bytes.toFixed(0)} bytes per call promoted; bare Fastify ${reference.bytes.toFixed(0)}`);
});
