// The fast XML-RPC call reader against the strict (saxes) one. Documents come from Python's
// xmlrpc.client (every recorded call in ../shared/traces, re-encoded, and seeded random values)
// and from our own encoder. The property: whenever the fast path answers, the strict decoder
// gives the same call; the documents real clients write must take the fast path; mutated and
// hostile documents either give up to the strict decoder or agree with it.
import t from 'tap';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runPython } from '../support/python.js';
import { SHARED } from '../support/server.js';
import { decodeCall, DEFAULT_LIMITS, strictDecodeCall } from '../../server/xmlrpc/decode.js';
import { fastDecodeCall } from '../../server/xmlrpc/fast-decode.js';
import { Encoder } from '../../server/xmlrpc/encode.js';
import { XmlDecodeError, type MethodCall } from '../../server/xmlrpc/types.js';
import { Zone } from '../../server/xmlrpc/zone.js';

const zone = new Zone('UTC');
const TRACES = join(SHARED, 'traces');
const SEED = Number(process.env.FAST_DECODE_SEED ?? 77031) >>> 0;

type Outcome = { ok: true; call: MethodCall } | { ok: false; error: string };
function strict(doc: string): Outcome {
  try {
    return { ok: true, call: strictDecodeCall(doc, zone) };
  } catch (err) {
    if (!(err instanceof XmlDecodeError)) throw err;
    return { ok: false, error: err.message };
  }
}

function prng(seed: number): () => number {
  let s = seed || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

// Python writes the calls: trace parameters as recorded, and random values of every type.
const PY = String.raw`
import sys, json, glob, os, random, datetime as dt, xmlrpc.client as x
traces, seed = sys.argv[1], int(sys.argv[2])
out = {'traces': [], 'random': []}
for f in sorted(glob.glob(os.path.join(traces, '*.jsonl'))):
    for line in open(f):
        r = json.loads(line)
        c = r.get('call') or {}
        if isinstance(c.get('params'), list):
            out['traces'].append(x.dumps(tuple(c['params']), c['method'], allow_none=True))
rnd = random.Random(seed)
alphabet = ['a', 'Z', '0', ' ', '\n', '\t', '&', '<', '>', '"', "'", ';', '#', 'é', '€', '\U0001F600', 'ß', '/', '=']
def s():
    return ''.join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 12)))
def v(d):
    k = rnd.randrange(11 if d < 4 else 8)
    if k == 0: return s()
    if k == 1: return rnd.randrange(-2**31, 2**31)
    if k == 2: return rnd.random() < 0.5
    if k == 3: return rnd.uniform(-1e6, 1e6)
    if k == 4: return dt.datetime(2000 + rnd.randrange(30), 1 + rnd.randrange(12), 1 + rnd.randrange(28), rnd.randrange(24), rnd.randrange(60), rnd.randrange(60))
    if k == 5: return x.Binary(bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 40))))
    if k == 6: return None
    if k == 7: return str(rnd.randrange(2**31, 2**40))
    if k in (8, 9): return {s(): v(d + 1) for _ in range(rnd.randrange(0, 5))}
    return [v(d + 1) for _ in range(rnd.randrange(0, 5))]
for i in range(400):
    out['random'].append(x.dumps(tuple(v(0) for _ in range(rnd.randrange(0, 4))), 'm.' + str(i), allow_none=True))
print(json.dumps(out))
`;

t.test('Python-written calls take the fast path and decode as the strict reader does', async (t) => {
  t.ok(readdirSync(TRACES).some((f) => f.endsWith('.jsonl')), 'the traces are there');
  const py = await runPython(PY, [TRACES, String(SEED)]);
  t.equal(py.code, 0, py.stderr);
  const docs = JSON.parse(py.stdout) as { traces: string[]; random: string[] };
  t.ok(docs.traces.length >= 150, `${docs.traces.length} recorded calls`);
  for (const [kind, list] of Object.entries(docs)) {
    let fast = 0;
    let mismatches = 0;
    for (const doc of list) {
      const f = fastDecodeCall(doc, zone, DEFAULT_LIMITS);
      const s = strict(doc);
      if (!s.ok) {
        t.fail(`strict reader refused a ${kind} document: ${s.error}`);
        continue;
      }
      if (f) fast++;
      else if (!/\r/.test(doc)) t.fail(`fast path gave up on ${doc.slice(0, 200)}`);
      if (f && !t.strictSame(f, s.call, `${kind}: ${f.methodName}`, { diagnostic: false })) mismatches++;
    }
    t.equal(mismatches, 0, `${kind}: no differences`);
    t.ok(fast >= list.length * (kind === 'traces' ? 1 : 0.9), `${kind}: ${fast}/${list.length} on the fast path`);
  }
});

t.test('our own encoder output (admin API clients in tests, the bench) takes the fast path', async (t) => {
  const enc = new Encoder(zone);
  const body = enc.call('system.scheduleApplyErrata', ['key-1', [1000010000, 1000010001], [7, 8], new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), { 'a&b': ['<x>', true, 2.5, -3] }]);
  const f = fastDecodeCall(body, zone, DEFAULT_LIMITS);
  t.ok(f, 'fast path taken');
  t.strictSame(f, strictDecodeCall(body, zone));
});

