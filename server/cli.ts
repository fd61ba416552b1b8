// The `skylab` command line: one entry dispatching the sub-commands. Usage errors exit 2,
// failures exit 1 with the reason on stderr.
import { parseArgs } from 'node:util';
import { ConfigError } from './config.js';
import { MigrationError } from '../channels/index.js';
import { serve } from './serve.js';

const USAGE = `usage: skylab <command> [options]

commands:
  serve [--host H] [--port P] [--data-dir DIR] [--tls-cert FILE --tls-key FILE]
        run the server (HTTP on port 8080 by default; --port 0 picks a free port)
  package push [--server URL] --channel LABEL FILE.rpm...
        upload packages to a running server (credentials from SKYLAB_USER and
        SKYLAB_PASSWORD, else prompted)
  channel export [--data-dir DIR] [--metadata-only] LABEL OUTDIR
        write the channel's repodata (published if needed) and package files to
        OUTDIR/repodata and OUTDIR/getPackage, a yum repository; works while serve runs
  sync [--data-dir DIR] [--no-errata] [--latest] [LABEL...]
        sync channels from their repositories now, in the foreground (all channels
        with repositories when no label is given); also while serve runs
  sync --history [--limit N] [LABEL...]
        past syncs: start, duration, outcome, counts, error
  errata import-cefs [--data-dir DIR] [--org NAME] FILE|URL
        import a CEFS errata.latest.xml (.gz/.bz2 too) into the data directory, also
        while serve runs; advisories go to the channels already holding their packages
`;

export class UsageError extends Error {}

/** Resolves to the exit code, or nothing for 0. */
type Command = (args: string[]) => Promise<number | void>;

const COMMANDS: Record<string, Command> = {
  async serve(args) {
    const { values } = parseArgs({
      args,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
      },
      strict: true,
    });
    await serve(values);
  },
  async package(args) {
    const [sub, ...rest] = args;
    if (sub !== 'push') throw new UsageError(`unknown package command: ${sub ?? '(none)'}`);
    const { pushCommand } = await import('./push.js');
    return pushCommand(rest);
  },
  async channel(args) {
    const { channelCommand } = await import('./commands/channel.js');
    return channelCommand(args);
  },
  async sync(args) {
    const { syncCommand } = await import('./commands/sync.js');
    return syncCommand(args);
  },
  async errata(args) {
    const { errataCommand } = await import('./commands/errata.js');
    return errataCommand(args);
  },
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`skylab: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return (await run(args)) ?? 0;
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`skylab: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof MigrationError) {
      process.stderr.write(`skylab: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`skylab: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
