// Edge cases of the repodata scanners: chunk splits at every offset, entities, CDATA, comments,
// CRLF, truncation at every offset, package counts, DOCTYPE refusal and garbage. Expected records
// come from createrepo_c's parser on the same text, well-formedness verdicts from expat.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import {
  MetadataParseError, type ScanSummary, openMetadataFile, parseFilelists, parseOther, parsePrimary,
  parsePrimarySnippet, scanPrimary,
} from '../../repo-sync/metadata/index.js';
import { type MetadataKind, expatWellFormed, referenceRecordsOf } from '../support/createrepo-reference.js';

type Rec = { xml: string; [k: string]: unknown };
const NS = 'xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm"';

// BOM, single-quoted XML declaration, comments and a PI outside the root, spaces around '=',
// entities and character references in text and attributes, CDATA mixed with text and a comment,
// empty and self-closing elements, xml:base, attribute order, quotes and whitespace variations,
// literal TAB/LF in attribute values, CRLF and lone CR, multi-byte UTF-8, unknown elements.
const EDGE = '\uFEFF' + `<?xml version='1.0' encoding='utf-8' standalone="yes"?>
<!-- leading comment -->
<?skylab-test a processing instruction?>
<metadata packages = '3' xmlns:rpm="http://linux.duke.edu/metadata/rpm" xmlns="http://linux.duke.edu/metadata/common">
<package type="rpm"><name>ent&amp;ities</name ><arch>x86_64</arch>
<version rel='1.el9' ver="1.0" epoch="2"/>
<checksum pkgid="YES" type="sha256">aaaa</checksum>
<summary>Entities: &lt;&gt;&amp;&quot;&apos; &#233; &#xE9; &#x1F600; &#10;end</summary>
<description><![CDATA[CDATA <b>bold</b> & raw ]] > ]]>after CDATA &amp; more<!-- comment inside text -->, tail ünïcödé 中文 😀</description>
<packager/>
<url></url>
<time build="1700000001" file="1700000002"/>
<size archive="3" installed="2" package="1"/>
<location xml:base="http://mirror.example/base/" href="Packages/e/ent&amp;ities-1.0-1.el9.x86_64.rpm"/>
<format>
  <rpm:license>MIT &amp; BSD</rpm:license>
  <rpm:vendor>Vendor ünïcödé 中文 😀</rpm:vendor>
  <rpm:group>Unspecified</rpm:group>
  <rpm:buildhost>host</rpm:buildhost>
  <rpm:sourcerpm>ent-1.0-1.el9.src.rpm</rpm:sourcerpm>
  <rpm:header-range start="4504" end="9999"/>
  <rpm:provides>
    <rpm:entry name="ent&amp;ities" flags="EQ" epoch="2" ver="1.0" rel="1.el9"/>
    <rpm:entry rel="1" ver="2" epoch="0" flags="GE" name="order-varies" />
    <rpm:entry name='single-quoted "dq" inside' />
    <rpm:entry
        name="newline-separated"
        flags="LT"\tver="3"/>
    <rpm:entry name="literal\ttab and
newline" ver="&#9;&#10;kept"/>
  </rpm:provides>
  <rpm:requires>
    <rpm:entry name="/bin/sh" pre="1"/>
    <rpm:entry name="(a &gt;= 1 with a &lt; 2)" pre="0"/>
    <rpm:entry name="false-pre" pre="false"/>
  </rpm:requires>
  <rpm:conflicts><rpm:entry name="c"/></rpm:conflicts>
  <rpm:obsoletes><rpm:entry name="o" flags="LE" epoch="0" ver="0.9"/></rpm:obsoletes>
  <rpm:suggests><rpm:entry name="s"/></rpm:suggests>
  <rpm:enhances><rpm:entry name="e"/></rpm:enhances>
  <rpm:recommends><rpm:entry name="r"/></rpm:recommends>
  <rpm:supplements><rpm:entry name="su"/></rpm:supplements>
  <file>/usr/bin/ent&amp;ities</file>
  <file type="dir">/usr/share/ent</file>
  <file type="ghost">/var/log/ent.log</file>
</format>
</package>
<package type="rpm">   <!-- minimal package: no epoch, CRLF line ends -->\r
<name>crlf</name>\r
<arch>noarch</arch><version ver="1" rel="1"/><checksum type="sha1" pkgid="YES">bbbb</checksum>\r
<description>line1\r\nline2\rline3</description><format/></package>
<package type="rpm"><name>unknown-elements</name><arch>noarch</arch><version epoch="0" ver="1" rel="1"/>
<checksum type="sha256" pkgid="YES">cccc</checksum>
<suse:keywords xmlns:suse="http://novell.com/package/metadata/suse/common"><suse:keyword>k &amp; l</suse:keyword></suse:keywords>
<format><rpm:license>L</rpm:license><rpm:unknown a="b">text <![CDATA[x]]></rpm:unknown><name>ignored here</name></format>
<location href="a b/c.rpm"/>
</package>
</metadata>
<!-- trailing comment -->
`;
const EDGE_BYTES = Buffer.from(EDGE, 'utf8');

