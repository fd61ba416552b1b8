// SQL behind the schedule API and system event history: an org's actions with their per-status
// system counts, the systems of an action, cancel/reschedule/archive with Spacewalk's rules.
import type { Db } from './db.js';
import type { ActionListFilter, ActionSummary, ActionSystem, ActionSystemFilter, QueuedAction, SystemEvent } from '../model-systems.js';
import { Conflict, InvalidArgument } from '../errors.js';
import { nowSeconds, toDate } from './rows.js';
import { IN_JSON, jsonIds } from './system-rows.js';
import { QUEUED_COLUMNS, toAction, toQueued, toServerAction, type ActionRow, type QueuedRow, type ServerActionRow } from './action-rows.js';

const LIST_FILTERS: Record<ActionListFilter, string> = {
  all: '1',
  completed: 'a.archived = 0 AND completed > 0',
  failed: 'a.archived = 0 AND failed > 0',
  inProgress: 'a.archived = 0 AND in_progress > 0',
  archived: 'a.archived = 1',
};

const SYSTEM_FILTERS: Record<ActionSystemFilter, string> = {
  completed: 'sa.status = 2',
  failed: 'sa.status = 3',
  inProgress: 'sa.status IN (0, 1)',
};

/** rescheduleAction: "5 was hardcoded from perl" (Spacewalk's ActionManager). */
const RESCHEDULE_TRIES = 5;

export class ScheduleStore {
  constructor(private readonly db: Db) {}

  /** The org's actions passing the filter, with how many systems completed, failed or still have each; newest first. */
  async list(orgId: number, filter: ActionListFilter): Promise<ActionSummary[]> {
    const rows = this.db
      .prepare(
        `SELECT a.*, u.login AS scheduler_login, coalesce(sum(sa.status = 2), 0) AS completed,
                coalesce(sum(sa.status = 3), 0) AS failed, coalesce(sum(sa.status IN (0, 1)), 0) AS in_progress
         FROM actions a LEFT JOIN server_actions sa ON sa.action_id = a.id LEFT JOIN users u ON u.id = a.scheduler_id
         WHERE a.org_id = ? GROUP BY a.id HAVING ${LIST_FILTERS[filter]} ORDER BY a.earliest DESC, a.id DESC`,
      )
      .all(orgId) as (ActionRow & { completed: number; failed: number; in_progress: number })[];
    return rows.map((r) => ({ ...toAction(r), completedSystems: r.completed, failedSystems: r.failed, inProgressSystems: r.in_progress }));
  }

  /** The systems of an org's action in the given state, by name, with their base channel. */
  async systems(orgId: number, actionId: number, filter: ActionSystemFilter): Promise<ActionSystem[]> {
    const rows = this.db
      .prepare(
        `SELECT sa.*, s.name AS system_name,
                (SELECT c.label FROM system_channels sc JOIN channels c ON c.id = sc.channel_id
                 WHERE sc.system_id = s.id AND c.parent_id IS NULL LIMIT 1) AS base_label
         FROM server_actions sa JOIN actions a ON a.id = sa.action_id JOIN systems s ON s.id = sa.system_id
         WHERE sa.action_id = ? AND a.org_id = ? AND ${SYSTEM_FILTERS[filter]} ORDER BY s.name COLLATE NOCASE, s.id`,
      )
      .all(actionId, orgId) as (ServerActionRow & { system_name: string; base_label: string | null })[];
    return rows.map((r) => ({ ...toServerAction(r), systemName: r.system_name, baseChannelLabel: r.base_label }));
  }

  /** Every id must name an action of the org (InvalidArgument action.unknown otherwise). */
  private checkOwnedInTx(orgId: number, ids: readonly number[]): { id: number; prerequisite: number | null }[] {
    const get = this.db.prepare('SELECT id, prerequisite FROM actions WHERE id = ? AND org_id = ?');
    return ids.map((id) => {
      const r = get.get(id, orgId) as { id: number; prerequisite: number | null } | undefined;
      if (!r) throw new InvalidArgument('action.unknown', `Could not find action with id: ${id}`);
      return r;
    });
  }

