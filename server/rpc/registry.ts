// The method tables of /rpc/api: each namespace file exports a NamespaceDef; one Registry
// wires them all and answers name lookups the way Spacewalk does (beanified, then by arity).
import type { Role, User } from '../../channels/index.js';
import type { Services } from '../services.js';
import type { WireType, XmlRpcValue } from '../xmlrpc/types.js';

/** Declared parameter types, as Spacewalk's API doc words them. */
export type ParamType = 'string' | 'int' | 'boolean' | 'double' | 'date' | 'struct' | 'array' | 'base64';

export interface CallContext {
  /** the logged-in user (absent for methods that take no session) */
  user: User;
  sessionKey: string;
  services: Services;
  /** the method's name as called, for messages */
  methodName: string;
  registry: Registry;
}

// Handlers receive decoded values already matched against their declared types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (ctx: CallContext, ...args: any[]) => unknown;

export interface MethodDef {
  name: string;
  /** declared parameters after the session key, e.g. ['string channelLabel', 'date startDate'] */
  params: string[];
  returns: string;
  /** false for api.getVersion, auth.login and friends */
  session: boolean;
  /** role every caller needs (checked before the handler runs) */
  role?: Role;
  /** fault codes the method documents (for getApiNamespaceCallList) */
  faults?: number[];
  handler: Handler;
}

export interface NamespaceDef {
  namespace: string;
  /** Spacewalk's handler class, shown by api.getApiNamespaces and in method-not-found faults */
  handlerClass: string;
  methods: MethodDef[];
}

export interface MethodOptions {
  role?: Role;
  faults?: number[];
  session?: boolean;
}

/** Terse constructor for table rows: `method('getDetails', ['int pid'], 'struct', handler, {faults: [-208]})`. */
export function method(name: string, params: string[], returns: string, handler: Handler, opts: MethodOptions = {}): MethodDef {
  const def: MethodDef = { name, params, returns, session: opts.session ?? true, handler };
  if (opts.role) def.role = opts.role;
  if (opts.faults) def.faults = opts.faults;
  return def;
}

export function paramType(spec: string): ParamType {
  const t = spec.split(' ')[0]!;
  if (t.endsWith('[]')) return 'array';
  if (t === 'dateTime' || t === 'date') return 'date';
  return t as ParamType;
}

/**
 * Spacewalk's StringUtil.beanify: trim, drop each character that is not a letter or digit and
 * upper-case the one after it (also after a leading `_`, as Java does).
 */
export function beanify(name: string): string {
  let out = '';
  let upper = false;
  for (const ch of name.trim()) {
    if (/[\p{L}\p{Nd}]/u.test(ch)) {
      out += upper ? ch.toUpperCase() : ch;
      upper = false;
    } else {
      upper = true;
    }
  }
  return out;
}

const isInt32 = (n: number): boolean => n >= -2147483648 && n <= 2147483647;

/** How well a decoded argument fits a declared type: exactly, after a Spacewalk-style coercion, or not. */
export function fits(declared: ParamType, wire: WireType, value: XmlRpcValue): 'exact' | 'coerce' | 'no' {
  switch (declared) {
    case 'string':
      if (wire === 'string' || wire === 'nil') return 'exact';
      return wire === 'int' || wire === 'i8' || wire === 'double' || wire === 'boolean' ? 'coerce' : 'no';
    case 'int':
      if (wire === 'int') return 'exact';
      if (wire === 'i8') return isInt32(Number(value)) ? 'coerce' : 'no';
      return wire === 'string' && /^[+-]?\d{1,10}$/.test(String(value).trim()) && isInt32(Number(String(value).trim())) ? 'coerce' : 'no';
    case 'boolean':
      if (wire === 'boolean') return 'exact';
      return wire === 'int' || wire === 'i8' || wire === 'string' ? 'coerce' : 'no';
    case 'double':
      if (wire === 'double') return 'exact';
      return wire === 'int' || wire === 'i8' ? 'coerce' : 'no';
    case 'date':
      return wire === 'dateTime' ? 'exact' : 'no';
    case 'struct':
      return wire === 'struct' ? 'exact' : 'no';
    case 'array':
      return wire === 'array' ? 'exact' : 'no';
    case 'base64':
      return wire === 'base64' ? 'exact' : 'no';
  }
}

/** Applies the coercion `fits` allowed (Translator's rules: int 1 -> true, "1"/"y"/"true" -> true). */
export function coerce(declared: ParamType, value: XmlRpcValue): XmlRpcValue {
  switch (declared) {
    case 'string':
      return typeof value === 'boolean' ? (value ? 'true' : 'false') : String(value);
    case 'int':
      return typeof value === 'string' ? Number(value.trim()) : value;
    case 'boolean':
      if (typeof value === 'number') return value === 1;
      if (typeof value === 'string') return ['1', 'y', 'true'].includes(value.trim().toLowerCase());
      return value;
    default:
      return value;
  }
}

export class Registry {
  private readonly namespaces = new Map<string, NamespaceDef>();
  private readonly byName = new Map<string, Map<string, MethodDef[]>>();

  constructor(defs: readonly NamespaceDef[]) {
    for (const ns of defs) this.add(ns);
  }

  add(ns: NamespaceDef): void {
    if (this.namespaces.has(ns.namespace)) throw new Error(`namespace ${ns.namespace} registered twice`);
    this.namespaces.set(ns.namespace, ns);
    const names = new Map<string, MethodDef[]>();
    for (const m of ns.methods) {
      const list = names.get(m.name) ?? [];
      list.push(m);
      names.set(m.name, list);
    }
    this.byName.set(ns.namespace, names);
  }

  namespace(name: string): NamespaceDef | undefined {
    return this.namespaces.get(name);
  }

  allNamespaces(): NamespaceDef[] {
    return [...this.namespaces.values()].sort((a, b) => a.namespace.localeCompare(b.namespace));
  }

  /** Overloads of `<ns>.<method>` (after beanifying), whatever their arity. */
  overloads(ns: string, methodName: string): MethodDef[] {
    return this.byName.get(ns)?.get(beanify(methodName)) ?? [];
  }
}

/** The Java class names Spacewalk reports for argument types in "Could not find method" faults. */
export const JAVA_CLASS: Record<WireType, string> = {
  string: 'java.lang.String',
  nil: 'java.lang.String',
  int: 'java.lang.Integer',
  i8: 'java.lang.Long',
  boolean: 'java.lang.Boolean',
  double: 'java.lang.Double',
  dateTime: 'java.util.Date',
  base64: '[B',
  struct: 'java.util.HashMap',
  array: 'java.util.ArrayList',
};
