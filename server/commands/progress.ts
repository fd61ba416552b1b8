// Sync progress for the terminal: a redrawn one-line bar on a TTY, plain lines otherwise
// (one per phase change, and at most one every few seconds while a phase runs).
import type { SyncProgress } from '../../repo-sync/sync/types.js';

const PLAIN_INTERVAL_MS = 5000;

function megabytes(n: number): string {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

function bar(done: number, total: number | null, width = 24): string {
  if (!total) return '';
  const filled = Math.min(width, Math.round((done / total) * width));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] `;
}

function describe(p: SyncProgress): string {
  const pkgs = p.packagesTotal ? `${p.packages}/${p.packagesTotal}` : String(p.packages);
  return `${p.channel}: ${p.phase.padEnd(8)} ${bar(p.packages, p.packagesTotal)}${megabytes(p.bytes)}, ${pkgs} packages, ${p.errata} errata${p.message ? ` (${p.message})` : ''}`;
}

export class ProgressView {
  private lastPhase = '';
  private lastLine = 0;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly tty = Boolean(out.isTTY),
  ) {}

  update(p: SyncProgress): void {
    const text = describe(p);
    if (this.tty) {
      const width = this.out.columns || 100;
      this.out.write(`\r${text.slice(0, width - 1).padEnd(width - 1)}`);
      this.drawn = true;
      return;
    }
    const now = Date.now();
    if (p.phase !== this.lastPhase || now - this.lastLine >= PLAIN_INTERVAL_MS) {
      this.out.write(`${text}\n`);
      this.lastPhase = p.phase;
      this.lastLine = now;
    }
  }

  /** Ends the redrawn line so that what follows starts on its own. */
  finish(): void {
    if (this.tty && this.drawn) this.out.write('\n');
    this.drawn = false;
    this.lastPhase = '';
  }
}
