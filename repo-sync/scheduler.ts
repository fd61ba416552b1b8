// The sync scheduler: one node-cron task per channel that has a sync schedule, loaded at start
// and replaced when the API changes one, and the one place a server process starts background
// syncs, so that a cron tick and an API request for the same channel never run side by side.
import cron, { type ScheduledTask } from 'node-cron';
import type { SyncSchedule } from '../channels/index.js';
import { quartzToNodeCron } from './quartz.js';
import type { SyncOutcome, SyncParams, SyncService, SyncTrigger } from './sync/types.js';

export interface ScheduleSource {
  schedules(): Promise<SyncSchedule[]>;
}

export interface SchedulerLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export interface SchedulerOptions {
  source: ScheduleSource;
  sync: SyncService;
  /** IANA zone the cron expressions are read in (SKYLAB_TZ) */
  timeZone: string;
  log?: SchedulerLog;
}

export interface ScheduledChannel {
  channelId: number;
  label: string;
  /** the Quartz expression as stored */
  quartz: string;
  /** what node-cron runs */
  pattern: string;
  params: SyncParams;
  nextRun: Date | null;
}

interface Entry {
  schedule: SyncSchedule;
  pattern: string;
  task: ScheduledTask;
}

interface Running {
  /** a request that arrived while the sync ran: it runs once more when this one ends */
  again: { trigger: SyncTrigger; params: SyncParams } | null;
}

const SILENT: SchedulerLog = { info() {}, warn() {}, error() {} };

/** The stored schedule parameters as the sync contract names them (unknown keys dropped). */
export function scheduleParams(stored: Record<string, boolean>): SyncParams {
  const p: SyncParams = {};
  for (const k of ['noErrata', 'latest', 'fail', 'syncKickstart'] as const) if (typeof stored[k] === 'boolean') p[k] = stored[k];
  return p;
}

/** node-cron accepts an unknown zone and fails much later (in shutdown): check it first. */
export function assertSchedulerZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new RangeError(`unknown time zone for sync schedules: ${JSON.stringify(zone)}`);
  }
}

export class SyncScheduler {
  private readonly entries = new Map<number, Entry>();
  private readonly running = new Map<string, Running>();
  private readonly log: SchedulerLog;
  private started = false;
  private stopped = false;

  constructor(private readonly opts: SchedulerOptions) {
    assertSchedulerZone(opts.timeZone);
    this.log = opts.log ?? SILENT;
  }

  /** Loads every stored schedule and starts its task. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.stopped = false;
    for (const s of await this.opts.source.schedules()) this.install(s);
    if (this.entries.size > 0) this.log.info(`sync scheduler started with ${this.entries.size} scheduled channel(s)`, { timeZone: this.opts.timeZone });
  }

  /** Re-reads one channel's schedule after the API changed it (or deleted the channel). */
  async reschedule(channelId: number): Promise<void> {
    if (!this.started) return;
    const schedule = (await this.opts.source.schedules()).find((s) => s.channelId === channelId) ?? null;
    await this.remove(channelId);
    if (schedule && this.started) this.install(schedule);
  }

  /**
   * Starts a sync of the channel in the background. If one started by this process is still
   * running, one more run is queued behind it instead ('queued'). A SyncService that throws
   * at once (no pipeline) throws here, so the caller can report it.
   */
  runNow(label: string, trigger: SyncTrigger, params: SyncParams = {}): 'started' | 'queued' {
    const current = this.running.get(label);
    if (current) {
      current.again = { trigger, params };
      return 'queued';
    }
    this.launch(label, trigger, params);
    return 'started';
  }

  /** Whether a sync of the channel started by this process is running. */
  isRunning(label: string): boolean {
    return this.running.has(label);
  }

  scheduled(): ScheduledChannel[] {
    return [...this.entries.values()].map((e) => ({
      channelId: e.schedule.channelId,
      label: e.schedule.label,
      quartz: e.schedule.cron,
      pattern: e.pattern,
      params: scheduleParams(e.schedule.params),
      nextRun: e.task.getNextRun(),
    }));
  }

  /** Stops every task and queued follow-up; syncs already running finish (or die with the process). */
  async stop(): Promise<void> {
    this.started = false;
    this.stopped = true;
    const ids = [...this.entries.keys()];
    await Promise.all(ids.map((id) => this.remove(id)));
  }

  private launch(label: string, trigger: SyncTrigger, params: SyncParams): Promise<void> {
    const entry: Running = { again: null };
    // A synchronous throw (no pipeline) leaves nothing marked as running.
    const syncing: Promise<SyncOutcome> = this.opts.sync.syncChannel(label, trigger, params);
    this.running.set(label, entry);
    return syncing
      .then((o) => this.report(o), (err: unknown) => this.log.error(`sync of ${label} failed`, { trigger, err: String((err as Error)?.message ?? err) }))
      .finally(() => {
        this.running.delete(label);
        const again = entry.again;
        if (again && !this.stopped) this.launchQuietly(label, again.trigger, again.params);
      });
  }

  private launchQuietly(label: string, trigger: SyncTrigger, params: SyncParams): Promise<void> {
    try {
      return this.launch(label, trigger, params);
    } catch (err) {
      this.log.error(`sync of ${label} could not start`, { trigger, err: String((err as Error)?.message ?? err) });
      return Promise.resolve();
    }
  }

  private report(o: SyncOutcome): void {
    const data = { runId: o.runId, status: o.status, packagesAdded: o.packagesAdded, errataAdded: o.errataAdded, seconds: o.seconds };
    if (o.status === 'failed') this.log.warn(`sync of ${o.channel} failed: ${o.error ?? 'no reason given'}`, data);
    else this.log.info(`sync of ${o.channel}: ${o.status}`, data);
  }

  /** A cron tick: skipped while the channel syncs already (noOverlap covers only the task itself). */
  private tick(schedule: SyncSchedule): Promise<void> {
    if (this.running.has(schedule.label)) {
      this.log.info(`scheduled sync of ${schedule.label} skipped: a sync of it is running`);
      return Promise.resolve();
    }
    return this.launchQuietly(schedule.label, 'cron', scheduleParams(schedule.params));
  }

  private install(schedule: SyncSchedule): void {
    let pattern: string;
    try {
      pattern = quartzToNodeCron(schedule.cron);
    } catch (err) {
      this.log.error(`sync schedule of ${schedule.label} ignored: ${(err as Error).message}`);
      return;
    }
    const task = cron.schedule(pattern, () => this.tick(schedule), {
      name: `sync:${schedule.label}`,
      timezone: this.opts.timeZone,
      noOverlap: true,
      logger: { info: () => {}, debug: () => {}, warn: (m) => this.log.warn(`node-cron: ${m}`), error: (m) => this.log.error(`node-cron: ${String(m)}`) },
    });
    this.entries.set(schedule.channelId, { schedule, pattern, task });
    this.log.info(`sync of ${schedule.label} scheduled: '${schedule.cron}' (node-cron '${pattern}', ${this.opts.timeZone})`, {
      nextRun: task.getNextRun()?.toISOString() ?? null,
    });
  }

  private async remove(channelId: number): Promise<void> {
    const e = this.entries.get(channelId);
    if (!e) return;
    this.entries.delete(channelId);
    await e.task.destroy();
  }
}
