// Tells the per-row caches of the check-in path (a system's identity, whether it has open actions)
// when their rows change, so they need no expiry: this connection's writes reach them through
// TEMP triggers calling back into JavaScript, whatever code path made them; commits by other
// connections (a test, a CLI process, a worker thread) through PRAGMA data_version (~2 µs), looked
// at before each cached read, which drops every cached row.
import type { Db } from './db.js';

export type WatchedRows = 'system' | 'actions';

// Only the columns the identity check reads fire the systems trigger: check-in times, written
// every second for the whole fleet, do not.
const TRIGGERS = `
CREATE TEMP TRIGGER IF NOT EXISTS skylab_watch_system_update
  AFTER UPDATE OF org_id, secret, disabled, locked, name, os_release, release_name, architecture, username ON main.systems
  BEGIN SELECT skylab_row_changed('system', OLD.id); END;
CREATE TEMP TRIGGER IF NOT EXISTS skylab_watch_system_delete
  AFTER DELETE ON main.systems
  BEGIN SELECT skylab_row_changed('system', OLD.id); END;
CREATE TEMP TRIGGER IF NOT EXISTS skylab_watch_actions_insert
  AFTER INSERT ON main.server_actions
  BEGIN SELECT skylab_row_changed('actions', NEW.system_id); END;
CREATE TEMP TRIGGER IF NOT EXISTS skylab_watch_actions_update
  AFTER UPDATE ON main.server_actions
  BEGIN SELECT skylab_row_changed('actions', NEW.system_id); SELECT skylab_row_changed('actions', OLD.system_id); END;
`;

export class ChangeWatch {
  private readonly rows: Record<WatchedRows, ((id: number) => void)[]> = { system: [], actions: [] };
  private readonly external: (() => void)[] = [];
  private readonly versionStmt;
  private version: unknown;

  constructor(db: Db) {
    db.function('skylab_row_changed', { deterministic: false, varargs: false }, (kind: unknown, id: unknown) => {
      const listeners = this.rows[kind as WatchedRows];
      if (listeners) for (const l of listeners) l(Number(id));
      return null;
    });
    db.exec(TRIGGERS);
    this.versionStmt = db.prepare('PRAGMA data_version').pluck();
    this.version = this.versionStmt.get();
  }

  /** `fn(id)` after this connection changed such a row (before the transaction commits). */
  onRow(kind: WatchedRows, fn: (id: number) => void): void {
    this.rows[kind].push(fn);
  }

  /** `fn()` when another connection committed anything: every cached row may be stale. */
  onExternal(fn: () => void): void {
    this.external.push(fn);
  }

  /** Looks for other connections' commits; call before reading a cache. */
  check(): void {
    const v = this.versionStmt.get();
    if (v === this.version) return;
    this.version = v;
    for (const fn of this.external) fn();
  }
}
