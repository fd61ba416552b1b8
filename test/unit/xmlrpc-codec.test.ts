// The XML-RPC codec against admin-api.md §1.6, with Python's xmlrpc.client and zoneinfo as the
// oracle (one python process for the file): every type both ways, zones and DST edges, seeded
// random round trips, and hostile documents that must end in XmlDecodeError, quickly.
import t from 'tap';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PYTHON } from '../support/python.js';
import { decodeCall, decodeResponse } from '../../server/xmlrpc/decode.js';
import { Encoder } from '../../server/xmlrpc/encode.js';
import { Double, XmlDecodeError, XmlRpcFault, type Param, type XmlRpcValue } from '../../server/xmlrpc/types.js';
import { formatXmlRpcDate, Zone } from '../../server/xmlrpc/zone.js';
import { seeded } from '../support/seeded.js';

const SEED = Number(process.env.CODEC_SEED ?? 20240115) >>> 0;

// ---- the Python side: JSON lines in, JSON lines out; values travel as tagged JSON ----
const ORACLE = String.raw`
import sys, json, base64, datetime as dt, xmlrpc.client as x
from zoneinfo import ZoneInfo
def wall(d): return '%04d%02d%02dT%02d:%02d:%02d' % (d.year, d.month, d.day, d.hour, d.minute, d.second)
def build(v):
    t = v['t']
    if t == 'num': return v['v']
    if t == 'double': return float(v['v'])
    if t in ('str', 'bool'): return v['v']
    if t == 'date': return dt.datetime.strptime(v['v'], '%Y%m%dT%H:%M:%S')
    if t == 'b64': return base64.b64decode(v['v'])
    if t == 'array': return [build(i) for i in v['v']]
    if t == 'struct': return {k: build(i) for k, i in v['v']}
    if t == 'nil': return None
def tag(o):
    if isinstance(o, bool): return {'t': 'bool', 'v': o}
    if isinstance(o, (int, float)): return {'t': 'num', 'v': o}
    if isinstance(o, str): return {'t': 'str', 'v': o}
    if isinstance(o, dt.datetime): return {'t': 'date', 'v': wall(o)}
    if isinstance(o, bytes): return {'t': 'b64', 'v': base64.b64encode(o).decode()}
    if isinstance(o, list): return {'t': 'array', 'v': [tag(i) for i in o]}
    if isinstance(o, dict): return {'t': 'struct', 'v': sorted([k, tag(i)] for k, i in o.items())}
    raise TypeError(type(o))
def run(r):
    op = r['op']
    if op == 'dumps': return x.dumps(tuple(build(p) for p in r['params']), methodname=r['method'], allow_none=True)
    if op == 'fault': return x.dumps(x.Fault(r['code'], r['text']), methodresponse=True)
    if op == 'loads':
        (v,), _ = x.loads(r['xml'], use_builtin_types=True)
        return tag(v)
    if op == 'wall_to_ms':
        return [int(dt.datetime(*w, tzinfo=ZoneInfo(r['zone'])).timestamp() * 1000) for w in r['walls']]
    if op == 'iso_to_ms': return [int(dt.datetime.fromisoformat(s).timestamp() * 1000) for s in r['texts']]
    if op == 'ms_to_wall': return [wall(dt.datetime.fromtimestamp(ms / 1000, ZoneInfo(r['zone']))) for ms in r['ms']]
for line in sys.stdin:
    r = json.loads(line)
    try: out = {'id': r['id'], 'ok': run(r)}
    except Exception as e: out = {'id': r['id'], 'err': '%s: %s' % (type(e).__name__, e)}
    print(json.dumps(out), flush=True)
`;

const py = spawn(PYTHON, ['-c', ORACLE], { stdio: ['pipe', 'pipe', 'inherit'] });
const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
createInterface({ input: py.stdout }).on('line', (line) => {
  const m = JSON.parse(line) as { id: number; ok?: unknown; err?: string };
  const w = waiting.get(m.id)!;
  waiting.delete(m.id);
  if (m.err !== undefined) w.reject(new Error(`python: ${m.err}`));
  else w.resolve(m.ok);
});
let nextId = 0;
function oracle<T>(op: string, args: Record<string, unknown>): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    py.stdin.write(JSON.stringify({ id, op, ...args }) + '\n');
  });
}
t.teardown(() => {
  py.stdin.end();
});

