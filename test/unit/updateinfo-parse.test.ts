// The updateinfo reader against createrepo_c's parser (and GNU date for dates) on every sample
// in ../shared/data/updateinfo-samples and on a modifyrepo_c-packed file covering each quirk;
// merging of repeated ids; refusal of malformed, truncated and hostile input.
import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { MetadataParseError } from '../../repo-sync/metadata/errors.js';
import { parseRepomd } from '../../repo-sync/metadata/repomd.js';
import { packageKey } from '../../repo-sync/metadata/updateinfo-merge.js';
import { parseUpdateinfoDate, readUpdateinfo, scanUpdateinfo, type UpdateinfoAdvisory } from '../../repo-sync/metadata/updateinfo.js';
import { byteStream, pieces, plainBytes, repoWith, sha256File } from '../support/repo-fixtures.js';
import { ROOT, SHARED } from '../support/server.js';
import { gnuDate, oracleUpdateinfo, type OracleUpdate } from '../support/updateinfo-oracle.js';

const SAMPLES = join(SHARED, 'data', 'updateinfo-samples');
const QUIRKS = join(ROOT, 'test', 'fixtures', 'updateinfo', 'quirks-updateinfo.xml');
const sampleFiles = readdirSync(SAMPLES).filter((f) => /updateinfo.*\.xml(\.gz)?$/.test(f)).map((f) => join(SAMPLES, f));

async function scanAll(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<UpdateinfoAdvisory[]> {
  const out: UpdateinfoAdvisory[] = [];
  for await (const a of scanUpdateinfo(source)) out.push(a);
  return out;
}

/** createrepo_c reads any flag element as set; an explicit False/0/no is unset for libsolv (dnf) and for us. */
function expectedFlag(set: boolean, text: string | null): boolean {
  return set && !(text !== null && /^(false|0|no)$/i.test(text.trim()));
}

const s = (v: string | null | undefined): string => v ?? '';

async function compareOne(t: Test, a: UpdateinfoAdvisory, o: OracleUpdate): Promise<void> {
  const head = (x: UpdateinfoAdvisory | OracleUpdate): unknown[] =>
    'packages' in x
      ? [x.id, x.type, x.status, x.version, x.from, x.title, x.rights, x.release, x.pushcount, x.severity, x.summary, x.description, x.solution]
      : [x.id, s(x.type), s(x.status), s(x.version), s(x.from), s(x.title).trim(), s(x.rights).trim(), s(x.release).trim(), s(x.pushcount).trim(),
          s(x.severity).trim(), s(x.summary), s(x.description), s(x.solution)];
  t.same(head(a), head(o), `${o.id}: fields`);
  t.equal(a.rebootSuggested, expectedFlag(o.reboot, o.reboot_text), `${o.id}: advisory reboot flag`);
  t.same(a.issued, o.issued === null ? null : await gnuDate(o.issued), `${o.id}: issued ${o.issued}`);
  t.same(a.updated, o.updated === null ? null : await gnuDate(o.updated), `${o.id}: updated ${o.updated}`);
  t.same(a.references, o.references.map((r) => ({ type: s(r.type), id: s(r.id), href: s(r.href), title: s(r.title) })), `${o.id}: references`);
  const expected = o.collections.flatMap((c) =>
    c.packages.map((p) => ({
      name: p.name, epoch: s(p.epoch), version: p.version, release: p.release, arch: p.arch, src: s(p.src), filename: s(p.filename),
      sumType: p.sum_type, sum: p.sum, rebootSuggested: expectedFlag(p.reboot, p.flag_text.reboot),
      restartSuggested: expectedFlag(p.restart, p.flag_text.restart), reloginSuggested: expectedFlag(p.relogin, p.flag_text.relogin),
      collection: s(c.short), module: c.module,
    })),
  );
  t.same(a.packages, expected, `${o.id}: ${expected.length} packages with collection, module and flags`);
}

async function compareFile(t: Test, mine: UpdateinfoAdvisory[], oraclePath: string): Promise<void> {
  const oracle = await oracleUpdateinfo(oraclePath);
  t.ok(oracle.length > 0, `createrepo_c reads ${oracle.length} updates`);
  t.equal(mine.length, oracle.length, 'one advisory per <update>');
  for (let i = 0; i < Math.min(mine.length, oracle.length); i++) await compareOne(t, mine[i]!, oracle[i]!);
}

t.test('every sample reads as createrepo_c reads it', async (t) => {
  t.ok(sampleFiles.length >= 5, `${sampleFiles.length} samples`);
  for (const file of sampleFiles) {
    await t.test(file.slice(SAMPLES.length + 1), async (t) => compareFile(t, await scanAll(byteStream(file, 1000)), file));
  }
});

t.test('chunking does not matter: one byte at a time reads the same', async (t) => {
  for (const file of sampleFiles) {
    const data = await plainBytes(file);
    t.same(await scanAll(pieces(data, 1)), await scanAll([data]), file.slice(SAMPLES.length + 1));
  }
});

t.test('a modifyrepo_c repo with every quirk', async (t) => {
  const repo = await repoWith([], [{ file: QUIRKS, type: 'updateinfo' }]);
  t.teardown(() => rm(repo, { recursive: true, force: true }));
  const repomd = parseRepomd(readFileSync(join(repo, 'repodata', 'repomd.xml')));
  const entry = repomd.entries.find((e) => e.type === 'updateinfo');
  if (!entry) throw new Error('modifyrepo_c listed no updateinfo');
  const path = join(repo, entry.href);
  t.equal(await sha256File(path), entry.checksum, 'the file matches its repomd checksum');
  const plain = await plainBytes(path);
  t.equal(plain.length, entry.openSize, 'and its open-size');
  const all = await scanAll(byteStream(path));
  await compareFile(t, all, path);

  const read = await readUpdateinfo(byteStream(path));
  t.equal(read.updates, all.length, 'every <update> counted');
  t.same(read.merged, ['SKY-2024:0002'], 'the repeated id is reported merged');
  t.same(read.advisories.map((a) => a.id), [...new Set(all.map((a) => a.id))], 'one advisory per id, in first-seen order');
  const copies = all.filter((a) => a.id === 'SKY-2024:0002');
  const merged = read.advisories.find((a) => a.id === 'SKY-2024:0002')!;
  t.same(merged.packages.map(packageKey).sort(), [...new Set(copies.flatMap((c) => c.packages.map(packageKey)))].sort(), 'package lists unioned');
  t.same(merged.issued, new Date(Math.max(...copies.map((c) => c.issued!.getTime()))), 'latest issued');
  t.same(merged.updated, new Date(Math.max(...copies.map((c) => c.updated!.getTime()))), 'latest updated');
  t.equal(merged.title, copies[1]!.title, 'texts from the copy updated last');
  t.ok(merged.packages.find((p) => p.name === 'sky-lib' && p.arch === 'x86_64')!.restartSuggested, 'flags of a package listed twice are combined');
  t.same(merged.references.length, copies[0]!.references.length + copies[1]!.references.length, 'references unioned');
  for (const a of read.advisories.filter((x) => x.id !== 'SKY-2024:0002')) t.same(a, all.find((x) => x.id === a.id), `${a.id} untouched by the merge`);
});

t.test('dates: every layout producers write, checked against GNU date', async (t) => {
  const texts = ['2021-07-22 18:25:24', '2018-01-11 21:05', '2024-04-20', '1715000000', '2013-01-27 16:08:05 UTC', '2024-05-06T06:06:06Z',
    '2024-02-29 23:59:59', '2024-01-15 10:20:30 +02:00', '2021-02-30', '2024-13-01 00:00:00', '2024-01-01 25:00:00', 'not a date', ''];
  for (const text of texts) t.same(parseUpdateinfoDate(text), text === '' ? null : await gnuDate(text), JSON.stringify(text));
});

const bad = (xml: string): Buffer => Buffer.from(xml, 'utf8');

t.test('refuses malformed and hostile input with MetadataParseError', async (t) => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', bad(''), /empty/],
    ['not XML', bad('this is not xml at all'), /malformed XML/],
    ['another document', bad('<repomd><data/></repomd>'), /not <updates>/],
    ['DOCTYPE (entity expansion)', bad('<!DOCTYPE u [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><updates>&b;</updates>'), /DOCTYPE/],
    ['update without id', bad('<updates><update type="bugfix"><title>x</title></update></updates>'), /has no <id>/],
    ['package without name', bad('<updates><update><id>A</id><pkglist><collection><package arch="x86_64"/></collection></pkglist></update></updates>'), /no name/],
    ['unknown entity', bad('<updates><update><id>&nbsp;</id></update></updates>'), /malformed XML/],
    ['invalid UTF-8', Buffer.concat([bad('<updates><update><id>'), Buffer.from([0xc3, 0x28]), bad('</id></update></updates>')]), /UTF-8/],
    ['Latin-1 declared', bad('<?xml version="1.0" encoding="ISO-8859-1"?><updates/>'), /encoding/],
    ['two roots', bad('<updates/><updates/>'), /malformed XML/],
  ];
  for (const [what, data, re] of cases) {
    await t.rejects(readUpdateinfo([data]), MetadataParseError, what);
    await t.rejects(readUpdateinfo([data]), { message: re }, `${what}: says why`);
  }
});

