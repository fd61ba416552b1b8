// file:// repositories through the Fetcher: the same checksum checks as http, failover between
// file:// mirrors, nothing left behind on failure, no path escaping the repository.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Fetcher } from '../../repo-sync/fetch/index.js';
import { parseRepomd, type RepomdRecord } from '../support/repodata.js';
import { SHARED } from '../support/server.js';
import { copyRepo, scratchDir, writeMirrorlist } from '../support/upstream.js';

const work = scratchDir('skylab-fileurl-');
let n = 0;
const dest = (): string => join(work, `d${++n}`, 'file');
const sha256 = (path: string): string => execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]!;
let repo: string;
let base: string;
let records: RepomdRecord[];

t.before(async () => {
  repo = copyRepo(join(SHARED, 'data', 'cs9-baseos-2022'));
  base = pathToFileURL(repo).href;
  records = (await parseRepomd(join(repo, 'repodata', 'repomd.xml'))).records;
});

const expectOf = (r: RepomdRecord): { checksumType: string; checksum: string; size: number } => ({ checksumType: r.checksum_type, checksum: r.checksum, size: r.size });

t.test('every repodata file of a file:// repository, verified', async (t) => {
  const f = new Fetcher();
  t.same(await f.resolveMirrors({ url: base }), [`${base}/`]);
  for (const r of records) {
    const out = dest();
    let progress = 0;
    const got = await f.fetchFile({ url: base }, r.location_href, out, expectOf(r), (b) => (progress += b));
    t.equal(sha256(out), r.checksum, `${r.type}: copied intact`);
    t.equal(got.url, `${base}/${r.location_href}`);
    t.equal(progress, r.size, `${r.type}: progress reported`);
  }
  const { body } = await f.fetchBuffer({ url: base }, 'repodata/repomd.xml', 1 << 20);
  t.match(body.toString(), /<repomd /);
  await f.close();
});

t.test('checksum mismatch, missing file, escaping paths', async (t) => {
  const f = new Fetcher();
  const r = records[0]!;
  const out = dest();
  const wrong = { ...expectOf(r), checksum: '0'.repeat(64) };
  await t.rejects(f.fetchFile({ url: base }, r.location_href, out, wrong), { name: 'FetchError', kind: 'checksum', retryable: false });
  t.notOk(existsSync(out));
  t.same(readdirSync(join(out, '..')), [], 'no temp file left');
  await t.rejects(f.fetchFile({ url: base }, 'repodata/nope.xml.gz', dest()), { name: 'FetchError', kind: 'not-found', retryable: false });
  await t.rejects(f.fetchFile({ url: base }, '../../../etc/passwd', dest()), { name: 'FetchError', kind: 'invalid' });
  await t.rejects(f.fetchFile({ url: base }, 'repodata/%2e%2e/%2e%2e/x', dest()), { name: 'FetchError', kind: 'invalid' }, 'encoded dots do not climb out either');
  await t.rejects(f.fetchFile({ url: 'ftp://mirror.example/repo/' }, 'repodata/repomd.xml', dest()), { name: 'FetchError', kind: 'invalid', message: /unsupported URL scheme/ });
  await f.close();
});

t.test('a file:// mirrorlist fails over to the mirror that has the file', async (t) => {
  const empty = scratchDir('skylab-empty-');
  const list = join(work, 'mirrorlist');
  writeMirrorlist(list, [pathToFileURL(empty).href, base]);
  const f = new Fetcher();
  const r = records.find((x) => x.type === 'primary')!;
  const got = await f.fetchFile({ url: pathToFileURL(list).href }, r.location_href, dest(), expectOf(r));
  t.equal(got.url, `${base}/${r.location_href}`);
  rmSync(empty, { recursive: true });
  await f.close();
});