// ---- tagged values, and the conversions between them and the codec's values ----
type Tagged =
  | { t: 'num' | 'double'; v: number }
  | { t: 'str' | 'date' | 'b64'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'array'; v: Tagged[] }
  | { t: 'struct'; v: [string, Tagged][] }
  | { t: 'nil' };

const byKey = (a: [string, Tagged], b: [string, Tagged]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** A decoded value as tagged JSON (numbers of either kind compare by value; dates as wall clock). */
function tagOf(v: XmlRpcValue, zone: Zone): Tagged {
  if (typeof v === 'string') return { t: 'str', v };
  if (typeof v === 'number') return { t: 'num', v };
  if (typeof v === 'boolean') return { t: 'bool', v };
  if (v instanceof Date) return { t: 'date', v: formatXmlRpcDate(zone, v) };
  if (Buffer.isBuffer(v)) return { t: 'b64', v: v.toString('base64') };
  if (Array.isArray(v)) return { t: 'array', v: v.map((i) => tagOf(i, zone)) };
  return { t: 'struct', v: Object.keys(v).map((k): [string, Tagged] => [k, tagOf(v[k]!, zone)]).sort(byKey) };
}

/** The JS value our encoder is given for a tagged value. */
function jsOf(v: Tagged, zone: Zone): unknown {
  switch (v.t) {
    case 'num':
    case 'str':
    case 'bool':
      return v.v;
    case 'double':
      return new Double(v.v);
    case 'date': {
      const m = /^(\d{4})(\d\d)(\d\d)T(\d\d):(\d\d):(\d\d)$/.exec(v.v)!.slice(1).map(Number);
      return zone.fromWallClock({ year: m[0]!, month: m[1]!, day: m[2]!, hour: m[3]!, minute: m[4]!, second: m[5]! });
    }
    case 'b64':
      return Buffer.from(v.v, 'base64');
    case 'array':
      return v.v.map((i) => jsOf(i, zone));
    case 'struct': {
      const o = Object.create(null) as Record<string, unknown>;
      for (const [k, i] of v.v) o[k] = jsOf(i, zone);
      return o;
    }
    case 'nil':
      return null;
  }
}

/** What a reader sees of a tagged value: numbers by value, structs by key, nil as "". */
function normal(v: Tagged, strings: (s: string) => string = (s) => s): Tagged {
  switch (v.t) {
    case 'double':
      return { t: 'num', v: v.v };
    case 'str':
      return { t: 'str', v: strings(v.v) };
    case 'nil':
      return { t: 'str', v: '' };
    case 'array':
      return { t: 'array', v: v.v.map((i) => normal(i, strings)) };
    case 'struct':
      return { t: 'struct', v: v.v.map(([k, i]): [string, Tagged] => [strings(k), normal(i, strings)]).sort(byKey) };
    default:
      return v;
  }
}

const { rand, int, pick } = seeded(SEED);

const SAFE_CHARS = ['a', 'Z', '0', ' ', '  ', '\t', '\n', '<', '>', '&', '"', "'", ']]>', '&amp;', 'é', '€', '\u00a0', '\u2028', '😀', '中'];
// Only our encoder is asked to carry these: CR, C0 controls, lone surrogates, U+FFFF.
const HOSTILE_CHARS = ['\r', '\r\n', '\u0001', '\u001f', '\ud800', '\udc00', '\uffff'];
const KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'a b', '<&>', '10', '2', 'label', 'é'];

function randString(chars: readonly string[]): string {
  let s = '';
  for (let n = int(12); n > 0; n--) s += pick(chars);
  return s;
}
function randDouble(): number {
  const special = [0.1, -2.5, 1e-7, 5e-324, 1.7976931348623157e308, -1.5e-300, 123456.789];
  if (rand() < 0.2) return pick(special);
  const d = (rand() - 0.5) * 10 ** (int(40) - 15);
  return Number.isInteger(d) ? d + 0.5 : d;
}
function randWall(): string {
  const ms = Date.UTC(1970, 0, 1) + Math.floor(rand() * 4102444800) * 1000; // 1970-2100
  return formatXmlRpcDate(new Zone('UTC'), new Date(ms));
}

