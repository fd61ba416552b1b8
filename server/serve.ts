// `skylab serve`: opens the data directory, applies migrations, creates the first admin,
// listens, runs the sync scheduler, and shuts down cleanly on SIGTERM/SIGINT.
import { readFileSync } from 'node:fs';
import { BlobStore, openStores } from '../channels/index.js';
import { buildApp } from './app.js';
import { bootstrap } from './bootstrap.js';
import { blobDir, databaseFile, loadConfig, type FlagValues } from './config.js';
import { createRegistry } from './rpc/namespaces.js';
import { createServices } from './services.js';

export async function serve(flags: FlagValues): Promise<void> {
  const config = loadConfig(flags);
  const stores = openStores(databaseFile(config), config.migrationsDir);
  stores.startCheckpoints();
  const boot = await bootstrap(stores, config);
  const https = config.tlsCert && config.tlsKey ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : null;
  const blobs = new BlobStore(blobDir(config));
  // uploads and downloads cut short by a crash or a kill leave temporary files behind
  blobs.cleanTemp();
  const services = createServices(config, stores, blobs, undefined as never, boot.downloadSecret);
  const app = buildApp({ services, registry: createRegistry(), logger: { level: config.logLevel }, https });
  services.log = app.log;
  if (stores.migrations.applied.length > 0) app.log.info({ applied: stores.migrations.applied }, 'database migrations applied');
  if (boot.adminCreated) {
    if (boot.generatedPassword) {
      console.log(`skylab: created admin user "${config.adminUser}" with password: ${boot.generatedPassword}`);
      console.log('skylab: this password is shown only once; set SKYLAB_ADMIN_PASSWORD before the first start to choose it');
    } else {
      console.log(`skylab: created admin user "${config.adminUser}" with the password from SKYLAB_ADMIN_PASSWORD`);
    }
  }
  const address = await app.listen({ host: config.host, port: config.port });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound ? bound.port : config.port;
  const scheme = https ? 'https' : 'http';
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  services.baseUrl = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  await services.scheduler.start();
  console.log(`skylab: listening on ${address} (data in ${config.dataDir})`);

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    services.scheduler
      .stop()
      .then(() => app.close())
      .then(() => {
        stores.close();
        process.exit(0);
      })
      .catch((err: unknown) => {
        app.log.error({ err }, 'error while shutting down');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
