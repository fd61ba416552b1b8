// Skylab's services on a throwaway data directory, set up in the test's own process as
// `skylab serve` sets them up (config, migrated database, first-start bootstrap, blob store), for
// tests that build the app themselves: to hand in a handler table, a registry or a sync pipeline.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobStore, openStores, type Stores } from '../../channels/index.js';
import { bootstrap } from '../../server/bootstrap.js';
import { blobDir, databaseFile, loadConfig, type Config } from '../../server/config.js';
import { createServices, type Services } from '../../server/services.js';

export interface InProcess {
  dir: string;
  config: Config;
  stores: Stores;
  services: Services;
  /** closes the database and removes the data directory (after the app is closed) */
  remove(): void;
}

export async function inProcessServices(
  name: string,
  opts: { env?: Record<string, string>; sync?: (stores: Stores) => Services['sync'] } = {},
): Promise<InProcess> {
  const dir = mkdtempSync(join(tmpdir(), `skylab-${name}-`));
  const config = loadConfig({ 'data-dir': dir, port: '0', host: '127.0.0.1' }, { SKYLAB_ADMIN_PASSWORD: 'admin-pw-1', SKYLAB_TZ: 'UTC', ...opts.env });
  const stores = openStores(databaseFile(config), config.migrationsDir);
  const boot = await bootstrap(stores, config);
  // the log is the app's, attached by the caller once the app is built
  const services = createServices(config, stores, new BlobStore(blobDir(config)), undefined as never, boot.downloadSecret, opts.sync?.(stores));
  return {
    dir,
    config,
    stores,
    services,
    remove: () => {
      stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