function randValue(chars: readonly string[], depth = 0): Tagged {
  const kinds = depth < 4 ? 9 : 7;
  switch (int(kinds)) {
    case 0:
      return { t: 'num', v: pick([0, 1, -1, 2147483647, -2147483648, int(2 ** 32) - 2 ** 31]) };
    case 1:
    case 2:
      return { t: 'str', v: randString(chars) };
    case 3:
      return { t: 'bool', v: rand() < 0.5 };
    case 4:
      return { t: 'double', v: randDouble() };
    case 5:
      return { t: 'date', v: randWall() };
    case 6:
      return { t: 'b64', v: Buffer.from(Array.from({ length: int(80) }, () => int(256))).toString('base64') };
    case 7:
      return { t: 'array', v: Array.from({ length: int(5) }, () => randValue(chars, depth + 1)) };
    default: {
      const keys = [...new Set(Array.from({ length: int(6) }, () => (rand() < 0.5 ? pick(KEYS) : randString(SAFE_CHARS))))];
      return { t: 'struct', v: keys.map((k): [string, Tagged] => [k, randValue(chars, depth + 1)]) };
    }
  }
}

// ---- helpers ----
const UTC = new Zone('UTC');
const call = (values: string): string => `<?xml version="1.0"?><methodCall><methodName>x.y</methodName><params>${values}</params></methodCall>`;
const one = (value: string): string => call(`<param><value>${value}</value></param>`);
const param = (value: string, zone = UTC): Param => decodeCall(one(value), zone).params[0]!;

/** Runs `f` and returns the error it throws (or null), and how long it took. */
function attempt(f: () => unknown): { err: unknown; ms: number } {
  const t0 = performance.now();
  try {
    f();
    return { err: null, ms: performance.now() - t0 };
  } catch (err) {
    return { err, ms: performance.now() - t0 };
  }
}

t.test('request scalars: ints, booleans, strings, doubles, base64, nil (§1.6)', async (t) => {
  t.same(param('<i4>42</i4>'), { type: 'int', value: 42 });
  t.same(param('<int>-2147483648</int>'), { type: 'int', value: -2147483648 });
  t.same(param('<int> 7 </int>'), { type: 'int', value: 7 }, 'surrounding whitespace is tolerated, as int() does');
  t.same(param('<i8>8589934592</i8>'), { type: 'i8', value: 8589934592 });
  for (const [text, value] of [['1', true], ['0', false], ['true', true], ['false', false]] as const) {
    t.same(param(`<boolean>${text}</boolean>`), { type: 'boolean', value }, `<boolean>${text}</boolean>`);
  }
  for (const bad of ['2', 'yes', '', '-1', 'TRUEx']) {
    t.type(attempt(() => param(`<boolean>${bad}</boolean>`)).err, XmlDecodeError, `<boolean>${bad}</boolean> refused`);
  }
  t.same(param('<string>  two  words \n</string>'), { type: 'string', value: '  two  words \n' }, 'typed string keeps whitespace');
  t.same(param('  untyped\t'), { type: 'string', value: '  untyped\t' }, 'a value without a type is a string, whitespace kept');
  t.same(param(''), { type: 'string', value: '' });
  t.same(param('<string><![CDATA[<raw> & ]]></string>'), { type: 'string', value: '<raw> & ' });
  t.same(param('<string>&lt;&amp;&gt;&#x1F600;&#13;</string>'), { type: 'string', value: '<&>😀\r' });
  t.same(param('<double>-1.5e3</double>'), { type: 'double', value: -1500 });
  t.same(param('<double>.25</double>'), { type: 'double', value: 0.25 });
  t.same(param('<base64>aGVs\nbG8=</base64>').value, Buffer.from('hello'), 'base64 across lines');
  t.same(param('<base64></base64>').value, Buffer.alloc(0));
  t.same(param('<nil/>'), { type: 'nil', value: '' }, '<nil/> arrives as ""');
});

t.test('request structs and arrays', async (t) => {
  const s = param(
    '<struct><member><name>__proto__</name><value><i4>1</i4></value></member>' +
      '<member><name>dup</name><value>first</value></member><member><name>dup</name><value>last</value></member></struct>',
  );
  t.equal(s.type, 'struct');
  const obj = s.value as Record<string, XmlRpcValue>;
  t.equal(Object.getPrototypeOf(obj), null, 'a struct has no prototype to pollute');
  t.same(Object.keys(obj), ['__proto__', 'dup'], '__proto__ is an ordinary member');
  t.equal(obj['__proto__'], 1);
  t.equal(obj['dup'], 'last', 'duplicate member: the last one wins');
  t.equal(({} as Record<string, unknown>)['1'], undefined, 'Object.prototype untouched');
  const nested = param('<array><data><value><array><data><value><struct><member><name>k</name><value><array><data/></array></value></member></struct></value></data></array></value><value>x</value></data></array>');
  t.same(tagOf(nested.value, UTC), {
    t: 'array',
    v: [{ t: 'array', v: [{ t: 'struct', v: [['k', { t: 'array', v: [] }]] }] }, { t: 'str', v: 'x' }],
  });
  t.same(param('<array><data></data></array>').value, []);
});

