// SQL for actions and the per-system queue that queue.get/queue.submit drive
// (client-protocol.md 6.2, 6.3): scheduling, prerequisite cascades, pickup, results, reboots.
import type { Statement } from 'better-sqlite3';
import type { ChangeWatch } from './change-watch.js';
import type { Db } from './db.js';
import type { Action, ActionOutcome, NewAction, QueuedAction, QueuePoll } from '../model-systems.js';
import { InvalidArgument, NotFound } from '../errors.js';
import { nowSeconds, toSeconds } from './rows.js';
import { clipMessage, MAX_ID } from './system-rows.js';
import { ACTION_SELECT, QUEUED_COLUMNS, toAction, toQueued, type ActionRow, type QueuedRow } from './action-rows.js';

const PREREQUISITE_FAILED = 'Prerequisite failed';
export const REBOOT_TYPE = 'reboot.reboot';

const secondsOf = (now?: Date): number => (now ? toSeconds(now) : nowSeconds());

const QUIET_MAX = 500_000;

export class ActionStore {
  private readonly hasOpenStmt;
  private readonly failedPrereqStmt;
  private readonly rebootStmt;
  private readonly candidatesStmt;
  private readonly pickupStmt;
  private readonly lengthStmt;
  private readonly systemActionStmt;
  private readonly cascadeStmt;
  private readonly finishPickedUpStmt;
  private readonly finishOpenStmt;

  /** systems known to have no queued or picked-up action; a change to their rows drops them */
  private readonly quiet = new Set<number>();

  constructor(
    private readonly db: Db,
    private readonly watch: ChangeWatch,
  ) {
    watch.onRow('actions', (id) => this.quiet.delete(id));
    watch.onExternal(() => this.quiet.clear());
    this.hasOpenStmt = db.prepare('SELECT 1 FROM server_actions WHERE system_id = ? AND status IN (0, 1) LIMIT 1').pluck();
    this.failedPrereqStmt = db
      .prepare(
        `SELECT sa.action_id FROM server_actions sa JOIN actions a ON a.id = sa.action_id
         WHERE sa.system_id = ? AND sa.status IN (0, 1) AND a.prerequisite IS NOT NULL
           AND EXISTS (SELECT 1 FROM server_actions p WHERE p.system_id = sa.system_id AND p.action_id = a.prerequisite AND p.status = 3)
         ORDER BY sa.action_id`,
      )
      .pluck();
    this.rebootStmt = db
      .prepare(
        `SELECT sa.action_id FROM server_actions sa JOIN actions a ON a.id = sa.action_id
         WHERE sa.system_id = ? AND sa.status = 1 AND a.type = '${REBOOT_TYPE}' ORDER BY sa.action_id LIMIT 1`,
      )
      .pluck();
    // queue.py's _query_queue_get: a prerequisite blocks only while this system has it and it is not completed
    this.candidatesStmt = db.prepare(
      `SELECT ${QUEUED_COLUMNS} FROM server_actions sa JOIN actions a ON a.id = sa.action_id
       WHERE sa.system_id = ? AND sa.status IN (0, 1) AND a.earliest <= ?
         AND NOT EXISTS (SELECT 1 FROM server_actions p WHERE p.system_id = sa.system_id AND p.action_id = a.prerequisite AND p.status <> 2)
       ORDER BY a.earliest, a.prerequisite NULLS FIRST, a.id`,
    );
    this.pickupStmt = db.prepare(
      `UPDATE server_actions SET status = 1, pickup_time = ?, remaining_tries = remaining_tries - 1, modified = ?
       WHERE system_id = ? AND action_id = ? AND status IN (0, 1)`,
    );
    this.lengthStmt = db.prepare('SELECT count(*) FROM server_actions WHERE system_id = ? AND status IN (0, 1)').pluck();
    this.systemActionStmt = db.prepare(`SELECT ${QUEUED_COLUMNS} FROM server_actions sa JOIN actions a ON a.id = sa.action_id WHERE sa.system_id = ? AND sa.action_id = ?`);
    const finish = (states: string): Statement =>
      db.prepare(
        `UPDATE server_actions SET status = ?, result_code = ?, result_msg = ?, completion_time = ?, modified = ?
         WHERE system_id = ? AND action_id = ? AND status IN ${states}`,
      );
    this.finishPickedUpStmt = finish('(1)');
    this.finishOpenStmt = finish('(0, 1)');
    // the open actions of this system that descend from @root (the root itself when @self = 1)
    this.cascadeStmt = db
      .prepare(
        `WITH RECURSIVE tree(id) AS (
           SELECT @root UNION
           SELECT sa.action_id FROM server_actions sa JOIN actions a ON a.id = sa.action_id JOIN tree t ON a.prerequisite = t.id
           WHERE sa.system_id = @system)
         UPDATE server_actions SET status = 3, result_code = -100, result_msg = '${PREREQUISITE_FAILED}', completion_time = @now, modified = @now
         WHERE system_id = @system AND status IN (0, 1) AND action_id IN (SELECT id FROM tree WHERE @self = 1 OR id <> @root)
         RETURNING action_id`,
      )
      .pluck();
  }

