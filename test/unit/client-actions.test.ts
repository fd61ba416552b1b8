// Action payloads (client-protocol.md §6.5) read back by Python's xmlrpc.client.loads, as rhn_check
// parses them, and compared byte for byte with xmlrpc.client.dumps(params, methodname=type);
// undeliverable actions as a distinct result; queue.submit's decision table (§6.3), with Python
// building the messages Spacewalk builds with str().
import t from 'tap';
import { pythonJson } from '../support/python.js';
import { ClientFault, decideSubmit, encodeAction, ENCODABLE_ACTION_TYPES, parseActionId, parseClientCapabilities, type EncodeContext } from '../../client-shim/index.js';

const NEW_CLIENT = parseClientCapabilities('caneatCheese(1)=1,packages.runTransaction(1)=1,packages.verify(1)=1,packages.extended_profile(2)=1,reboot.reboot(1)=1,packages.update(2)=2');
const OLD_CLIENT = parseClientCapabilities('packages.update(1)=1');
const ctx = (capabilities = NEW_CLIENT): EncodeContext => ({ actionId: 1234, serverId: 1000010000, capabilities });

// what rhn_check does with queue.get's `action` (__parse_action_data), plus Python's own writing of it
const LOADS = String.raw`
import json, sys, xmlrpc.client as x
out = []
for doc in json.loads(sys.stdin.read()):
    params, method = x.loads(doc)
    out.append({'method': method, 'params': params, 'same': x.dumps(params, methodname=method) == doc})
print(json.dumps(out))
`;
interface Loaded {
  method: string;
  params: unknown[];
  same: boolean;
}

function encoded(type: string, payload: unknown, c = ctx()): string {
  const r = encodeAction(type, payload, c);
  if (!r.ok) throw new Error(`${type} not encodable: ${r.reason}`);
  return r.methodCall;
}

t.test('every type decodes in Python to the parameters the client handler takes', async (t) => {
  const zsh = ['zsh', '5.0.2', '34.el7', '', 'x86_64'];
  const cases: [string, unknown, unknown[], EncodeContext?][] = [
    ['packages.update', { packages: [zsh, ['kernel', '', '', null, 'x86_64']] }, [[zsh, ['kernel', '', '', '', 'x86_64']]]],
    ['packages.update', { packages: [zsh] }, [[['zsh', '5.0.2', '34.el7', '', '']]], ctx(OLD_CLIENT)],
    ['packages.update', { packages: [{ name: 'a&b', version: '1<2', release: '>3', epoch: 1, arch: 'noarch' }] }, [[['a&b', '1<2', '>3', '1', 'noarch']]]],
    ['packages.remove', { packages: [zsh] }, [[zsh]]],
    ['packages.verify', { packages: [zsh] }, [[zsh]], ctx(OLD_CLIENT)],
    ['errata.update', { errata: [17, 2147483647] }, [[17, 2147483647]]],
    ['packages.refresh_list', {}, []],
    ['hardware.refresh_list', null, []],
    ['reboot.reboot', undefined, []],
    ['rhnsd.configure', { interval: 240, restart: true }, [240, 1]],
    [
      'packages.runTransaction',
      { packages: [[['b', '1', '1', '', 'noarch'], 'u'], [['z', '1', '1', '', 'noarch'], 'i'], [['a', '1', '1', '', 'noarch'], 'i'], [['y', '2', '1', '', 'x86_64'], 'e']] },
      [{ packages: [[['y', '2', '1', '', 'x86_64'], 'e'], [['a', '1', '1', '', 'noarch'], 'i'], [['z', '1', '1', '', 'noarch'], 'i'], [['b', '1', '1', '', 'noarch'], 'u']] }],
    ],
  ];
  const docs = cases.map(([type, payload, , c]) => encoded(type, payload, c));
  const loaded = await pythonJson<Loaded[]>(LOADS, [], JSON.stringify(docs));
  cases.forEach(([type, , params], i) => {
    t.equal(loaded[i]!.method, type, `${type}: the methodName is the type label`);
    t.same(loaded[i]!.params, params, `${type}: parameters`);
    t.ok(loaded[i]!.same, `${type}: byte-identical to xmlrpc.client.dumps`);
  });
  t.equal(
    docs[1],
    "<?xml version='1.0'?>\n<methodCall>\n<methodName>packages.update</methodName>\n<params>\n<param>\n<value><array><data>\n<value><array><data>\n<value><string>zsh</string></value>\n<value><string>5.0.2</string></value>\n<value><string>34.el7</string></value>\n<value><string></string></value>\n<value><string></string></value>\n</data></array></value>\n</data></array></value>\n</param>\n</params>\n</methodCall>\n",
    'the §6.2 example shape (arch empty for a client without packages.update 2)',
  );
  t.same([...ENCODABLE_ACTION_TYPES].sort(), cases.map(([type]) => type).filter((x, i, a) => a.indexOf(x) === i).sort(), 'every encodable type is covered');
});