t.test('dateTime.iso8601 read in the configured zone, DST edges from zoneinfo', async (t) => {
  const walls: [number, number, number, number, number, number][] = [
    [2024, 1, 15, 10, 0, 0],
    [2024, 7, 15, 10, 0, 0],
    [2024, 3, 31, 1, 59, 59], // Berlin: last second of winter time
    [2024, 3, 31, 2, 30, 0], // Berlin: skipped hour
    [2024, 3, 31, 3, 0, 0],
    [2024, 10, 27, 2, 30, 0], // Berlin: repeated hour
    [2024, 10, 27, 3, 0, 0],
    [2024, 3, 10, 2, 30, 0], // New York: skipped hour
    [2024, 11, 3, 1, 30, 0], // New York: repeated hour
    [2024, 11, 3, 2, 0, 0],
    [1999, 12, 31, 23, 59, 59],
    [2038, 1, 19, 3, 14, 8],
  ];
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  for (const zoneName of ['UTC', 'Europe/Berlin', 'America/New_York']) {
    const zone = new Zone(zoneName);
    const expected = await oracle<number[]>('wall_to_ms', { zone: zoneName, walls });
    walls.forEach(([y, mo, d, h, mi, s], i) => {
      const compact = `${y}${pad(mo)}${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}`;
      const extended = `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}`;
      for (const text of [compact, extended]) {
        const p = param(`<dateTime.iso8601>${text}</dateTime.iso8601>`, zone);
        t.equal(p.type, 'dateTime');
        t.equal((p.value as Date).getTime(), expected[i], `${text} in ${zoneName}`);
      }
    });
  }
  // A zone designator wins over the configured zone.
  const texts = ['2024-01-15T10:00:00Z', '2024-01-15T10:00:00+02:00', '2024-07-01T23:30:00-04:00', '2024-01-15T10:00:00+05:30'];
  const absolute = await oracle<number[]>('iso_to_ms', { texts });
  for (const zoneName of ['UTC', 'Europe/Berlin', 'America/New_York']) {
    texts.forEach((text, i) => {
      t.equal((param(`<dateTime.iso8601>${text}</dateTime.iso8601>`, new Zone(zoneName)).value as Date).getTime(), absolute[i], `${text} in ${zoneName}`);
    });
  }
  t.equal((param('<dateTime.iso8601>20240115T10:00:00Z</dateTime.iso8601>', new Zone('Europe/Berlin')).value as Date).getTime(), absolute[0], 'compact with Z');
  t.equal((param('<dateTime.iso8601>00500301T12:00:00</dateTime.iso8601>').value as Date).getUTCFullYear(), 50, 'year 50 is not 1950');
});

