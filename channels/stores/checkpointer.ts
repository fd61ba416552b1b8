// Moves the write-ahead log into the database file from a worker thread. Connections open with
// automatic checkpoints off (db.ts): a checkpoint copies every page written since the last one,
// and after a sync that is 100+ MB, which would stall the thread that happened to commit. Here
// it runs beside the server instead, every few seconds; a process that exits checkpoints as
// SQLite always does when the last connection closes.
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('journal_size_limit = ' + workerData.keepBytes);
parentPort.on('message', (mode) => {
  if (mode === 'close') { db.close(); parentPort.close(); return; }
  try {
    // a RESTART holds new writers back while it waits: never for long
    db.pragma('busy_timeout = ' + (mode === 'PASSIVE' ? 10000 : 100));
    const [r] = db.pragma('wal_checkpoint(' + mode + ')');
    parentPort.postMessage({ ok: true, ...r });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err && err.message || err) });
  }
});
`;

/** Log length (frames: 16 KiB pages) that is worth starting over: 64 MiB. */
const RESTART_FRAMES = 4096;
/** Frames a restart may have to copy while it holds writers back (~4 MiB, a few ms). */
const RESTART_REMAINDER = 256;
/** What is left of the log file when it is started over (journal_size_limit). */
export const WAL_KEEP_BYTES = 64 * 1024 * 1024;

export interface CheckpointResult {
  ok: boolean;
  busy?: number;
  log?: number;
  checkpointed?: number;
  error?: string;
}

export class Checkpointer {
  private readonly worker: Worker;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<CheckpointResult> | null = null;

  /** `restartFrames`: a log this long is started over once a passive pass has copied all of it. */
  constructor(file: string, driverPath: string, private readonly restartFrames = RESTART_FRAMES) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver: driverPath, keepBytes: WAL_KEEP_BYTES } });
    this.worker.unref();
  }

  /**
   * Passive checkpoints every `ms`: they never block readers or writers. SQLite starts the log
   * over only when a writer finds every frame in it copied, which steady writes (a fleet
   * registering, a sync) never let happen: the file grew past 1.7 GB while 10,000 guests
   * registered. So once passive passes have caught up with a long log, a RESTART copies the
   * little written since and resets it; it holds writers back for that remainder only (waiting
   * 100 ms at most for them, then it gives up until the next round), and the file is cut back
   * to WAL_KEEP_BYTES.
   */
  start(ms = 2000): void {
    this.timer = setInterval(() => void this.round(), ms);
    this.timer.unref();
  }

  /**
   * One passive checkpoint; when the log is long and was copied whole, more passive passes while
   * writers keep adding much (each copies only what came during the last), then the restart,
   * which then has little to copy while it holds writers back.
   */
  async round(): Promise<CheckpointResult> {
    let r = await this.run('PASSIVE');
    const caughtUp = (x: CheckpointResult): boolean => x.ok && x.checkpointed === x.log;
    if (!caughtUp(r) || (r.log ?? 0) < this.restartFrames) return r;
    for (let pass = 0; pass < 4; pass++) {
      const next = await this.run('PASSIVE');
      if (!caughtUp(next)) return next;
      const added = (next.log ?? 0) - (r.log ?? 0);
      r = next;
      // a smaller log means another connection started it over meanwhile
      if (added < 0) return r;
      if (added <= RESTART_REMAINDER) break;
    }
    return this.run('RESTART');
  }

  run(mode: 'PASSIVE' | 'RESTART' | 'TRUNCATE' = 'PASSIVE'): Promise<CheckpointResult> {
    if (this.running) return this.running;
    this.running = new Promise<CheckpointResult>((resolve) => {
      this.worker.once('message', (r: CheckpointResult) => resolve(r));
      this.worker.postMessage(mode);
    }).finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await new Promise<void>((done) => {
      this.worker.once('exit', () => done());
      this.worker.postMessage('close');
    });
  }
}
