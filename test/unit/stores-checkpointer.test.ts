// The background checkpointer under steady writes: SQLite starts the write-ahead log over only
// when a writer finds every frame copied, which a stream of commits never allows by itself; the
// checkpointer's RESTART after a caught-up passive pass must keep the log file bounded, with
// every row intact. Sizes are read from the file system, rows with the sqlite3 CLI.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStores } from '../../channels/index.js';
import { ROOT } from '../support/server.js';

const walBytes = (file: string): number => {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
};

async function writeSteadily(restartFrames: number | null): Promise<{ maxWal: number; finalWal: number; rows: string; integrity: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'skylab-ckpt-'));
  const file = join(dir, 'skylab.db');
  const stores = openStores(file, join(ROOT, 'migrations'));
  try {
    stores.db.exec('CREATE TABLE churn (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const ins = stores.db.prepare('INSERT OR REPLACE INTO churn (id, body) VALUES (?, ?)');
    if (restartFrames !== null) stores.startCheckpoints(50, restartFrames);
    let maxWal = 0;
    // ~3 s of small commits, each rewriting a few 16 KiB pages, with the event loop turning between them
    const end = Date.now() + 3000;
    let n = 0;
    while (Date.now() < end) {
      stores.db.transaction(() => {
        for (let i = 0; i < 4; i++) ins.run((n * 4 + i) % 4000, 'x'.repeat(3000) + n);
      })();
      n++;
      if (n % 20 === 0) {
        maxWal = Math.max(maxWal, walBytes(file));
        await sleep(1);
      }
    }
    maxWal = Math.max(maxWal, walBytes(file));
    await sleep(200);
    // one more commit: the writer that starts the log over after the last restart
    stores.db.transaction(() => ins.run(0, 'last'))();
    const finalWal = walBytes(file);
    const rows = execFileSync('sqlite3', [file, "SELECT count(*), (SELECT body FROM churn WHERE id = 0) FROM churn"], { encoding: 'utf8' }).trim();
    const integrity = execFileSync('sqlite3', [file, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim();
    return { maxWal, finalWal, rows, integrity };
  } finally {
    stores.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

t.test('steady commits: without the checkpointer the log only grows', async (t) => {
  const r = await writeSteadily(null);
  t.ok(r.finalWal > 128 * 1024 * 1024, `log file ${(r.finalWal / 1048576).toFixed(0)} MiB after 3 s of commits`);
  t.equal(r.rows, '4000|last');
});

t.test('steady commits: the checkpointer starts the log over and cuts the file back', async (t) => {
  // a restart once 256 frames (4 MiB) were copied; a file over journal_size_limit (64 MiB) is
  // cut back to it when the log starts over
  const r = await writeSteadily(256);
  t.ok(r.maxWal < 96 * 1024 * 1024, `log file at most ${(r.maxWal / 1048576).toFixed(1)} MiB while writing`);
  t.ok(r.finalWal <= 64 * 1024 * 1024, `and ${(r.finalWal / 1048576).toFixed(1)} MiB at the end`);
  t.equal(r.rows, '4000|last', 'every row there, the last write seen by another process');
  t.equal(r.integrity, 'ok');
});