t.test('responses: <i4> only, no <nil/>, dates in the zone, strings escaped', async (t) => {
  const enc = new Encoder(UTC);
  const body = enc.response({ small: 7, big: 2 ** 40 + 5, neg: -3, long: 2n ** 40n + 5n, gone: null, none: undefined, list: [1, null, 2] });
  t.notMatch(body, /<i8>|<nil|<int>/, 'integers go out as <i4> only, nulls are left out');
  t.match(body, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<methodResponse><params><param><value><struct>/);
  const back = await oracle<Tagged>('loads', { xml: body });
  t.same(back, {
    t: 'struct',
    v: [
      ['big', { t: 'num', v: 5 }], // Spacewalk narrows a Java Long to 32 bits
      ['list', { t: 'array', v: [{ t: 'num', v: 1 }, { t: 'num', v: 2 }] }],
      ['long', { t: 'num', v: 5 }],
      ['neg', { t: 'num', v: -3 }],
      ['small', { t: 'num', v: 7 }],
    ],
  });
  t.match(enc.response('x'), /<value><string>x<\/string><\/value>/, 'strings are always wrapped in <string>');
  t.match(enc.response(new Double(3)), /<double>3\.0<\/double>/);
  t.match(enc.response(true), /<boolean>1<\/boolean>/);

  const nasty = 'a<b>&c]]>\r\n\u0001\ud800\uffff😀\u2028';
  const escaped = enc.response(nasty);
  t.match(escaped, /a&lt;b&gt;&amp;c\]\]&gt;&#13;\n\ufffd\ufffd\ufffd😀\u2028/);
  t.same(await oracle<Tagged>('loads', { xml: escaped }), { t: 'str', v: 'a<b>&c]]>\r\n\ufffd\ufffd\ufffd😀\u2028' }, 'Python reads it back');

  // Dates: YYYYMMDDTHH:MM:SS in the configured zone, compared with zoneinfo around DST changes.
  const instants = [Date.UTC(2024, 2, 31, 0, 59, 59), Date.UTC(2024, 2, 31, 1, 0, 0), Date.UTC(2024, 9, 27, 0, 30), Date.UTC(2024, 9, 27, 1, 30),
    Date.UTC(2024, 2, 10, 6, 59, 59), Date.UTC(2024, 2, 10, 7, 0, 0), Date.UTC(2024, 10, 3, 5, 30), Date.UTC(2024, 10, 3, 6, 30), Date.UTC(1970, 0, 1)];
  for (const zoneName of ['UTC', 'Europe/Berlin', 'America/New_York']) {
    const zEnc = new Encoder(new Zone(zoneName));
    const walls = await oracle<string[]>('ms_to_wall', { zone: zoneName, ms: instants });
    const xml = zEnc.response(instants.map((ms) => new Date(ms)));
    t.match(xml, /<dateTime\.iso8601>\d{8}T\d\d:\d\d:\d\d<\/dateTime\.iso8601>/);
    t.same(await oracle<Tagged>('loads', { xml }), { t: 'array', v: walls.map((v) => ({ t: 'date', v })) }, `dates in ${zoneName}`);
  }
});

t.test('Python dumps, we decode: seeded random nested values', async (t) => {
  const zone = UTC;
  for (let round = 0; round < 150; round++) {
    const params = Array.from({ length: 1 + int(4) }, () => randValue(SAFE_CHARS));
    if (round % 10 === 0) params.push({ t: 'nil' });
    const xml = await oracle<string>('dumps', { params, method: 'channel.software.list_all_packages' });
    const got = decodeCall(Buffer.from(xml, 'utf8'), zone);
    t.equal(got.methodName, 'channel.software.list_all_packages');
    const same = JSON.stringify(got.params.map((p) => tagOf(p.value, zone))) === JSON.stringify(params.map((p) => normal(p)));
    if (!same) t.same(got.params.map((p) => tagOf(p.value, zone)), params.map((p) => normal(p)), `round ${round} (seed ${SEED})`);
    const wire = got.params.map((p) => p.type);
    const expectedWire = params.map((p) => ({ num: 'int', double: 'double', str: 'string', bool: 'boolean', date: 'dateTime', b64: 'base64', array: 'array', struct: 'struct', nil: 'nil' })[p.t]);
    if (!same || wire.join() !== expectedWire.join()) t.same(wire, expectedWire, `round ${round}: wire types`);
  }
  t.pass('150 random calls decoded as Python encoded them');
});

t.test('we encode, Python loads: seeded random nested values', async (t) => {
  const strings = (s: string): string => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  for (const zoneName of ['UTC', 'Europe/Berlin']) {
    const zone = new Zone(zoneName);
    const enc = new Encoder(zone);
    for (let round = 0; round < 100; round++) {
      let value = randValue([...SAFE_CHARS, ...HOSTILE_CHARS]);
      // Wall times inside a skipped hour do not exist in Berlin; move them out of the way.
      if (zoneName !== 'UTC') value = JSON.parse(JSON.stringify(value).replace(/(\d{8}T)02:/g, '$112:')) as Tagged;
      const back = await oracle<Tagged>('loads', { xml: enc.response(jsOf(value, zone)) });
      const want = normal(value, strings);
      if (JSON.stringify(back) !== JSON.stringify(want)) t.same(back, want, `${zoneName} round ${round} (seed ${SEED})`);
    }
  }
  t.pass('200 random answers read back by Python unchanged');
});

