// `skylab channel export`: a local admin command on the server's data directory (safe while
// the server runs) that writes a channel's repodata and package files as a yum repository,
// fetching from upstream (checksum-verified, into the blob store) the files of on_demand repos.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BlobStore, openStores } from '../../channels/index.js';
import { Fetcher } from '../../repo-sync/fetch/index.js';
import { ExportIncomplete, exportChannel, PublishBusy, type EnsurePackageFile, type ExportResult } from '../../repo-sync/index.js';
import { OnDemandFiles } from '../../repo-sync/sync/package-files.js';
import { UsageError } from '../cli.js';
import { blobDir, databaseFile, fetchOptions, loadConfig } from '../config.js';

/** A failure that ends the command with a one-line message (no stack). */
export class ChannelCommandFailure extends Error {}

const mib = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;

function summary(r: ExportResult, metadataOnly: boolean): string[] {
  const p = r.publish;
  const lines = [
    `${p.label}: repodata revision ${p.revision} ${p.generated ? `generated in ${p.seconds.toFixed(2)} s` : 'already current'} (${p.packages} packages, ${p.errata} errata)`,
    `exported ${r.repodataFiles} repodata files to ${resolve(r.outDir, 'repodata')}`,
  ];
  if (!metadataOnly) {
    const fetched = r.fetched ? `, ${r.fetched} fetched first` : '';
    lines.push(`exported ${r.packagesCopied} package files (${mib(r.bytesCopied)}${fetched}) to ${resolve(r.outDir, 'getPackage')}`);
  }
  for (const name of r.duplicateNames) lines.push(`warning: several packages of the channel are named ${name}; exported one`);
  return lines;
}

async function exportCommand(args: string[], ensureOverride?: EnsurePackageFile): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string' }, 'metadata-only': { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 2) throw new UsageError('channel export needs LABEL and OUTDIR');
  const [label, outDir] = positionals as [string, string];
  const config = loadConfig({ 'data-dir': values['data-dir'] });
  const stores = openStores(databaseFile(config), config.migrationsDir);
  const blobs = new BlobStore(blobDir(config));
  const fetcher = new Fetcher(fetchOptions(config));
  const onDemand = new OnDemandFiles({ stores, blobs, fetcher });
  const ensurePackageFile = ensureOverride ?? ((pkg) => onDemand.ensure(pkg));
  try {
    const channel = await stores.channels.getByLabelAnyOrg(label);
    if (!channel) throw new ChannelCommandFailure(`no channel labelled ${label} in ${config.dataDir}`);
    const metadataOnly = values['metadata-only'] === true;
    const result = await exportChannel(stores, blobs, config.dataDir, channel, outDir, { metadataOnly, ensurePackageFile });
    for (const line of summary(result, metadataOnly)) process.stdout.write(`${line}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ChannelCommandFailure || err instanceof ExportIncomplete || err instanceof PublishBusy) {
      process.stderr.write(`skylab: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await fetcher.close().catch(() => {});
    stores.close();
  }
}

/** `skylab channel <sub> ...`; `ensurePackageFile` replaces the upstream download of files an on_demand repo has not fetched yet. */
export async function channelCommand(args: string[], ensurePackageFile?: EnsurePackageFile): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'export') return exportCommand(rest, ensurePackageFile);
  throw new UsageError(`unknown channel command: ${sub ?? '(none)'}`);
}
