// Client-protocol faults: the class texts against client-protocol.md §9 (read from the spec), the
// faultString layout against a Python transcription of Spacewalk's rhnFault.getxml, GET fault
// headers against Python's base64.encodebytes, the dispatcher's own faults, and the one table that
// turns typed domain errors into client faults.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlreadyExists, Conflict, InvalidArgument, NotFound, PermissionDenied, type Entity } from '../../channels/index.js';
import { pythonJson } from '../support/python.js';
import { SHARED } from '../support/server.js';
import {
  argumentFault,
  ClientFault,
  domainFault,
  EXPLANATION,
  FAULT_CLASS_INFO,
  faultCodeFor,
  faultFromError,
  faultString,
  getFaultReply,
  RawClientFault,
  strMethodFault,
  unknownMethodFault,
} from '../../client-shim/index.js';

const SPEC = readFileSync(join(SHARED, 'docs', 'client-protocol.md'), 'utf8');
const SECTION9 = SPEC.slice(SPEC.indexOf('## 9. Fault code reference'), SPEC.indexOf('## 10. '));
const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();

interface Row {
  code: number;
  text: string;
  getStatus: 401 | 404;
}
const ROWS: Row[] = SECTION9.split('\n')
  .filter((l) => /^\| \d+ \|/.test(l))
  .map((l) => {
    const cells = l.split('|').map((c) => c.trim());
    const text = cells[2]!.replace(/ \((?:text|Spacewalk): [^)]*\)$/, '');
    return { code: Number(cells[1]), text, getStatus: cells[5]!.includes('401') ? 401 : 404 };
  });

t.test('class texts are the canonical texts of §9', async (t) => {
  t.ok(ROWS.length >= 35, `${ROWS.length} single-code rows read from §9`);
  for (const row of ROWS) {
    const ours = FAULT_CLASS_INFO[row.code];
    if (ours === undefined) {
      t.fail(`no text for ${row.code}`);
      continue;
    }
    if (row.text.includes('…')) {
      for (const part of row.text.split('…').map((p) => p.trim()).filter(Boolean)) t.ok(collapse(ours).includes(part), `${row.code} contains "${part}"`);
    } else t.equal(collapse(ours), row.text, `${row.code}`);
  }
  // the rows that name two codes at once ("11 / 12 | Valid username / password required.")
  const pairs: [number, string][] = [
    [11, 'Valid username required.'],
    [12, 'Valid password required.'],
    [13, 'Minimum username length violation.'],
    [14, 'Minimum password length violation.'],
    [700, 'Maximum username length violation'],
    [701, 'Maximum password length violation'],
    [1003, 'Spacewalk Proxy session token is invalid.'],
    [1004, 'Spacewalk Proxy session token has expired.'],
  ];
  for (const [code, text] of pairs) t.equal(FAULT_CLASS_INFO[code], text, `${code}`);
});

t.test('faultString layout is rhnFault.getxml byte for byte', async (t) => {
  const cases: [number, string, boolean][] = [
    [9, 'Please run rhn_register as root on this client', true],
    [9, '', true],
    [28, '  You need to re-register.\n  ', true],
    [60, "Could not find token '1-nokey'", true],
    [71, 'no subscription', false],
    [21, '\n\tpadded both sides \n', true],
    [999, 'a code without a class text', true],
    [0, 'code zero', true],
    [0, '', false],
    [-1, 'Ignoring call for a __str__ method', false],
    [31, 'Service not enabled for system profile: "vm"', true],
  ];
  const expected = await pythonJson<[number, string][]>(
    String.raw`
import json, sys
a = json.loads(sys.stdin.read())
table = a['table']; Explain = a['explain']
def getxml(code, text, explain):
    s = "\n"
    if text: s += "Error Message:\n    %s\n" % text.strip()
    if code: s += "Error Class Code: %s\n" % code
    arrayText = table.get(str(code), '') if code else ''
    if arrayText: s += "Error Class Info: %s\n" % arrayText.rstrip()
    if explain: s += "Explanation: %s" % Explain
    return [1 if not code else -code, s]
print(json.dumps([getxml(*c) for c in a['cases']]))
`,
    [],
    JSON.stringify({ table: FAULT_CLASS_INFO, explain: EXPLANATION, cases }),
  );
  t.same(
    cases.map(([code, text, explain]) => [faultCodeFor(code), faultString(code, text, explain)]),
    expected,
  );
  const nine = new ClientFault(9, 'Please run rhn_register as root on this client').toWire();
  t.equal(nine.faultCode, -9);
  t.ok(nine.faultString.startsWith('\nError Message:\n    Please run rhn_register as root on this client\nError Class Code: 9\nError Class Info: Invalid System Credentials.\nExplanation: \n'));
});

