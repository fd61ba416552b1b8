// Forward-only migration runner: applies migrations/NNNN-*.sql in order, each in its own
// transaction, and records file name and sha256 so an edited, already-applied file is refused.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

const FILE_RE = /^(\d{4})-[a-z0-9][a-z0-9-]*\.sql$/;

export function listMigrationFiles(dir: string): string[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  for (const f of files) {
    if (!FILE_RE.test(f)) throw new MigrationError(`migration file name ${f} does not match NNNN-name.sql`);
  }
  files.sort();
  const numbers = files.map((f) => f.slice(0, 4));
  const dup = numbers.find((n, i) => numbers.indexOf(n) !== i);
  if (dup) throw new MigrationError(`two migrations share the number ${dup}`);
  return files;
}

export function applyMigrations(db: Database.Database, dir: string): MigrationReport {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    file TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const applied = new Map<string, string>();
  for (const row of db.prepare('SELECT file, sha256 FROM schema_migrations').all() as { file: string; sha256: string }[]) {
    applied.set(row.file, row.sha256);
  }
  const files = listMigrationFiles(dir);
  const known = new Set(files);
  for (const file of applied.keys()) {
    if (!known.has(file)) throw new MigrationError(`migration ${file} was applied to this database but is missing from ${dir}`);
  }
  const report: MigrationReport = { applied: [], alreadyApplied: 0 };
  const record = db.prepare('INSERT INTO schema_migrations (file, sha256, applied_at) VALUES (?, ?, ?)');
  // A new file numbered below an applied one would give this database a different history
  // (and schema) from a fresh one: forward-only means new numbers go last.
  const newest = [...applied.keys()].sort().pop();
  const late = files.find((f) => !applied.has(f) && newest !== undefined && f < newest);
  if (late) throw new MigrationError(`migration ${late} is numbered below ${newest}, which is already applied: renumber it after the newest`);
  for (const file of files) {
    const sql = readFileSync(join(dir, file), 'utf8');
    const sum = createHash('sha256').update(sql).digest('hex');
    const previous = applied.get(file);
    if (previous !== undefined) {
      if (previous !== sum) {
        throw new MigrationError(
          `migration ${file} changed after it was applied (recorded sha256 ${previous.slice(0, 12)}..., now ${sum.slice(0, 12)}...); ` +
            'applied migrations are immutable: add a new migration instead',
        );
      }
      report.alreadyApplied++;
      continue;
    }
    try {
      db.transaction(() => {
        db.exec(sql);
        record.run(file, sum, Math.floor(Date.now() / 1000));
      })();
    } catch (err) {
      throw new MigrationError(`migration ${file} failed and was rolled back: ${(err as Error).message}`);
    }
    report.applied.push(file);
  }
  return report;
}
