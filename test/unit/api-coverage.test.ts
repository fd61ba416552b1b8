// Every tier-1 signature of admin-api.md §2.4 in the namespaces the server implements is
// registered with the same parameter types (read from the spec itself, not a copy of it).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from '../support/server.js';
import { createRegistry } from '../../server/rpc/namespaces.js';
import { paramType } from '../../server/rpc/registry.js';

// Methods that belong to later issues or that Spacewalk 2.10 no longer has.
const DEFERRED: Record<string, string[]> = {
  satellite: ['getCertificateExpirationDate'],
};

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '{' || ch === '(') depth++;
    if (ch === '}' || ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function specType(param: string): string {
  let p = param;
  while (/\{[^{}]*\}/.test(p)) p = p.replace(/\{[^{}]*\}/g, '');
  p = p.replace(/\([^)]*\)/g, '').trim();
  if (/\[\]/.test(p) || /^array/.test(p)) return 'array';
  const word = p.split(/\s+/)[0]!;
  if (word === 'dateTime') return 'date';
  if (word === 'struct') return 'struct';
  return word;
}

const doc = readFileSync(join(SHARED, 'docs', 'admin-api.md'), 'utf8');
const tier1 = doc.slice(doc.indexOf('### 2.4 Tier 1'), doc.indexOf('### 2.5'));
const registry = createRegistry();
const implemented = new Set(registry.allNamespaces().map((n) => n.namespace));

const sections = tier1.split(/^#### /m).slice(1);
for (const section of sections) {
  const ns = /^`([^`]+)`/.exec(section)![1]!;
  if (!implemented.has(ns)) continue;
  t.test(`tier-1 signatures of ${ns}`, async (t) => {
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    t.ok(rows.length > 0, 'the spec lists methods');
    for (const row of rows) {
      const m = /^\| `([A-Za-z]+)\((.*?)\)`/.exec(row);
      if (!m) continue;
      const name = m[1]!;
      if (DEFERRED[ns]?.includes(name)) continue;
      // A parameter documented with alternatives ("string[] channelLabels, or int[] ...") is one parameter.
      const params = splitTopLevel(m[2]!.replace(/, or [^,)]*\(deprecated\)/g, '')).filter((p) => p !== '');
      const types = params.map(specType);
      const found = registry.overloads(ns, name).some((d) => d.params.length === types.length && d.params.every((p, i) => paramType(p) === types[i]));
      t.ok(found, `${ns}.${name}(${types.join(', ')})`);
    }
  });
}
