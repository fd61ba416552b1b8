// The CEFS feed reader against Python's ElementTree on the sample feed; the feed opener on plain,
// gzip and bzip2 files (made with the real tools), file:// and http:// URLs; refusals.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { cefsAdvisoryType, cefsIssueDate } from '../../repo-sync/cefs-import.js';
import { FeedSourceError, openFeed } from '../../repo-sync/cefs-source.js';
import { CEFS_READER_VERSION, readCefs, type CefsFeed } from '../../repo-sync/metadata/cefs.js';
import { MetadataParseError } from '../../repo-sync/metadata/errors.js';
import { pythonJson } from '../support/python.js';
import { SHARED } from '../support/server.js';

const run = promisify(execFile);
const SAMPLE = join(SHARED, 'data', 'cefs-sample', 'errata.latest.xml');
const LISTS = { os_release: 'osReleases', os_arch: 'osArches', packages: 'packages', cves: 'cves', keywords: 'keywords' } as const;

interface TreeAdvisory {
  tag: string;
  attrs: Record<string, string>;
  children: Record<string, string[]>;
}

const TREE_SCRIPT = `
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
out = {'root': root.tag, 'meta': {}, 'advisories': []}
for el in root:
    if el.tag == 'meta':
        out['meta'] = {c.tag: (c.text or '').strip() for c in el}
        continue
    kids = {}
    for c in el:
        kids.setdefault(c.tag, []).append((c.text or '').strip())
    out['advisories'].append({'tag': el.tag, 'attrs': dict(el.attrib), 'children': kids})
print(json.dumps(out))
`;

async function readFrom(location: string): Promise<CefsFeed> {
  return readCefs(await openFeed(location));
}

t.test('the sample feed reads as ElementTree reads it', async (t) => {
  const tree = await pythonJson<{ root: string; meta: Record<string, string>; advisories: TreeAdvisory[] }>(TREE_SCRIPT, [SAMPLE]);
  const feed = await readFrom(SAMPLE);
  t.equal(tree.root, 'opt');
  t.same(feed.meta, tree.meta, 'meta fields');
  t.equal(feed.advisories.length, tree.advisories.length, `${tree.advisories.length} advisories`);
  for (const [i, x] of tree.advisories.entries()) {
    const a = feed.advisories[i]!;
    t.equal(a.name, x.tag.replace(/--/g, ':'), `${x.tag}: name with ':' back`);
    const attrs = { type: a.type, synopsis: a.synopsis, issue_date: a.issueDate, release: a.release, severity: a.severity, references: a.references,
      product: a.product, from: a.from, description: a.description, topic: a.topic, solution: a.solution, notes: a.notes };
    t.same(Object.fromEntries(Object.entries(attrs).filter(([k]) => k in x.attrs)), x.attrs, `${a.name}: attributes (entities decoded)`);
    for (const [el, field] of Object.entries(LISTS)) t.same(a[field], x.children[el] ?? [], `${a.name}: ${el}`);
  }
});

