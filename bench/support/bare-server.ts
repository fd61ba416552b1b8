// The reference for the benches: a bare Fastify server whose one POST route answers a fixed
// body of a given size, run as its own process like Skylab. Prints "port N" when ready.
import Fastify from 'fastify';

const size = Number(process.argv[2] ?? '1000');
const body = '<?xml version="1.0"?>' + 'x'.repeat(Math.max(0, size - 21));
const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, b, done) => done(null, b));
app.post('/rpc/api', { bodyLimit: 32 * 1024 * 1024 }, async (_req, reply) => {
  reply.header('Content-Type', 'text/xml');
  return body;
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`port ${new URL(address).port}`);
