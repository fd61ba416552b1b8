// The /XMLRPC handler table and how a decoded call reaches a handler: method resolution, argument
// counts and error reporting as Spacewalk's apachePOST/call_function do it, without any HTTP.
import type { ClientCapabilities } from './capabilities.js';
import { argumentFault, faultFromError, strMethodFault, unknownMethodFault, type RawClientFault, type WireFault } from './faults.js';

/** The namespaces served on /XMLRPC (proxy, abrt, scap and servers are out of scope). */
export const CLIENT_NAMESPACES = ['registration', 'up2date', 'queue', 'errata'] as const;
export type ClientNamespaceName = (typeof CLIENT_NAMESPACES)[number];

/** What a handler learns about the request besides its arguments. */
export interface ClientCallContext {
  /** the method name as called, e.g. `queue.get` */
  method: string;
  /** X-RHN-Client-Capability of this request */
  capabilities: ClientCapabilities;
  /** the XML-RPC type each argument arrived as (`int`, `string`, `struct`, ...) */
  argTypes: readonly string[];
  remoteAddress: string;
}

/** One method: its Python argument counts (without self) and the handler. */
export interface ClientMethod {
  minArgs: number;
  maxArgs: number;
  /**
   * Returns the answer (never null/undefined: the clients treat None as a failed call), or throws
   * a ClientFault / RawClientFault / domain error; anything else becomes HTTP 500.
   */
  handler(ctx: ClientCallContext, args: readonly unknown[]): unknown;
}

export type ClientNamespace = Readonly<Record<string, ClientMethod>>;
export type ClientHandlerTable = Readonly<Partial<Record<ClientNamespaceName, ClientNamespace>>>;

/** A decoded call: method name and each parameter with its wire type. */
export interface ClientCall {
  methodName: string;
  params: readonly { type: string; value: unknown }[];
}

export type DispatchOutcome =
  /** `capabilities`: the method was found, so X-RHN-Server-Capability goes on the answer */
  | { kind: 'result'; value: unknown; capabilities: true }
  | { kind: 'fault'; fault: WireFault; capabilities: boolean }
  /** unexpected: logged, answered with HTTP 500 and no body */
  | { kind: 'error'; error: unknown; capabilities: true };

/** apachePOST.method_ref: the method, or the fault Spacewalk gives for the name. */
export function resolveMethod(table: ClientHandlerTable, name: string): ClientMethod | RawClientFault {
  if (name.endsWith('.__str__')) return strMethodFault();
  const dot = name.indexOf('.');
  if (dot < 0) return unknownMethodFault(name, `method '${name}' doesn't have a class and function`);
  const cls = name.slice(0, dot);
  const fn = name.slice(dot + 1);
  if (!cls || !fn) return unknownMethodFault(name, name);
  const ns = Object.hasOwn(table, cls) ? table[cls as ClientNamespaceName] : undefined;
  if (!ns) return unknownMethodFault(name, `class server.xmlrpc.${cls} is not defined (function = ${fn})`);
  const method = Object.hasOwn(ns, fn) ? ns[fn] : undefined;
  if (!method) return unknownMethodFault(name, `function: ${name} invalid`);
  return method;
}

/** Python 2's TypeError text for a bad argument count (self included in the numbers). */
function arityText(fn: string, m: ClientMethod, given: number): string | null {
  if (given >= m.minArgs && given <= m.maxArgs) return null;
  const fixed = m.minArgs === m.maxArgs;
  const [kind, n] = given < m.minArgs ? [fixed ? 'exactly' : 'at least', m.minArgs + 1] : [fixed ? 'exactly' : 'at most', m.maxArgs + 1];
  return `${fn}() takes ${kind} ${n} argument${n === 1 ? '' : 's'} (${given + 1} given)`;
}

/**
 * The context a handler gets. A class: its getter is on the prototype. Each evaluation of an
 * object literal with a getter makes a new accessor pair, which V8 allocates in the old generation;
 * it points to the new getter, whose closure held the request, so every request stayed alive
 * until the next full collection (~9 KB of every idle check-in promoted, --trace-gc-nvp).
 */
class CallContext implements ClientCallContext {
  readonly method: string;
  readonly capabilities: ClientCapabilities;
  readonly argTypes: readonly string[];

  constructor(
    call: ClientCall,
    private readonly outer: Omit<ClientCallContext, 'method' | 'argTypes'>,
  ) {
    this.method = call.methodName;
    this.capabilities = outer.capabilities;
    this.argTypes = call.params.map((p) => p.type);
  }

  /** read through, not copied: the route's remote address is lazy (getpeername) */
  get remoteAddress(): string {
    return this.outer.remoteAddress;
  }
}

/** Resolves and runs one call. */
export async function dispatchClientCall(
  table: ClientHandlerTable,
  call: ClientCall,
  ctx: Omit<ClientCallContext, 'method' | 'argTypes'>,
): Promise<DispatchOutcome> {
  const method = resolveMethod(table, call.methodName);
  if (!('handler' in method)) return { kind: 'fault', fault: method.toWire(), capabilities: false };
  const fn = call.methodName.slice(call.methodName.indexOf('.') + 1);
  const bad = arityText(fn, method, call.params.length);
  if (bad) return { kind: 'fault', fault: argumentFault(call.methodName, bad).toWire(), capabilities: true };
  try {
    const args = call.params.map((p) => p.value);
    const value = await method.handler(new CallContext(call, ctx), args);
    if (value === null || value === undefined) return { kind: 'error', error: new Error(`${call.methodName} returned nothing`), capabilities: true };
    return { kind: 'result', value, capabilities: true };
  } catch (err) {
    const fault = faultFromError(err);
    return fault ? { kind: 'fault', fault, capabilities: true } : { kind: 'error', error: err, capabilities: true };
  }
}