const FILELISTS_EDGE = `<?xml version="1.0" encoding="UTF-8"?>
<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="2">
<package pkgid="p&amp;1" name="a&lt;b" arch="x86_64"><version epoch="1" ver="2" rel="3"/>
  <file>/usr/bin/a&amp;b</file><file type="dir">/usr/share/ä</file>
  <file type='ghost'><![CDATA[/var/<ghost>]]></file>
</package>
<package name="empty" pkgid="p2" arch="noarch"><version ver="1" rel="1"/></package>
</filelists>
`;

const OTHER_EDGE = `<?xml version="1.0" encoding="UTF-8"?>
<otherdata xmlns="http://linux.duke.edu/metadata/other" packages="2">
<package pkgid="o1" name="n" arch="noarch">
  <version epoch="0" ver="1" rel="1"/>
  <changelog author="A &lt;a@x&gt; - 1-1" date="1700000000">- fix &amp; <![CDATA[<raw>]]>\r\n- 😀 line</changelog>
  <changelog date="1600000000" author="B">- older</changelog>
</package>
<package pkgid="o2" name="m" arch="x86_64"><version epoch="3" ver="2" rel="1"/></package>
</otherdata>
`;

const parsers = { primary: parsePrimary, filelists: parseFilelists, other: parseOther };

async function parse(kind: MetadataKind, chunks: Iterable<Uint8Array>): Promise<{ records: Rec[]; summary: ScanSummary }> {
  const records: Rec[] = [];
  const it = parsers[kind](chunks) as AsyncGenerator<Rec, ScanSummary>;
  for (let r = await it.next(); ; r = await it.next()) {
    if (r.done) return { records, summary: r.value };
    records.push({ ...r.value });
  }
}

function withoutXml(records: Rec[]): Record<string, unknown>[] {
  return records.map(({ xml: _xml, ...rest }) => rest);
}

async function rejection(kind: MetadataKind, chunks: Iterable<Uint8Array>): Promise<MetadataParseError | undefined> {
  try {
    await parse(kind, chunks);
    return undefined;
  } catch (e) {
    if (e instanceof MetadataParseError) return e;
    throw e;
  }
}

