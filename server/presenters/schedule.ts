// Wire shapes of actions: ScheduleAction and ScheduleSystem (schedule.*), the event rows of
// system.listSystemEvents and HistoryEvent (getEventHistory), with rhnActionType's names.
import type { ActionSummary, ActionSystem, SystemEvent } from '../../channels/index.js';
import { formatTimestamp, type Zone } from '../xmlrpc/zone.js';

/** rhnActionType: label -> the name Spacewalk shows (and listSystemEvents filters on). */
export const ACTION_TYPE_NAMES: Readonly<Record<string, string>> = {
  'packages.update': 'Package Install',
  'packages.remove': 'Package Removal',
  'packages.refresh_list': 'Package List Refresh',
  'packages.verify': 'Verify deployed packages',
  'packages.runTransaction': 'Package Synchronization',
  'errata.update': 'Errata Update',
  'hardware.refresh_list': 'Hardware List Refresh',
  'reboot.reboot': 'System reboot',
  'script.run': 'Run an arbitrary script',
  'rhnsd.configure': 'rhnsd Configuration',
};

export const actionTypeName = (label: string): string => ACTION_TYPE_NAMES[label] ?? label;

/** The label for a type given by name (or already by label); undefined when unknown. */
export function actionTypeLabel(nameOrLabel: string): string | undefined {
  if (Object.hasOwn(ACTION_TYPE_NAMES, nameOrLabel)) return nameOrLabel;
  return Object.entries(ACTION_TYPE_NAMES).find(([, name]) => name === nameOrLabel)?.[0];
}

/** ScheduleActionSerializer; scheduler left out when the scheduling user is gone. */
export function scheduleAction(a: ActionSummary): Record<string, unknown> {
  return {
    id: a.id,
    name: a.name,
    type: actionTypeName(a.type),
    scheduler: a.schedulerLogin,
    earliest: a.earliest,
    completedSystems: a.completedSystems,
    failedSystems: a.failedSystems,
    inProgressSystems: a.inProgressSystems,
  };
}

/** ScheduleSystemSerializer: the time of the system's last state change, and its result text. */
export function scheduleSystem(s: ActionSystem): Record<string, unknown> {
  return {
    server_id: s.systemId,
    server_name: s.systemName,
    base_channel: s.baseChannelLabel ?? '',
    timestamp: s.completionTime ?? s.pickupTime ?? s.modified,
    message: s.resultMessage ?? '',
  };
}

/** One listSystemEvents row; optional members only when set, string times as Timestamp.toString(). */
export function systemEvent(e: SystemEvent, zone: Zone, additionalInfo: { detail: string; result?: string }[]): Record<string, unknown> {
  const ts = (d: Date | null): string | null => (d ? formatTimestamp(zone, d) : null);
  return {
    failed_count: e.failedCount,
    modified: ts(e.modified),
    modified_date: e.modified,
    created: ts(e.created),
    created_date: e.created,
    action_type: actionTypeName(e.type),
    successful_count: e.successfulCount,
    earliest_action: ts(e.earliest),
    archived: e.archived ? 1 : 0,
    scheduler_user: e.schedulerLogin,
    prerequisite: e.prerequisite === null ? null : String(e.prerequisite),
    name: e.name,
    id: e.actionId,
    version: String(e.version),
    completion_time: ts(e.completionTime),
    completed_date: e.completionTime,
    pickup_time: ts(e.pickupTime),
    pickup_date: e.pickupTime,
    result_msg: e.resultMessage,
    additional_info: additionalInfo.length > 0 ? additionalInfo : null,
  };
}

const STATUS_WORDS = ['queued', 'picked up', 'completed', 'failed'];

/** HistoryEventSerializer for an action of the system. */
export function historyEvent(e: SystemEvent): Record<string, unknown> {
  const by = e.schedulerLogin ? ` scheduled by ${e.schedulerLogin}` : '';
  const status = STATUS_WORDS[e.status] ?? 'unknown';
  return {
    completed: e.completionTime ?? e.modified,
    summary: `${actionTypeName(e.type)}${by}`,
    details: `${e.name}: ${status}${e.resultMessage ? ` (${e.resultMessage})` : ''}`,
  };
}
