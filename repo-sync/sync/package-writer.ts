// Stores parsed packages from a worker thread with its own database connection, so that a
// sync parses the next batch while the previous one is written: on two cores this overlaps the
// two halves of the work instead of running them one after the other.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { NewPackage, Stores } from '../../channels/index.js';

interface Reply {
  seq: number;
  ids?: number[];
  error?: string;
}

// The worker module sits beside this one, compiled (.js) or, under the test loader, as .ts.
const WORKER_URL = new URL(`./package-writer-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

export class PackageWriter {
  private readonly worker: Worker | null;
  private readonly waiting = new Map<number, { resolve: (ids: number[]) => void; reject: (e: Error) => void }>();
  private seq = 0;
  private failure: Error | null = null;

  constructor(private readonly stores: Stores) {
    const file = stores.db.name;
    // An in-memory database cannot be shared with a second connection: write in-thread then.
    this.worker = file === ':memory:' || file === '' ? null : new Worker(WORKER_URL, { workerData: { file } });
    this.worker?.on('message', (r: Reply) => {
      const w = this.waiting.get(r.seq);
      this.waiting.delete(r.seq);
      if (r.error !== undefined) w?.reject(new Error(`storing packages failed: ${r.error}`));
      else w?.resolve(r.ids!);
    });
    this.worker?.on('error', (e) => this.failAll(e));
    this.worker?.on('exit', (code) => {
      if (this.waiting.size > 0) this.failAll(new Error(`package writer stopped (exit ${code})`));
    });
  }

  /** Stores the packages (by checksum, one transaction) and resolves with their ids, in order. */
  write(orgId: number | null, packages: NewPackage[]): Promise<number[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.worker) return this.stores.packages.importPackages(orgId, packages).then((r) => r.ids);
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      this.worker!.postMessage({ seq, orgId, packages });
    });
  }

  async close(): Promise<void> {
    if (!this.worker) return;
    this.worker.postMessage('close');
    await new Promise<void>((done) => {
      const timer = setTimeout(() => void this.worker!.terminate().then(() => done()), 5000);
      this.worker!.once('exit', () => {
        clearTimeout(timer);
        done();
      });
    });
  }

  private failAll(e: Error): void {
    this.failure = e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}
