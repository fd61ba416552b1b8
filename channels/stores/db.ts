// Opens the embedded SQLite database (better-sqlite3, WAL, foreign keys) and applies the
// numbered migrations before anything else touches it.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { applyMigrations, type MigrationReport } from './migrate.js';
import { WAL_KEEP_BYTES } from './checkpointer.js';

export type Db = Database.Database;

export interface OpenOptions {
  /** Path of the database file, or ':memory:'. */
  file: string;
  /** null: a second connection to a database its owner has already migrated (worker threads) */
  migrationsDir: string | null;
  readonly?: boolean;
}

/**
 * Makes `db.transaction(fn)` begin with BEGIN IMMEDIATE. A deferred transaction that reads and
 * then writes cannot wait for the write lock when another connection (a sync's writer thread,
 * the checkpointer, another process) wrote in between: SQLite fails it at once with "database is
 * locked" instead of using the busy timeout. Taking the lock up front lets it wait its turn.
 */
function immediateTransactions(db: Database.Database): void {
  const make = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const t = make(fn);
    const run = (...args: unknown[]): unknown => t.immediate(...args);
    return Object.assign(run, { default: t.immediate, deferred: t.deferred, immediate: t.immediate, exclusive: t.exclusive });
  }) as typeof db.transaction;
}

export function openDatabase(opts: OpenOptions): { db: Db; migrations: MigrationReport } {
  if (opts.file !== ':memory:') mkdirSync(dirname(opts.file), { recursive: true });
  const db = new Database(opts.file);
  try {
    // Only takes effect on a new, empty database: 16 KiB pages hold the per-package repodata
    // snippets (2-4 KiB each) without overflow chains, which makes bulk imports ~25% faster.
    db.pragma('page_size = 16384');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Several processes (serve, skylab sync, CLI) share one file: wait for locks, not fail.
    db.pragma('busy_timeout = 10000');
    db.pragma('cache_size = -16384');
    // Checkpoints run in the background (checkpointer.ts) or when the process closes the
    // database, never in the middle of a commit.
    db.pragma('wal_autocheckpoint = 0');
    // a log started over is cut back to this size (see checkpointer.ts)
    db.pragma(`journal_size_limit = ${WAL_KEEP_BYTES}`);
    immediateTransactions(db);
    const migrations = opts.migrationsDir === null ? { applied: [], alreadyApplied: 0 } : applyMigrations(db, opts.migrationsDir);
    return { db, migrations };
  } catch (err) {
    db.close();
    throw err;
  }
}
