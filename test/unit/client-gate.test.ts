// The per-call systemid gate and the check-in buffer behind it: buffered check-ins (latest time
// kept, one batch per flush, retried after a failed write, written on close), the gate's faults
// (9, 28, 31 for entitled handlers only), a changed secret caught although the parse is cached,
// the domain-error reasons the client handlers rely on in the one fault table, and a status cache
// that does not keep request bodies alive.
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { Conflict, InvalidArgument, type Stores, type SystemAuth } from '../../channels/index.js';
import { buildSystemId, CheckinBuffer, ClientFault, createClientEnv, domainFault, newSecret, StatusCache } from '../../client-shim/index.js';
import { exposeGc } from '../support/gc.js';
import { guestFixture } from '../support/guest-fixtures.js';

t.test('CheckinBuffer: one batch per flush, latest time per system, retries, close', async (t) => {
  const batches: [number, number][][] = [];
  let fail = false;
  const buffer = new CheckinBuffer(async (b) => {
    if (fail) throw new Error('database is locked');
    batches.push([...b]);
  }, 20, { warn: () => {} });
  buffer.touch(1, 100);
  buffer.touch(2, 100);
  buffer.touch(1, 105);
  buffer.touch(1, 103);
  t.equal(buffer.size, 2);
  await sleep(60);
  t.same(batches, [[[1, 105], [2, 100]]], 'written once after the interval, the latest time kept');
  fail = true;
  buffer.touch(3, 200);
  await buffer.flush();
  t.equal(buffer.size, 1, 'kept after a failed write');
  buffer.touch(3, 199);
  fail = false;
  await sleep(60);
  t.same(batches[1], [[3, 200]], 'retried; an older touch does not move it back');
  buffer.touch(4, 300);
  await buffer.close();
  t.same(batches[2], [[4, 300]], 'close writes what is pending');
  buffer.touch(5, 400);
  await sleep(40);
  t.equal(batches.length, 3, 'nothing after close');
});

t.test('CheckinBuffer: a big batch goes out in slices of 500; a failed slice keeps the rest', async (t) => {
  const slices: number[][] = [];
  let failAt = -1;
  const buffer = new CheckinBuffer(async (b) => {
    if (slices.length === failAt) throw new Error('database is locked');
    slices.push([...b.keys()]);
  }, 10_000, { warn: () => {} });
  for (let id = 1; id <= 1100; id++) buffer.touch(id, 1000);
  await buffer.flush();
  t.same(slices.map((s) => s.length), [500, 500, 100]);
  t.same(slices.flat(), Array.from({ length: 1100 }, (_, i) => i + 1), 'every system once, in order');
  t.equal(buffer.size, 0);
  slices.length = 0;
  failAt = 1;
  for (let id = 1; id <= 1100; id++) buffer.touch(id, 2000);
  await buffer.flush();
  t.same(slices.map((s) => s.length), [500], 'the second slice failed');
  t.equal(buffer.size, 600, 'the failed slice and the unwritten rest are kept');
  failAt = -1;
  await buffer.close();
  t.same(slices.flat().sort((a, b) => a - b), Array.from({ length: 1100 }, (_, i) => i + 1), 'all written in the end');
});

t.test('SystemGate: faults 9, 28 and 31, cached parse, changed secret', async (t) => {
  const f = await guestFixture();
  t.teardown(() => f.close());
  let now = 1_800_000_000_000;
  const env = createClientEnv({ stores: f.stores, authKey: 'k', now: () => now, checkinFlushMs: 10 });
  const secret = newSecret();
  const sys = await f.register({ secret, name: 'gate.example.com' });
  const doc = buildSystemId({ serverId: sys.id, osRelease: '7Server', operatingSystem: 'redhat-release-server', architecture: 'x86_64-redhat-linux', username: '', profileName: sys.name }, secret);
  const code = (fn: () => unknown): number | null => {
    try {
      fn();
      return null;
    } catch (err) {
      return err instanceof ClientFault ? err.code : -1;
    }
  };
  t.equal(env.gate.authenticate(doc, { entitled: true }).id, sys.id);
  t.equal(env.gate.authenticate(doc, { entitled: true }).id, sys.id, 'again from the cache');
  t.equal(env.gate.checkins.size, 1, 'the check-in is buffered');
  await env.gate.checkins.flush();
  t.equal(Number(f.sql(`SELECT last_checkin FROM system_checkins WHERE system_id = ${sys.id}`)), now / 1000);
  t.equal(code(() => env.gate.authenticate(doc.replaceAll('7Server', '8Server'), { entitled: false })), 9);
  t.equal(code(() => env.gate.authenticate(doc.replace('>REAL<', '>anonymous<'), { entitled: false })), 28);
  t.equal(code(() => env.gate.authenticate(12, { entitled: false })), 9);
  await f.stores.systems.update(f.org, sys.id, { disabled: true });
  t.equal(code(() => env.gate.authenticate(doc, { entitled: true })), 31);
  t.equal(code(() => env.gate.authenticate(doc, { entitled: false })), null, 'registration.* still works');
  await f.stores.systems.update(f.org, sys.id, { disabled: false, secret: newSecret() });
  t.equal(code(() => env.gate.authenticate(doc, { entitled: false })), 9, 'a new secret invalidates the cached document');
  await f.stores.systems.update(f.org, sys.id, { secret });
  t.equal(code(() => env.gate.authenticate(doc, { entitled: false })), null, 'the old secret back: the text is read again and matches');
  now += 5000;
  await f.stores.systems.delete(f.org, [sys.id]);
  t.equal(code(() => env.gate.authenticate(doc, { entitled: false })), 9, 'a deleted system');
  await env.gate.checkins.close();
});

t.test('StatusCache keeps its own copy of a kernel text, not the request body it was cut from', async (t) => {
  const gc = exposeGc();
  const cache = new StatusCache({} as Stores);
  const heap = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const before = heap();
  for (let id = 1; id <= 40; id++) {
    // a 1 MiB body, and the kernel version as the decoder hands it out: a substring of it
    const body = `${id}`.padEnd(1 << 20, '<value><string>5.14.0-362.el9.x86_64</string></value>');
    const kernel = body.slice(body.indexOf('5.14'), body.indexOf('</string>'));
    cache.set(id, { runningKernel: kernel, lastBoot: 1_700_000_000 });
  }
  const grown = heap() - before;
  t.ok(grown < 8 << 20, `40 cached statuses hold ${(grown / 1048576).toFixed(1)} MiB, not 40 bodies of 1 MiB`);
  t.equal((await cache.get({ id: 7 } as SystemAuth)).runningKernel, '5.14.0-362.el9.x86_64');
});

t.test('the store reasons registration meets have client codes', async (t) => {
  const reasons: [string, number][] = [
    ['activationkey.usage_limit', 61],
    ['activationkey.disabled', 60],
    ['activationkey.base_channel', 62],
    ['activationkey.child_channel', 62],
    ['system.base_channel', 70],
    ['system.child_channel', 32],
    ['systemgroup.invalid', 80],
  ];
  for (const [reason, code] of reasons) {
    t.equal(domainFault(new Conflict(reason, 'm')).code, code, `${reason} -> ${code}`);
    t.equal(domainFault(new InvalidArgument(reason, 'm')).code, code);
  }
});