t.test('actions that cannot be delivered are a result of their own, not an exception', async (t) => {
  const no = (type: string, payload: unknown): string => {
    const r = encodeAction(type, payload, ctx());
    if (r.ok) throw new Error(`${type} unexpectedly encoded`);
    return r.reason;
  };
  t.equal(no('packages.update', { packages: [] }), 'Packages scheduled in action 1234 for server 1000010000 could not be found.');
  t.equal(no('packages.remove', {}), 'Packages scheduled in action 1234 for server 1000010000 could not be found.');
  t.equal(no('errata.update', { errata: [] }), 'errata.update: Unknown action id 1234 for server 1000010000');
  t.equal(no('configfiles.deploy', {}), 'Could not get a valid method for configfiles.deploy', 'an unknown type');
  t.equal(no('toString', {}), 'Could not get a valid method for toString');
  t.match(no('errata.update', { errata: [2147483648] }), /int32/);
  t.match(no('errata.update', { errata: ['RHSA-1'] }), /int32/);
  t.match(no('packages.update', { packages: [['x']] }), /neither/);
  t.match(no('packages.update', { packages: [[{}, '1', '1', '']] }), /not text/);
  t.match(no('packages.runTransaction', { packages: [[['a', '1', '1', '', ''], 'x']] }), /transaction entry/);
  t.match(no('packages.runTransaction', 'junk'), /invalid packages.runTransaction action 1234/);
  t.match(no('rhnsd.configure', {}), /rhnsd/);
});

t.test('queue.submit decisions', async (t) => {
  const d = (actionType: string, result: unknown, extra: Partial<Parameters<typeof decideSubmit>[0]> = {}) => decideSubmit({ actionType, result, message: 'msg', data: {}, ...extra });
  t.same(d('packages.update', 0), { status: 2, resultCode: 0, message: 'msg', failDependants: false });
  t.same(d('packages.update', 32), { status: 3, resultCode: 32, message: 'msg', failDependants: true });
  t.same(d('errata.update', 39), { status: 2, resultCode: 39, message: 'msg', failDependants: false }, 'errata 39 is success');
  t.equal(d('packages.update', 39).status, 3, '39 is success for errata.update only');
  t.same(d('reboot.reboot', 0), { status: 1, resultCode: 0, message: 'msg', failDependants: false }, 'a reboot stays picked up');
  t.equal(d('reboot.reboot', 38).status, 3, 'a refused reboot fails');
  t.same(d('packages.update', [6]), { status: 3, resultCode: -1, message: 'msg [[6]]', failDependants: true }, "the clients' generic error path: (6,)");
  t.equal(d('packages.update', 0, { resultWireType: 'double' }).resultCode, -1, 'a double is not an int status');
  t.equal(d('packages.update', true).message, 'msg [True]');
  t.same(d('packages.update', { faultCode: 7, faultString: 'old client' }, { data: { a: 1 } }), { status: 3, resultCode: 7, message: "old client{'a': 1}", failDependants: true });
  t.equal(d('packages.update', 'x').message, 'msg [x]');
  t.equal(decideSubmit({ actionType: 'packages.update', result: 0 }).message, '', 'message and data may be missing');
  t.equal(d('packages.update', 0, { message: 'm'.repeat(2000) }).message.length, 1024);

  const cases = [
    { message: 'Update Succeeded', data: { missing_packages: [['zsh', '5.0.2', '34.el7', '', 'x86_64']] } },
    { message: "it's \"done\"", data: { missing_packages: ['a\\b', "o'k", 'tab\there'] } },
    { message: 'koan says', data: { koan: 'rebuilt' } },
    { message: 'both', data: { missing_packages: [], koan: 'ignored' } },
    { message: 'plain', data: { other: 1 } },
  ];
  const expected = await pythonJson<string[]>(
    String.raw`
import json, sys
out = []
for c in json.loads(sys.stdin.read()):
    message, data = c['message'], c['data']
    if 'missing_packages' in data: rmsg = "%s %s" % (message, "Missing-Packages: %s" % str(data['missing_packages']))
    elif 'koan' in data: rmsg = "%s: %s" % (message, data['koan'])
    else: rmsg = message
    out.append(rmsg)
print(json.dumps(out))
`,
    [],
    JSON.stringify(cases),
  );
  t.same(cases.map((c) => decideSubmit({ actionType: 'packages.update', result: 0, ...c }).message), expected, 'messages as Spacewalk builds them');
});

t.test('action ids as queue.submit reads them', async (t) => {
  t.equal(parseActionId(42), 42);
  t.equal(parseActionId(' 42 '), 42, "int(' 42 ')");
  t.equal(parseActionId(42.9), 42, 'int(42.9)');
  let fault: unknown;
  try {
    parseActionId('abc');
  } catch (err) {
    fault = err;
  }
  t.ok(fault instanceof ClientFault);
  t.equal((fault as ClientFault).code, 30);
  t.equal((fault as ClientFault).text, "Invalid action value type abc (<type 'str'>)");
  t.throws(() => parseActionId([1]), ClientFault);
});