  /**
   * Schedules an action for systems of its org in one transaction and returns its id. Systems
   * outside the org raise NotFound('system'); a prerequisite outside the org InvalidArgument.
   */
  async create(a: NewAction): Promise<number> {
    return this.db.transaction(() => this.createInTx(a))();
  }

  /** Several actions (e.g. one per erratum), all or none; ids in the order given. A prerequisite may name an earlier one. */
  async createMany(actions: readonly NewAction[]): Promise<number[]> {
    return this.db.transaction(() => actions.map((a) => this.createInTx(a)))();
  }

  private createInTx(a: NewAction): number {
    const now = secondsOf(a.now);
    if (a.prerequisite != null && !this.db.prepare('SELECT 1 FROM actions WHERE id = ? AND org_id = ?').get(a.prerequisite, a.orgId)) {
      throw new InvalidArgument('action.prerequisite', `No such action: ${a.prerequisite}`);
    }
    const inOrg = this.db.prepare('SELECT 1 FROM systems WHERE id = ? AND org_id = ?').pluck();
    const systems = [...new Set(a.systemIds)];
    for (const s of systems) if (!inOrg.get(s, a.orgId)) throw new NotFound('system', s);
    const info = this.db
      .prepare(
        `INSERT INTO actions (org_id, type, name, scheduler_id, earliest, prerequisite, version, payload, created, modified)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(a.orgId, a.type, a.name, a.schedulerId ?? null, toSeconds(a.earliest), a.prerequisite ?? null, a.version ?? 2, JSON.stringify(a.payload ?? {}), now, now);
    const id = Number(info.lastInsertRowid);
    if (id > MAX_ID) throw new Error('action ids exhausted: they must fit 31 bits');
    const ins = this.db.prepare('INSERT INTO server_actions (system_id, action_id, status, remaining_tries, created, modified) VALUES (?, ?, 0, ?, ?, ?)');
    for (const s of systems) ins.run(s, id, a.remainingTries ?? 5, now, now);
    return id;
  }

  async get(orgId: number, id: number): Promise<Action | null> {
    const r = this.db.prepare(`${ACTION_SELECT} WHERE a.id = ? AND a.org_id = ?`).get(id, orgId) as ActionRow | undefined;
    return r ? toAction(r) : null;
  }

  /**
   * Steps 4-6 of queue.get in one transaction: fail open actions whose prerequisite failed (and
   * their descendants), then report a picked-up reboot or the deliverable candidates in
   * Spacewalk's order. A system with nothing open costs one indexed read. Protocol-only: the
   * system id comes from a verified systemid.
   */
  async poll(systemId: number, now?: Date): Promise<QueuePoll> {
    this.watch.check();
    if (this.quiet.has(systemId)) return { invalidated: [], rebootPending: null, candidates: [] };
    if (!this.hasOpenStmt.get(systemId)) {
      if (this.quiet.size >= QUIET_MAX) this.quiet.clear();
      this.quiet.add(systemId);
      return { invalidated: [], rebootPending: null, candidates: [] };
    }
    // IMMEDIATE: it may write after reading (see SystemStore.recordStatus)
    return this.db.transaction(() => {
      const at = secondsOf(now);
      const invalidated = this.failBrokenPrerequisitesInTx(systemId, at);
      const rebootPending = (this.rebootStmt.get(systemId) as number | undefined) ?? null;
      const candidates = rebootPending === null ? (this.candidatesStmt.all(systemId, at) as QueuedRow[]).map(toQueued) : [];
      return { invalidated, rebootPending, candidates };
    }).immediate();
  }

  /** Fails (-100 "Prerequisite failed") every open action whose prerequisite failed on this system, with their descendants. */
  async failBrokenPrerequisites(systemId: number, now?: Date): Promise<number[]> {
    return this.db.transaction(() => this.failBrokenPrerequisitesInTx(systemId, secondsOf(now)))();
  }

  private failBrokenPrerequisitesInTx(systemId: number, at: number): number[] {
    const failed: number[] = [];
    for (const root of this.failedPrereqStmt.all(systemId) as number[]) {
      failed.push(...(this.cascadeStmt.all({ root, system: systemId, now: at, self: 1 }) as number[]));
    }
    return [...new Set(failed)].sort((a, b) => a - b);
  }

  /** The picked-up reboot.reboot of the system, if any. */
  async pickedUpReboot(systemId: number): Promise<number | null> {
    return (this.rebootStmt.get(systemId) as number | undefined) ?? null;
  }

  /** Open actions due by `now` whose prerequisite (if this system has it) completed, in delivery order. */
  async candidates(systemId: number, now?: Date): Promise<QueuedAction[]> {
    return (this.candidatesStmt.all(systemId, secondsOf(now)) as QueuedRow[]).map(toQueued);
  }

  /** Delivers an open action: picked up now, one try fewer. False when it is not open for the system. */
  async markPickedUp(systemId: number, actionId: number, now?: Date): Promise<boolean> {
    const at = secondsOf(now);
    return this.pickupStmt.run(at, at, systemId, actionId).changes > 0;
  }

  /**
   * Records a result. By default only a picked-up action may finish (queue.submit's rule, fault
   * 22 otherwise); `anyOpen` also accepts a queued one (queue.get failing an undeliverable or
   * exhausted action). A failure fails the open descendants on this system ("Prerequisite
   * failed"). `updated` is false, and nothing changes, when the action was not in such a state.
   */
  async finish(systemId: number, actionId: number, outcome: ActionOutcome, opts: { anyOpen?: boolean; now?: Date } = {}): Promise<{ updated: boolean; failedDependants: number[] }> {
    return this.db.transaction(() => {
      const at = secondsOf(opts.now);
      const n = (opts.anyOpen ? this.finishOpenStmt : this.finishPickedUpStmt).run(outcome.status, outcome.resultCode, clipMessage(outcome.message), at, at, systemId, actionId).changes;
      if (n === 0) return { updated: false, failedDependants: [] };
      const failedDependants = outcome.status === 3 ? (this.cascadeStmt.all({ root: actionId, system: systemId, now: at, self: 0 }) as number[]) : [];
      return { updated: true, failedDependants: failedDependants.sort((a, b) => a - b) };
    })();
  }

  /** Completes the system's picked-up reboots (its uptime shows it rebooted); returns their ids. */
  async completePickedUpReboots(systemId: number, message = 'Reboot completed.', now?: Date): Promise<number[]> {
    const at = secondsOf(now);
    return this.db
      .prepare(
        `UPDATE server_actions SET status = 2, result_code = 0, result_msg = ?, completion_time = ?, modified = ?
         WHERE system_id = ? AND status = 1 AND action_id IN (SELECT id FROM actions WHERE type = '${REBOOT_TYPE}')
         RETURNING action_id`,
      )
      .pluck()
      .all(clipMessage(message), at, at, systemId) as number[];
  }

  /** queue.length: the system's queued and picked-up actions. */
  async queueLength(systemId: number): Promise<number> {
    return this.lengthStmt.get(systemId) as number;
  }

  /** One action of one system with its state, or null when the system does not have it. */
  async systemAction(systemId: number, actionId: number): Promise<QueuedAction | null> {
    const r = this.systemActionStmt.get(systemId, actionId) as QueuedRow | undefined;
    return r ? toQueued(r) : null;
  }
}