t.test('mutated documents: the fast path never answers differently from the strict reader', async (t) => {
  const rand = prng(SEED);
  const seeds = [
    "<?xml version='1.0'?>\n<methodCall>\n<methodName>queue.get</methodName>\n<params>\n<param>\n<value><string>&lt;?xml version=\"1.0\"?&gt;&#10;&lt;params&gt;</string></value>\n</param>\n<param>\n<value><int>2</int></value>\n</param>\n<param>\n<value><struct>\n<member>\n<name>uname</name>\n<value><array><data>\n<value><string>Linux</string></value>\n<value>x86_64</value>\n</data></array></value>\n</member>\n<member>\n<name>uptime</name>\n<value><array><data>\n<value><int>86400</int></value>\n<value><double>1.5</double></value>\n<value><boolean>1</boolean></value>\n<value><dateTime.iso8601>20260102T03:04:05</dateTime.iso8601></value>\n<value><base64>\nAAEC\n</base64></value>\n<value><nil/></value>\n</data></array></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodCall>\n",
  ];
  const palette = ['<', '>', '/', '&', ';', '#', 'x', '1', ' ', '\n', '\r', '\u0001', '\u00a0', ']]>', '<!--', '<![CDATA[', '<value>', '</value>', '<string>', '</string>', '<params/>', '"', "'", '=', 'a', '&amp;', '&#0;', '&#x41;', '&#X41;', '<nil/>', '<value/>', '<?xml version="1.0"?>', '\ud800', '\ufeff'];
  let agreedFast = 0;
  let gaveUp = 0;
  for (let i = 0; i < 10000; i++) {
    let doc = seeds[0]!;
    const edits = 1 + Math.floor(rand() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rand() * (doc.length + 1));
      const op = rand();
      if (op < 0.4) doc = doc.slice(0, at) + palette[Math.floor(rand() * palette.length)] + doc.slice(at);
      else if (op < 0.7) doc = doc.slice(0, at) + doc.slice(at + 1 + Math.floor(rand() * 8));
      else {
        const from = Math.floor(rand() * doc.length);
        doc = doc.slice(0, at) + doc.slice(from, from + 1 + Math.floor(rand() * 20)) + doc.slice(at);
      }
    }
    const f = fastDecodeCall(doc, zone, DEFAULT_LIMITS);
    if (!f) {
      gaveUp++;
      continue;
    }
    const s = strict(doc);
    if (!s.ok) {
      t.fail(`fast path accepted what the strict reader refuses (${s.error}): ${JSON.stringify(doc)}`);
      continue;
    }
    if (!t.strictSame(f, s.call, 'same call', { diagnostic: false })) t.comment(JSON.stringify(doc));
    else agreedFast++;
  }
  t.ok(agreedFast > 100, `${agreedFast} mutated documents decoded alike on the fast path`);
  t.ok(gaveUp > 100, `${gaveUp} handed to the strict reader`);
});

