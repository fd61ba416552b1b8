// The check-in path's caches (a system's identity, "no open actions") have no expiry: they must
// drop a row whenever it changes, whoever changes it. Writes through the stores, raw SQL on the
// same connection (the TEMP triggers) and commits from a second connection (PRAGMA data_version)
// are all seen by the next read; check-in times, written for the whole fleet every second, do not
// drop anything.
import t from 'tap';
import { attachStores, type Stores } from '../../channels/index.js';
import { guestFixture, type GuestFixture } from '../support/guest-fixtures.js';

let f: GuestFixture;
let other: Stores;
t.before(async () => {
  f = await guestFixture();
  other = attachStores(f.file);
});
t.teardown(() => {
  other?.close();
  f?.close();
});

const newAction = (stores: Stores, systemId: number): Promise<number> =>
  stores.actions.create({ orgId: f.org, type: 'packages.refresh_list', name: 't', earliest: new Date(Date.now() - 60_000), payload: {}, systemIds: [systemId] });
const openIds = async (systemId: number): Promise<number[]> => (await f.stores.actions.poll(systemId)).candidates.map((c) => c.actionId);

t.test('identity: cached until the row changes, by any path', async (t) => {
  const s = await f.register();
  const first = f.stores.systems.getAuthSync(s.id)!;
  t.equal(f.stores.systems.getAuthSync(s.id), first, 'the same object while nothing changes');
  await f.stores.systems.touchCheckins(new Map([[s.id, Math.floor(Date.now() / 1000) + 5]]));
  t.equal(f.stores.systems.getAuthSync(s.id), first, 'a check-in time does not drop it');

  f.stores.db.prepare('UPDATE systems SET disabled = 1 WHERE id = ?').run(s.id);
  t.equal(f.stores.systems.getAuthSync(s.id)!.disabled, true, 'raw SQL on this connection: seen at once');
  other.db.prepare('UPDATE systems SET disabled = 0, name = ? WHERE id = ?').run('renamed.example.com', s.id);
  const seen = f.stores.systems.getAuthSync(s.id)!;
  t.same([seen.disabled, seen.name], [false, 'renamed.example.com'], "another connection's commit: seen at once");
  other.db.prepare('UPDATE systems SET secret = ? WHERE id = ?').run('f'.repeat(64), s.id);
  t.equal(f.stores.systems.getAuthSync(s.id)!.secret, 'f'.repeat(64), 'a new secret from elsewhere');
  f.stores.db.prepare('DELETE FROM systems WHERE id = ?').run(s.id);
  t.equal(f.stores.systems.getAuthSync(s.id), null, 'deleted: gone');
});

t.test('"no open actions": remembered until an action row of the system changes', async (t) => {
  const a = await f.register();
  const b = await f.register();
  t.same(await openIds(a.id), [], 'nothing queued');
  t.same(await openIds(a.id), [], 'remembered');
  const mine = await newAction(f.stores, a.id);
  t.same(await openIds(a.id), [mine], 'an action scheduled through this connection');
  await f.stores.actions.finish(a.id, mine, { status: 2, resultCode: 0, message: 'ok' }, { anyOpen: true });
  t.same(await openIds(a.id), [], 'completed: quiet again');
  const theirs = await newAction(other, a.id);
  t.same(await openIds(a.id), [theirs], 'an action scheduled through another connection');
  f.stores.db.prepare('UPDATE server_actions SET status = 3 WHERE system_id = ?').run(a.id);
  t.same(await openIds(a.id), [], 'failed by raw SQL');
  f.stores.db.prepare('UPDATE server_actions SET status = 0 WHERE system_id = ? AND action_id = ?').run(a.id, theirs);
  t.same(await openIds(a.id), [theirs], 'requeued by raw SQL on this connection');
  t.same(await openIds(b.id), [], 'the other system was never touched');
  const both = await newAction(f.stores, b.id);
  t.same(await openIds(b.id), [both]);
});
