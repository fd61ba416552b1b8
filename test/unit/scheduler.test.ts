// The sync scheduler with real node-cron tasks firing every second, schedules read from a real
// SQLite store, and a stand-in SyncService that records each call (the pipeline is another
// module): ticks, noOverlap, rescheduling, background runs from the API path, time zones, stop.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cron from 'node-cron';
import { openStores, type Stores } from '../../channels/index.js';
import { SyncScheduler, type SchedulerLog } from '../../repo-sync/scheduler.js';
import type { SyncOutcome, SyncParams, SyncService, SyncTrigger } from '../../repo-sync/sync/types.js';
import { ROOT } from '../support/server.js';

interface Call {
  label: string;
  trigger: SyncTrigger;
  params: SyncParams;
  start: number;
  end?: number;
}

/** Records every sync request; each "sync" takes `ms` and succeeds, or throws at once when `fails`. */
class RecordingSync implements SyncService {
  calls: Call[] = [];
  ms = 50;
  fails = false;
  private active = new Map<string, number>();
  /** most syncs of one channel seen at the same time */
  maxActive = 0;

  of(label: string): Call[] {
    return this.calls.filter((c) => c.label === label);
  }

  syncChannel(label: string, trigger: SyncTrigger, params: SyncParams = {}): Promise<SyncOutcome> {
    if (this.fails) throw new Error('no pipeline here');
    const call: Call = { label, trigger, params, start: Date.now() };
    this.calls.push(call);
    this.active.set(label, (this.active.get(label) ?? 0) + 1);
    this.maxActive = Math.max(this.maxActive, this.active.get(label)!);
    return new Promise((resolve) =>
      setTimeout(() => {
        this.active.set(label, this.active.get(label)! - 1);
        call.end = Date.now();
        resolve({ runId: this.calls.length, channel: label, status: 'success', packagesTotal: 0, packagesAdded: 0, errataAdded: 0, errataUpdated: 0, bytes: 0, warnings: [], error: null, seconds: this.ms / 1000 });
      }, this.ms),
    );
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(join(tmpdir(), 'skylab-scheduler-'));
const stores: Stores = openStores(join(dir, 'skylab.db'), join(ROOT, 'migrations'));
t.teardown(() => {
  stores.close();
  rmSync(dir, { recursive: true, force: true });
});
const org = await stores.users.ensureOrg('Scheduler Org');
async function channel(label: string): Promise<number> {
  const c = await stores.channels.create({ orgId: org.id, label, name: `Channel ${label}`, summary: 's', archLabel: 'channel-x86_64', parentId: null, checksumLabel: 'sha256' });
  return c.id;
}

function logger(): SchedulerLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

t.test('stored schedules tick every second with their parameters, never overlapping', async (t) => {
  const id = await channel('tick-every-second');
  await stores.sync.setSchedule(id, '* * * * * ?', { noErrata: true, latest: false });
  const sync = new RecordingSync();
  const sched = new SyncScheduler({ source: stores.sync, sync, timeZone: 'UTC' });
  t.teardown(() => sched.stop());
  await sched.start();
  const [entry] = sched.scheduled();
  t.equal(entry?.pattern, '* * * * * *', 'the Quartz expression became a node-cron pattern');
  await sleep(3300);
  const ticks = sync.of('tick-every-second');
  t.ok(ticks.length >= 2 && ticks.length <= 4, `${ticks.length} ticks in 3.3 s`);
  t.ok(ticks.every((c) => c.trigger === 'cron'), "trigger 'cron'");
  t.same(ticks[0]?.params, { noErrata: true, latest: false }, 'the stored parameters reach the sync');
  t.ok(ticks.every((c) => c.start % 1000 < 400), 'ticks fall on second boundaries');

  sync.ms = 2500;
  const before = ticks.length;
  await sleep(4200);
  const slow = sync.of('tick-every-second').slice(before);
  t.equal(sync.maxActive, 1, 'one sync of the channel at a time');
  t.ok(slow.length >= 1 && slow.length <= 2, `${slow.length} slow syncs started in 4.2 s (each takes 2.5 s)`);
  for (let i = 1; i < slow.length; i++) t.ok(slow[i]!.start >= slow[i - 1]!.end!, 'the next tick waits for the previous sync');
  await stores.sync.setSchedule(id, null, null);
});

t.test('reschedule follows the stored schedule; clearing it stops the task', async (t) => {
  const id = await channel('resched-chan');
  const sync = new RecordingSync();
  const sched = new SyncScheduler({ source: stores.sync, sync, timeZone: 'Asia/Kolkata' });
  t.teardown(() => sched.stop());
  await sched.start();
  t.same(sched.scheduled().filter((s) => s.label === 'resched-chan'), [], 'no schedule yet');

  await stores.sync.setSchedule(id, '0 0 3 ? * *', {});
  await sched.reschedule(id);
  const entry = sched.scheduled().find((s) => s.label === 'resched-chan')!;
  t.equal(entry.quartz, '0 0 3 ? * *');
  const next = entry.nextRun!;
  const wall = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(next);
  t.equal(wall, '03:00:00', 'next run is 03:00:00 in the scheduler zone');
  t.ok(next.getTime() - Date.now() <= 86_400_000 && next.getTime() > Date.now(), 'within the next day');

  await stores.sync.setSchedule(id, '*/1 * * * * ?', {});
  await sched.reschedule(id);
  await sleep(2200);
  t.ok(sync.of('resched-chan').length >= 1, 'the new schedule ticks');

  await stores.sync.setSchedule(id, null, null);
  await sched.reschedule(id);
  t.same(sched.scheduled().filter((s) => s.label === 'resched-chan'), [], 'cleared');
  await sleep(300);
  const count = sync.of('resched-chan').length;
  await sleep(1600);
  t.equal(sync.of('resched-chan').length, count, 'no tick after the schedule is cleared');
});

t.test('API runs: in the background, queued behind a running sync, ticks skipped meanwhile', async (t) => {
  const id = await channel('api-chan');
  const sync = new RecordingSync();
  sync.ms = 1500;
  const sched = new SyncScheduler({ source: stores.sync, sync, timeZone: 'UTC' });
  t.teardown(() => sched.stop());
  await sched.start();
  t.equal(sched.runNow('api-chan', 'api', { latest: true }), 'started', 'first request starts a sync');
  t.ok(sched.isRunning('api-chan'), 'running');
  t.equal(sched.runNow('api-chan', 'api', { noErrata: true }), 'queued', 'a second request is queued');
  t.equal(sched.runNow('api-chan', 'api', { fail: true }), 'queued', 'a third replaces the queued one');
  await stores.sync.setSchedule(id, '* * * * * ?', {});
  await sched.reschedule(id);
  await sleep(1200);
  t.equal(sync.of('api-chan').length, 1, 'ticks while the API sync runs are skipped');
  await stores.sync.setSchedule(id, null, null);
  await sched.reschedule(id);
  await sleep(2200);
  const [first, second] = sync.of('api-chan');
  t.same(first?.params, { latest: true });
  t.same(second?.params, { fail: true }, 'the latest queued request runs after the first');
  t.equal(second?.trigger, 'api');
  t.ok(second!.start >= first!.end!, 'after the first ended');
  t.equal(sync.maxActive, 1, 'never two at once');
});

t.test('a SyncService that cannot start throws to the caller and marks nothing running', async (t) => {
  const sync = new RecordingSync();
  sync.fails = true;
  const log = logger();
  const sched = new SyncScheduler({ source: stores.sync, sync, timeZone: 'UTC', log });
  t.throws(() => sched.runNow('no-pipeline', 'api'), /no pipeline here/);
  t.notOk(sched.isRunning('no-pipeline'));
  const id = await channel('no-pipeline');
  await stores.sync.setSchedule(id, '* * * * * ?', {});
  await sched.start();
  t.teardown(() => sched.stop());
  await sleep(1500);
  t.ok(log.lines.includes('error sync of no-pipeline could not start'), 'a failing tick is logged, not thrown');
  await stores.sync.setSchedule(id, null, null);
});

t.test('bad zones and untranslatable stored schedules', async (t) => {
  t.throws(() => new SyncScheduler({ source: stores.sync, sync: new RecordingSync(), timeZone: 'Mars/Olympus' }), RangeError, 'an unknown zone is refused up front');
  const id = await channel('bad-schedule');
  await stores.sync.setSchedule(id, '0 0 3 ? * * 2030', {});
  const log = logger();
  const sched = new SyncScheduler({ source: stores.sync, sync: new RecordingSync(), timeZone: 'UTC', log });
  await sched.start();
  t.same(sched.scheduled().filter((s) => s.label === 'bad-schedule'), [], 'not installed');
  t.ok(log.lines.some((l) => /^error sync schedule of bad-schedule ignored: .*year/.test(l)), 'logged with the reason');
  await sched.stop();
  await stores.sync.setSchedule(id, null, null);
});

t.test('stop destroys every task', async (t) => {
  const id = await channel('stop-chan');
  await stores.sync.setSchedule(id, '* * * * * ?', {});
  const sync = new RecordingSync();
  const sched = new SyncScheduler({ source: stores.sync, sync, timeZone: 'UTC' });
  await sched.start();
  t.ok([...cron.getTasks().values()].some((task) => task.name === 'sync:stop-chan'), 'the task is registered with node-cron');
  await sched.stop();
  t.notOk([...cron.getTasks().values()].some((task) => task.name === 'sync:stop-chan'), 'and gone after stop');
  t.same(sched.scheduled(), []);
  const count = sync.of('stop-chan').length;
  await sleep(1500);
  t.equal(sync.of('stop-chan').length, count, 'no tick after stop');
  await sched.reschedule(id);
  t.same(sched.scheduled(), [], 'reschedule after stop installs nothing');
  await stores.sync.setSchedule(id, null, null);
});
