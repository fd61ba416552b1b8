// The /XMLRPC transport (client-protocol.md §1) on a real listening server: welcome_message with
// the capability headers as Python's xmlrpc.client/http.client and as raw HTTP see them, faults in
// Spacewalk's layout (unknown methods, argument counts, handler faults), HTTP 400 for bodies that
// are not XML-RPC, 405 for other methods, the old plugins' lone-LF header line, a 3 MB body,
// duplicate slashes, HTTP 500 without a body for internal errors, and /rpc/api still answering.
import t from 'tap';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { Writable } from 'node:stream';
import { NotFound } from '../../channels/index.js';
import { ClientFault, createClientHandlers, SERVER_CAPABILITY_HEADERS, WELCOME_MESSAGE, type ClientHandlerTable } from '../../client-shim/index.js';
import { buildApp } from '../../server/app.js';
import { createRegistry } from '../../server/rpc/namespaces.js';
import { inProcessServices } from '../support/in-process.js';
import { testPki } from '../support/pki.js';
import { pythonJson } from '../support/python.js';

const local = await inProcessServices('xmlrpc');
const { services } = local;

// the default app, as `skylab serve` builds it
const app = buildApp({ services, registry: createRegistry() });
services.log = app.log;
await app.listen({ host: '127.0.0.1', port: 0 });
const PORT = (app.server.address() as { port: number }).port;
const URL_ = `http://127.0.0.1:${PORT}/XMLRPC`;

// a second app whose handler table has methods that fail in each way a handler can
let logged = '';
const testTable: ClientHandlerTable = {
  ...createClientHandlers(),
  queue: {
    boom: { minArgs: 0, maxArgs: 0, handler: () => { throw new Error('secret internal detail'); } },
    nothing: { minArgs: 0, maxArgs: 0, handler: () => null },
    submit: { minArgs: 2, maxArgs: 5, handler: () => { throw new ClientFault(22, 'Action 5 does not belong to server 1000010000'); } },
    gone: { minArgs: 1, maxArgs: 1, handler: async () => { throw new NotFound('system', 1000010000); } },
    echo: { minArgs: 0, maxArgs: 9, handler: (ctx, args) => ({ args: [...args], types: [...ctx.argTypes], caps: [...ctx.capabilities.keys()] }) },
  },
};
const logStream = new Writable({ write: (chunk: Buffer, _e, done) => { logged += chunk.toString(); done(); } });
const app2 = buildApp({ services, registry: createRegistry(), clientHandlers: testTable, logger: { level: 'error', stream: logStream } });
await app2.listen({ host: '127.0.0.1', port: 0 });
const PORT2 = (app2.server.address() as { port: number }).port;

t.teardown(async () => {
  await app.close();
  await app2.close();
  local.remove();
});

interface RawReply {
  status: number;
  headerLines: string[];
  body: Buffer;
}

/** Sends bytes as they are on a fresh connection and reads the whole answer (Connection: close). */
function raw(port: number, request: Buffer | string, ca?: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = ca
      ? tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' }, () => sock.end(request))
      : net.connect(port, '127.0.0.1', () => sock.end(request));
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('error', reject);
    sock.on('close', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split).toString('latin1').split('\r\n');
      resolve({ status: Number(head[0]!.split(' ')[1]), headerLines: head.slice(1), body: all.subarray(split + 4) });
    });
  });
}

const call = (method: string, params = ''): string =>
  `<?xml version='1.0'?>\n<methodCall>\n<methodName>${method}</methodName>\n<params>\n${params}</params>\n</methodCall>\n`;

function post(path: string, body: Buffer | string, extra: string[] = [], port = PORT): Promise<RawReply> {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const head = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Content-Type: text/xml', `Content-Length: ${b.length}`, 'Connection: close', ...extra, '', ''].join('\r\n');
  return raw(port, Buffer.concat([Buffer.from(head, 'latin1'), b]));
}

const capLines = (r: RawReply): string[] => r.headerLines.filter((l) => /^x-rhn-server-capability:/i.test(l)).map((l) => l.slice(l.indexOf(':') + 1).trim());

// Python's side: xmlrpc.client for the calls, http.client for the headers, and the client's way of
// reading them when Python 2's httplib has joined the lines with ", " (capabilities.parseCap)
const PY_CLIENT = String.raw`
import json, re, sys, http.client, xmlrpc.client as x
a = json.loads(sys.stdin.read())
out = {}
p = x.ServerProxy(a['url'])
out['welcome'] = p.registration.welcome_message()
out['privacy'] = p.registration.privacy_statement('en')
def fault(fn):
    try:
        fn(); return None
    except x.Fault as f:
        return [f.faultCode, f.faultString]
out['nope'] = fault(lambda: p.registration.nope())
out['nodot'] = fault(lambda: getattr(p, 'nodot')())
out['unknown_ns'] = fault(lambda: p.proxy.login('x'))
out['arity'] = fault(lambda: p.registration.welcome_message('a', 'b'))
conn = http.client.HTTPConnection('127.0.0.1', a['port'])
conn.request('POST', '/XMLRPC', x.dumps((), methodname='registration.welcome_message'),
             {'Content-Type': 'text/xml', 'X-RHN-Client-Capability': 'packages.update(2)=2'})
r = conn.getresponse()
out['status'] = r.status
out['content_type'] = r.getheader('Content-Type')
out['lines'] = r.msg.get_all('X-RHN-Server-Capability')
out['value'] = x.loads(r.read())[0][0]
caps = {}
for item in ', '.join(out['lines']).split(','):
    m = re.match(r'^\s*([^(]+)\(([^)]*)\)\s*=\s*(.*?)\s*$', item)
    caps[m.group(1)] = [m.group(2), m.group(3)]
out['parsed'] = caps
print(json.dumps(out))
`;

