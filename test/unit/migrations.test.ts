// The forward-only migration runner on throwaway databases: order, recorded sha256 (checked with
// sha256sum, tables read back with the sqlite3 CLI), refusal of edited or missing applied files,
// bad names, and failed migrations that leave nothing half-applied.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listMigrationFiles, MigrationError } from '../../channels/stores/migrate.js';
import { openDatabase } from '../../channels/stores/db.js';
import { ROOT } from '../support/server.js';

function scratch(t: { teardown(fn: () => void): void }): { dir: string; db: string } {
  const base = mkdtempSync(join(tmpdir(), 'skylab-migrate-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, 'migrations');
  mkdirSync(dir);
  return { dir, db: join(base, 'test.db') };
}

/** Query through the sqlite3 command-line shell, not the code under test. */
function sql(db: string, query: string): string {
  return execFileSync('sqlite3', ['-batch', '-separator', '|', db, query], { encoding: 'utf8' }).trim();
}
const sha256sum = (file: string): string => execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]!;

/** Opens (and migrates) the database the way the server does, then closes it. */
function migrate(db: string, dir: string): { applied: string[]; alreadyApplied: number } {
  const { db: handle, migrations } = openDatabase({ file: db, migrationsDir: dir });
  handle.close();
  return migrations;
}
function refusal(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the migration runner to refuse');
}

t.test('applies files in order, each once, and records their sha256', async (t) => {
  const { dir, db } = scratch(t);
  // Written newest first: the runner must order by number, not by directory order.
  writeFileSync(join(dir, '0003-add-column.sql'), 'ALTER TABLE things ADD COLUMN note TEXT;\nUPDATE things SET note = \'n\' || id;\n');
  writeFileSync(join(dir, '0002-seed.sql'), 'INSERT INTO things (id) VALUES (1), (2);\n');
  writeFileSync(join(dir, '0001-create.sql'), 'CREATE TABLE things (id INTEGER PRIMARY KEY);\n');
  writeFileSync(join(dir, 'README.md'), 'not a migration\n');
  const before = Math.floor(Date.now() / 1000);
  t.same(migrate(db, dir), { applied: ['0001-create.sql', '0002-seed.sql', '0003-add-column.sql'], alreadyApplied: 0 });
  t.equal(sql(db, 'SELECT id, note FROM things ORDER BY id'), '1|n1\n2|n2');
  const rows = sql(db, 'SELECT file, sha256, applied_at FROM schema_migrations ORDER BY file').split('\n').map((l) => l.split('|'));
  t.same(rows.map((r) => r[0]), ['0001-create.sql', '0002-seed.sql', '0003-add-column.sql']);
  for (const [file, sum, at] of rows) {
    t.equal(sum, sha256sum(join(dir, file!)), `${file}: sha256 as sha256sum computes it`);
    t.ok(Number(at) >= before && Number(at) <= Math.floor(Date.now() / 1000) + 1, `${file}: applied_at is now`);
  }
  t.same(migrate(db, dir), { applied: [], alreadyApplied: 3 }, 'a second open applies nothing');
  writeFileSync(join(dir, '0004-more.sql'), 'INSERT INTO things (id, note) VALUES (3, \'x\');\n');
  t.same(migrate(db, dir), { applied: ['0004-more.sql'], alreadyApplied: 3 }, 'a new file is applied alone');
  t.equal(sql(db, 'SELECT count(*) FROM things'), '3');
});

t.test('refuses a database whose applied file changed or is missing', async (t) => {
  const { dir, db } = scratch(t);
  writeFileSync(join(dir, '0001-create.sql'), 'CREATE TABLE a (x);\n');
  writeFileSync(join(dir, '0002-create.sql'), 'CREATE TABLE b (x);\n');
  migrate(db, dir);
  writeFileSync(join(dir, '0002-create.sql'), 'CREATE TABLE b (x);\n-- a harmless-looking edit\n');
  const changed = refusal(() => migrate(db, dir));
  t.type(changed, MigrationError);
  t.match(changed.message, /0002-create\.sql changed after it was applied/);
  writeFileSync(join(dir, '0002-create.sql'), 'CREATE TABLE b (x);\n');
  t.same(migrate(db, dir), { applied: [], alreadyApplied: 2 }, 'restoring the file makes the database usable again');
  unlinkSync(join(dir, '0001-create.sql'));
  const missing = refusal(() => migrate(db, dir));
  t.type(missing, MigrationError);
  t.match(missing.message, /0001-create\.sql was applied to this database but is missing/);
});

t.test('refuses a new file numbered below an applied one', async (t) => {
  const { dir, db } = scratch(t);
  writeFileSync(join(dir, '0001-a.sql'), 'CREATE TABLE a (x);\n');
  writeFileSync(join(dir, '0003-c.sql'), 'CREATE TABLE c (x);\n');
  migrate(db, dir);
  writeFileSync(join(dir, '0002-b.sql'), 'CREATE TABLE b (x);\n');
  const late = refusal(() => migrate(db, dir));
  t.type(late, MigrationError);
  t.match(late.message, /0002-b\.sql is numbered below 0003-c\.sql/);
  t.equal(sql(db, "SELECT count(*) FROM sqlite_master WHERE name = 'b'"), '0', 'nothing applied');
});

t.test('rejects bad file names and duplicate numbers', async (t) => {
  for (const name of ['1-init.sql', '0001_init.sql', '0001-Init.sql', '0001-.sql', '00001-init.sql', '0001-init.sql.sql', 'init.sql', '0001 init.sql']) {
    const { dir, db } = scratch(t);
    writeFileSync(join(dir, '0000-ok.sql'), 'CREATE TABLE ok (x);\n');
    writeFileSync(join(dir, name), 'CREATE TABLE bad (x);\n');
    const err = refusal(() => migrate(db, dir));
    t.type(err, MigrationError, `${name} refused`);
    t.match(err.message, /does not match NNNN-name\.sql/);
    t.equal(sql(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('ok', 'bad')"), '0', `${name}: nothing applied`);
  }
  const { dir, db } = scratch(t);
  writeFileSync(join(dir, '0005-one.sql'), 'CREATE TABLE one (x);\n');
  writeFileSync(join(dir, '0005-two.sql'), 'CREATE TABLE two (x);\n');
  const dup = refusal(() => migrate(db, dir));
  t.type(dup, MigrationError);
  t.match(dup.message, /two migrations share the number 0005/);
});

t.test('a failing migration leaves nothing half-applied', async (t) => {
  const { dir, db } = scratch(t);
  writeFileSync(join(dir, '0001-base.sql'), 'CREATE TABLE base (x);\nINSERT INTO base VALUES (1);\n');
  writeFileSync(join(dir, '0002-broken.sql'), 'CREATE TABLE half (x);\nINSERT INTO half VALUES (1);\nALTER TABLE base ADD COLUMN y;\nINSERT INTO nowhere VALUES (1);\n');
  writeFileSync(join(dir, '0003-after.sql'), 'CREATE TABLE after_broken (x);\n');
  const err = refusal(() => migrate(db, dir));
  t.type(err, MigrationError);
  t.match(err.message, /0002-broken\.sql failed and was rolled back: no such table: nowhere/);
  t.equal(sql(db, 'SELECT file FROM schema_migrations'), '0001-base.sql', 'only the good migration is recorded');
  t.equal(sql(db, "SELECT group_concat(name) FROM sqlite_master WHERE type = 'table' AND name IN ('half', 'after_broken')"), '', 'no table of the failed or later migrations');
  t.equal(sql(db, "SELECT group_concat(name) FROM pragma_table_info('base')"), 'x', 'the ALTER inside the failed migration was undone');
  t.equal(sql(db, 'SELECT count(*) FROM base'), '1');

  writeFileSync(join(dir, '0002-broken.sql'), 'CREATE TABLE half (x);\nINSERT INTO half VALUES (1);\n');
  t.same(migrate(db, dir), { applied: ['0002-broken.sql', '0003-after.sql'], alreadyApplied: 1 }, 'the fixed file applies next time');
  t.equal(sql(db, 'SELECT sha256 FROM schema_migrations WHERE file = \'0002-broken.sql\''), sha256sum(join(dir, '0002-broken.sql')));
});

t.test("the project's own migrations apply to a fresh database", async (t) => {
  const { db } = scratch(t);
  const dir = join(ROOT, 'migrations');
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  t.same(listMigrationFiles(dir), files);
  t.same(migrate(db, dir), { applied: files, alreadyApplied: 0 });
  t.same(migrate(db, dir), { applied: [], alreadyApplied: files.length });
  t.equal(sql(db, 'PRAGMA integrity_check'), 'ok');
  t.equal(sql(db, 'PRAGMA foreign_key_check'), '');
});

t.test('0004 moves the check-in times of a database made before it, and deletes follow the systems', async (t) => {
  const { dir, db } = scratch(t);
  const own = join(ROOT, 'migrations');
  for (const f of ['0001-init.sql', '0002-repos.sql', '0003-systems.sql']) copyFileSync(join(own, f), join(dir, f));
  migrate(db, dir);
  // two systems as 0003 stored them, last_checkin in the systems row (written with the sqlite3 CLI)
  const org = sql(db, "INSERT INTO orgs (name, created) VALUES ('o', 1) RETURNING id");
  sql(db, `INSERT INTO systems (org_id, name, secret, os_release, release_name, architecture, created, last_checkin)
           VALUES (${org}, 'a', 's', '9', 'r', 'x86_64', 100, 1700000000), (${org}, 'b', 's', '9', 'r', 'x86_64', 200, 1700000500)`);
  copyFileSync(join(own, '0004-system-checkins.sql'), join(dir, '0004-system-checkins.sql'));
  t.same(migrate(db, dir), { applied: ['0004-system-checkins.sql'], alreadyApplied: 3 });
  t.equal(sql(db, "SELECT s.name, c.last_checkin FROM systems s JOIN system_checkins c ON c.system_id = s.id ORDER BY s.name"), 'a|1700000000\nb|1700000500');
  t.equal(sql(db, "SELECT count(*) FROM pragma_table_info('systems') WHERE name = 'last_checkin'"), '0', 'the column left the systems table');
  t.equal(sql(db, "SELECT count(*) FROM sqlite_master WHERE name = 'systems_checkin'"), '0', 'and its index with it');
  t.equal(sql(db, 'PRAGMA integrity_check'), 'ok');
  t.equal(sql(db, 'PRAGMA foreign_key_check'), '');
  sql(db, "PRAGMA foreign_keys = ON; DELETE FROM systems WHERE name = 'a'");
  t.equal(sql(db, 'SELECT last_checkin FROM system_checkins'), '1700000500', "a deleted system's check-in row goes with it");
});