t.test('gzip and bzip2 feeds by magic bytes, files and URLs', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'skylab-cefs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const expected = await readFrom(SAMPLE);
  const gz = join(dir, 'errata.latest.xml.gz');
  const bz2 = join(dir, 'feed-without-suffix');
  await writeFile(gz, (await run('gzip', ['-c', SAMPLE], { encoding: 'buffer' })).stdout);
  await writeFile(bz2, (await run('bzip2', ['-c', SAMPLE], { encoding: 'buffer' })).stdout);
  t.same(await readFrom(gz), expected, 'gzip (gzip -c)');
  t.same(await readFrom(bz2), expected, 'bzip2 (bzip2 -c), whatever the name');
  t.same(await readFrom(pathToFileURL(SAMPLE).href), expected, 'file:// URL');
  const files: Record<string, Buffer> = { '/errata.latest.xml': readFileSync(SAMPLE), '/errata.latest.xml.bz2': readFileSync(bz2) };
  const server = createServer((req, res) => {
    const body = files[req.url ?? ''];
    res.writeHead(body ? 200 : 404).end(body ?? 'not here');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  t.same(await readFrom(`${base}/errata.latest.xml`), expected, 'http URL');
  t.same(await readFrom(`${base}/errata.latest.xml.bz2`), expected, 'http URL, bzip2');
  await t.rejects(readFrom(`${base}/missing.xml`), { name: 'FeedSourceError', message: /HTTP 404/ }, '404 is a clear error');
  await t.rejects(readFrom(join(dir, 'nope.xml')), FeedSourceError, 'a missing file too');
  const cut = join(dir, 'cut.xml.gz');
  await writeFile(cut, readFileSync(gz).subarray(0, 200));
  await t.rejects(readFrom(cut), { message: /gzip data is corrupt or cut off|malformed/ }, 'a cut-off .gz');
});

const feed = (body: string, meta = '<meta><minver>20180306</minver></meta>'): Buffer => Buffer.from(`<?xml version="1.0"?>\n<opt>${meta}${body}</opt>`);

t.test('XML::Simple variants: one-item lists as attributes, a repeated advisory element', async (t) => {
  const r = await readCefs([feed('<CEBA-2024--1 type="Bug Fix Advisory" packages="a-1-1.el8.noarch.rpm" cves="CVE-2024-1"/><CEBA-2024--1><packages>b-1-1.el8.noarch.rpm</packages></CEBA-2024--1>')]);
  t.equal(r.advisories.length, 1);
  t.same(r.advisories[0]!.packages, ['a-1-1.el8.noarch.rpm', 'b-1-1.el8.noarch.rpm']);
  t.same(r.advisories[0]!.cves, ['CVE-2024-1']);
  t.same((await readCefs([feed('', '<meta minver="20180306"/>')])).meta, { minver: '20180306' }, 'meta as attributes');
});

t.test('refusals: MetadataParseError, nothing returned', async (t) => {
  const cases: [string, Buffer, RegExp][] = [
    ['wrong root', Buffer.from('<updates><update/></updates>'), /not <opt>/],
    ['DOCTYPE', Buffer.from('<!DOCTYPE opt [<!ENTITY a "b">]><opt>&a;</opt>'), /DOCTYPE/],
    ['nested element in a list', feed('<CESA-2024--1><packages><x/></packages></CESA-2024--1>'), /unexpected <x> inside <packages>/],
    ['a newer layout', feed('', `<meta><minver>${CEFS_READER_VERSION + 1}</minver></meta>`), /needs an importer of version/],
    ['minver not a number', feed('', '<meta><minver>soon</minver></meta>'), /not a version/],
    ['unclosed advisory', Buffer.from('<opt><CESA-2024--1 type="Security Advisory">'), /malformed XML/],
    ['empty', Buffer.alloc(0), /empty/],
  ];
  for (const [what, data, re] of cases) await t.rejects(readCefs([data]), { name: 'MetadataParseError', message: re }, what);
  const data = readFileSync(SAMPLE);
  const end = data.lastIndexOf('</opt>') + 6;
  let refused = 0;
  for (let cut = 0; cut < end; cut += 53) {
    await readCefs([data.subarray(0, cut)]).then(() => t.fail(`cut at ${cut} accepted`), (e: unknown) => void (e instanceof MetadataParseError && refused++));
  }
  t.equal(refused, Math.ceil(end / 53), `every one of ${refused} cuts refused`);
});

t.test('advisory types and dates', async (t) => {
  t.equal(cefsAdvisoryType({ name: 'CESA-2023:1', type: 'Security Advisory' }), 'Security Advisory');
  t.equal(cefsAdvisoryType({ name: 'CEBA-2023:1', type: 'bug fix advisory' }), 'Bug Fix Advisory', 'any case');
  t.equal(cefsAdvisoryType({ name: 'CEEA-2023:1', type: '' }), 'Product Enhancement Advisory', 'no type: the id prefix');
  t.equal(cefsAdvisoryType({ name: 'CESA-2023:1', type: 'Hotfix' }), null, 'an unknown type is not guessed');
  const utc = (w: { year: number; month: number; day: number; hour: number; minute: number; second: number }): Date => new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second));
  t.same(cefsIssueDate('2023-01-15 10:00:00', utc), new Date('2023-01-15T10:00:00Z'));
  t.equal(cefsIssueDate('2023-02-30 10:00:00', utc), null);
  t.equal(cefsIssueDate('15/01/2023', utc), null);
});
