// The SQLite implementation of Skylab's stores: one database handle, one object per area.
import { openDatabase, type Db } from './db.js';
import { ChannelStore } from './channels.js';
import { ErrataStore } from './errata.js';
import { PackageStore } from './packages.js';
import { UserStore } from './users.js';
import type { MigrationReport } from './migrate.js';

export { MigrationError } from './migrate.js';
export type { ImportResult, ProvidingChannel } from './packages.js';
export type { ErratumChannel, ErrataWindow } from './errata.js';
export type { PackageWindow } from './channels.js';

export class Stores {
  readonly users: UserStore;
  readonly channels: ChannelStore;
  readonly packages: PackageStore;
  readonly errata: ErrataStore;

  constructor(
    readonly db: Db,
    readonly migrations: MigrationReport,
  ) {
    this.users = new UserStore(db);
    this.channels = new ChannelStore(db);
    this.packages = new PackageStore(db);
    this.errata = new ErrataStore(db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export function openStores(file: string, migrationsDir: string): Stores {
  const { db, migrations } = openDatabase({ file, migrationsDir });
  return new Stores(db, migrations);
}
