// The repository and sync methods of channel.software through a real HTTP server and Python's
// xmlrpc.client, with the calls spacecmd's repo_* / softwarechannel_* commands and CEFS's
// --sync-channels make: every overload, faults and role checks, SSL material as PEM text or
// files (made by openssl), filters, Skylab's extensions, schedules set/read/cleared, and
// syncRepo running in the background until getDetails shows yumrepo_last_sync.
// The sync pipeline is another module: a stand-in SyncService writes runs through the real stores.
// Last, the real `skylab serve`: a schedule set through the API is loaded again after a restart.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, type Stores } from '../../channels/index.js';
import type { SyncOutcome, SyncParams, SyncService, SyncTrigger } from '../../repo-sync/sync/types.js';
import { buildApp } from '../../server/app.js';
import { createRegistry } from '../../server/rpc/namespaces.js';
import { inProcessServices } from '../support/in-process.js';
import { api, type ApiLogin } from '../support/push.js';
import { pythonJson } from '../support/python.js';
import { startServer } from '../support/server.js';

type Fault = { fault: number; faultString: string };
const isFault = (x: unknown): x is Fault => typeof x === 'object' && x !== null && 'fault' in x;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Stand-in pipeline: records each request and writes a run (and, on success, a commit) to the stores. */
class StoreBackedSync implements SyncService {
  calls: { label: string; trigger: SyncTrigger; params: SyncParams; at: number }[] = [];
  ms = 800;
  failWith: string | null = null;
  constructor(private readonly stores: Stores) {}

  async syncChannel(label: string, trigger: SyncTrigger, params: SyncParams = {}): Promise<SyncOutcome> {
    this.calls.push({ label, trigger, params, at: Date.now() });
    const c = (await this.stores.channels.getByLabelAnyOrg(label))!;
    const runId = await this.stores.sync.begin(c.id, trigger, { host: hostname(), pid: process.pid }, () => true);
    await sleep(this.ms);
    const counts = { packagesTotal: 3, packagesAdded: 0, errataAdded: 0, errataUpdated: 0, bytes: 5_000_000_000, warnings: ['other.xml.gz: missing (changelogs skipped)'] };
    const error = this.failWith;
    if (error) await this.stores.sync.finish(runId, 'failed', counts, error);
    else {
      await this.stores.sync.commit({ channelId: c.id, orgId: c.orgId!, packageIds: [], errata: [], metadata: {}, repos: [], syncedAt: new Date() });
      await this.stores.sync.finish(runId, 'success', counts);
    }
    return { runId, channel: label, status: error ? 'failed' : 'success', ...counts, error, seconds: this.ms / 1000 };
  }
}

// ---- a real server in this process (so the stand-in pipeline can be handed in) ----
let pipeline!: StoreBackedSync;
const local = await inProcessServices('repo-api', { sync: (stores) => (pipeline = new StoreBackedSync(stores)) });
const { dir, stores, services } = local;
const app = buildApp({ services, registry: createRegistry() });
services.log = app.log;
await app.listen({ host: '127.0.0.1', port: 0 });
await services.scheduler.start();
const port = (app.server.address() as { port: number }).port;
const url = `http://127.0.0.1:${port}/rpc/api`;
t.teardown(async () => {
  await services.scheduler.stop();
  await app.close();
  local.remove();
});

const org = (await stores.users.listOrgs())[0]!;
await stores.users.createUser({ orgId: org.id, login: 'plain', passwordHash: await hashPassword('plain-pw-1'), roles: [] });
await stores.users.createUser({ orgId: org.id, login: 'chanadmin', passwordHash: await hashPassword('chan-pw-1'), roles: ['channel_admin'] });
const admin: ApiLogin = { url, user: 'admin', password: 'admin-pw-1' };
const plain: ApiLogin = { url, user: 'plain', password: 'plain-pw-1' };
const chanadmin: ApiLogin = { url, user: 'chanadmin', password: 'chan-pw-1' };

const CH = 'repo-api-base-x86_64';
await api(admin, [['channel.software.create', CH, 'Repo API Base', 'base', 'channel-x86_64', '']]);

