// Pins /rpc/api's one error-to-fault table against admin-api.md §1.7 and §3.1: codes, texts, the
// `redstone.xmlrpc.XmlRpcFault: ` prefix, and unknown errors that become -1 and leak nothing.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import {
  AlreadyExists,
  Conflict,
  InvalidArgument,
  missingAttribute,
  NotFound,
  PermissionDenied,
  validateAdvisoryRelease,
  validateAdvisoryType,
  validateChannelLabel,
  validateChannelName,
  validateChecksumType,
  validateGpgKey,
  type Entity,
} from '../../channels/index.js';
import { FAULT_PREFIX, permissionFault, sessionFault, toFault } from '../../server/rpc/faults.js';
import { XmlRpcFault } from '../../server/xmlrpc/types.js';
import { ROOT, SHARED } from '../support/server.js';

// ---- the documented codes: §1.7's table and §3.1's inventory ----
const doc = readFileSync(join(SHARED, 'docs', 'admin-api.md'), 'utf8');
function section(title: string): string {
  const start = doc.indexOf(title);
  return doc.slice(start, doc.indexOf('\n### ', start + title.length));
}
const DOCUMENTED = new Set<number>();
for (const sec of [section('### 1.7 Faults'), section('### 3.1 Complete fault-code inventory')]) {
  for (const row of sec.split('\n').filter((l) => /^\|\s*\**-?\d/.test(l))) {
    const cell = row.split('|')[1]!.replace(/\*/g, '');
    for (const part of cell.split('/')) {
      const range = /(-?\d+)\s*[–-]\s*(\d+)/.exec(part.trim());
      if (range && !part.trim().startsWith('-')) for (let c = Number(range[1]); c <= Number(range[2]); c++) DOCUMENTED.add(c);
      else DOCUMENTED.add(Number(part.trim()));
    }
  }
}

function mapped(err: unknown): XmlRpcFault {
  return toFault(err).fault;
}
function thrown(f: () => void): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

t.test('the doc tables were read', async (t) => {
  for (const code of [-1, -23, -208, -209, -210, 1200, 1201, 1213, 1234, 2601, 2609, 2801, 2950, 1045]) t.ok(DOCUMENTED.has(code), `code ${code}`);
  t.notOk(DOCUMENTED.has(Number.NaN));
});

t.test('domain errors map to Spacewalk codes and texts (§1.7)', async (t) => {
  const cases: [string, unknown, number, RegExp | string][] = [
    ['NotFound channel', new NotFound('channel', 'base-el9'), -210, /^No such channel/],
    ['NotFound system', new NotFound('system', 1000010000), -208, /^No such system/],
    ['NotFound erratum', new NotFound('erratum', 'CESA-2024:0001'), -208, 'The errata CESA-2024:0001 cannot be found.'],
    ['NotFound foreign erratum', new NotFound('erratum', 'CESA-2024:0001', true), -209, "You don't have rights to access CESA-2024:0001 errata."],
    ['NotFound package', new NotFound('package', 42), -208, "The package '42' cannot be found."],
    ['NotFound user', new NotFound('user', 'bob'), -213, /^No such user/],
    ['NotFound org', new NotFound('org', 7), 2850, /org/i],
    ['NotFound role', new NotFound('role', 'king'), -2005, /role/],
    ['NotFound activation key', new NotFound('activationkey', '1-key'), -212, 'Activation Key [1-key] Not Found!'],
    ['NotFound repo', new NotFound('repo', 'epel'), 1213, 'No such repository: epel'],
    ['NotFound arch', new NotFound('arch', 'channel-vax'), -1, /^unhandled internal exception: /],
    ['AlreadyExists erratum', new AlreadyExists('erratum', 'advisory_name', 'CESA-2024:0001'), 2601, 'Errata already exists with advisory CESA-2024:0001'],
    ['AlreadyExists channel label', new AlreadyExists('channel', 'label', 'base-el9'), 1201, "The channel label 'base-el9' is already in use, please enter a different name"],
    ['AlreadyExists channel name', new AlreadyExists('channel', 'name', 'Base EL9'), 1200, "The channel name 'Base EL9' is already in use, please enter a different name"],
    ['AlreadyExists activation key', new AlreadyExists('activationkey', 'key', '1-k'), 1090, 'activation_key_already_exists'],
    ['PermissionDenied', new PermissionDenied(), -23, 'You do not have permissions to perform this action.'],
    ['PermissionDenied with role', new PermissionDenied('channel_admin'), -23,
      'You do not have permissions to perform this action. You need to have at least a Channel Administrator role to perform this action'],
    ['PermissionDenied org_admin', new PermissionDenied('org_admin'), -23, /at least a Organization Administrator role/],
    ['bad channel label', thrown(() => validateChannelLabel('X')), 1201, /label/i],
    ['bad channel name', thrown(() => validateChannelName('1')), 1200, /name/i],
    ['bad checksum', thrown(() => validateChecksumType('md4')), 1210, /checksum/i],
    ['bad GPG URL', thrown(() => validateGpgKey({ url: 'not a url' })), 1207, /GPG/],
    ['bad GPG id', thrown(() => validateGpgKey({ id: 'xyz' })), 1208, /GPG/],
    ['bad GPG fingerprint', thrown(() => validateGpgKey({ fingerprint: 'xyz' })), 1209, /fingerprint/i],
    ['bad advisory type', thrown(() => validateAdvisoryType('Bogus')), 1062, /^Invalid errata type, "Bogus"\. Please use one of /],
    ['bad advisory release', thrown(() => validateAdvisoryRelease(100_000)), 1070, /release/i],
    ['missing erratum attribute', missingAttribute('synopsis'), 2609, 'A required errata attribute (synopsis) was missing.'],
    ['unknown struct keys', new InvalidArgument('args', 'Invalid argument(s): foo'), 2801, 'Invalid argument(s): foo'],
    ['channel with children', new Conflict('channel.delete', 'Channel x has child channels'), 1234, 'Channel x has child channels'],
  ];
  for (const [name, err, code, text] of cases) {
    const f = mapped(err);
    t.equal(f.faultCode, code, `${name}: code ${code}`);
    t.ok(f.faultString.startsWith(FAULT_PREFIX), `${name}: prefixed`);
    const message = f.faultString.slice(FAULT_PREFIX.length);
    if (typeof text === 'string') t.equal(message, text, `${name}: text`);
    else t.match(message, text, `${name}: text`);
    t.ok(DOCUMENTED.has(code), `${name}: ${code} is a documented code`);
    t.equal(toFault(err).unexpected, false, `${name}: an expected fault`);
  }
  t.equal(FAULT_PREFIX, 'redstone.xmlrpc.XmlRpcFault: ');
});

