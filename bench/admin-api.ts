// bench/admin-api: packages.getDetails calls/s and p99 with 16 concurrent connections, and
// channel.software.listAllPackages latency, on a channel holding the 17,649 packages of
// CentOS Stream 9 AppStream; each beside a bare Fastify route answering a body of the same
// size under the same load in the same run.   Run: npx tsx bench/admin-api.ts [seconds]
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStores } from '../channels/index.js';
import { importPrimaryFile } from '../repo-sync/index.js';
import { databaseFile } from '../server/config.js';
import { percentile, runLoad, timeSequential, type LoadResult } from './support/load.js';
import { SHARED, startBare, startSkylab } from './support/procs.js';
import { call, encoder } from './support/rpc.js';

const SECONDS = Number(process.argv[2] ?? '10');
const CONNECTIONS = 16;
const PASSWORD = 'bench-password';
const LABEL = 'cs9-appstream-x86_64';

const fmt = (n: number, d = 1): string => n.toFixed(d);
const row = (what: string, r: LoadResult): string =>
  `${what.padEnd(34)} ${fmt(r.perSecond, 0).padStart(8)} calls/s   p50 ${fmt(r.p50, 2).padStart(7)} ms   p99 ${fmt(r.p99, 2).padStart(7)} ms   (${r.calls} calls, ${r.errors} errors)`;

async function main(): Promise<void> {
  const skylab = await startSkylab(PASSWORD);
  try {
    const api = `${skylab.url}/rpc/api`;
    const key = (await call(api, 'auth.login', 'admin', PASSWORD)) as string;
    await call(api, 'channel.software.create', key, LABEL, 'CentOS Stream 9 AppStream x86_64', 'AppStream', 'channel-x86_64', '', 'sha256');

    const dir = join(SHARED, 'data', 'cs9-appstream', 'repodata');
    const primary = join(dir, readdirSync(dir).find((f) => f.includes('primary.xml'))!);
    const stores = openStores(databaseFile({ dataDir: skylab.dataDir }), join(import.meta.dirname, '..', 'migrations'));
    const channel = (await stores.channels.getByLabelAnyOrg(LABEL))!;
    const t0 = performance.now();
    const imported = await importPrimaryFile(stores, 1, channel.id, primary);
    console.log(`imported ${imported.packages} packages from ${primary} in ${fmt(performance.now() - t0, 0)} ms (metadata only)`);
    const ids = (await stores.channels.listPackages(channel.id)).map((p) => p.id);
    stores.close();

    // getDetails under load: 16 connections, random package ids.
    const bodies = Array.from({ length: 4096 }, () => encoder.call('packages.getDetails', [key, ids[Math.floor(Math.random() * ids.length)]!]));
    const sample = await fetch(api, { method: 'POST', body: bodies[0] });
    const detailSize = (await sample.arrayBuffer()).byteLength;
    await runLoad({ url: api, connections: CONNECTIONS, seconds: 2, body: (i) => bodies[i % bodies.length]! }); // warm-up
    const skylabLoad = await runLoad({ url: api, connections: CONNECTIONS, seconds: SECONDS, body: (i) => bodies[i % bodies.length]! });

    // listAllPackages: first call (builds and caches the answer), then warm calls.
    const listBody = encoder.call('channel.software.listAllPackages', [key, LABEL]);
    const cold = await timeSequential(api, listBody, 1);
    const warm = (await timeSequential(api, listBody, 20)).sort((a, b) => a - b);
    const listSize = (await (await fetch(api, { method: 'POST', body: listBody })).arrayBuffer()).byteLength;
    skylab.stop();

    const bareSmall = await startBare(detailSize);
    await runLoad({ url: `${bareSmall.url}/rpc/api`, connections: CONNECTIONS, seconds: 2, body: () => '<x/>' });
    const bareLoad = await runLoad({ url: `${bareSmall.url}/rpc/api`, connections: CONNECTIONS, seconds: SECONDS, body: () => bodies[0]! });
    bareSmall.stop();
    const bareBig = await startBare(listSize);
    const bareWarm = (await timeSequential(`${bareBig.url}/rpc/api`, listBody, 20)).sort((a, b) => a - b);
    bareBig.stop();

    console.log(`\npackages.getDetails, ${CONNECTIONS} connections, ${SECONDS} s, answer ${detailSize} bytes (target >= 5000 calls/s)`);
    console.log(row('skylab packages.getDetails', skylabLoad));
    console.log(row('bare fastify, same-size body', bareLoad));
    console.log(`\nchannel.software.listAllPackages, ${ids.length} packages, answer ${fmt(listSize / 1e6, 1)} MB (target <= 150 ms)`);
    console.log(`${'skylab, first call (uncached)'.padEnd(34)} ${fmt(cold[0]!, 0).padStart(6)} ms`);
    console.log(`${'skylab, cached'.padEnd(34)} median ${fmt(percentile(warm, 50), 0).padStart(5)} ms   p95 ${fmt(percentile(warm, 95), 0).padStart(5)} ms`);
    console.log(`${'bare fastify, same-size body'.padEnd(34)} median ${fmt(percentile(bareWarm, 50), 0).padStart(5)} ms   p95 ${fmt(percentile(bareWarm, 95), 0).padStart(5)} ms`);
  } finally {
    skylab.stop();
  }
}

await main();
