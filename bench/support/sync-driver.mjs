// One bench measurement in its own process, on the built code in dist/ (what `skylab sync`
// runs; no TypeScript loader in the way of its memory figure): `sync` runs a channel sync and
// prints phase times; `publish` regenerates the channel's repodata after a change. Prints one
// JSON line. Usage: node sync-driver.mjs sync|publish DATA_DIR LABEL
import { join } from 'node:path';
import { BlobStore, openStores } from '../../dist/channels/index.js';
import { publishChannel } from '../../dist/repo-sync/publish/index.js';
import { SyncPipeline } from '../../dist/repo-sync/sync/pipeline.js';

const [mode, dataDir, label] = process.argv.slice(2);
const stores = openStores(join(dataDir, 'skylab.db'), join(import.meta.dirname, '..', '..', 'migrations'));
const t0 = performance.now();
const phases = {};
let rssBeforePublishKib = 0;
let result;
if (mode === 'sync') {
  const pipeline = new SyncPipeline({ stores, blobs: new BlobStore(join(dataDir, 'blobs')), dataDir });
  const outcome = await pipeline.syncChannel(label, 'cli', {}, (p) => {
    phases[p.phase] ??= performance.now() - t0;
    if (p.phase === 'publish' && !rssBeforePublishKib) rssBeforePublishKib = process.resourceUsage().maxRSS;
  });
  result = { status: outcome.status, error: outcome.error, packages: outcome.packagesTotal, errata: outcome.errataAdded, warnings: outcome.warnings };
} else {
  const channel = await stores.channels.getByLabelAnyOrg(label);
  await stores.channels.update(channel.id, { description: `republished ${Date.now()}` });
  const r = await publishChannel(stores, dataDir, channel.id);
  result = { generated: r.generated, packages: r.packages, files: r.files.length };
}
const ms = performance.now() - t0;
stores.close();
console.log(JSON.stringify({ ...result, ms, phases, maxRssKib: process.resourceUsage().maxRSS, rssBeforePublishKib }));