// ---- SSL material made by openssl: a CA, a client certificate it signed, and an unrelated key ----
const pki = join(dir, 'pki');
execFileSync('mkdir', ['-p', pki]);
const ossl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: pki, stdio: 'ignore' });
ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Skylab Test CA');
ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=skylab-client');
ossl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '30');
ossl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'other.key');
const caPem = readFileSync(join(pki, 'ca.pem'), 'utf8');
writeFileSync(join(pki, 'not-pem.txt'), 'hello\n');

t.test("spacecmd's repo_* calls", async (t) => {
  const [created, created3] = await api<Record<string, unknown>[]>(admin, [
    ['channel.software.createRepo', 'epel-test', 'yum', 'https://mirror.example.invalid/epel/9/x86_64/', '', '', ''],
    ['channel.software.createRepo', 'appstream-test', 'YUM', 'http://mirror.example.invalid/cs9/AppStream/'],
  ]);
  t.match(created, { label: 'epel-test', sourceUrl: 'https://mirror.example.invalid/epel/9/x86_64/', type: 'yum', sslCaDesc: '', sslCertDesc: '', sslKeyDesc: '', downloadPolicy: 'on_demand', proxyUrl: '' });
  t.type(created!.id, 'number', 'ContentSource id is an int');
  t.match(created3, { label: 'appstream-test', type: 'yum' }, 'the 3-argument form; type read case-insensitively');
  const id = created!.id as number;

  const [list, byLabel, byId] = await api<unknown[]>(admin, [
    ['channel.software.listUserRepos'],
    ['channel.software.getRepoDetails', 'epel-test'],
    ['channel.software.getRepoDetails', id],
  ]);
  t.same(list, [
    { id: created3!.id, label: 'appstream-test', sourceUrl: 'http://mirror.example.invalid/cs9/AppStream/' },
    { id, label: 'epel-test', sourceUrl: 'https://mirror.example.invalid/epel/9/x86_64/' },
  ], 'listUserRepos: id, label, sourceUrl');
  t.same(byLabel, created, 'getRepoDetails(label)');
  t.same(byId, created, 'getRepoDetails(id)');

  // repo_rename reads the id with getRepoDetails, then updateRepoLabel(id, new)
  const renamed = await api<Record<string, unknown>[]>(admin, [
    ['channel.software.updateRepoLabel', id, 'epel-renamed'],
    ['channel.software.updateRepoLabel', 'epel-renamed', 'epel-test'],
    ['channel.software.updateRepoUrl', 'epel-test', 'https://mirror2.example.invalid/epel/'],
    ['channel.software.updateRepoUrl', id, 'https://mirror3.example.invalid/epel/'],
    ['channel.software.updateRepo', id, 'epel-test', 'file:///srv/mirror/epel/'],
  ]);
  t.same(renamed.map((r) => [r.label, r.sourceUrl]), [
    ['epel-renamed', 'https://mirror.example.invalid/epel/9/x86_64/'],
    ['epel-test', 'https://mirror.example.invalid/epel/9/x86_64/'],
    ['epel-test', 'https://mirror2.example.invalid/epel/'],
    ['epel-test', 'https://mirror3.example.invalid/epel/'],
    ['epel-test', 'file:///srv/mirror/epel/'],
  ], 'updateRepoLabel, updateRepoUrl (label and id forms), updateRepo');

  const [del, gone, delId] = await api<unknown[]>(admin, [
    ['channel.software.removeRepo', 'appstream-test'],
    ['channel.software.getRepoDetails', 'appstream-test'],
    ['channel.software.removeRepo', 999999],
  ]);
  t.equal(del, 1, 'removeRepo(label)');
  t.match(gone, { fault: 1213, faultString: 'redstone.xmlrpc.XmlRpcFault: No such repository: appstream-test' });
  t.match(delId, { fault: 1213 }, 'removeRepo(unknown id)');
});