t.test('outside the plain subset the fast path gives up and the strict reader decides', async (t) => {
  const call = (inner: string, name = 'a'): string => `<methodCall><methodName>${name}</methodName><params><param>${inner}</param></params></methodCall>`;
  const cases: [string, string][] = [
    ['a control character', call('<value>a\u0001</value>')],
    ['U+FFFE', call('<value>\ufffe</value>')],
    ['"]]>" in text', call('<value>a]]></value>')],
    ['a lone surrogate', call('<value>\ud800</value>')],
    ['CR LF (XML rewrites it)', call('<value>x\r\ny</value>')],
    ['&#0;', call('<value>&#0;</value>')],
    ['&#X41;', call('<value>&#X41;</value>')],
    ['a surrogate by reference', call('<value>&#xD800;</value>')],
    ['a reference past U+10FFFF', call('<value>&#x110000;</value>')],
    ['a reference without digits', call('<value>&#x;</value>')],
    ['an unterminated reference', call('<value>&lt</value>')],
    ['a bare &', call('<value>a & b</value>')],
    ['an unknown entity', call('<value>&nbsp;</value>')],
    ['an attribute', call('<value><string a="1">x</string></value>')],
    ['a comment', call('<value><!-- c --><string>x</string></value>')],
    ['CDATA', call('<value><![CDATA[x]]></value>')],
    ['DOCTYPE', '<!DOCTYPE x [<!ENTITY a "b">]>' + call('<value>&a;</value>')],
    ['a processing instruction', call('<?pi x?><value>x</value>')],
    ['a declaration after whitespace', ' <?xml version="1.0"?>' + call('<value>x</value>')],
    ['a BOM', '\ufeff' + call('<value>x</value>')],
    ['no-break space between elements', call('\u00a0<value>x</value>')],
    ['name after value in a member', call('<value><struct><member><value>1</value><name>k</name></member></struct></value>')],
    ['an empty array element', call('<value><array/></value>')],
    ['a bad int', call('<value><int>12abc</int></value>')],
    ['an int out of range', call('<value><int>2147483648</int></value>')],
    ['mixed content', call('<value>a<string>x</string></value>')],
    ['two values in a param', call('<value>1</value><value>2</value>')],
    ['an unknown type', call('<value><float>1</float></value>')],
    ['a methodResponse', '<methodResponse><params><param><value>x</value></param></params></methodResponse>'],
    ['an empty methodName', call('<value>x</value>', '  ')],
    ['a long methodName', call('<value>x</value>', 'm'.repeat(300))],
    ['trailing junk', call('<value>x</value>') + '<x/>'],
    ['unclosed', call('<value>x</value>').slice(0, -5)],
    ['deep nesting', call('<value><array><data>'.repeat(70) + '<value>x</value>' + '</data></array></value>'.repeat(70))],
  ];
  for (const [what, doc] of cases) {
    t.equal(fastDecodeCall(doc, zone, DEFAULT_LIMITS), undefined, `${what}: fast path gives up`);
    // decodeCall (fast path first) answers exactly as the strict reader alone
    let viaDecode: Outcome;
    try {
      viaDecode = { ok: true, call: decodeCall(doc, zone) };
    } catch (err) {
      viaDecode = { ok: false, error: (err as Error).message };
    }
    t.strictSame(viaDecode, strict(doc), `${what}: decodeCall answers as the strict reader`);
  }
  const refs = call('<value>&#65;&#x1F600;&#13;&#0009;&lt;&gt;&amp;&quot;&apos;&amp;lt;</value>');
  t.strictSame(fastDecodeCall(refs, zone, DEFAULT_LIMITS), strict(refs).ok ? (strict(refs) as { call: MethodCall }).call : 'refused', 'references decode alike');
  t.equal(fastDecodeCall(refs, zone, DEFAULT_LIMITS)?.params[0]?.value, 'A\u{1F600}\r\t<>&"\'&lt;');
  t.ok(strict(call('\u00a0<value>x</value>')).ok, 'the strict reader takes a no-break space as whitespace');
  t.notOk(strict(call('<value>a & b</value>')).ok, 'and refuses a bare &');
});

t.test('limits hold on the fast path: over them it gives up and the strict reader faults', async (t) => {
  const many = `<methodCall><methodName>m</methodName><params><param><value><array><data>${'<value><int>1</int></value>'.repeat(50)}</data></array></value></param></params></methodCall>`;
  const limits = { ...DEFAULT_LIMITS, maxValues: 20 };
  t.equal(fastDecodeCall(many, zone, limits), undefined);
  t.throws(() => decodeCall(many, zone, limits), /more than 20 values/);
  t.ok(fastDecodeCall(many, zone, DEFAULT_LIMITS), 'within the default limits it answers');
});

t.test('long escaped strings (embedded documents) decode the same when they come again', async (t) => {
  const zone = new Zone('UTC');
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const call = (text: string): string => `<?xml version='1.0'?>\n<methodCall>\n<methodName>queue.get</methodName>\n<params>\n<param>\n<value><string>${esc(text)}</string></value>\n</param>\n</params>\n</methodCall>\n`;
  const doc = (n: number, size: number): string => `<params><param><value><string>${String(n).repeat(size)}&amp;</string></value></param></params>`;
  for (const size of [10, 400, 3000, 20_000]) {
    for (const n of [1, 2, 1, 3, 2]) {
      const text = doc(n, size);
      const fast = fastDecodeCall(call(text), zone, DEFAULT_LIMITS);
      t.equal(fast?.params[0]?.value, text, `size ${size}, document ${n}`);
    }
  }
  // characters beyond latin1 are remembered too
  const wide = `<params><param><value><string>${'日本語 é '.repeat(120)}&amp;</string></value></param></params>`;
  for (let i = 0; i < 2; i++) t.equal(fastDecodeCall(call(wide), zone, DEFAULT_LIMITS)?.params[0]?.value, wide, `a two-byte document, ${i === 0 ? 'first' : 'again'}`);
  // same length, different content, both remembered: each gives its own text back
  const a = doc(7, 700);
  const b = doc(8, 700);
  for (const text of [a, b, a, b]) t.equal(fastDecodeCall(call(text), zone, DEFAULT_LIMITS)?.params[0]?.value, text);
  const bad = `<?xml version='1.0'?>\n<methodCall>\n<methodName>x</methodName>\n<params>\n<param>\n<value><string>${'a'.repeat(600)}&bogus;</string></value>\n</param>\n</params>\n</methodCall>\n`;
  t.equal(fastDecodeCall(bad, zone, DEFAULT_LIMITS), undefined, 'an unknown reference still gives up');
  t.equal(fastDecodeCall(bad, zone, DEFAULT_LIMITS), undefined, 'and again');
});