t.test('faults travel both ways', async (t) => {
  const xml = await oracle<string>('fault', { code: 2601, text: 'redstone.xmlrpc.XmlRpcFault: Errata already exists with advisory <X&Y>' });
  const err = attempt(() => decodeResponse(Buffer.from(xml), UTC)).err as XmlRpcFault;
  t.type(err, XmlRpcFault);
  t.equal(err.faultCode, 2601);
  t.equal(err.faultString, 'redstone.xmlrpc.XmlRpcFault: Errata already exists with advisory <X&Y>');
});

t.test('hostile documents: XmlDecodeError, quickly, nothing expanded', async (t) => {
  const lolz =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
    Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') +
    ']>' + one('<string>&lol9;</string>');
  const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + one('<string>&xxe;</string>');
  const deepArrays = call('<param>' + '<value><array><data>'.repeat(100_000) + '</data></array></value>'.repeat(100_000) + '</param>');
  const deepStructs = call('<param>' + '<value><struct><member><name>a</name>'.repeat(100_000) + '</member></struct></value>'.repeat(100_000) + '</param>');
  const cases: [string, string | Buffer][] = [
    ['billion laughs', lolz],
    ['external entity', xxe],
    ['parameter entity', '<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><methodCall/>'],
    ['undeclared entity', one('&xxe;')],
    ['100k nested arrays', deepArrays],
    ['100k nested structs', deepStructs],
    ['100k unclosed arrays', call('<param>' + '<value><array><data>'.repeat(100_000))],
    ['int with junk', one('<int>12abc</int>')],
    ['int too big', one('<int>2147483648</int>')],
    ['int too small', one('<i4>-2147483649</i4>')],
    ['empty int', one('<int></int>')],
    ['float as int', one('<int>1.0</int>')],
    ['i8 beyond 2^53', one('<i8>9223372036854775807</i8>')],
    ['double junk', one('<double>1.2.3</double>')],
    ['double inf', one('<double>1e999</double>')],
    ['double NaN', one('<double>NaN</double>')],
    ['date Feb 30', one('<dateTime.iso8601>20240230T10:00:00</dateTime.iso8601>')],
    ['date month 13', one('<dateTime.iso8601>2024-13-01T10:00:00</dateTime.iso8601>')],
    ['date hour 25', one('<dateTime.iso8601>20240115T25:00:00</dateTime.iso8601>')],
    ['date words', one('<dateTime.iso8601>yesterday</dateTime.iso8601>')],
    ['date empty', one('<dateTime.iso8601></dateTime.iso8601>')],
    ['base64 junk', one('<base64>@@@@</base64>')],
    ['base64 unpadded', one('<base64>QQQ</base64>')],
    ['base64 padding inside', one('<base64>QQ==QQ==</base64>')],
    ['text before a typed value', one('abc<int>1</int>')],
    ['text after a typed value', one('<int>1</int>abc')],
    ['two typed values', one('<int>1</int><int>2</int>')],
    ['unknown tag', one('<float>1.5</float>')],
    ['tag inside a scalar', one('<string><b>x</b></string>')],
    ['two values in a param', call('<param><value>a</value><value>b</value></param>')],
    ['empty param', call('<param></param>')],
    ['member without name', one('<struct><member><value>1</value></member></struct>')],
    ['member with two names', one('<struct><member><name>a</name><name>b</name><value>1</value></member></struct>')],
    ['text inside struct', one('<struct>junk</struct>')],
    ['two methodNames', '<methodCall><methodName>a.b</methodName><methodName>c.d</methodName></methodCall>'],
    ['no methodName', '<methodCall><params/></methodCall>'],
    ['huge methodName', `<methodCall><methodName>${'a'.repeat(100_000)}</methodName></methodCall>`],
    ['a response instead of a call', '<methodResponse><params><param><value>1</value></param></params></methodResponse>'],
    ['processing instruction', '<methodCall><?php system("id") ?><methodName>a.b</methodName></methodCall>'],
    ['truncated', one('<int>1</int>').slice(0, -20)],
    ['two roots', '<methodCall><methodName>a.b</methodName></methodCall><methodCall><methodName>a.b</methodName></methodCall>'],
    ['text after the root', '<methodCall><methodName>a.b</methodName></methodCall>junk'],
    ['empty body', ''],
    ['empty buffer', Buffer.alloc(0)],
    ['whitespace only', '  \n'],
    ['not XML', 'GET / HTTP/1.0'],
    ['NUL character reference', one('<string>&#0;</string>')],
    ['invalid UTF-8', Buffer.concat([Buffer.from(one('<string>caf').slice(0, -('</value></param></params></methodCall>'.length))), Buffer.from([0xe9, 0xff]), Buffer.from('</string></value></param></params></methodCall>')])],
    ['UTF-16 BOM then garbage', Buffer.from([0xff, 0xfe, 0x00, 0xd8, 0x3c, 0x00])],
    ['unknown encoding', Buffer.from(one('x').replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="EBCDIC-XY"?>'))],
  ];
  for (const [name, body] of cases) {
    const { err, ms } = attempt(() => decodeCall(body, UTC));
    t.type(err, XmlDecodeError, `${name}: XmlDecodeError (${(err as Error)?.message?.slice(0, 80)})`);
    t.ok(ms < 1000, `${name}: refused in ${ms.toFixed(1)} ms`);
  }
  t.notMatch(String((attempt(() => decodeCall(lolz, UTC)).err as Error).message), /lollol/, 'no entity was expanded');
  t.notMatch(String((attempt(() => decodeCall(xxe, UTC)).err as Error).message), /root:/, '/etc/passwd was not read');
  const [head, tail] = one('caf\u00e9').replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>').split('\u00e9') as [string, string];
  const latin1 = Buffer.concat([Buffer.from(head), Buffer.from([0xe9]), Buffer.from(tail)]);
  t.equal(decodeCall(latin1, UTC).params[0]!.value, 'café', 'a declared ISO-8859-1 body is read as such');
});

t.test('fuzz: truncations, byte flips and garbage only ever give XmlDecodeError', async (t) => {
  const valid = Buffer.from(
    one('<struct><member><name>n</name><value><array><data><value><i4>1</i4></value><value><dateTime.iso8601>20240115T10:00:00</dateTime.iso8601></value><value><base64>aGk=</base64></value><value><boolean>1</boolean></value><value><double>1.5</double></value></data></array></value></member></struct>'),
  );
  let refused = 0;
  let accepted = 0;
  const check = (body: Buffer, what: string): void => {
    const { err, ms } = attempt(() => decodeCall(body, UTC));
    if (err === null) accepted++;
    else if (err instanceof XmlDecodeError) refused++;
    else t.fail(`${what}: ${String(err)}`);
    if (ms > 500) t.fail(`${what}: took ${ms} ms`);
  };
  for (let n = 0; n < valid.length; n++) check(valid.subarray(0, n), `prefix of ${n} bytes`);
  t.equal(accepted, 0, 'no proper prefix of a document is accepted');
  for (let round = 0; round < 3000; round++) {
    const b = Buffer.from(valid);
    for (let k = 1 + int(4); k > 0; k--) b[int(b.length)] = pick([int(256), 0x3c, 0x3e, 0x26, 0x2f, 0x22]);
    check(b, `flip round ${round}`);
  }
  for (let round = 0; round < 500; round++) {
    check(Buffer.from(Array.from({ length: int(400) }, () => int(256))), `garbage round ${round}`);
  }
  t.ok(refused > 3000, `${refused} refused with XmlDecodeError, ${accepted} still well-formed after mutation`);
});

t.test('UTF-8 bodies: ASCII, multi-byte, a BOM, bad bytes, as a fatal TextDecoder reads them', async (t) => {
  const zone = new Zone('UTC');
  const doc = (s: string): string => `<?xml version="1.0"?><methodCall><methodName>m</methodName><params><param><value><string>${s}</string></value></param></params></methodCall>`;
  const texts = ['plain', 'café', 'Größe 日本語 😀', '\u00a0nbsp', 'x'.repeat(5000) + 'é'];
  for (const s of texts) {
    for (const bom of [false, true]) {
      const body = Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(doc(s), 'utf8')]);
      const expected = new TextDecoder('utf-8', { fatal: true }).decode(body);
      t.equal(expected.startsWith('<?xml'), true, 'TextDecoder drops the BOM');
      t.equal(decodeCall(body, zone).params[0]?.value, s, `${s.slice(0, 20)}${bom ? ' after a BOM' : ''}`);
      t.equal(decodeCall(new Uint8Array(body), zone).params[0]?.value, s, 'a plain Uint8Array too');
    }
  }
  for (const bad of [[0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]]) {
    const body = Buffer.concat([Buffer.from(doc('a').slice(0, 80)), Buffer.from(bad), Buffer.from(doc('a').slice(80))]);
    t.throws(() => decodeCall(body, zone), XmlDecodeError, `bytes ${bad.map((b) => b.toString(16)).join(' ')}: refused`);
  }
});