t.test('SSL material: PEM text or a PEM file on the server, checked', async (t) => {
  const key = join(pki, 'client.key');
  const cert = join(pki, 'client.pem');
  const [withText, withFiles, cleared] = await api<Record<string, unknown>[]>(admin, [
    ['channel.software.createRepo', 'cdn-test', 'yum', 'https://cdn.example.invalid/content/', caPem, '', ''],
    ['channel.software.updateRepoSsl', 'cdn-test', join(pki, 'ca.pem'), cert, key],
    ['channel.software.updateRepoSsl', 'cdn-test', '', '', ''],
  ]);
  t.match(withText!.sslCaDesc, /^PEM certificate \(CN=Skylab Test CA; sha256 [0-9A-F:]+\)$/, 'PEM text is described, not echoed');
  t.same([withFiles!.sslCaDesc, withFiles!.sslCertDesc, withFiles!.sslKeyDesc], [join(pki, 'ca.pem'), cert, key], 'paths are kept and shown as paths');
  t.same([cleared!.sslCaDesc, cleared!.sslCertDesc, cleared!.sslKeyDesc], ['', '', ''], 'all empty clears them');
  const [byId] = await api<Record<string, unknown>[]>(admin, [['channel.software.updateRepoSsl', withText!.id, caPem, readFileSync(cert, 'utf8'), readFileSync(key, 'utf8')]]);
  t.match(byId, { sslCertDesc: /^PEM certificate \(CN=skylab-client;/, sslKeyDesc: 'PEM private key (rsa 2048 bits)' }, 'updateRepoSsl(id) with PEM text');

  const unreadable = join(pki, 'unreadable.pem');
  writeFileSync(unreadable, caPem);
  chmodSync(unreadable, 0o000);
  const bad = await api<Fault[]>(admin, [
    ['channel.software.updateRepoSsl', 'cdn-test', 'My CA description', '', ''],
    ['channel.software.updateRepoSsl', 'cdn-test', join(pki, 'missing.pem'), '', ''],
    ['channel.software.updateRepoSsl', 'cdn-test', join(pki, 'not-pem.txt'), '', ''],
    ['channel.software.updateRepoSsl', 'cdn-test', '-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n', '', ''],
    ['channel.software.updateRepoSsl', 'cdn-test', caPem, cert, ''],
    ['channel.software.updateRepoSsl', 'cdn-test', caPem, cert, join(pki, 'other.key')],
    ['channel.software.updateRepoSsl', 'cdn-test', caPem, key, key],
    ['channel.software.createRepo', 'cdn-bad', 'yum', 'https://cdn2.example.invalid/', 'ca-description', '', ''],
  ]);
  const reasons = [/no crypto-key store/, /no such file/, /no PEM certificate/, /does not parse/, /go together/, /does not belong/, /no PEM certificate/, /no crypto-key store/];
  bad.forEach((f, i) => {
    t.equal(f.fault, 1210, `bad SSL input ${i}: fault 1210 (Spacewalk's no such crypto key)`);
    t.match(f.faultString, reasons[i]!, f.faultString);
  });
  if (process.getuid?.() !== 0) {
    const [f] = await api<Fault[]>(admin, [['channel.software.updateRepoSsl', 'cdn-test', unreadable, '', '']]);
    t.match(f, { fault: 1210, faultString: /cannot read/ }, 'an unreadable file');
  }
  const [after] = await api<Record<string, unknown>[]>(admin, [['channel.software.getRepoDetails', 'cdn-test']]);
  t.equal(after!.sslCertDesc, byId!.sslCertDesc, 'refused updates change nothing');
});

t.test('Skylab extensions: download policy and proxy per repo', async (t) => {
  const r = await api<unknown[]>(admin, [
    ['channel.software.createRepo', 'ext-test', 'yum', 'https://ext.example.invalid/repo/'],
    ['channel.software.setRepoDownloadPolicy', 'ext-test', 'immediate'],
    ['channel.software.setRepoProxy', 'ext-test', 'http://user:s3cret@proxy.example.invalid:3128'],
    ['channel.software.getRepoDetails', 'ext-test'],
    ['channel.software.setRepoProxy', 'ext-test', ''],
    ['channel.software.set_repo_download_policy', 'ext-test', 'on_demand'],
    ['channel.software.setRepoDownloadPolicy', 'ext-test', 'lazy'],
    ['channel.software.setRepoProxy', 'ext-test', 'socks5://proxy.example.invalid:1080'],
    ['channel.software.setRepoProxy', 'nope', ''],
  ]);
  t.match(r[1], { downloadPolicy: 'immediate' });
  t.match(r[3], { downloadPolicy: 'immediate', proxyUrl: 'http://user:***@proxy.example.invalid:3128/' }, 'getRepoDetails shows both; the password is masked');
  t.notMatch(JSON.stringify(r[3]), /s3cret/);
  t.match(r[4], { proxyUrl: '' }, '"" clears the proxy');
  t.match(r[5], { downloadPolicy: 'on_demand' }, 'snake_case name works too');
  t.match(r[6], { fault: 1213, faultString: /on_demand or immediate/ });
  t.match(r[7], { fault: 1213, faultString: /Invalid proxy URL/ });
  t.match(r[8], { fault: 1213, faultString: /No such repository: nope/ });
});

t.test('faults: unknown, duplicate and invalid labels and URLs', async (t) => {
  const r = await api<Fault[]>(admin, [
    ['channel.software.createRepo', 'dup-test', 'yum', 'https://dup.example.invalid/'],
    ['channel.software.createRepo', 'dup-test', 'yum', 'https://other.example.invalid/'],
    ['channel.software.createRepo', 'dup-test-2', 'yum', 'https://dup.example.invalid/'],
    ['channel.software.createRepo', '', 'yum', 'https://x.example.invalid/'],
    ['channel.software.createRepo', 'x-test', 'yum', ''],
    ['channel.software.createRepo', '-bad label', 'yum', 'https://y.example.invalid/'],
    ['channel.software.createRepo', 'x-test', 'yum', 'not a url'],
    ['channel.software.createRepo', 'x-test', 'yum', 'ftp://ftp.example.invalid/repo/'],
    ['channel.software.createRepo', 'x-test', 'deb', 'https://z.example.invalid/'],
    ['channel.software.updateRepoLabel', 'dup-test', 'epel-test'],
    ['channel.software.updateRepoUrl', 'dup-test', 'file:///srv/mirror/epel/'],
    ['channel.software.getRepoDetails', 424242],
    ['channel.software.listRepoFilters', 'nope'],
    ['channel.software.associateRepo', 'no-such-channel', 'dup-test'],
    ['channel.software.associateRepo', CH, 'nope'],
    ['channel.software.listChannelRepos', 'no-such-channel'],
    ['channel.software.getRepoSyncCronExpression', 'no-such-channel'],
    ['channel.software.listSyncHistory', 'no-such-channel'],
    ['channel.software.syncRepo', 'no-such-channel'],
  ]);
  const expect: [number, RegExp][] = [
    [0, /./], [2, /Repository label 'dup-test' already in use/], [1, /Repository URL .* already in use/], [1213, /label might not be empty/],
    [1213, /url might not be empty/], [2, /Invalid repository label/], [1, /Invalid repository URL/], [1, /http:\/\/, https:\/\/ and file:\/\//],
    [2, /Invalid repo type 'deb'/], [2, /already in use/], [1, /already in use/], [1213, /No such repository: 424242/], [1213, /No such repository: nope/],
    [-210, /No such channel/], [1213, /No such repository: nope/], [-210, /No such channel/], [-210, /No such channel/], [-210, /No such channel/], [-210, /No such channel/],
  ];
  t.match(r[0], { label: 'dup-test' });
  expect.slice(1).forEach(([code, text], i) => {
    t.equal(r[i + 1]!.fault, code, `call ${i + 1}: ${code}`);
    t.match(r[i + 1]!.faultString, text, r[i + 1]!.faultString);
  });
});

t.test('filters (spacecmd repo_addfilters/removefilters/setfilters/clearfilters/listfilters)', async (t) => {
  const r = await api<unknown[]>(admin, [
    ['channel.software.createRepo', 'filter-test', 'yum', 'https://filter.example.invalid/'],
    ['channel.software.addRepoFilter', 'filter-test', { filter: 'kernel*', flag: '-' }],
    ['channel.software.addRepoFilter', 'filter-test', { filter: 'kernel-headers', flag: '+' }],
    ['channel.software.listRepoFilters', 'filter-test'],
    ['channel.software.removeRepoFilter', 'filter-test', { filter: 'kernel*', flag: '-' }],
    ['channel.software.listRepoFilters', 'filter-test'],
    ['channel.software.removeRepoFilter', 'filter-test', { filter: 'kernel*', flag: '-' }],
    ['channel.software.setRepoFilters', 'filter-test', [{ filter: 'a*', flag: '+' }, { filter: 'b*', flag: '-' }, { filter: 'c', flag: '+' }]],
    ['channel.software.listRepoFilters', 'filter-test'],
    ['channel.software.addRepoFilter', 'filter-test', { filter: 'x', flag: '*' }],
    ['channel.software.addRepoFilter', 'filter-test', { filter: 'x', flag: '+', order: 1 }],
    ['channel.software.setRepoFilters', 'filter-test', [{ filter: 'x' }]],
    ['channel.software.clearRepoFilters', 'filter-test'],
    ['channel.software.listRepoFilters', 'filter-test'],
  ]);
  t.same([r[1], r[2]], [1, 2], 'addRepoFilter answers the new filter\'s sort order');
  t.same(r[3], [{ sortOrder: 1, filter: 'kernel*', flag: '-' }, { sortOrder: 2, filter: 'kernel-headers', flag: '+' }]);
  t.equal(r[4], 1);
  t.same(r[5], [{ sortOrder: 1, filter: 'kernel-headers', flag: '+' }], 'removed; the rest renumbered');
  t.match(r[6], { fault: 1213, faultString: /filter does not exist/ });
  t.equal(r[7], 1);
  t.same(r[8], [{ sortOrder: 1, filter: 'a*', flag: '+' }, { sortOrder: 2, filter: 'b*', flag: '-' }, { sortOrder: 3, filter: 'c', flag: '+' }], 'setRepoFilters keeps the given order');
  t.match(r[9], { fault: 1213, faultString: /flag must be \+ or -/ });
  t.match(r[10], { fault: 2801, faultString: /Invalid argument\(s\): order/ });
  t.match(r[11], { fault: 1213 }, 'a filter without flag');
  t.equal(r[12], 1);
  t.same(r[13], [], 'cleared');
});

t.test('channels: associate/disassociate, listChannelRepos, getDetails contentSources', async (t) => {
  const r = await api<Record<string, unknown>[]>(admin, [
    ['channel.software.associateRepo', CH, 'epel-test'],
    ['channel.software.associateRepo', CH, 'ext-test'],
    ['channel.software.listChannelRepos', CH],
    ['channel.software.getDetails', CH],
    ['channel.software.disassociateRepo', CH, 'ext-test'],
  ]);
  const epel = (await api<Record<string, unknown>[]>(admin, [['channel.software.getRepoDetails', 'epel-test']]))[0]!;
  const ext = (await api<Record<string, unknown>[]>(admin, [['channel.software.getRepoDetails', 'ext-test']]))[0]!;
  const view = (x: Record<string, unknown>): unknown => ({ id: x.id, label: x.label, sourceUrl: x.sourceUrl, type: 'yum' });
  t.same(r[0]!.contentSources, [view(epel)], 'associateRepo answers the Channel with its contentSources');
  t.equal(r[0]!.label, CH);
  t.same(r[1]!.contentSources, [view(epel), view(ext)]);
  t.same(r[2], [epel, ext], 'listChannelRepos: ContentSource structs');
  t.same(r[3]!.contentSources, [view(epel), view(ext)], 'getDetails lists them (spacecmd softwarechannel_listrepos)');
  t.notOk('yumrepo_last_sync' in r[3]!, 'no yumrepo_last_sync before any sync');
  t.same(r[4]!.contentSources, [view(epel)], 'disassociateRepo');
  const byId = (await api<Record<string, unknown>[]>(admin, [['channel.software.getDetails', r[3]!.id]]))[0]!;
  t.same(byId.contentSources, [view(epel)], 'getDetails(int id) too');
});

t.test('schedules: spacecmd softwarechannel_setsyncschedule / removesyncschedule', async (t) => {
  const flags = { 'no-errata': false, fail: false, 'sync-kickstart': false, latest: true };
  const r = await api<unknown[]>(admin, [
    ['channel.software.syncRepo', CH, '0 0 1 * * ?', flags],
    ['channel.software.getRepoSyncCronExpression', CH],
  ]);
  t.same(r, [1, '0 0 1 * * ?'], 'set with the params struct; read back as given');
  const entry = services.scheduler.scheduled().find((s) => s.label === CH)!;
  t.same([entry.pattern, entry.params], ['0 0 1 * * *', { noErrata: false, fail: false, syncKickstart: false, latest: true }], 'the scheduler runs it, with the params');
  t.equal(entry.nextRun!.toISOString().slice(11), '01:00:00.000Z', 'next run at 01:00:00 (SKYLAB_TZ=UTC)');

  const r2 = await api<unknown[]>(admin, [
    ['channel.software.syncRepo', CH, '0 0 3 ? * *'],
    ['channel.software.get_repo_sync_cron_expression', CH],
    ['channel.software.syncRepo', CH, '0 0 3 ? * * 2027'],
    ['channel.software.syncRepo', CH, '0 0 3 15 * MON'],
    ['channel.software.syncRepo', CH, 'every day'],
    ['channel.software.syncRepo', CH, '0 0 4 ? * *', { bogus: true }],
    ['channel.software.getRepoSyncCronExpression', CH],
  ]);
  t.same(r2.slice(0, 2), [1, '0 0 3 ? * *']);
  t.match(r2[2], { fault: 1213, faultString: /Invalid cron expression: .*'0 0 3 \? \* \* 2027'.*year/ }, 'a year cannot be translated');
  t.match(r2[3], { fault: 1213, faultString: /put '\?' in one of them/ });
  t.match(r2[4], { fault: 1213, faultString: /6 or 7 fields/ });
  t.match(r2[5], { fault: 2801, faultString: /Invalid argument\(s\): bogus/ });
  t.equal(r2[6], '0 0 3 ? * *', 'refused schedules change nothing');
  t.equal(services.scheduler.scheduled().find((s) => s.label === CH)?.pattern, '0 0 3 * * *');

  const r3 = await api<unknown[]>(admin, [
    ['channel.software.syncRepo', CH, ''],
    ['channel.software.getRepoSyncCronExpression', CH],
    ['channel.software.syncRepo', CH, '0 0 3 ? * *'],
    ['channel.software.syncRepo', CH, '', flags],
    ['channel.software.getRepoSyncCronExpression', CH],
  ]);
  t.same(r3, [1, '', 1, 1, ''], 'an empty expression clears it (with or without params)');
  t.notOk(services.scheduler.scheduled().some((s) => s.label === CH), 'and the task is gone');
});

t.test('syncRepo now: background run, CEFS polling yumrepo_last_sync, history', async (t) => {
  // CEFS --sync-channels: get_details, sync_repo, then get_details until yumrepo_last_sync changes.
  const CEFS = `
import json, sys, time, xmlrpc.client
a = json.load(sys.stdin)
c = xmlrpc.client.ServerProxy(a['url'])
k = c.auth.login(a['user'], a['password'])
before = c.channel.software.get_details(k, a['channel'])
t0 = time.time()
answer = c.channel.software.sync_repo(k, a['channel'])
took = time.time() - t0
polls = 0
while True:
    d = c.channel.software.get_details(k, a['channel'])
    polls += 1
    if 'yumrepo_last_sync' in d or polls > 100: break
    time.sleep(0.1)
print(json.dumps({'before': 'yumrepo_last_sync' in before, 'answer': answer, 'took': took, 'polls': polls,
  'last_sync': str(d.get('yumrepo_last_sync')), 'last_sync_type': type(d.get('yumrepo_last_sync')).__name__}))
`;
  const cefs = await pythonJson<{ before: boolean; answer: number; took: number; polls: number; last_sync: string; last_sync_type: string }>(CEFS, [], JSON.stringify({ ...admin, channel: CH }));
  t.equal(cefs.before, false, 'no yumrepo_last_sync before the first sync');
  t.equal(cefs.answer, 1, 'sync_repo answers 1');
  t.ok(cefs.took < pipeline.ms / 1000, `at once (${cefs.took.toFixed(3)} s; the sync takes ${pipeline.ms / 1000} s)`);
  t.ok(cefs.polls > 1 && cefs.polls <= 100, `get_details shows yumrepo_last_sync once the sync ended (${cefs.polls} polls)`);
  t.equal(cefs.last_sync_type, 'DateTime', 'a dateTime.iso8601');
  t.match(cefs.last_sync, /^\d{8}T\d{2}:\d{2}:\d{2}$/, 'in the YYYYMMDDTHH:MM:SS layout CEFS unpacks');
  t.match(pipeline.calls.at(-1), { label: CH, trigger: 'api', params: {} });

  pipeline.ms = 1500;
  const r = await api<unknown[]>(admin, [
    ['channel.software.syncRepo', CH, { 'no-errata': true, latest: true }],
    ['channel.software.syncRepo', CH, { fail: 1, 'sync-kickstart': 'false' }],
    ['channel.software.syncRepo', CH, { 'no-errata': true, bogus: 1 }],
  ]);
  t.same(r.slice(0, 2), [1, 1], 'a request while the channel syncs answers 1 too');
  t.match(r[2], { fault: 2801, faultString: /Invalid argument\(s\): bogus/ });
  await sleep(3600);
  const [first, second] = pipeline.calls.slice(-2);
  t.same(first?.params, { noErrata: true, latest: true }, 'the params struct reaches the sync');
  t.same(second?.params, { fail: true, syncKickstart: false }, 'the queued request ran after it');
  t.ok(second!.at >= first!.at + 1400, 'one after the other');

  pipeline.ms = 200;
  pipeline.failWith = 'repomd.xml: HTTP 404 from https://mirror3.example.invalid/epel/';
  await api(admin, [['channel.software.syncRepo', CH]]);
  await sleep(800);
  pipeline.failWith = null;
  const [history, one] = await api<Record<string, unknown>[][]>(admin, [
    ['channel.software.listSyncHistory', CH],
    ['channel.software.list_sync_history', CH, 1],
  ]);
  t.equal(history!.length, 4, 'every run is listed');
  t.same(one, [history![0]], 'limit 1: the newest');
  t.match(history![0], { channel_label: CH, trigger: 'api', status: 'failed', error: /HTTP 404/, packages_total: 3 });
  t.match(history![3], { status: 'success', packages_total: 3, errata_added: 0, bytes: 5_000_000_000, warnings: ['other.xml.gz: missing (changelogs skipped)'] });
  t.notOk('error' in history![3]!, 'no error member on a successful run');
  for (const h of history!) t.ok(String(h.ended) >= String(h.started), `run ${h.id}: ended ${h.ended} >= started ${h.started}`);
  const [bad] = await api<Fault[]>(admin, [['channel.software.listSyncHistory', CH, 0]]);
  t.match(bad, { fault: 1213, faultString: /limit must be 1-1000/ });
});

t.test('role checks: writes need channel_admin (filters org_admin); reads need nothing', async (t) => {
  const writes: unknown[][] = [
    ['channel.software.createRepo', 'role-test', 'yum', 'https://role.example.invalid/'],
    ['channel.software.createRepo', 'role-test', 'yum', 'https://role.example.invalid/', '', '', ''],
    ['channel.software.removeRepo', 'epel-test'],
    ['channel.software.updateRepo', 1, 'x-role', 'https://x-role.example.invalid/'],
    ['channel.software.updateRepoUrl', 'epel-test', 'https://x-role.example.invalid/'],
    ['channel.software.updateRepoLabel', 'epel-test', 'x-role'],
    ['channel.software.updateRepoSsl', 'epel-test', '', '', ''],
    ['channel.software.setRepoDownloadPolicy', 'epel-test', 'immediate'],
    ['channel.software.setRepoProxy', 'epel-test', ''],
    ['channel.software.associateRepo', CH, 'dup-test'],
    ['channel.software.disassociateRepo', CH, 'epel-test'],
    ['channel.software.syncRepo', CH],
    ['channel.software.syncRepo', CH, {}],
    ['channel.software.syncRepo', CH, '0 0 3 ? * *'],
    ['channel.software.syncRepo', CH, '0 0 3 ? * *', {}],
  ];
  const filterWrites: unknown[][] = [
    ['channel.software.addRepoFilter', 'filter-test', { filter: 'a', flag: '+' }],
    ['channel.software.removeRepoFilter', 'filter-test', { filter: 'a', flag: '+' }],
    ['channel.software.setRepoFilters', 'filter-test', []],
    ['channel.software.clearRepoFilters', 'filter-test'],
  ];
  const before = await api(admin, [['channel.software.getDetails', CH], ['channel.software.listUserRepos'], ['channel.software.getRepoSyncCronExpression', CH]]);
  const calls = pipeline.calls.length;
  const answers = await api<unknown[]>(plain, [...writes, ...filterWrites]);
  [...writes, ...filterWrites].forEach((call, i) => {
    const a = answers[i];
    t.ok(isFault(a) && a.fault === -23, `${call[0]} by a user without roles: -23`);
    if (isFault(a)) t.match(a.faultString, /^redstone\.xmlrpc\.XmlRpcFault: You do not have permissions to perform this action\./);
  });
  const byChanAdmin = await api<unknown[]>(chanadmin, filterWrites);
  byChanAdmin.forEach((a, i) => t.match(a, { fault: -23, faultString: /Organization Administrator/ }, `${filterWrites[i]![0]} needs org_admin (as in Spacewalk)`));
  t.same(await api(admin, [['channel.software.getDetails', CH], ['channel.software.listUserRepos'], ['channel.software.getRepoSyncCronExpression', CH]]), before, 'nothing changed');
  t.equal(pipeline.calls.length, calls, 'no sync started');
  const reads = await api<unknown[]>(plain, [
    ['channel.software.listUserRepos'],
    ['channel.software.getRepoDetails', 'epel-test'],
    ['channel.software.listChannelRepos', CH],
    ['channel.software.listRepoFilters', 'filter-test'],
    ['channel.software.getRepoSyncCronExpression', CH],
    ['channel.software.listSyncHistory', CH],
  ]);
  t.ok(reads.every((a) => !isFault(a)), 'the same user may read');
  const [ok] = await api<unknown[]>(chanadmin, [['channel.software.syncRepo', CH, '']]);
  t.equal(ok, 1, 'a channel admin may change schedules');
});

t.test('the call list names every overload', async (t) => {
  const [list] = await api<Record<string, unknown>[]>(admin, [['api.getApiNamespaceCallList', 'channel.software']]);
  // keys are "<ns>.<method>_<type of each parameter, the session key first>"
  const overloads: [string, string[]][] = [
    ['createRepo', ['string', 'string', 'string']], ['createRepo', ['string', 'string', 'string', 'string', 'string', 'string']],
    ['syncRepo', ['string']], ['syncRepo', ['string', 'struct']], ['syncRepo', ['string', 'string']], ['syncRepo', ['string', 'string', 'struct']],
    ['getRepoDetails', ['int']], ['getRepoDetails', ['string']], ['removeRepo', ['int']], ['removeRepo', ['string']],
    ['updateRepoSsl', ['int', 'string', 'string', 'string']], ['updateRepoSsl', ['string', 'string', 'string', 'string']],
    ['setRepoFilters', ['string', 'array']], ['listSyncHistory', ['string', 'int']], ['setRepoProxy', ['string', 'string']],
  ];
  for (const [name, params] of overloads) {
    const key = ['channel.software.' + name, 'string', ...params].join('_');
    t.ok(key in list!, key);
  }
});

t.test('skylab serve: schedules survive a restart; the scheduler stops with the server', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skylab-repo-serve-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { SKYLAB_LOG_LEVEL: 'info', SKYLAB_TZ: 'Europe/Berlin' };
  const first = await startServer({ dataDir, env });
  const login = { url: first.apiUrl, user: first.adminUser, password: first.adminPassword };
  const label = 'serve-sched-x86_64';
  const r = await api<unknown[]>(login, [
    ['channel.software.create', label, 'Serve Sched', 'base', 'channel-x86_64', ''],
    ['channel.software.syncRepo', label, '0 0 3 ? * *', { 'no-errata': true }],
    ['channel.software.syncRepo', label],
  ]);
  t.same(r.slice(0, 2), [1, 1], 'channel created and scheduled');
  // Until the pipeline is wired into services.ts, a sync request says so clearly; after, it answers 1.
  if (isFault(r[2])) t.match(r[2], { fault: -1, faultString: /sync pipeline not available/ }, 'syncRepo without a pipeline: a clear fault');
  else t.equal(r[2], 1, 'syncRepo answers 1');
  t.match(first.output(), /sync of serve-sched-x86_64 scheduled: '0 0 3 \? \* \*' \(node-cron '0 0 3 \* \* \*', Europe\/Berlin\)/, 'scheduled at once');
  t.equal(await first.stop(), 0, 'SIGTERM stops scheduler and server with status 0');

  const second = await startServer({ dataDir, env });
  t.teardown(() => second.stop());
  // The log is written asynchronously: give its lines a moment after the ready line.
  for (let i = 0; i < 50 && !/sync of serve-sched-x86_64 scheduled/.test(second.output()); i++) await sleep(100);
  t.match(second.output(), /sync scheduler started with 1 scheduled channel/, 'the stored schedule is loaded at start');
  t.match(second.output(), /sync of serve-sched-x86_64 scheduled: '0 0 3 \? \* \*'/);
  const [cronExpr] = await api<unknown[]>({ ...login, url: second.apiUrl }, [['channel.software.getRepoSyncCronExpression', label]]);
  t.equal(cronExpr, '0 0 3 ? * *');
});
