// `skylab errata import-cefs`: reads a CEFS errata feed (file or URL), then imports it straight
// into the data directory's database, beside a running server (SQLite in WAL mode).
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openStores, type Stores } from '../../channels/index.js';
import { importCefs, type CefsImportReport } from '../../repo-sync/cefs-import.js';
import { FeedSourceError, openFeed } from '../../repo-sync/cefs-source.js';
import { readCefs, type CefsFeed } from '../../repo-sync/metadata/cefs.js';
import { MetadataParseError } from '../../repo-sync/metadata/errors.js';
import { UsageError } from '../cli.js';
import { databaseFile, loadConfig } from '../config.js';
import { Zone } from '../xmlrpc/zone.js';

/** A failure reported in one line, exit status 1. */
class ImportFailure extends Error {}

async function readFeed(location: string): Promise<CefsFeed> {
  try {
    return await readCefs(await openFeed(location));
  } catch (err) {
    if (err instanceof MetadataParseError) throw new ImportFailure(`malformed CEFS feed ${location}: ${err.message}; nothing was imported`);
    if (err instanceof FeedSourceError) throw new ImportFailure(`${err.message}; nothing was imported`);
    // a network or disk failure half-way: still before any change
    throw new ImportFailure(`cannot read ${location}: ${(err as Error).message}; nothing was imported`);
  }
}

function printReport(r: CefsImportReport, feed: CefsFeed, out: NodeJS.WritableStream): void {
  for (const c of r.created) out.write(`created ${c.advisory} (${c.packages} package${c.packages === 1 ? '' : 's'}, ${c.channels} channel${c.channels === 1 ? '' : 's'})\n`);
  for (const c of r.updated) out.write(`updated ${c.advisory} (+${c.packages} package${c.packages === 1 ? '' : 's'}, +${c.channels} channel${c.channels === 1 ? '' : 's'})\n`);
  for (const s of r.skipped) out.write(`skipped ${s.advisory}: ${s.reason}\n`);
  out.write(
    `${feed.advisories.length} advisories read: ${r.created.length} created, ${r.updated.length} updated, ` +
      `${r.unchanged.length} unchanged, ${r.skipped.length} skipped\n`,
  );
}

async function orgId(stores: Stores, name: string): Promise<number> {
  const org = await stores.users.getOrgByName(name);
  if (!org) throw new ImportFailure(`no organization named ${JSON.stringify(name)} in this data directory (use --org)`);
  return org.id;
}

async function importCefsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string' }, org: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('errata import-cefs needs exactly one FILE or URL');
  const config = loadConfig({ 'data-dir': values['data-dir'] });
  const dbFile = databaseFile(config);
  // Opening would create an empty database: an import into nothing is a mistake worth naming.
  if (!existsSync(dbFile)) throw new ImportFailure(`no Skylab database in ${config.dataDir} (start \`skylab serve\` with this --data-dir first)`);
  const feed = await readFeed(positionals[0]!);
  const stores = openStores(dbFile, config.migrationsDir);
  try {
    const zone = new Zone(config.timeZone);
    const report = await importCefs(stores, feed, {
      orgId: await orgId(stores, values.org ?? config.orgName),
      fromWallClock: (w) => zone.fromWallClock(w),
    });
    printReport(report, feed, process.stdout);
    return 0;
  } finally {
    stores.close();
  }
}

export async function errataCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'import-cefs') throw new UsageError(`unknown errata command: ${sub ?? '(none)'}`);
  try {
    return await importCefsCommand(rest);
  } catch (err) {
    if (!(err instanceof ImportFailure)) throw err;
    process.stderr.write(`skylab: ${err.message}\n`);
    return 1;
  }
}
