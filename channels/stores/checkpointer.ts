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
db.pragma('busy_timeout = 10000');
parentPort.on('message', (mode) => {
  if (mode === 'close') { db.close(); parentPort.close(); return; }
  try {
    const [r] = db.pragma('wal_checkpoint(' + mode + ')');
    parentPort.postMessage({ ok: true, ...r });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err && err.message || err) });
  }
});
`;

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

  constructor(file: string, driverPath: string) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver: driverPath } });
    this.worker.unref();
  }

  /**
   * Passive checkpoints every `ms`: they never block readers or writers, and the log restarts
   * from its beginning by itself once every frame in it has been copied.
   */
  start(ms = 5000): void {
    this.timer = setInterval(() => void this.run('PASSIVE'), ms);
    this.timer.unref();
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
