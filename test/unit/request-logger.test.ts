// Requests get their logger lazily (server/app.ts): what they log still carries the request id,
// and requests that log nothing cost no pino child.
import t from 'tap';
import { Writable } from 'node:stream';
import { buildApp } from '../../server/app.js';

t.test('request logs carry the request id; the level reads through', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } });
  const app = buildApp({ services: {} as never, registry: { namespaces: new Map() } as never, logger: { level: 'info', stream } as never, clientHandlers: {} });
  app.get('/logs', async (req) => {
    req.log.warn({ detail: 1 }, 'first');
    req.log.info('second');
    req.log.debug('below the level');
    req.log.child({ extra: 'x' }).error('from a child');
    return { level: req.log.level };
  });
  app.get('/quiet', async (req) => ({ level: req.log.level }));
  await app.ready();
  t.teardown(() => app.close());
  t.same((await app.inject('/quiet')).json(), { level: 'info' });
  t.same(lines, [], 'nothing logged by a quiet request');
  t.same((await app.inject('/logs')).json(), { level: 'info' });
  t.same(lines.map((l) => [l['level'], l['msg'], l['reqId']]), [[40, 'first', 'req-2'], [30, 'second', 'req-2'], [50, 'from a child', 'req-2']]);
  t.equal(lines[0]!['detail'], 1);
  t.equal(lines[2]!['extra'], 'x');
});
