// bench/checkin: 10,000 systems registered with an activation key (registration.new_system p95),
// then one check-in per system (the first after registration stores kernel, boot time and
// client capabilities), then idle check-ins as rhn_check makes them (queue.get, registration.welcome_message,
// queue.get_future_actions; each call on a new TCP connection) from 64 concurrent clients, offered
// at fixed rates and then in a closed loop, and registration.update_packages with 1,500 packages
// including the relevance update it triggers; each beside a bare Fastify route answering a
// same-size XML body under the same load.
// Run: npm run build && npx tsx bench/checkin.ts [systems] [seconds]
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStores } from '../channels/index.js';
import { importPrimaryFile } from '../repo-sync/index.js';
import { percentile, runScenarios, type LoadResult } from './support/load.js';
import { ROOT, SHARED, startBare, startSkylab } from './support/procs.js';
import { call, encoder } from './support/rpc.js';

const SYSTEMS = Number(process.argv[2] ?? '10000');
const SECONDS = Number(process.argv[3] ?? '10');
const CLIENTS = 64;
/** seconds of the measured load run unmeasured first, for Skylab and the bare route alike */
const WARMUP = 2;
/** offered idle check-ins per second: the target's rate, and one closer to what 2 cores can take */
const RATES = [1000, 1500];
const PASSWORD = 'bench-password';
const LABEL = 'cs9-appstream-x86_64';
const CAPS = 'caneatCheese(1)=1,packages.runTransaction(1)=1,packages.rollBack(1)=1,packages.verify(1)=1,packages.extended_profile(2)=1,reboot.reboot(1)=1,packages.update(2)=2';
const HEADERS = { 'X-RHN-Client-Capability': CAPS, 'X-Up2date-Version': '2.10.8-1.el8', 'User-Agent': 'rhn.rpclib.py/2.10.8-1.el8', 'X-Client-Version': '1' };

const f = (n: number, d = 1): string => n.toFixed(d);
// /proc/uptime of guests that booted a day before the run: it grows with the clock, so the boot
// time the server derives from it stays put, as on a real guest
const BOOTED = Date.now() / 1000 - 86400;
const uptime = (): number[] => { const up = Date.now() / 1000 - BOOTED; return [Math.floor(up), Math.floor(up * 0.9)]; };
const row = (what: string, r: LoadResult, unit: string): string =>
  `${what.padEnd(40)} ${f(r.perSecond, 0).padStart(7)} ${unit}/s   p50 ${f(r.p50, 2).padStart(7)} ms   p99 ${f(r.p99, 2).padStart(7)} ms   (${r.calls}, ${r.errors} errors)`;

/**
 * Idle check-ins against `url`: first at each offered rate (the clients together start that many
 * check-ins per second, each counted from when it was due), then in a closed loop (each client
 * starts its next check-in when the last one ends). Each run follows the same warm-up.
 */
async function idleRuns(url: string, scenario: (i: number) => string[]): Promise<{ paced: LoadResult[]; closed: LoadResult }> {
  const load = { url, clients: CLIENTS, scenario, headers: HEADERS };
  await runScenarios({ ...load, seconds: WARMUP });
  const paced: LoadResult[] = [];
  for (const rate of RATES) paced.push(await runScenarios({ ...load, seconds: SECONDS, rate }));
  const closed = await runScenarios({ ...load, seconds: SECONDS });
  return { paced, closed };
}

async function post(url: string, body: string): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/xml', ...HEADERS }, body });
  const { decodeResponse } = await import('../server/xmlrpc/decode.js');
  const { Zone } = await import('../server/xmlrpc/zone.js');
  return decodeResponse(Buffer.from(await res.arrayBuffer()), new Zone('UTC'));
}

/** Registers `n` systems with the key, 16 at a time; returns their systemids and the latencies. */
async function register(url: string, key: string, n: number): Promise<{ ids: string[]; ms: number[] }> {
  const ids: string[] = [];
  const ms: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const body = encoder.call('registration.new_system', [
        { profile_name: `bench-${i}.example.com`, os_release: '9', release_name: 'centos-stream-release', architecture: 'x86_64-redhat-linux', token: key },
      ]);
      const t0 = performance.now();
      ids[i] = (await post(url, body)) as string;
      ms.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return { ids, ms: ms.sort((a, b) => a - b) };
}

/** 1,500 installed packages: older-looking builds of names the channel holds, so most are upgradable. */
function profile(names: { name: string; arch: string; version: string; release: string }[], variant: number): unknown[] {
  return names.slice(0, 1500).map((p, i) => ({
    name: p.name,
    epoch: '',
    version: i % 7 === variant ? p.version : '0.1',
    release: '1.el9',
    arch: p.arch,
    installtime: 1700000000 + i,
  }));
}

