// Capability negotiation (client-protocol.md §1.9): the X-RHN-Client-Capability header as the
// recorded clients send it, parsed like a Python transcription of rhnCapability does (duplicates,
// junk, spacing), and exactly the server capabilities §1.9 says to send for what Skylab implements.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythonJson } from '../support/python.js';
import { SHARED } from '../support/server.js';
import { capabilityVersion, parseClientCapabilities, sendsExtendedProfile, sendsPackageArch, SERVER_CAPABILITY_HEADERS } from '../../client-shim/index.js';

/** Every X-RHN-Client-Capability value the recorded clients sent. */
const RECORDED = [
  ...new Set(
    readFileSync(join(SHARED, 'traces', 'rhnreg_ks-activationkey.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { http: { headers: Record<string, string> } }).http.headers['X-RHN-Client-Capability'])
      .filter((v): v is string => v !== undefined),
  ),
];

// rhnCapability.set_client_capabilities over the comma-split header, transcribed.
const ORACLE = String.raw`
import json, re, sys
regexp = re.compile(r"^(?P<name>[^(]*)\((?P<version>[^)]*)\)\s*=\s*(?P<value>.*)$")
out = []
for lines in json.loads(sys.stdin.read()):
    caps = {}
    for cap in ','.join(lines).split(','):
        mo = regexp.match(cap.strip())
        if not mo: continue
        d = mo.groupdict()
        caps[d['name'].strip()] = {'version': d['version'].strip(), 'value': d['value'].strip()}
    out.append(caps)
print(json.dumps(out))
`;

t.test('headers parse as rhnCapability parses them', async (t) => {
  t.ok(RECORDED.length >= 1, 'the recorded clients sent the header');
  const inputs: string[][] = [
    ...RECORDED.map((h) => [h]),
    // up2dateAuth.login adds the list a second time: Node joins repeated lines with ", "
    [`${RECORDED[0]}, ${RECORDED[0]}`],
    ['a(1)=1, a(2)=5', 'b(1)=x'],
    ['garbage,  z ( 3 ) = 4 , y(1=2, (7)=8, w(1)= , v(1-2)=1, packages.update(2)=2'],
    ['', ' , ,'],
    ['clientcert.update_client_cert(1)=1,configfiles.deploy(1)=1,script.run(1)=1'],
  ];
  const expected = await pythonJson<Record<string, { version: string; value: string }>[]>(ORACLE, [], JSON.stringify(inputs));
  inputs.forEach((lines, i) => {
    const ours = parseClientCapabilities(lines.length === 1 ? lines[0] : lines);
    t.same(
      Object.fromEntries([...ours.values()].map((c) => [c.name, { version: c.versionText, value: c.value }])),
      expected[i],
      JSON.stringify(lines).slice(0, 60),
    );
  });
  t.equal(parseClientCapabilities(undefined).size, 0, 'no header, no capabilities');
});

t.test('what the capabilities decide', async (t) => {
  const caps = parseClientCapabilities(RECORDED[0]);
  t.equal(capabilityVersion(caps, 'packages.update'), 2);
  t.equal(capabilityVersion(caps, 'packages.extended_profile'), 2);
  t.equal(capabilityVersion(caps, 'nope'), null);
  t.ok(sendsPackageArch(caps), 'rhn-client-tools 2.x: the arch goes into package tuples');
  t.ok(sendsExtendedProfile(caps));
  t.notOk(sendsPackageArch(parseClientCapabilities('packages.update(1)=1')));
  t.notOk(sendsPackageArch(parseClientCapabilities(undefined)));
  t.equal(capabilityVersion(parseClientCapabilities('x(1-2)=1'), 'x'), 1, 'a range counts by its first number');
  t.equal(capabilityVersion(parseClientCapabilities('x(abc)=1'), 'x'), 0);
});

t.test('the server capabilities are exactly what §1.9 says to send', async (t) => {
  t.same(
    [...SERVER_CAPABILITY_HEADERS].sort(),
    [
      'cpu_sockets(1)=1',
      'ipv6(1)=1',
      'registration.delta_packages(1)=1',
      'registration.finish_message(1)=1',
      'registration.remaining_subscriptions(1)=1',
      'registration.smbios(1)=1',
      'registration.update_contact_info(1)=1',
      'registration.update_systemid(1)=1',
      'staging_content(1)=1',
      'xmlrpc.login.extra_data(1)=1',
      'xmlrpc.packages.extended_profile(1-2)=1',
    ],
  );
  // the §1.9 table: every capability marked plain "SEND" is there, every "do NOT send" is not
  const spec = readFileSync(join(SHARED, 'docs', 'client-protocol.md'), 'utf8');
  const rows = spec.slice(spec.indexOf('What Spacewalk advertises'), spec.indexOf('## 2. The systemid')).split('\n').filter((l) => l.startsWith('| `'));
  const names = (cell: string): string[] => [...cell.matchAll(/`([^`(]+)\(/g)].map((m) => m[1]!);
  const ours = new Set(SERVER_CAPABILITY_HEADERS.map((h) => h.slice(0, h.indexOf('('))));
  for (const row of rows) {
    const [, capCell, , ourCell] = row.split('|').map((c) => c.trim());
    for (const name of names(capCell!)) {
      if (/^SEND\b/.test(ourCell!) && !/only if/.test(ourCell!)) t.ok(ours.has(name), `${name} is sent`);
      if (/do NOT send/.test(ourCell!)) t.notOk(ours.has(name), `${name} is not sent`);
    }
  }
  t.notOk(ours.has('registration.extended_update_support'), 'no EUS channels, so no EUS capability');
  t.ok(SERVER_CAPABILITY_HEADERS.includes('xmlrpc.packages.extended_profile(1-2)=1'), 'exactly 1-2');
  t.ok(Object.isFrozen(SERVER_CAPABILITY_HEADERS));
});