  /**
   * schedule.cancelActions, all or nothing: each action must be top-level (Conflict action.child)
   * and picked up by no system (Conflict action.picked_up); then the server actions of it and
   * its descendants that no system picked up yet are deleted. Returns how many were deleted.
   */
  async cancel(orgId: number, ids: readonly number[]): Promise<number> {
    return this.db.transaction(() => {
      const pickedUp = this.db.prepare('SELECT 1 FROM server_actions WHERE action_id = ? AND status = 1 LIMIT 1');
      for (const a of this.checkOwnedInTx(orgId, ids)) {
        if (a.prerequisite !== null) throw new Conflict('action.child', `Action ${a.id} depends on another action and cannot be cancelled on its own`);
        if (pickedUp.get(a.id)) throw new Conflict('action.picked_up', 'Cannot cancel actions in PICKED UP state, aborting...');
      }
      return this.db
        .prepare(
          `WITH RECURSIVE tree(id) AS (SELECT value FROM json_each(?) UNION SELECT a.id FROM actions a JOIN tree t ON a.prerequisite = t.id)
           DELETE FROM server_actions WHERE action_id IN (SELECT id FROM tree) AND pickup_time IS NULL`,
        )
        .run(jsonIds(ids)).changes;
    })();
  }

  /** schedule.rescheduleActions: back to queued with fresh tries (only the failed systems, or all). */
  async reschedule(orgId: number, ids: readonly number[], onlyFailed: boolean): Promise<number> {
    return this.db.transaction(() => {
      this.checkOwnedInTx(orgId, ids);
      return this.db
        .prepare(
          `UPDATE server_actions SET status = 0, remaining_tries = ?, pickup_time = NULL, completion_time = NULL,
             result_code = NULL, result_msg = NULL, modified = ?
           WHERE action_id ${IN_JSON}${onlyFailed ? ' AND status = 3' : ''}`,
        )
        .run(RESCHEDULE_TRIES, nowSeconds(), jsonIds(ids)).changes;
    })();
  }

  async archive(orgId: number, ids: readonly number[]): Promise<number> {
    return this.db.transaction(() => {
      this.checkOwnedInTx(orgId, ids);
      return this.db.prepare(`UPDATE actions SET archived = 1, modified = ? WHERE org_id = ? AND id ${IN_JSON}`).run(nowSeconds(), orgId, jsonIds(ids)).changes;
    })();
  }

  /**
   * A system's actions (system.listSystemEvents, getEventHistory), newest first, optionally of
   * one type, with the action's success and failure counts over all its systems.
   */
  async history(orgId: number, systemId: number, type?: string): Promise<SystemEvent[]> {
    const rows = this.db
      .prepare(
        `SELECT ${QUEUED_COLUMNS}, a.archived, a.created AS action_created, a.modified AS action_modified, u.login AS scheduler_login,
                (SELECT count(*) FROM server_actions x WHERE x.action_id = a.id AND x.status = 2) AS successful,
                (SELECT count(*) FROM server_actions x WHERE x.action_id = a.id AND x.status = 3) AS failed
         FROM server_actions sa JOIN actions a ON a.id = sa.action_id JOIN systems s ON s.id = sa.system_id
         LEFT JOIN users u ON u.id = a.scheduler_id
         WHERE sa.system_id = ? AND s.org_id = ? ${type === undefined ? '' : 'AND a.type = ?'}
         ORDER BY a.created DESC, a.id DESC`,
      )
      .all(systemId, orgId, ...(type === undefined ? [] : [type])) as (QueuedRow & {
      archived: number;
      action_created: number;
      action_modified: number;
      scheduler_login: string | null;
      successful: number;
      failed: number;
    })[];
    return rows.map((r) => ({
      ...toQueued(r),
      schedulerLogin: r.scheduler_login,
      archived: r.archived === 1,
      actionCreated: toDate(r.action_created),
      actionModified: toDate(r.action_modified),
      successfulCount: r.successful,
      failedCount: r.failed,
    }));
  }

  /** Queued and picked-up actions of the org's systems (e.g. errata already scheduled), optionally of one type. */
  async openActions(orgId: number, systemIds: readonly number[], type?: string): Promise<QueuedAction[]> {
    const rows = this.db
      .prepare(
        `SELECT ${QUEUED_COLUMNS} FROM server_actions sa JOIN actions a ON a.id = sa.action_id
         WHERE sa.system_id ${IN_JSON} AND a.org_id = ? AND sa.status IN (0, 1) ${type === undefined ? '' : 'AND a.type = ?'}
         ORDER BY sa.system_id, a.earliest, a.id`,
      )
      .all(jsonIds(systemIds), orgId, ...(type === undefined ? [] : [type])) as QueuedRow[];
    return rows.map(toQueued);
  }
}
