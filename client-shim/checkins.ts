// The check-in times of guests, written behind: every call taking a systemid records one, and a
// write per call would dominate an idle rhn_check; a batch is flushed about once a second instead.

/** Writes a batch (system id -> Unix seconds); the stores' touchCheckins. */
export type CheckinWriter = (batch: ReadonlyMap<number, number>) => Promise<unknown>;

export interface CheckinLog {
  warn(obj: object, msg: string): void;
}

/** At most this many ids wait for a flush; beyond it the batch goes out at once. */
const MAX_PENDING = 50_000;
/** Systems written per transaction (~0.5 ms each). */
const SLICE = 500;

export class CheckinBuffer {
  private pending = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly write: CheckinWriter,
    private readonly intervalMs = 1000,
    private readonly log?: CheckinLog,
  ) {}

  /** Records that a system checked in at `atSeconds`; written with the next flush. */
  touch(systemId: number, atSeconds: number): void {
    if (this.closed) return;
    const seen = this.pending.get(systemId);
    if (seen === undefined || seen < atSeconds) this.pending.set(systemId, atSeconds);
    if (this.pending.size >= MAX_PENDING) void this.flush();
    else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.intervalMs);
      // a pending flush must not keep a finished process alive; close() writes what is left
      this.timer.unref();
    }
  }

  /** How many systems wait to be written. */
  get size(): number {
    return this.pending.size;
  }

  /** Writes what is pending now; flushes run one after another. */
  flush(): Promise<void> {
    this.running = this.running.then(() => this.writePending());
    return this.running;
  }

  private async writePending(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending = new Map();
    let written = 0;
    try {
      // A flush of a big fleet (up to MAX_PENDING systems) takes tens of ms in one transaction,
      // stalling every call waiting behind it; slices with a turn of the event loop between them
      // keep each stall short.
      while (written < batch.length) {
        if (written > 0) await new Promise((resolve) => setImmediate(resolve));
        const slice = batch.slice(written, written + SLICE);
        await this.write(new Map(slice));
        written += slice.length;
      }
    } catch (err) {
      // keep the rest for the next flush, without moving a newer check-in back
      for (const [id, at] of batch.slice(written)) {
        const newer = this.pending.get(id);
        if (newer === undefined || newer < at) this.pending.set(id, at);
      }
      this.log?.warn({ err, systems: batch.length - written }, 'could not record guest check-ins; will retry');
      if (!this.closed && this.timer === null) {
        this.timer = setTimeout(() => {
          this.timer = null;
          void this.flush();
        }, this.intervalMs);
        this.timer.unref();
      }
    }
  }

  /** Stops the timer and writes what is pending (server shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }
}
