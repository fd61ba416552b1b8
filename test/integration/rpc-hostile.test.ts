// Hostile requests against the real `skylab serve` process: malformed XML, entity bombs, deep
// nesting, oversized bodies, wrong types, unknown methods and bad sessions. Each gets the right
// fault (HTTP 200) or 413, the server keeps answering, and the stored channels do not change.
// Raw bodies go through Node's fetch; the normal calls are Python's xmlrpc.client.
import t from 'tap';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pythonJson } from '../support/python.js';
import { ROOT, startServer, type RunningServer } from '../support/server.js';
import { decodeResponse } from '../../server/xmlrpc/decode.js';
import { XmlRpcFault } from '../../server/xmlrpc/types.js';
import { Zone } from '../../server/xmlrpc/zone.js';

if (!existsSync(join(ROOT, 'dist', 'server', 'cli.js'))) throw new Error('build first: npx tsc -p tsconfig.json');

const server: RunningServer = await startServer();
t.teardown(() => server.stop());

// One python run per snapshot: log in, optionally create channels, read everything back.
const SNAPSHOT = String.raw`
import json, sys, xmlrpc.client as x
a = json.loads(sys.stdin.read())
c = x.ServerProxy(a['url'])
key = c.auth.login(a['user'], a['password'])
for label, parent in a.get('create', []):
    c.channel.software.create(key, label, label.replace('-', ' ').title(), 'hostile test', 'channel-x86_64', parent)
out = {'version': c.api.getVersion(), 'key': key}
out['channels'] = sorted(c.channel.listAllChannels(key), key=lambda ch: ch['label'])
out['details'] = [c.channel.software.getDetails(key, ch['label']) for ch in out['channels']]
for d in out['details']:
    for k, v in list(d.items()):
        if isinstance(v, x.DateTime): d[k] = v.value
print(json.dumps(out, sort_keys=True))
`;
interface Snapshot {
  version: string;
  key: string;
  channels: Record<string, unknown>[];
  details: Record<string, unknown>[];
}
const snapshot = (create: [string, string][] = []): Promise<Snapshot> =>
  pythonJson<Snapshot>(SNAPSHOT, [], JSON.stringify({ url: server.apiUrl, user: server.adminUser, password: server.adminPassword, create }));

const before = await snapshot([['hostile-base-x86_64', ''], ['hostile-child-x86_64', 'hostile-base-x86_64']]);
const KEY = before.key;
const zone = new Zone('UTC');

