// Refusals made inside registration and subscription transactions: an activation key the org
// may use right now, and a channel tree (a base and children of exactly it) visible to the org.
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import { Conflict, InvalidArgument, NotFound } from '../errors.js';

/**
 * The key belongs to the org (NotFound activationkey otherwise), is enabled (Conflict
 * activationkey.disabled) and has registered fewer existing systems than its usage limit
 * (Conflict activationkey.usage_limit); a limit of 0 is unlimited.
 */
export function checkKeyUsable(db: Db, orgId: number, keyId: number): void {
  const k = db
    .prepare(
      `SELECT k.org_id AS orgId, k.key, k.usage_limit AS usageLimit, k.disabled,
              (SELECT count(*) FROM system_activation_keys x WHERE x.key_id = k.id) AS used
       FROM activation_keys k WHERE k.id = ?`,
    )
    .get(keyId) as { orgId: number; key: string; usageLimit: number; disabled: number; used: number } | undefined;
  if (!k || k.orgId !== orgId) throw new NotFound('activationkey', keyId, k !== undefined);
  if (k.disabled === 1) throw new Conflict('activationkey.disabled', `Activation key ${k.key} is disabled`);
  if (k.usageLimit > 0 && k.used >= k.usageLimit) {
    throw new Conflict('activationkey.usage_limit', `Activation key ${k.key} has reached its usage limit (${k.usageLimit})`);
  }
}

/**
 * A visible base channel (or none) and visible children of exactly that base.
 * `visible` selects `parent_id` of channel `@id` when org `@org` may see it.
 */
export function checkChannelTree(visible: Statement, orgId: number, baseId: number | null, childIds: readonly number[]): void {
  if (baseId === null) {
    if (childIds.length > 0) throw new InvalidArgument('system.child_channel', 'Child channels need a base channel');
    return;
  }
  const base = visible.get({ id: baseId, org: orgId }) as { parent_id: number | null } | undefined;
  if (!base) throw new NotFound('channel', baseId);
  if (base.parent_id !== null) throw new InvalidArgument('system.base_channel', `Channel ${baseId} is not a base channel`);
  for (const childId of childIds) {
    const child = visible.get({ id: childId, org: orgId }) as { parent_id: number | null } | undefined;
    if (!child) throw new NotFound('channel', childId);
    if (child.parent_id !== baseId) throw new InvalidArgument('system.child_channel', `Channel ${childId} is not a child of channel ${baseId}`);
  }
}
