// Dispatches one decoded /rpc/api call as Spacewalk's BaseHandler does: namespace at the last
// dot, beanified method name, overloads by arity then argument types (with a fixed set of
// coercions), session check, read-only and role checks, then the handler; the session slides.
import type { User } from '../../channels/index.js';
import { hasRole } from '../../channels/index.js';
import type { Services } from '../services.js';
import type { MethodCall, Param, XmlRpcValue } from '../xmlrpc/types.js';
import { fault, permissionFault, rawFault, sessionFault, toFault } from './faults.js';
import { beanify, coerce, fits, JAVA_CLASS, paramType, type MethodDef, type ParamType, type Registry } from './registry.js';

// Parsed once per method: overload selection runs on every call.
const declaredCache = new WeakMap<MethodDef, ParamType[]>();
function declaredTypes(def: MethodDef): ParamType[] {
  let types = declaredCache.get(def);
  if (!types) declaredCache.set(def, (types = def.params.map(paramType)));
  return types;
}

const READ_ONLY_ALLOWED = /^(list|get|is|find)/;

export interface DispatchResult {
  ok: boolean;
  value?: unknown;
  fault?: import('../xmlrpc/types.js').XmlRpcFault;
  /** set when the error was not an expected fault (logged with its stack by the caller) */
  error?: unknown;
}

// Spacewalk names the handler's Java class (its package is the namespace) and the beanified method.
function methodNotFound(call: MethodCall, nsName: string, handlerClass: string, method: string): ReturnType<typeof fault> {
  const classes = call.params.map((p) => JAVA_CLASS[p.type]).join(', ');
  return fault(-1, `Could not find method: ${beanify(method)} in class: com.redhat.rhn.frontend.xmlrpc.${nsName}.${handlerClass} with params: [${classes}]`);
}

// How far a coercion strays: i8 -> int stays a number, int -> string does not. The overload
// needing the least straying wins (channel.software.getDetails(i8) is the int overload).
function coercionCost(declared: string, wire: string): number {
  const numeric = (t: string): boolean => t === 'int' || t === 'i8' || t === 'double';
  return numeric(declared) && numeric(wire) ? 1 : 2;
}

/** Picks the overload whose declared types take these arguments: exact matches first, then the fewest coercions. */
function selectOverload(candidates: MethodDef[], args: Param[]): { def: MethodDef; values: XmlRpcValue[] } | null {
  let best: { def: MethodDef; cost: number } | null = null;
  for (const def of candidates) {
    const declared = declaredTypes(def);
    let cost = 0;
    for (let i = 0; i < declared.length && cost !== Infinity; i++) {
      const f = fits(declared[i]!, args[i]!.type, args[i]!.value);
      cost += f === 'exact' ? 0 : f === 'coerce' ? coercionCost(declared[i]!, args[i]!.type) : Infinity;
    }
    if (cost !== Infinity && (best === null || cost < best.cost)) best = { def, cost };
  }
  if (!best) return null;
  const declared = declaredTypes(best.def);
  return { def: best.def, values: args.map((a, i) => coerce(declared[i]!, a.value)) };
}

export async function dispatch(call: MethodCall, services: Services, registry: Registry): Promise<DispatchResult> {
  const dot = call.methodName.lastIndexOf('.');
  const nsName = dot > 0 ? call.methodName.slice(0, dot) : '';
  const method = call.methodName.slice(dot + 1);
  const ns = registry.namespace(nsName);
  if (!ns) return { ok: false, fault: fault(-1, `The specified handler cannot be found: ${nsName || call.methodName}`) };
  const argc = call.params.length;
  const candidates = registry.overloads(nsName, method).filter((d) => d.params.length + (d.session ? 1 : 0) === argc);
  if (candidates.length === 0) return { ok: false, fault: methodNotFound(call, nsName, ns.handlerClass, method) };

  let user: User | undefined;
  let sessionId: number | undefined;
  let args = call.params;
  const needsSession = candidates.every((c) => c.session);
  if (needsSession) {
    const first = call.params[0]!;
    if (first.type !== 'string' && first.type !== 'nil') return { ok: false, fault: methodNotFound(call, nsName, ns.handlerClass, method) };
    const check = services.sessions.check(String(first.value));
    if (!check.ok) return { ok: false, fault: sessionFault(check.id) };
    user = check.user;
    sessionId = check.sessionId;
    args = call.params.slice(1);
  }
  try {
    const chosen = selectOverload(needsSession ? candidates : candidates.filter((c) => !c.session), args);
    if (!chosen) return { ok: false, fault: methodNotFound(call, nsName, ns.handlerClass, method) };
    const { def, values } = chosen;
    if (user) {
      if (user.readOnly && !READ_ONLY_ALLOWED.test(def.name)) {
        return { ok: false, fault: rawFault(-1, `java.lang.SecurityException: The ${def.name} API is not available to read-only API users`) };
      }
      if (def.role && !hasRole(user, def.role)) {
        return { ok: false, fault: permissionFault(def.role) };
      }
    }
    const ctx = {
      // Sessionless methods (api.getVersion, auth.login) never read the user.
      user: user as User,
      sessionKey: needsSession ? String(call.params[0]!.value) : '',
      services,
      methodName: `${nsName}.${def.name}`,
      registry,
    };
    const value = await def.handler(ctx, ...values);
    if (value === undefined || value === null) throw new Error(`${nsName}.${def.name} returned nothing`);
    return { ok: true, value };
  } catch (err) {
    const { fault: f, unexpected } = toFault(err);
    return unexpected ? { ok: false, fault: f, error: err } : { ok: false, fault: f };
  } finally {
    if (sessionId !== undefined) services.sessions.touch(sessionId);
  }
}
