// The SQLite implementation of Skylab's stores: one database handle, one object per area.
import { ChangeWatch } from './change-watch.js';
import { createRequire } from 'node:module';
import { Checkpointer } from './checkpointer.js';
import { openDatabase, type Db } from './db.js';
import { ChannelStore } from './channels.js';
import { ErrataStore } from './errata.js';
import { PackageStore } from './packages.js';
import { UserStore } from './users.js';
import { RepoStore } from './repos.js';
import { SyncStore } from './sync.js';
import { PublishStore } from './publish.js';
import { RelevanceStore } from './relevance.js';
import { SystemStore } from './systems.js';
import { InventoryStore } from './system-inventory.js';
import { SystemSearchStore } from './system-search.js';
import { ActivationKeyStore } from './activation-keys.js';
import { ActionStore } from './actions.js';
import { ScheduleStore } from './schedule.js';
import { GroupStore } from './groups.js';
import { SystemExtrasStore } from './system-extras.js';
import { PackageProfileStore } from './package-profiles.js';
import { DistMapStore } from './dist-maps.js';
import type { MigrationReport } from './migrate.js';

export { MigrationError } from './migrate.js';
export type { ImportResult, ProvidingChannel } from './packages.js';
export type { ErratumChannel, ErrataWindow, ImportedAdvisory } from './errata.js';
export type { PackageWindow } from './channels.js';
export type { RunHolder } from './sync.js';
export type { LeaseHolder, PublishErratum, PublishErratumPackage, PublishPackageRow, PublishState } from './publish.js';
export type { IndexCacheStats, RelevanceCounts, RelevantErratum, SystemOverviewRow, UpgradablePackage } from './relevance.js';

export class Stores {
  readonly users: UserStore;
  readonly channels: ChannelStore;
  readonly packages: PackageStore;
  readonly errata: ErrataStore;
  readonly repos: RepoStore;
  readonly sync: SyncStore;
  private checkpointer: Checkpointer | null = null;
  readonly publish: PublishStore;
  readonly systems: SystemStore;
  readonly inventory: InventoryStore;
  readonly systemSearch: SystemSearchStore;
  readonly activationKeys: ActivationKeyStore;
  readonly actions: ActionStore;
  readonly schedule: ScheduleStore;
  readonly groups: GroupStore;
  readonly systemExtras: SystemExtrasStore;
  readonly packageProfiles: PackageProfileStore;
  readonly distMaps: DistMapStore;
  readonly relevance: RelevanceStore;

  constructor(
    readonly db: Db,
    readonly migrations: MigrationReport,
  ) {
    this.users = new UserStore(db);
    this.channels = new ChannelStore(db);
    this.packages = new PackageStore(db);
    this.errata = new ErrataStore(db);
    this.repos = new RepoStore(db);
    this.sync = new SyncStore(db, this.errata);
    this.publish = new PublishStore(db);
    const watch = new ChangeWatch(db);
    this.systems = new SystemStore(db, watch);
    this.inventory = new InventoryStore(db, this.systems);
    this.systemSearch = new SystemSearchStore(db);
    this.activationKeys = new ActivationKeyStore(db);
    this.actions = new ActionStore(db, watch);
    this.schedule = new ScheduleStore(db);
    this.groups = new GroupStore(db);
    this.systemExtras = new SystemExtrasStore(db);
    this.packageProfiles = new PackageProfileStore(db);
    this.distMaps = new DistMapStore(db);
    this.relevance = new RelevanceStore(db);
  }

  /** Starts background WAL checkpoints (long-running processes: the server). */
  startCheckpoints(ms?: number, restartFrames?: number): Checkpointer {
    this.checkpointer ??= new Checkpointer(this.db.name, createRequire(import.meta.url).resolve('better-sqlite3'), restartFrames);
    this.checkpointer.start(ms);
    return this.checkpointer;
  }

  close(): void {
    // the checkpointer closes its own connection once its current checkpoint, if any, is done
    void this.checkpointer?.stop();
    this.checkpointer = null;
    if (this.db.open) this.db.close();
  }
}

/** Another connection to a database that is already open and migrated (e.g. in a worker thread). */
export function attachStores(file: string): Stores {
  const { db, migrations } = openDatabase({ file, migrationsDir: null });
  return new Stores(db, migrations);
}

export function openStores(file: string, migrationsDir: string): Stores {
  const { db, migrations } = openDatabase({ file, migrationsDir });
  return new Stores(db, migrations);
}
