// `skylab sync`: runs channel syncs in the foreground against the data directory (beside a
// running server: the per-channel lock is shared through the database), with a progress bar
// on a terminal and plain lines otherwise; `--history` prints past runs.
import { parseArgs } from 'node:util';
import { BlobStore, DomainError, openStores, type Stores, type SyncRun } from '../../channels/index.js';
import { SyncPipeline } from '../../repo-sync/sync/pipeline.js';
import type { SyncOutcome } from '../../repo-sync/sync/types.js';
import { UsageError } from '../cli.js';
import { blobDir, databaseFile, fetchOptions, loadConfig } from '../config.js';
import { ProgressView } from './progress.js';

const mib = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;

function outcomeLine(o: SyncOutcome): string {
  const what =
    o.status === 'failed'
      ? `FAILED: ${o.error}`
      : o.status === 'unchanged'
        ? 'repository unchanged, nothing to import'
        : `${o.packagesTotal} packages (${o.packagesAdded} new), ${o.errataAdded} errata new, ${o.errataUpdated} updated`;
  return `${o.channel}: ${what} [${o.seconds.toFixed(2)} s, ${mib(o.bytes)}]`;
}

function runLine(label: string, r: SyncRun): string {
  const end = r.ended ? `${((r.ended.getTime() - r.started.getTime()) / 1000).toFixed(0)} s` : 'running';
  const counts = `${r.packagesTotal} packages (${r.packagesAdded} new), errata +${r.errataAdded} ~${r.errataUpdated}, ${mib(r.bytes)}`;
  const tail = r.error ? ` error: ${r.error}` : r.warnings.length ? ` warnings: ${r.warnings.join('; ')}` : '';
  return `${label}  #${r.id}  ${r.started.toISOString()}  ${end.padEnd(8)}  ${r.status.padEnd(9)}  ${r.trigger.padEnd(4)}  ${counts}${tail}`;
}

async function labelsToSync(stores: Stores, labels: string[]): Promise<string[]> {
  if (labels.length > 0) return labels;
  return (await stores.repos.channelsWithRepos()).map((c) => c.label);
}

async function history(stores: Stores, labels: string[], limit: number): Promise<number> {
  for (const label of await labelsToSync(stores, labels)) {
    const channel = await stores.channels.getByLabelAnyOrg(label);
    if (!channel) {
      process.stderr.write(`skylab: no channel labelled ${label}\n`);
      return 1;
    }
    const runs = await stores.sync.history(channel.id, limit);
    if (runs.length === 0) process.stdout.write(`${label}: never synced\n`);
    for (const r of runs) process.stdout.write(`${runLine(label, r)}\n`);
  }
  return 0;
}

export async function syncCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string' },
      history: { type: 'boolean' },
      limit: { type: 'string' },
      'no-errata': { type: 'boolean' },
      latest: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  const config = loadConfig({ 'data-dir': values['data-dir'] });
  const stores = openStores(databaseFile(config), config.migrationsDir);
  try {
    if (values.history) {
      const limit = Number(values.limit ?? '20');
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit takes a positive number');
      return await history(stores, positionals, limit);
    }
    const labels = await labelsToSync(stores, positionals);
    if (labels.length === 0) {
      process.stderr.write('skylab: no channel has a repository to sync\n');
      return 1;
    }
    const pipeline = new SyncPipeline({ stores, blobs: new BlobStore(blobDir(config)), dataDir: config.dataDir, fetch: fetchOptions(config) });
    const view = new ProgressView(process.stderr);
    let failed = 0;
    for (const label of labels) {
      let outcome: SyncOutcome;
      try {
        outcome = await pipeline.syncChannel(label, 'cli', { noErrata: values['no-errata'] === true, latest: values.latest === true }, (p) => view.update(p));
      } catch (err) {
        // no run at all (another sync holds the channel, or no such channel): say so, go on with the rest
        view.finish();
        if (!(err instanceof DomainError)) throw err;
        process.stdout.write(`${label}: FAILED: ${err.message}\n`);
        failed++;
        continue;
      }
      view.finish();
      process.stdout.write(`${outcomeLine(outcome)}\n`);
      for (const w of outcome.warnings) process.stdout.write(`  warning: ${w}\n`);
      if (outcome.status === 'failed') failed++;
    }
    return failed > 0 ? 1 : 0;
  } finally {
    stores.close();
  }
}