function splitEvery(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

function randomChunks(bytes: Buffer, seed: number, max: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const size = 1 + ((seed >>> 8) % max);
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

t.test('edge documents read exactly as createrepo_c reads them', async (tt) => {
  for (const [kind, doc] of [['primary', EDGE], ['filelists', FILELISTS_EDGE], ['other', OTHER_EDGE]] as const) {
    const { records, summary } = await parse(kind, [Buffer.from(doc)]);
    tt.same(withoutXml(records), await referenceRecordsOf(kind, doc), `${kind}: fields`);
    tt.equal(summary.packages, records.length, `${kind}: summary count`);
    tt.equal(summary.declared, records.length, `${kind}: declared count`);
    let cursor = 0;
    for (const r of records) {
      const start = doc.indexOf('<package', cursor);
      tt.ok(doc.startsWith(r.xml, start) && r.xml.endsWith('</package>'), `${kind}: xml of ${String(r.name)} is the source text`);
      cursor = start + r.xml.length;
    }
  }
});

t.test('chunk boundaries anywhere: every split point, 1-byte chunks, random sizes', async (tt) => {
  for (const [kind, doc] of [['primary', EDGE], ['filelists', FILELISTS_EDGE], ['other', OTHER_EDGE]] as const) {
    const bytes = Buffer.from(doc);
    const whole = (await parse(kind, [bytes])).records;
    let failures = 0;
    for (let k = 0; k <= bytes.length; k++) {
      const { records } = await parse(kind, [bytes.subarray(0, k), bytes.subarray(k)]);
      if (!isDeepStrictEqual(records, whole)) failures++;
    }
    tt.equal(failures, 0, `${kind}: two chunks split at each of ${bytes.length + 1} offsets`);
    tt.same((await parse(kind, splitEvery(bytes, 1))).records, whole, `${kind}: 1-byte chunks`);
    for (const seed of [1, 2, 3, 4, 5]) {
      tt.same((await parse(kind, randomChunks(bytes, seed, 97))).records, whole, `${kind}: random chunks, seed ${seed}`);
    }
  }
});

t.test('callback form delivers the same packages in order, awaiting async callbacks', async (tt) => {
  const whole = (await parse('primary', [EDGE_BYTES])).records;
  const seen: string[] = [];
  const summary = await scanPrimary(splitEvery(EDGE_BYTES, 7), async (p) => {
    await new Promise((resolve) => setImmediate(resolve));
    seen.push(p.name);
  });
  tt.same(seen, whole.map((r) => r.name));
  tt.same(summary, { packages: 3, declared: 3 });
});

t.test('truncation at every offset ends in MetadataParseError, never a partial success', async (tt) => {
  for (const [kind, doc] of [['primary', EDGE], ['filelists', FILELISTS_EDGE], ['other', OTHER_EDGE]] as const) {
    const bytes = Buffer.from(doc);
    const cuts = Array.from({ length: bytes.length }, (_, k) => bytes.subarray(0, k));
    // A cut document is acceptable only if expat finds it well-formed (cut after the root closed).
    const wellFormed = await expatWellFormed(cuts);
    const wrong: number[] = [];
    for (let k = 0; k < bytes.length; k++) {
      const err = await rejection(kind, splitEvery(cuts[k]!, 64));
      if (wellFormed[k] === (err !== undefined)) wrong.push(k);
      else if (err !== undefined && !(err.offset >= 0 && err.offset <= k)) wrong.push(k);
    }
    tt.same(wrong, [], `${kind}: ${bytes.length} cut points`);
    tt.ok(wellFormed.filter((ok) => !ok).length > bytes.length * 0.9, `${kind}: most cuts are refused by expat too`);
  }
});

t.test('truncated and corrupt .gz files end in MetadataParseError', async (tt) => {
  const dir = await mkdtemp(join(tmpdir(), 'skylab-scan-gz-'));
  tt.teardown(() => rm(dir, { recursive: true, force: true }));
  const gz = gzipSync(EDGE_BYTES);
  const cuts = [10, 20, gz.length >> 2, gz.length >> 1, gz.length - 9, gz.length - 1];
  for (const cut of cuts) {
    const path = join(dir, `cut-${cut}.xml.gz`);
    await writeFile(path, gz.subarray(0, cut));
    await tt.rejects(scanPrimary(await openMetadataFile(path), () => {}), MetadataParseError, `cut at ${cut} of ${gz.length}`);
  }
  const corrupt = Buffer.from(gz);
  corrupt[gz.length >> 1] ^= 0xff;
  await writeFile(join(dir, 'corrupt.xml.gz'), corrupt);
  await tt.rejects(scanPrimary(await openMetadataFile(join(dir, 'corrupt.xml.gz')), () => {}), MetadataParseError);
  await writeFile(join(dir, 'whole.xml.gz'), gz);
  tt.same(await scanPrimary(await openMetadataFile(join(dir, 'whole.xml.gz')), () => {}), { packages: 3, declared: 3 });
});

const PKG = (n: number): string => `<package type="rpm"><name>p${n}</name><arch>noarch</arch>
<version epoch="0" ver="1" rel="1"/><checksum type="sha256" pkgid="YES">c${n}</checksum>
<summary>s</summary><format><rpm:provides><rpm:entry name="p${n}"/></rpm:provides></format></package>\n`;
const doc = (count: string | null, n: number): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<metadata ${NS}${count === null ? '' : ` packages="${count}"`}>\n`
  + Array.from({ length: n }, (_, i) => PKG(i + 1)).join('') + '</metadata>\n';

t.test('packages="N" must match the packages found', async (tt) => {
  tt.same((await parse('primary', [Buffer.from(doc('3', 3))])).summary, { packages: 3, declared: 3 });
  tt.same((await parse('primary', [Buffer.from(doc(null, 2))])).summary, { packages: 2, declared: null }, 'absent: not checked');
  for (const [count, n] of [['4', 3], ['2', 3], ['0', 1], ['1', 0]] as const) {
    const err = await rejection('primary', [Buffer.from(doc(count, n))]);
    tt.match(err?.message, new RegExp(`packages="${count}" but ${n} were found`), `declared ${count}, found ${n}`);
  }
  for (const count of ['x', '-1', '1.5', '']) {
    tt.ok(await rejection('primary', [Buffer.from(doc(count, 1))]), `packages="${count}" refused`);
  }
});

t.test('DOCTYPE and entity declarations are refused, without expansion', async (tt) => {
  const laughs = '<?xml version="1.0"?>\n<!DOCTYPE metadata [\n <!ENTITY a "aaaaaaaaaa">\n'
    + Array.from({ length: 9 }, (_, i) => ` <!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">\n`).join('')
    + `]>\n<metadata ${NS} packages="1"><package type="rpm"><name>&j;</name></package></metadata>\n`;
  const cases = {
    'plain DOCTYPE': `<?xml version="1.0"?>\n<!DOCTYPE metadata>\n<metadata ${NS} packages="0"/>`,
    'billion laughs': laughs,
    'external entity': `<!DOCTYPE metadata [<!ENTITY x SYSTEM "file:///etc/passwd">]><metadata ${NS}>&x;</metadata>`,
    'ENTITY outside a DTD': `<metadata ${NS}><!ENTITY x "y"></metadata>`,
  };
  for (const [label, text] of Object.entries(cases)) {
    const start = Date.now();
    const err = await rejection('primary', [Buffer.from(text)]);
    tt.ok(err, `${label}: refused`);
    tt.ok(Date.now() - start < 1000, `${label}: quickly`);
    if (label !== 'ENTITY outside a DTD') tt.match(err?.message, /DOCTYPE/, `${label}: says why`);
  }
  const undeclared = doc('1', 1).replace('<summary>s</summary>', '<summary>&nbsp;</summary>');
  tt.match((await rejection('primary', [Buffer.from(undeclared)]))?.message, /undeclared entity/);
});

