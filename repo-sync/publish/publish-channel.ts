// publishChannel: regenerates a channel's repodata when its revision has moved past the
// published one, swaps it in atomically (layout.ts), or reuses what is there.
import { resolve } from 'node:path';
import { NotFound, type Stores } from '../../channels/index.js';
import { generateRepodata } from './generate.js';
import { channelRepodataRoot, discardStaging, makeStaging, readCurrent, swapIn, type PublishedRevision } from './layout.js';
import { shareInProcess, withPublishLease } from './lock.js';
import type { RepodataFile } from './repomd.js';

export interface PublishResult {
  channelId: number;
  label: string;
  /** the channel revision the published files describe (repomd.xml's <revision>) */
  revision: number;
  /** directory holding repomd.xml and the files it lists (stays readable across the next swap) */
  dir: string;
  /** false when the published files were already current and were reused */
  generated: boolean;
  packages: number;
  errata: number;
  files: RepodataFile[];
  seconds: number;
}

export interface PublishOptions {
  /** how long to wait for another process publishing the same channel (default 5 minutes) */
  waitMs?: number;
}

const DEFAULT_WAIT_MS = 5 * 60_000;

async function currentFor(stores: Stores, root: string, channelId: number): Promise<{ label: string; live: PublishedRevision | null; fresh: boolean }> {
  const state = await stores.publish.state(channelId);
  if (!state) throw new NotFound('channel', channelId);
  const live = await readCurrent(root);
  const fresh = live !== null && state.publishedRevision === state.revision && live.revision === state.revision;
  return { label: state.label, live, fresh };
}

async function reused(stores: Stores, channelId: number, label: string, live: PublishedRevision, started: number): Promise<PublishResult> {
  return {
    channelId,
    label,
    revision: live.revision,
    dir: live.dir,
    generated: false,
    packages: await stores.channels.packageCount(channelId),
    errata: await stores.publish.errataCount(channelId),
    files: live.files,
    seconds: (performance.now() - started) / 1000,
  };
}

async function generate(stores: Stores, root: string, channelId: number, started: number): Promise<PublishResult> {
  const state = (await stores.publish.state(channelId))!;
  const staging = await makeStaging(root);
  try {
    const g = await generateRepodata({ stores, channelId, collection: { short: state.label, name: state.name }, revision: state.revision, dir: staging });
    const dir = await swapIn(root, staging, state.revision);
    // A change that landed while we read is newer than state.revision: the next call regenerates.
    await stores.publish.markPublished(channelId, state.revision);
    return { channelId, label: state.label, revision: state.revision, dir, generated: true, ...g, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    await discardStaging(staging);
    throw err;
  }
}

async function publishOnce(stores: Stores, dataDir: string, channelId: number, opts: PublishOptions): Promise<PublishResult> {
  const started = performance.now();
  const root = channelRepodataRoot(dataDir, channelId);
  const before = await currentFor(stores, root, channelId);
  if (before.fresh) return reused(stores, channelId, before.label, before.live!, started);
  return withPublishLease(stores, channelId, opts.waitMs ?? DEFAULT_WAIT_MS, async () => {
    // Whoever held the lease before us may have published this very revision.
    const now = await currentFor(stores, root, channelId);
    if (now.fresh) return reused(stores, channelId, now.label, now.live!, started);
    return generate(stores, root, channelId, started);
  });
}

/**
 * Makes the channel's published repodata current: regenerates it when the channel's revision
 * differs from the published one (or the files are missing or damaged), else reuses it.
 * Concurrent calls for one channel, in this process or another, publish once.
 */
export async function publishChannel(stores: Stores, dataDir: string, channelId: number, opts: PublishOptions = {}): Promise<PublishResult> {
  const key = `${resolve(dataDir)}\0${channelId}`;
  for (let attempt = 1; ; attempt++) {
    const { value, joined } = await shareInProcess(key, () => publishOnce(stores, dataDir, channelId, opts));
    // A run that began before our caller's change cannot be the answer: go again (bounded, in
    // case the channel never stops changing).
    const state = await stores.publish.state(channelId);
    if (!joined || !state || value.revision >= state.revision || attempt === 3) return value;
  }
}