async function main(): Promise<void> {
  const skylab = await startSkylab(PASSWORD);
  try {
    const xmlrpc = `${skylab.url}/XMLRPC`;
    const api = `${skylab.url}/rpc/api`;
    const key = (await call(api, 'auth.login', 'admin', PASSWORD)) as string;
    await call(api, 'channel.software.create', key, LABEL, 'CentOS Stream 9 AppStream x86_64', 'AppStream', 'channel-x86_64', '', 'sha256');
    const activationKey = (await call(api, 'activationkey.create', key, 'bench', 'bench key', LABEL, [], false)) as string;
    const dir = join(SHARED, 'data', 'cs9-appstream', 'repodata');
    const stores = openStores(join(skylab.dataDir, 'skylab.db'), join(ROOT, 'migrations'));
    const channel = (await stores.channels.getByLabelAnyOrg(LABEL))!;
    await importPrimaryFile(stores, 1, channel.id, join(dir, readdirSync(dir).find((x) => x.includes('primary.xml'))!));
    const names = (await stores.channels.listPackages(channel.id)).filter((p) => p.arch !== 'src');
    stores.close();

    const reg = await register(xmlrpc, activationKey, SYSTEMS);
    console.log(`registered ${SYSTEMS} systems: registration.new_system p50 ${f(percentile(reg.ms, 50))} ms, p95 ${f(percentile(reg.ms, 95))} ms (target p95 <= 100 ms)`);

    // Each system's request bodies are encoded once, the uptime filled in per check-in: escaping
    // a systemid three times per check-in cost the load generator ~25 us of the CPU it shares
    // with the server (for the bare route as well).
    const UP0 = -1111111111;
    const UP1 = -1111111112;
    const welcome = encoder.call('registration.welcome_message', []);
    const bodies = new Map<string, [string, string]>();
    const checkin = (i: number, sid = reg.ids[(i * 7919) % reg.ids.length]!): string[] => {
      let b = bodies.get(sid);
      if (!b) {
        const get = encoder.call('queue.get', [sid, 2, { uname: ['Linux', 'bench', '5.14.0-1.el9.x86_64', '#1 SMP', 'x86_64'], uptime: [UP0, UP1] }]);
        bodies.set(sid, (b = [get, encoder.call('queue.get_future_actions', [sid, 24])]));
      }
      const [up0, up1] = uptime();
      return [b[0].replace(String(UP0), String(up0)).replace(String(UP1), String(up1)), welcome, b[1]];
    };
    // Each system's first check-in after registration stores its kernel, boot time and client
    // capabilities (writes); the idle check-ins measured next find them unchanged, as rhnsd's
    // runs every few hours do.
    const first = await runScenarios({ url: xmlrpc, clients: CLIENTS, seconds: 600, count: SYSTEMS, scenario: (i) => checkin(i, reg.ids[i]), headers: HEADERS });
    // the first pass wrote ~20,000 rows: give the background WAL checkpoint a moment to copy them
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const idle = await idleRuns(xmlrpc, checkin);

    const sample = await fetch(xmlrpc, { method: 'POST', headers: HEADERS, body: checkin(0)[0] });
    const answerSize = (await sample.arrayBuffer()).byteLength;

    // Profile uploads: alternate two 1,500-package profiles so each upload changes something.
    const uploads: number[] = [];
    for (let i = 0; i < 60; i++) {
      const body = encoder.call('registration.update_packages', [reg.ids[i % 20]!, profile(names, i % 2)]);
      const t0 = performance.now();
      await post(xmlrpc, body);
      uploads.push(performance.now() - t0);
    }
    uploads.sort((a, b) => a - b);
    skylab.stop();

    const bare = await startBare(answerSize);
    const bareIdle = await idleRuns(`${bare.url}/rpc/api`, checkin);
    bare.stop();

    console.log(`\nidle check-in = queue.get + welcome_message + get_future_actions, each on a new connection, ${CLIENTS} clients, ${SECONDS} s per row`);
    console.log(row('skylab first check-in of each system', first, 'check-ins'));
    for (const [i, rate] of RATES.entries()) {
      console.log(row(`skylab idle, ${rate}/s offered`, idle.paced[i]!, 'check-ins'), rate === 1000 ? '(target: 1000/s with p99 <= 50 ms)' : '');
      console.log(row(`bare fastify, ${rate}/s offered`, bareIdle.paced[i]!, 'check-ins'));
    }
    console.log(row('skylab idle, closed loop', idle.closed, 'check-ins'), '(as fast as it goes; the load generator shares the 2 cores)');
    console.log(row(`bare fastify, closed loop`, bareIdle.closed, 'check-ins'), `(${answerSize}-byte answers)`);
    console.log(`\nregistration.update_packages, 1,500 packages, incl. relevance against ${names.length} channel packages:`);
    console.log(`  p50 ${f(percentile(uploads, 50))} ms   p95 ${f(percentile(uploads, 95))} ms   (target p50 <= 30 ms)`);
  } finally {
    skylab.stop();
  }
}

await main();