t.test('GET fault headers: status, code, base64 in 76-character lines', async (t) => {
  const long = new ClientFault(17, `Invalid RPM package ${'x'.repeat(300)}-1.0-1.noarch.rpm requested`).toWire();
  const lines = await pythonJson<string[]>(
    'import json,sys,base64\nprint(json.dumps([l.strip() for l in base64.encodebytes(sys.stdin.read().encode()).decode().strip().split("\\n")]))',
    [],
    long.faultString,
  );
  const reply = getFaultReply(long);
  t.same(reply.headers['X-RHN-Fault-String'], lines, 'the lines of base64.encodestring, stripped');
  t.ok(lines.length > 3 && lines.slice(0, -1).every((l) => l.length === 76));
  t.equal(reply.headers['X-RHN-Fault-Code'], '-17');
  t.equal(Buffer.from(reply.headers['X-RHN-Fault-String'].join(''), 'base64').toString(), long.faultString, 'rpclib.reportError gets the text back');
  for (const row of ROWS) t.equal(getFaultReply(new ClientFault(row.code).toWire()).status, row.getStatus, `GET status of ${row.code} as §9 lists it`);
  t.equal(getFaultReply(unknownMethodFault('x', 'y').toWire()).status, 404, 'fault -1');
});

t.test("the dispatcher's faults", async (t) => {
  t.same(unknownMethodFault('foo.bar', 'class server.xmlrpc.foo is not defined (function = bar)').toWire(), {
    faultCode: -1,
    faultString: "While running 'foo.bar': caught\n<class 'spacewalk.server.apacheRequest.UnknownXML'> : Invalid request received (class server.xmlrpc.foo is not defined (function = bar)).\n",
  });
  t.same(argumentFault('registration.welcome_message', 'welcome_message() takes at most 2 arguments (3 given)').toWire(), {
    faultCode: 1,
    faultString: "While running 'registration.welcome_message': caught\n<type 'exceptions.TypeError'> : welcome_message() takes at most 2 arguments (3 given)\n",
  });
  t.same(strMethodFault().toWire(), { faultCode: -1, faultString: '\nError Message:\n    Ignoring call for a __str__ method\nError Class Code: -1\n' });
});

t.test('domain errors map to client faults in one table', async (t) => {
  const notFound: [Entity, number][] = [
    ['system', 9],
    ['channel', 40],
    ['activationkey', 60],
    ['user', 2],
    ['arch', 24],
    ['package', 17],
    ['erratum', 6],
    ['org', 6],
    ['role', 6],
    ['repo', 6],
  ];
  for (const [entity, code] of notFound) t.equal(domainFault(new NotFound(entity, 'k')).code, code, `NotFound ${entity} -> ${code}`);
  t.equal(domainFault(new NotFound('system', 1000010000)).text, 'Please run rhn_register as root on this client');
  t.equal(domainFault(new NotFound('activationkey', '1-nokey')).text, "Could not find token '1-nokey'");
  t.equal(domainFault(new NotFound('arch', 'sparc-foo')).text, "Architecture `sparc-foo' is not supported");
  const reasons: [string, number][] = [
    ['activationkey.usage_limit', 61],
    ['activationkey.settings', 62],
    ['activationkey.conflict', 63],
    ['channel.base', 70],
    ['channel.subscribe', 71],
    ['channel.already_subscribed', 38],
    ['channel.not_subscribed', 39],
    ['channel.unsubscribe_base', 72],
    ['system.entitlement', 90],
    ['system.disabled', 31],
    ['param', 21],
    ['constructor', 21],
  ];
  for (const [reason, code] of reasons) {
    t.equal(domainFault(new InvalidArgument(reason, 'm')).code, code, `InvalidArgument ${reason} -> ${code}`);
    t.equal(domainFault(new Conflict(reason, 'm')).code, code, `Conflict ${reason} -> ${code}`);
  }
  const bad = domainFault(new InvalidArgument('anything.else', 'the message'));
  t.equal(bad.code, 21);
  t.equal(bad.text, 'the message', 'the domain message becomes the specific text');
  t.equal(domainFault(new PermissionDenied()).code, 4);
  t.equal(domainFault(new AlreadyExists('system', 'name', 'x')).code, 21);
  t.same(faultFromError(new NotFound('system', 5)), new ClientFault(9, 'Please run rhn_register as root on this client').toWire());
  t.same(faultFromError(new RawClientFault(-1, 'x')), { faultCode: -1, faultString: 'x' });
  t.equal(faultFromError(new Error('boom')), null, 'anything else is not a fault (HTTP 500)');
  t.equal(faultFromError(new TypeError('x')), null);
});