t.test('truncated input is refused wherever it is cut, never a partial result', async (t) => {
  const data = await plainBytes(join(SAMPLES, 'rocky8-updateinfo.xml'));
  const end = data.lastIndexOf('</updates>') + '</updates>'.length;
  let refused = 0;
  for (let cut = 0; cut < end; cut += 37) {
    await readUpdateinfo([data.subarray(0, cut)]).then(
      () => t.fail(`cut at ${cut} accepted`),
      (err: unknown) => (err instanceof MetadataParseError ? refused++ : t.fail(`cut at ${cut}: ${String(err)}`)),
    );
  }
  t.equal(refused, Math.ceil(end / 37), `all ${refused} cuts refused`);
  const gz = readFileSync(join(SAMPLES, 'amazon-updateinfo_2_items.xml.gz'));
  const { Readable } = await import('node:stream');
  const { createGunzip } = await import('node:zlib');
  await t.rejects(readUpdateinfo(Readable.from([gz.subarray(0, gz.length - 40)]).pipe(createGunzip())), 'a cut-off .gz fails too');
});

t.test('errors point at the byte where the problem is, also after multi-byte text', async (t) => {
  const prefix = '<updates><update><id>Ä-ö-€-𝄞</id><description>' + 'ünïcödé '.repeat(500) + '</description>';
  const at = Buffer.byteLength(prefix);
  const err = await readUpdateinfo(pieces(bad(prefix + '<<broken/></update></updates>'), 100)).catch((e: unknown) => e);
  t.type(err, MetadataParseError);
  const offset = (err as MetadataParseError).offset;
  t.ok(offset >= at && offset <= at + 3, `offset ${offset} is at the broken tag (byte ${at})`);
});
