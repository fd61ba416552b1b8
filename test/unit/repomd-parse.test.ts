// The repomd.xml reader against createrepo_c's (cr.Repomd) on every repomd.xml and
// repomd.xml.orig in ../shared/data and on repos createrepo_c/modifyrepo_c make here; checksums
// checked against the files themselves; refusals of what a sync must not act on.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { MetadataParseError } from '../../repo-sync/metadata/errors.js';
import { parseRepomd, repomdEntry, type Repomd } from '../../repo-sync/metadata/repomd.js';
import { plainBytes, repoWith, sha256File } from '../support/repo-fixtures.js';
import { buildRpms } from '../support/rpmbuild.js';
import { ROOT, SHARED } from '../support/server.js';
import { oracleRepomd } from '../support/updateinfo-oracle.js';

function repomdFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return repomdFiles(p);
    return name === 'repomd.xml' || name === 'repomd.xml.orig' ? [p] : [];
  });
}

async function compare(t: Test, path: string): Promise<Repomd> {
  const mine = parseRepomd(readFileSync(path));
  const o = await oracleRepomd(path);
  t.equal(mine.revision, o.revision ?? '', 'revision');
  t.same(
    mine.entries.map((e) => [e.type, e.href, e.base ?? null, e.checksumType, e.checksum, e.openChecksumType ?? null, e.openChecksum ?? null, e.size ?? 0, e.openSize ?? 0, e.timestamp ?? 0, e.databaseVersion ?? 0]),
    // createrepo_c says 0 (size, timestamp, database version) or -1 (open-size) for absent numbers
    o.records.map((r) => [r.type, r.location_href, r.location_base, r.checksum_type, r.checksum, r.checksum_open_type, r.checksum_open, r.size, Math.max(r.size_open, 0), r.timestamp, r.db_ver]),
    `${o.records.length} entries as createrepo_c reads them`,
  );
  return mine;
}

t.test('every repomd in ../shared/data reads as createrepo_c reads it', async (t) => {
  const files = repomdFiles(join(SHARED, 'data'));
  t.ok(files.length >= 4, `${files.length} files`);
  for (const f of files) {
    await t.test(f.slice(SHARED.length + 1), async (t) => {
      const r = await compare(t, f);
      if (!f.endsWith('.orig')) {
        // the rewritten repomd.xml lists only files present here, whose checksums verify
        for (const e of r.entries) t.equal(await sha256File(join(f, '..', '..', e.href)), e.checksum, `${e.type}: checksum of ${e.href}`);
      }
    });
  }
});

t.test('repos made by createrepo_c and modifyrepo_c', async (t) => {
  const rpms = await buildRpms([
    { name: 'rm-one', version: '1.0', release: '1', files: [{ path: '/usr/share/rm-one/a', content: 'a\n' }] },
    { name: 'rm-two', version: '2.0', release: '3', arch: 'x86_64', files: [{ path: '/usr/share/rm-two/b', content: 'b\n' }] },
  ]);
  const updateinfo = join(ROOT, 'test', 'fixtures', 'updateinfo', 'quirks-updateinfo.xml');
  const variants: [string, string[]][] = [['default (with sqlite)', []], ['--no-database', ['--no-database']], ['sha1 checksums, xz compression', ['--checksum=sha1', '--general-compress-type=xz']]];
  for (const [what, args] of variants) {
    await t.test(what, async (t) => {
      const repo = await repoWith(rpms, [{ file: updateinfo, type: 'updateinfo' }], args);
      t.teardown(() => rm(repo, { recursive: true, force: true }));
      const r = await compare(t, join(repo, 'repodata', 'repomd.xml'));
      for (const e of r.entries) {
        const path = join(repo, e.href);
        if (e.checksumType === 'sha256') t.equal(await sha256File(path), e.checksum, `${e.type}: checksum`);
        t.equal(statSync(path).size, e.size, `${e.type}: size`);
        if (e.openSize !== undefined && /\.gz$/.test(e.href)) t.equal((await plainBytes(path)).length, e.openSize, `${e.type}: open-size`);
      }
      t.ok(repomdEntry(r, 'updateinfo'), 'modifyrepo_c added updateinfo');
      t.equal(repomdEntry(r, 'primary_db') !== undefined, !args.includes('--no-database'), 'sqlite entries only when made');
    });
  }
});

const doc = (body: string): string => `<?xml version="1.0"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo">${body}</repomd>`;
const entry = (inner: string, type = 'primary'): string => `<data type="${type}">${inner}</data>`;
const LOC = '<location href="repodata/p.xml.gz"/>';
const SUM = '<checksum type="sha256">abcdef0123</checksum>';

t.test('refusals', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['no <repomd>', '<?xml version="1.0"?><metalink><files/></metalink>', /not <repomd>/],
    ['an HTML error page', '<html><body>404 Not Found</body></html>', /not <repomd>/],
    ['entry without location', doc(entry(SUM)), /entry "primary" has no <location href>/],
    ['location without href', doc(entry(SUM + '<location/>')), /<location> without href/],
    ['entry without checksum', doc(entry(LOC)), /entry "primary" has no <checksum>/],
    ['checksum without type', doc(entry(LOC + '<checksum>abc</checksum>')), /no usable type/],
    ['checksum not hex', doc(entry(LOC + '<checksum type="sha256">not-hex!</checksum>')), /not a hex digest/],
    ['size not a number', doc(entry(LOC + SUM + '<size>12kB</size>')), /not a number/],
    ['data without type', doc('<data>' + LOC + SUM + '</data>'), /no type attribute/],
    ['wrong namespace', '<repomd xmlns="http://example.invalid/ns"/>', /namespace/],
    ['DOCTYPE', '<!DOCTYPE repomd [<!ENTITY x "y">]><repomd/>', /DOCTYPE/],
    ['truncated', doc(entry(LOC + SUM)).slice(0, 120), /malformed XML/],
    ['empty', '', /empty/],
  ];
  for (const [what, xml, re] of cases) {
    t.throws(() => parseRepomd(xml), MetadataParseError, what);
    t.throws(() => parseRepomd(xml), { message: re }, `${what}: says why`);
  }
  const ok = parseRepomd(doc('<revision> 42 </revision>' + entry(LOC + '<checksum type="SHA">ABCDEF</checksum><timestamp>1700000000.25</timestamp>')));
  t.same(ok, { revision: '42', entries: [{ type: 'primary', href: 'repodata/p.xml.gz', checksumType: 'sha1', checksum: 'abcdef', timestamp: 1700000000 }] }, 'yum\'s "sha" is sha1; fractional timestamps floor');
  t.same(parseRepomd('<repomd/>'), { revision: '', entries: [] }, 'an empty repomd is a repo with nothing in it');
});