t.test('Python xmlrpc.client: welcome_message, capability headers, faults', async (t) => {
  const py = await pythonJson<Record<string, unknown>>(PY_CLIENT, [], JSON.stringify({ url: URL_, port: PORT }));
  t.equal(py['welcome'], WELCOME_MESSAGE);
  t.equal(py['privacy'], 'Skylab Privacy Statement');
  t.equal(py['status'], 200);
  t.equal(py['content_type'], 'text/xml', 'exactly text/xml (rhnlib treats other types as files)');
  t.same(py['lines'], [...SERVER_CAPABILITY_HEADERS], 'one header line per capability');
  t.same((py['parsed'] as Record<string, string[]>)['xmlrpc.packages.extended_profile'], ['1-2', '1'], 'joined with ", " they still parse');
  t.equal(Object.keys(py['parsed'] as object).length, SERVER_CAPABILITY_HEADERS.length);
  const uxml = "<class 'spacewalk.server.apacheRequest.UnknownXML'>";
  t.same(py['nope'], [-1, `While running 'registration.nope': caught\n${uxml} : Invalid request received (function: registration.nope invalid).\n`]);
  t.same(py['nodot'], [-1, `While running 'nodot': caught\n${uxml} : Invalid request received (method 'nodot' doesn't have a class and function).\n`]);
  t.same(py['unknown_ns'], [-1, `While running 'proxy.login': caught\n${uxml} : Invalid request received (class server.xmlrpc.proxy is not defined (function = login)).\n`]);
  t.same(py['arity'], [1, "While running 'registration.welcome_message': caught\n<type 'exceptions.TypeError'> : welcome_message() takes at most 2 arguments (3 given)\n"]);
});

t.test('raw HTTP: header lines, and which answers carry them', async (t) => {
  const ok = await post('/XMLRPC', call('registration.welcome_message'));
  t.equal(ok.status, 200);
  t.same(capLines(ok), [...SERVER_CAPABILITY_HEADERS], 'one X-RHN-Server-Capability line each, in order');
  t.ok(ok.headerLines.includes('content-type: text/xml') || ok.headerLines.includes('Content-Type: text/xml'));
  t.ok(ok.headerLines.some((l) => /^content-length: \d+$/i.test(l)), 'Content-Length sent');
  t.match(ok.body.toString(), /<methodResponse><params><param><value><string>Skylab Welcome Message<\/string><\/value><\/param><\/params><\/methodResponse>/);
  const arity = await post('/XMLRPC', call('registration.welcome_message', '<param><value>a</value></param><param><value>b</value></param>'));
  t.equal(arity.status, 200);
  t.equal(capLines(arity).length, SERVER_CAPABILITY_HEADERS.length, 'a found method faulting still carries the capabilities');
  const unknown = await post('/XMLRPC', call('registration.nope'));
  t.equal(unknown.status, 200);
  t.same(capLines(unknown), [], 'an unknown method does not (Spacewalk sets them once the method is found)');
  const str = await post('/XMLRPC', call('registration.__str__'));
  t.match(str.body.toString(), /<int>-1<\/int>[\s\S]*Ignoring call for a __str__ method\nError Class Code: -1\n</);
  for (const path of ['/XMLRPC/', '//XMLRPC', '/XMLRPC//']) {
    const r = await post(path, call('registration.welcome_message'));
    t.equal(r.status, 200, `POST ${path}`);
  }
});

t.test('bodies that are not XML-RPC calls: HTTP 400, no XML', async (t) => {
  const bodies: [string, Buffer | string][] = [
    ['empty', ''],
    ['not XML', 'hello'],
    ['truncated', "<?xml version='1.0'?><methodCall><methodName>registration.welcome_message"],
    ['a response', '<methodResponse><params><param><value>x</value></param></params></methodResponse>'],
    ['a bad int', call('registration.welcome_message', '<param><value><int>12abc</int></value></param>')],
    ['an entity', '<!DOCTYPE m [<!ENTITY e "x">]><methodCall><methodName>&e;</methodName></methodCall>'],
  ];
  for (const [why, body] of bodies) {
    const r = await post('/XMLRPC', body);
    t.equal(r.status, 400, why);
    t.equal(r.body.length, 0, `${why}: no body`);
    t.same(capLines(r), [], `${why}: no capabilities`);
  }
  const [before, after] = call('registration.welcome_message', '<param><value><string>caf@</string></value></param>').split('@') as [string, string];
  const latin = Buffer.concat([Buffer.from(before), Buffer.from([0xe9, 0xff]), Buffer.from(after)]);
  t.equal((await post('/XMLRPC', latin)).status, 200, 'bytes that are not UTF-8 do not fail the call');
});