t.test('every entity a NotFound can name has a fault', async (t) => {
  const entities: Entity[] = ['channel', 'package', 'erratum', 'user', 'org', 'role', 'system', 'activationkey', 'repo', 'arch'];
  for (const e of entities) {
    const f = mapped(new NotFound(e, 'k'));
    t.ok(DOCUMENTED.has(f.faultCode), `${e} -> ${f.faultCode}`);
    t.ok(e === 'arch' || f.faultCode !== -1, `${e} has its own code`);
  }
});

// Every domain error raised where /rpc/api handlers reach (channels/, server/rpc/) is in the table.
t.test('every domain error the handlers can raise maps to a documented code', async (t) => {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(join(ROOT, 'channels'));
  walk(join(ROOT, 'server', 'rpc'));
  const found: { where: string; err: unknown }[] = [];
  for (const file of files) {
    const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && ['InvalidArgument', 'Conflict', 'AlreadyExists', 'NotFound'].includes(node.expression.text)) {
        const lits = (node.arguments ?? []).map((a) => (ts.isStringLiteral(a) ? a.text : undefined));
        const where = `${file.slice(ROOT.length + 1)}:${src.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
        const kind = node.expression.text;
        if (lits[0] === undefined) {
          if (!file.endsWith('errors.ts')) t.fail(`${where}: ${kind} with a computed first argument cannot be checked`);
        } else if (kind === 'InvalidArgument') found.push({ where, err: new InvalidArgument(lits[0], 'm') });
        else if (kind === 'Conflict') found.push({ where, err: new Conflict(lits[0], 'm') });
        else if (kind === 'NotFound') found.push({ where, err: new NotFound(lits[0] as Entity, 'k') });
        else found.push({ where, err: new AlreadyExists(lits[0] as Entity, lits[1] ?? '?', 'v') });
      }
      ts.forEachChild(node, visit);
    };
    visit(src);
  }
  t.ok(found.length > 30, `${found.length} domain errors found in the source`);
  for (const { where, err } of found) {
    const f = mapped(err);
    // -1 on purpose, as Spacewalk: an unknown arch label, and a login already taken (user.create).
    const deliberateMinusOne =
      (err instanceof InvalidArgument && err.reason === 'channel.arch') ||
      (err instanceof NotFound && err.entity === 'arch') ||
      (err instanceof AlreadyExists && err.entity === 'user');
    if (!deliberateMinusOne && f.faultCode === -1) t.fail(`${where}: ${(err as Error).constructor.name} falls through to -1`);
    if (!DOCUMENTED.has(f.faultCode)) t.fail(`${where}: code ${f.faultCode} is not in admin-api.md`);
  }
});

t.test('faults pass through; unknown errors become -1 and leak nothing', async (t) => {
  const own = new XmlRpcFault(2950, 'redstone.xmlrpc.XmlRpcFault: Either the password or username is incorrect.');
  t.equal(mapped(own), own, 'an XmlRpcFault is passed through unchanged');
  const secrets: unknown[] = [
    new Error('SQLITE_CONSTRAINT: UNIQUE constraint failed: users.password_hash=secret-hash'),
    new TypeError("Cannot read properties of undefined (reading 'secret-field')"),
    new RangeError('secret-range'),
    'a thrown secret string',
    { kind: 'NotFound', entity: 'channel', key: 'secret-duck', message: 'secret-duck' },
    null,
    undefined,
  ];
  for (const err of secrets) {
    const { fault, unexpected } = toFault(err);
    t.equal(fault.faultCode, -1);
    t.equal(unexpected, true, 'flagged for the log');
    t.equal(fault.faultString, 'redstone.xmlrpc.XmlRpcFault: unhandled internal exception: Internal server error (logged on the server)');
    t.notMatch(fault.faultString, /secret|SQLITE|undefined/);
  }
});

t.test('session and dispatch faults carry Java exception names, not the prefix', async (t) => {
  const s = sessionFault(123);
  t.equal(s.faultCode, -1);
  t.equal(s.faultString, 'com.redhat.rhn.common.hibernate.LookupException: Could not find session with id: 123');
  t.notOk(s.faultString.startsWith(FAULT_PREFIX));
  const p = permissionFault('satellite_admin');
  t.equal(p.faultString, `${FAULT_PREFIX}You do not have permissions to perform this action. You need to have at least a Satellite Administrator role to perform this action`);
  t.equal(permissionFault('no_such_role').faultString, `${FAULT_PREFIX}You do not have permissions to perform this action.`);
});