interface Reply {
  status: number;
  body: Buffer;
  ms: number;
}
async function post(body: string | Buffer, headers: Record<string, string> = { 'content-type': 'text/xml' }): Promise<Reply> {
  const t0 = performance.now();
  const res = await fetch(server.apiUrl, { method: 'POST', body, headers });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), ms: performance.now() - t0 };
}
function faultIn(reply: Reply): XmlRpcFault {
  try {
    decodeResponse(reply.body, zone);
  } catch (err) {
    if (err instanceof XmlRpcFault) return err;
    throw err;
  }
  throw new Error(`expected a fault, got ${reply.body.toString('utf8', 0, 200)}`);
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const call = (name: string, params: string[]): string =>
  `<?xml version="1.0"?><methodCall><methodName>${name}</methodName><params>${params.map((p) => `<param><value>${p}</value></param>`).join('')}</params></methodCall>`;
const str = (s: string): string => `<string>${esc(s)}</string>`;
const lolz =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') +
  ']><methodCall><methodName>channel.software.create</methodName><params><param><value>' + str(KEY) + '</value></param>' +
  '<param><value>&lol9;</value></param></params></methodCall>';

// [name, body, fault code, faultString pattern]
const FAULTS: [string, string | Buffer, number, RegExp][] = [
  ['malformed XML', '<methodCall><methodName>api.getVersion</methodName><params>', -1, /Malformed XML-RPC request/],
  ['empty body', '', -1, /Malformed XML-RPC request/],
  ['not XML at all', 'GET /etc/passwd HTTP/1.0\r\n\r\n', -1, /Malformed XML-RPC request/],
  ['billion laughs', lolz, -1, /DOCTYPE is not allowed/],
  ['external entity', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + call('channel.software.getDetails', [str(KEY), '&x;']), -1, /DOCTYPE/],
  ['100k nested arrays', call('api.getVersion', ['<array><data><value>'.repeat(100_000) + '</value></data></array>'.repeat(100_000)]), -1, /nested deeper/],
  ['garbage bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)), -1, /Malformed XML-RPC request/],
  ['invalid UTF-8', Buffer.concat([Buffer.from(call('api.getVersion', []).slice(0, 40)), Buffer.from([0xc3, 0x28, 0xff])]), -1, /not valid UTF-8/],
  ['text mixed with a value', call('channel.software.getDetails', [str(KEY) + 'junk']), -1, /mixed/],
  ['int with junk', call('channel.software.getDetails', [str(KEY), '<int>12abc</int>']), -1, /bad <int>/],
  ['unknown namespace', call('no.such.namespace.call', []), -1, /handler/],
  ['unknown method', call('channel.software.noSuchMethod', [str(KEY)]), -1, /Could not find method: noSuchMethod in class: /],
  ['wrong arity', call('channel.software.getDetails', [str(KEY)]), -1, /Could not find method: getDetails/],
  ['wrong types', call('channel.software.getDetails', [str(KEY), '<struct></struct>']), -1, /Could not find method: getDetails .* with params: \[java\.lang\.String, /],
  ['wrong types for login', call('auth.login', ['<array><data/></array>', '<struct></struct>']), -1, /Could not find method: login/],
  ['forged session', call('channel.listAllChannels', [str(`${KEY.split('x')[0]}x${'0'.repeat(64)}`)]), -1, /Could not find session/],
  ['unknown session', call('channel.listAllChannels', [str(`987654x${'a'.repeat(64)}`)]), -1, /Could not find session/],
  ['garbage session', call('channel.software.create', [str('<script>'), str('x'), str('y'), str('z'), str('channel-x86_64'), str('')]), -1, /Could not find session/],
  ['invalid label', call('channel.software.create', [str(KEY), str('<Script>&'), str('Evil Channel'), str('s'), str('channel-x86_64'), str('')]), 1201, /label/i],
  ['unknown channel', call('channel.software.getDetails', [str(KEY), str('no-such-channel')]), -210, /No such channel/],
];

t.test('hostile bodies get faults with HTTP 200', async (t) => {
  for (const [name, body, code, text] of FAULTS) {
    const reply = await post(body);
    t.equal(reply.status, 200, `${name}: HTTP 200`);
    const f = faultIn(reply);
    t.equal(f.faultCode, code, `${name}: fault ${code}`);
    t.match(f.faultString, text, `${name}: ${f.faultString.slice(0, 100)}`);
    t.ok(reply.ms < 5000, `${name}: answered in ${reply.ms.toFixed(0)} ms`);
    t.notMatch(reply.body.toString('utf8'), /root:x:0:0|lollollol/, `${name}: nothing expanded or read`);
  }
});

t.test('bodies without the usual content type are still XML-RPC', async (t) => {
  for (const headers of [{}, { 'content-type': 'application/json' }, { 'content-type': 'text/xml; charset=ISO-8859-1' }]) {
    const reply = await post(call('api.getVersion', []), headers as Record<string, string>);
    t.equal(reply.status, 200);
    t.equal(decodeResponse(reply.body, zone), before.version, `content-type ${JSON.stringify(headers)}`);
  }
});

t.test('a 31 MiB body is read and answered; a 33 MiB one is refused with 413', async (t) => {
  const head = '<?xml version="1.0"?><methodCall><methodName>api.getVersion</methodName><params><param><value><string>';
  const tail = '</string></value></param></params></methodCall>';
  const body31 = Buffer.concat([Buffer.from(head), Buffer.alloc(31 * 1024 * 1024 - head.length - tail.length, 'a'), Buffer.from(tail)]);
  t.equal(body31.length, 31 * 1024 * 1024);
  const big = await post(body31);
  t.equal(big.status, 200, `31 MiB: HTTP 200 after ${big.ms.toFixed(0)} ms`);
  const f = faultIn(big);
  t.equal(f.faultCode, -1);
  t.match(f.faultString, /Could not find method: getVersion .* with params: \[java\.lang\.String\]/);
  t.ok(big.body.length < 4096, 'the fault does not echo the body');

  const body33 = Buffer.alloc(33 * 1024 * 1024, 'a');
  const huge = await postUntilAnswered(body33);
  t.equal(huge.status, 413, `33 MiB: HTTP 413 after ${huge.ms.toFixed(0)} ms`);
});

/**
 * A POST that declares `body.length` bytes and sends only the first 64 KiB: the server refuses on
 * the Content-Length, so the answer is read from the socket as it comes. (Sending all of it
 * races the server closing the connection: the upload may fail with EPIPE and Node then drops
 * the answer that had already arrived.)
 */
function postUntilAnswered(body: Buffer): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const url = new URL(server.apiUrl);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(url.port), url.hostname);
    let got = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('no answer within 10 s'));
    }, 10_000);
    sock.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(got);
      if (m) {
        clearTimeout(timer);
        sock.destroy();
        resolve({ status: Number(m[1]), ms: performance.now() - t0 });
      }
    });
    sock.on('error', () => undefined); // a reset after the answer is expected
    sock.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: text/xml\r\nContent-Length: ${body.length}\r\n\r\n`);
    sock.write(body.subarray(0, 64 * 1024));
  });
}

t.test('a burst of hostile requests at once', async (t) => {
  const replies = await Promise.all(Array.from({ length: 24 }, (_, i) => post(FAULTS[i % FAULTS.length]![1])));
  t.same(replies.map((r) => r.status), replies.map(() => 200), 'all answered with HTTP 200');
});

t.test('GET is not an API call', async (t) => {
  const res = await fetch(server.apiUrl);
  t.ok([302, 405].includes(res.status), `GET /rpc/api: ${res.status}`);
});

t.test('afterwards the server still answers and nothing changed', async (t) => {
  t.equal(server.proc.exitCode, null, 'the process is alive');
  const after = await snapshot();
  t.equal(after.version, '23', 'api.getVersion');
  t.same(after.channels, before.channels, 'channel list unchanged');
  t.same(after.details, before.details, 'channel details unchanged');
  t.equal(before.channels.length, 2);
  t.notMatch(server.output(), /FATAL|unhandled|RangeError|Maximum call stack/i, 'no crash in the log');
});