t.test('methods other than GET and POST: 405', async (t) => {
  for (const [method, path] of [['PUT', '/XMLRPC'], ['DELETE', '/XMLRPC'], ['PATCH', '/XMLRPC/'], ['OPTIONS', '/XMLRPC'], ['PUT', '/XMLRPC/GET-REQ/x/repodata/repomd.xml']]) {
    const r = await raw(PORT, `${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    t.equal(r.status, 405, `${method} ${path}`);
  }
});

t.test("the old plugins' header line ending in a bare LF", async (t) => {
  const body = call('registration.welcome_message');
  const request =
    `POST /XMLRPC HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nX-RHN-Auth-User-Id: \nX-libcurl-Empty-Header-Workaround: *\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
  const r = await raw(PORT, request);
  t.equal(r.status, 200, 'accepted');
  t.match(r.body.toString(), /Skylab Welcome Message/);
  // the same bytes against Node's default parser: the setting is what makes the difference
  const strict = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((done) => strict.listen(0, '127.0.0.1', done));
  const refused = await raw((strict.address() as { port: number }).port, request);
  await new Promise((done) => strict.close(done));
  t.equal(refused.status, 400, "Node's strict parser refuses it");

  // and over TLS, as `skylab serve --tls-cert/--tls-key` builds the server
  const pki = testPki();
  const tlsApp = buildApp({ services, registry: createRegistry(), https: { cert: Buffer.from(pki.serverCert), key: Buffer.from(pki.serverKey) } });
  await tlsApp.listen({ host: '127.0.0.1', port: 0 });
  const viaTls = await raw((tlsApp.server.address() as { port: number }).port, request, pki.caCert);
  await tlsApp.close();
  t.equal(viaTls.status, 200, 'accepted over https too');
  t.equal(capLines(viaTls).length, SERVER_CAPABILITY_HEADERS.length);
});

t.test('a 3 MB body is accepted', async (t) => {
  const big = 'x'.repeat(3 * 1024 * 1024);
  const r = await post('/XMLRPC', call('registration.welcome_message', `<param><value><string>${big}</string></value></param>`));
  t.equal(r.status, 200);
  t.match(r.body.toString(), /Skylab Welcome Message/);
});

t.test('handler outcomes: faults, domain errors, internal errors, values and context', async (t) => {
  const py = await pythonJson<Record<string, unknown>>(
    String.raw`
import json, sys, xmlrpc.client as x
a = json.loads(sys.stdin.read())
p = x.ServerProxy(a['url'])
out = {}
for name, fn in [('submit', lambda: p.queue.submit('sysid', 5)), ('gone', lambda: p.queue.gone('sysid'))]:
    try: fn()
    except x.Fault as f: out[name] = [f.faultCode, f.faultString]
out['echo'] = p.queue.echo(1, 'two', [3], {'four': 4}, True, 2.5)
print(json.dumps(out))
`,
    [],
    JSON.stringify({ url: `http://127.0.0.1:${PORT2}/XMLRPC` }),
  );
  const submit = py['submit'] as [number, string];
  t.equal(submit[0], -22);
  t.ok(submit[1].startsWith('\nError Message:\n    Action 5 does not belong to server 1000010000\nError Class Code: 22\nError Class Info: Unable to retrieve requested entry.\nExplanation: '));
  t.equal((py['gone'] as [number, string])[0], -9, 'a NotFound system becomes fault -9');
  t.same(py['echo'], { args: [1, 'two', [3], { four: 4 }, true, 2.5], types: ['int', 'string', 'array', 'struct', 'boolean', 'double'], caps: [] });

  const withCaps = await post('/XMLRPC', call('queue.echo'), ['X-RHN-Client-Capability: packages.update(2)=2,caneatCheese(1)=1', 'X-RHN-Client-Capability: reboot.reboot(1)=1'], PORT2);
  t.match(withCaps.body.toString(), /<name>caps<\/name><value><array><data><value><string>packages.update<\/string><\/value><value><string>caneatCheese<\/string><\/value><value><string>reboot.reboot<\/string><\/value><\/data>/, 'client capabilities (two header lines) reach the handler');

  for (const method of ['queue.boom', 'queue.nothing']) {
    const r = await post('/XMLRPC', call(method), [], PORT2);
    t.equal(r.status, 500, `${method}: HTTP 500`);
    t.equal(r.body.length, 0, `${method}: no body`);
  }
  t.match(logged, /secret internal detail/, 'the internal error is logged on the server');
  t.match(logged, /queue.nothing returned nothing/, 'a missing answer is an internal error, never <nil/>');
});

t.test('/rpc/api keeps working beside /XMLRPC', async (t) => {
  const v = await pythonJson<string>('import json,sys,xmlrpc.client as x\nprint(json.dumps(x.ServerProxy(sys.argv[1]).api.getVersion()))', [`http://127.0.0.1:${PORT}/rpc/api`]);
  t.type(v, 'string');
});