// Mutations of a valid document that are not well-formed XML (expat must agree), each with the
// text the error must point at; the offset must be that text's byte offset in the document.
const BASE = doc('2', 2);
const MALFORMED: [string, string, string][] = [
  ['unclosed element', '<summary>s</summary>', '<summary>s</format>'],
  ['mismatched end tag', '<arch>noarch</arch>', '<arch>noarch</arc>'],
  ['end tag without start', '<summary>s</summary>', '<summary>s</summary></name>'],
  ['unquoted attribute', 'ver="1"', 'ver=1'],
  ['attribute without value', 'ver="1"', 'ver'],
  ['duplicate attribute', 'ver="1"', 'ver="1" ver="2"'],
  ['no space between attributes', 'ver="1" rel', 'ver="1"rel'],
  ["raw '<' in attribute", 'name="p2"', 'name="p<2"'],
  ["raw '&' in attribute", 'name="p2"', 'name="p&2"'],
  ["raw '&' in text", '<summary>s</summary>', '<summary>s & t</summary>'],
  ["raw '<' in text", '<summary>s</summary>', '<summary>s < t</summary>'],
  ['bad character reference', '<summary>s</summary>', '<summary>&#0;</summary>'],
  ['surrogate character reference', '<summary>s</summary>', '<summary>&#xD800;</summary>'],
  ['unterminated reference', '<summary>s</summary>', '<summary>&amp</summary>'],
  ["']]>' in text", '<summary>s</summary>', '<summary>a]]>b</summary>'],
  ["'--' in a comment", '<summary>s</summary>', '<summary>s<!-- a -- b --></summary>'],
  ['XML declaration not first', '<metadata', '<?xml version="1.0"?><metadata'],
  ['element after the root', '</metadata>\n', '</metadata>\n<metadata/>'],
  ['text after the root', '</metadata>\n', '</metadata>\ngarbage'],
  ["'<' followed by space", '<summary>s</summary>', '< summary>s</summary>'],
  ['slash not closing a tag', '<version epoch="0" ver="1" rel="1"/>', '<version epoch="0" ver="1" rel="1"/ >'],
  ['CDATA outside the root', '<metadata', '<![CDATA[x]]><metadata'],
];

