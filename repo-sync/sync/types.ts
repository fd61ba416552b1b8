// The contract of channel sync, shared by the pipeline, the scheduler, the API and the CLI.

/** The options of channel.software.syncRepo's struct (sync-kickstart and fail are accepted, not used). */
export interface SyncParams {
  noErrata?: boolean;
  latest?: boolean;
  fail?: boolean;
  syncKickstart?: boolean;
}

export type SyncTrigger = 'api' | 'cron' | 'cli';

export type SyncPhase = 'lock' | 'repomd' | 'download' | 'parse' | 'packages' | 'errata' | 'commit' | 'publish' | 'done';

/** Progress of a running sync, for the CLI's progress bar and plain progress lines. */
export interface SyncProgress {
  channel: string;
  phase: SyncPhase;
  bytes: number;
  packages: number;
  packagesTotal: number | null;
  errata: number;
  message?: string;
}

export interface SyncOutcome {
  runId: number;
  channel: string;
  status: 'success' | 'unchanged' | 'failed';
  packagesTotal: number;
  packagesAdded: number;
  errataAdded: number;
  errataUpdated: number;
  bytes: number;
  warnings: string[];
  error: string | null;
  seconds: number;
}

export interface SyncService {
  /** Runs a sync of the channel now and resolves when it ends (a failed sync resolves with status 'failed'). */
  syncChannel(label: string, trigger: SyncTrigger, params?: SyncParams, onProgress?: (p: SyncProgress) => void): Promise<SyncOutcome>;
}
