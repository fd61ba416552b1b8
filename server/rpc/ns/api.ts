// api.*: version probes (no session) and the introspection calls generated from the registry.
import { EXCEPTION_CLASS, fault } from '../faults.js';
import { method, paramType, type NamespaceDef, type Registry } from '../registry.js';

export const API_VERSION = '23';
export const SYSTEM_VERSION = '2.10';

const TYPE_WORD: Record<string, string> = { date: 'date', string: 'string', int: 'int', boolean: 'boolean', double: 'double', struct: 'struct', array: 'array', base64: 'base64' };

function returnWord(returns: string): string {
  if (returns.endsWith('[]')) return 'array';
  if (/^(int|string|boolean|date|double|base64|struct|array)/.test(returns)) return returns.split(/[ ({]/)[0]!.replace('dateTime', 'date');
  return 'struct';
}

/** `{ "<ns>.<method>_<t1>_<t2>": { name, parameters, exceptions, return } }` for one namespace. */
export function namespaceCallList(registry: Registry, nsName: string): Record<string, unknown> {
  const ns = registry.namespace(nsName);
  if (!ns) throw fault(-1, `Unknown namespace: ${nsName}`);
  const out: Record<string, unknown> = {};
  for (const m of ns.methods) {
    const words = [...(m.session ? ['string'] : []), ...m.params.map((p) => TYPE_WORD[paramType(p)]!)];
    out[[`${nsName}.${m.name}`, ...words].join('_')] = {
      name: m.name,
      parameters: words,
      exceptions: (m.faults ?? []).map((c) => EXCEPTION_CLASS[c] ?? 'com.redhat.rhn.FaultException'),
      return: returnWord(m.returns),
    };
  }
  return out;
}

export const apiNamespace: NamespaceDef = {
  namespace: 'api',
  handlerClass: 'ApiHandler',
  methods: [
    method('getVersion', [], 'string', () => API_VERSION, { session: false }),
    method('systemVersion', [], 'string', () => SYSTEM_VERSION, { session: false }),
    method('getApiNamespaces', [], 'struct', (ctx) => {
      const out: Record<string, string> = {};
      for (const ns of ctx.registry.allNamespaces()) out[ns.namespace] = ns.handlerClass;
      return out;
    }),
    method('getApiNamespaceCallList', ['string namespace'], 'struct', (ctx, ns: string) => namespaceCallList(ctx.registry, ns), { faults: [-1] }),
    method('getApiCallList', [], 'struct', (ctx) => {
      const out: Record<string, unknown> = {};
      for (const ns of ctx.registry.allNamespaces()) out[ns.namespace] = namespaceCallList(ctx.registry, ns.namespace);
      return out;
    }),
  ],
};