t.test('malformed XML inside and around packages is refused, at the right place', async (tt) => {
  const docs = MALFORMED.map(([, from, to]) => {
    const i = BASE.lastIndexOf(from);
    return BASE.slice(0, i) + to + BASE.slice(i + from.length);
  });
  const verdicts = await expatWellFormed(docs);
  for (const [i, [label, from, to]] of MALFORMED.entries()) {
    tt.equal(verdicts[i], false, `${label}: expat also refuses it`);
    const err = await rejection('primary', splitEvery(Buffer.from(docs[i]!), 16));
    tt.ok(err, `${label}: MetadataParseError`);
    const at = BASE.lastIndexOf(from);
    // The offset lies within the changed text (or at its end, for what is only wrong once it ends).
    tt.ok(err !== undefined && err.offset >= Buffer.byteLength(BASE.slice(0, at))
      && err.offset <= Buffer.byteLength(BASE.slice(0, at) + to) + 12, `${label}: offset ${err?.offset} points at it`);
  }
  tt.ok(await expatWellFormed([BASE]).then(([ok]) => ok), 'the unmutated document is well-formed');
});

t.test('error messages carry the byte offset and the package number', async (tt) => {
  const second = BASE.indexOf('<package', BASE.indexOf('<package') + 1);
  const text = BASE.slice(0, second) + BASE.slice(second).replace('name="p2"', 'name="p&2"');
  const err = await rejection('primary', [Buffer.from(text)]);
  tt.equal(err?.packageNumber, 2);
  tt.equal(err?.offset, Buffer.byteLength(text.slice(0, text.indexOf('&2'))));
  tt.match(err?.message, /at byte \d+, in package #2/);
});

t.test('policy: well-formed XML that is not acceptable repodata is refused too', async (tt) => {
  const cases: [string, string][] = [
    ['text directly inside <format>', BASE.replace('<format>', '<format>garbage')],
    ['CDATA text directly inside <package>', BASE.replace('<name>p1', '<![CDATA[junk]]><name>p1')],
    ['element inside a text element', BASE.replace('<summary>s</summary>', '<summary>s<b>b</b></summary>')],
    ['package without checksum', BASE.replace('<checksum type="sha256" pkgid="YES">c1</checksum>', '')],
    ['rpm:entry without name', BASE.replace('<rpm:entry name="p1"/>', '<rpm:entry flags="EQ"/>')],
    ['non-integer size', BASE.replace('<summary>s</summary>', '<summary>s</summary><size package="12x"/>')],
    ['wrong root element', BASE.replace(/metadata/g, 'filelists')],
    ['wrong namespace', BASE.replace('linux.duke.edu/metadata/common', 'example.org/other')],
    ['encoding other than UTF-8', BASE.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')],
  ];
  for (const [label, text] of cases) tt.ok(await rejection('primary', [Buffer.from(text)]), label);
});

t.test('not XML, not UTF-8, or compressed: refused with a reason', async (tt) => {
  let seed = 99;
  const random = Buffer.alloc(4096, 0).map(() => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff);
  const invalidUtf8 = Buffer.concat([Buffer.from(BASE.slice(0, 200)), Buffer.from([0xc3, 0x28]), Buffer.from(BASE.slice(200))]);
  const cases: [string, Buffer, RegExp][] = [
    ['empty input', Buffer.alloc(0), /no root element/],
    ['whitespace only', Buffer.from('  \n'), /no root element/],
    ['plain text', Buffer.from('hello world\n'), /not an XML document/],
    ['JSON', Buffer.from('{"packages": []}'), /not an XML document/],
    ['HTML', Buffer.from('<!doctype html><html><body>404</body></html>'), /refused/],
    ['random bytes', Buffer.from(random), /UTF-8|not an XML/],
    ['gzip not decompressed', gzipSync(Buffer.from(BASE)), /gzip/],
    ['invalid UTF-8 sequence', invalidUtf8, /invalid UTF-8/],
    ['UTF-8 cut in the middle of a character', Buffer.from('<metadata>é').subarray(0, 11), /UTF-8/],
  ];
  for (const [label, bytes, reason] of cases) {
    const err = await rejection('primary', splitEvery(bytes, 5));
    tt.match(err?.message, reason, label);
  }
  const err = await rejection('primary', [invalidUtf8]);
  tt.equal(err?.offset, 200, 'invalid UTF-8: offset of the bad byte');
});

t.test('records split by unusual text: </package> in CDATA and comments, a 3 MB description', async (tt) => {
  const tricky = doc('3', 2).replace('</metadata>', `<!-- </package> in a comment -->${PKG(3)}</metadata>`)
    .replace('<summary>s</summary>', '<summary>s</summary><description><![CDATA[fake </package> end]]></description>');
  const huge = doc('2', 2).replace('<summary>s</summary>', `<summary>s</summary><description>${'long line ü\n'.repeat(260_000)}</description>`);
  for (const [label, text] of [['tricky', tricky], ['huge', huge]] as const) {
    const bytes = Buffer.from(text);
    const expected = await referenceRecordsOf('primary', text);
    const whole = await parse('primary', [bytes]);
    tt.same(withoutXml(whole.records), expected, `${label}: as createrepo_c reads it`);
    for (const size of [1 << 16, 4093]) {
      tt.same((await parse('primary', splitEvery(bytes, size))).records, whole.records, `${label}: ${size}-byte chunks`);
    }
  }
  const bytes = Buffer.from(tricky);
  tt.same((await parse('primary', splitEvery(bytes, 1))).records, (await parse('primary', [bytes])).records, 'tricky: 1-byte chunks');
});

t.test('snippets: stored xml parses back; garbage snippets are refused with snippet offsets', async (tt) => {
  const { records } = await parse('primary', [EDGE_BYTES]);
  const all = parsePrimarySnippet(records.map((r) => r.xml).join('\n'));
  tt.same(all.map((r) => ({ ...r })), records, 'several snippets in a row');
  const bad = '<package type="rpm"><name>x</name><arch>a & b</arch></package>';
  tt.throws(() => parsePrimarySnippet(bad), MetadataParseError);
  try {
    parsePrimarySnippet(bad);
  } catch (e) {
    tt.equal((e as MetadataParseError).offset, bad.indexOf('&'), 'offset counts from the snippet start');
  }
  tt.throws(() => parsePrimarySnippet('<package type="rpm"><name>x</name>'), MetadataParseError, 'unfinished snippet');
});

t.test('breaking out of the iterator stops reading the source', async (tt) => {
  let pulled = 0;
  function* source(): Generator<Buffer> {
    for (const chunk of splitEvery(Buffer.from(doc('50', 50)), 200)) {
      pulled++;
      yield chunk;
    }
  }
  for await (const p of parsePrimary(source())) if (p.name === 'p2') break;
  tt.ok(pulled < 10, `read ${pulled} chunks`);
});
