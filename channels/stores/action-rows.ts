// Row shapes of actions and server actions, and their conversion to domain records.
import type { Action, ActionStatus, QueuedAction, ServerAction } from '../model-systems.js';
import { toDate, toDateOrNull } from './rows.js';

export interface ActionRow {
  id: number;
  org_id: number;
  type: string;
  name: string;
  scheduler_id: number | null;
  scheduler_login: string | null;
  earliest: number;
  prerequisite: number | null;
  version: number;
  payload: string;
  archived: number;
  created: number;
  modified: number;
}

export const ACTION_SELECT = `SELECT a.*, u.login AS scheduler_login FROM actions a LEFT JOIN users u ON u.id = a.scheduler_id`;

export function toAction(r: ActionRow): Action {
  return {
    id: r.id,
    orgId: r.org_id,
    type: r.type,
    name: r.name,
    schedulerId: r.scheduler_id,
    schedulerLogin: r.scheduler_login,
    earliest: toDate(r.earliest),
    prerequisite: r.prerequisite,
    version: r.version,
    payload: JSON.parse(r.payload) as unknown,
    archived: r.archived === 1,
    created: toDate(r.created),
    modified: toDate(r.modified),
  };
}

export interface ServerActionRow {
  system_id: number;
  action_id: number;
  status: number;
  remaining_tries: number;
  pickup_time: number | null;
  completion_time: number | null;
  result_code: number | null;
  result_msg: string | null;
  created: number;
  modified: number;
}

export interface QueuedRow extends ServerActionRow {
  type: string;
  name: string;
  version: number;
  earliest: number;
  prerequisite: number | null;
  payload: string;
}

/** Server-action columns, then the action's; `sa` and `a` must be in scope. */
export const QUEUED_COLUMNS = `sa.system_id, sa.action_id, sa.status, sa.remaining_tries, sa.pickup_time, sa.completion_time,
  sa.result_code, sa.result_msg, sa.created, sa.modified, a.type, a.name, a.version, a.earliest, a.prerequisite, a.payload`;

export function toServerAction(r: ServerActionRow): ServerAction {
  return {
    systemId: r.system_id,
    actionId: r.action_id,
    status: r.status as ActionStatus,
    remainingTries: r.remaining_tries,
    pickupTime: toDateOrNull(r.pickup_time),
    completionTime: toDateOrNull(r.completion_time),
    resultCode: r.result_code,
    resultMessage: r.result_msg,
    created: toDate(r.created),
    modified: toDate(r.modified),
  };
}

export function toQueued(r: QueuedRow): QueuedAction {
  return {
    ...toServerAction(r),
    type: r.type,
    name: r.name,
    version: r.version,
    earliest: toDate(r.earliest),
    prerequisite: r.prerequisite,
    payload: JSON.parse(r.payload) as unknown,
  };
}
