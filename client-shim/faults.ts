// Client-protocol faults (client-protocol.md 1.5, 5.5, 9): the class-code table, Spacewalk's
// faultString layout, the dispatcher's own faults, GET fault headers, and the one mapping of
// typed domain errors to client faults.
import { DomainError, type Entity, type NotFound } from '../channels/index.js';

/** A fault as it goes on the wire. */
export interface WireFault {
  faultCode: number;
  faultString: string;
}

/**
 * An application fault (Spacewalk's rhnFault): class code N from the table below, an optional
 * specific text, and the explanation paragraph unless `explain` is false. Sent as -N.
 */
export class ClientFault extends Error {
  constructor(
    readonly code: number,
    readonly text: string = '',
    readonly explain: boolean = true,
  ) {
    super(text || FAULT_CLASS_INFO[code]?.trim() || `client fault ${code}`);
    this.name = 'ClientFault';
  }

  toWire(): WireFault {
    return { faultCode: faultCodeFor(this.code), faultString: faultString(this.code, this.text, this.explain) };
  }
}

/** A fault whose code and text are given as they go out (dispatcher and argument faults). */
export class RawClientFault extends Error {
  constructor(
    readonly faultCode: number,
    readonly faultString: string,
  ) {
    super(faultString);
    this.name = 'RawClientFault';
  }

  toWire(): WireFault {
    return { faultCode: this.faultCode, faultString: this.faultString };
  }
}

// Spacewalk's FaultArray (backend/common/rhnException.py), client range. Texts that name Red Hat
// web pages or bug trackers are worded for Skylab; the multi-line ones keep Spacewalk's
// whitespace because the layout right-strips them only.
export const FAULT_CLASS_INFO: Readonly<Record<number, string>> = Object.freeze({
  1: 'This does not appear to be a valid username.',
  2: 'Invalid username and password combination.',
  3: 'This login is already taken, or the password is incorrect.',
  4: 'Permission denied.',
  6: 'Object not found.',
  8: 'Invalid System Digital ID.',
  9: 'Invalid System Credentials.',
  10: 'Could not retrieve user data from database.',
  11: 'Valid username required.',
  12: 'Valid password required.',
  13: 'Minimum username length violation.',
  14: 'Minimum password length violation.',
  15: 'The username contains invalid characters.',
  17: 'File not found.',
  19: 'Architecture and OS version combination is not supported.',
  20: 'Could not retrieve system data from database.',
  21: 'Invalid arguments passed to function.',
  22: 'Unable to retrieve requested entry.',
  23: 'Could not update database entry.',
  24: 'Unsupported server architecture.',
  28: '\n     The anonymous server functionality is no longer available.\n\n     Please re-register this system by running rhn_register\n     as root.\n     ',
  29: 'Record not available in the database.',
  30: 'Invalid value for entry.',
  31: '\n     This system does not have a valid entitlement for Skylab.\n     Please ask the administrator of this Skylab server to enable\n     the service for this system.\n     ',
  32: 'Channel error',
  33: 'Client session token is invalid.',
  34: 'Client session token has expired.',
  35: 'You are not authorized to retrieve the requested object.',
  36: 'Invalid action',
  37: 'You are not allowed to perform administrative tasks on this system.',
  38: 'The system is already subscribed to the specified channel.',
  39: 'The system is not currently subscribed to the specified channel.',
  40: 'The specified channel does not exist.',
  41: 'Invalid channel version.',
  50: 'Invalid information uploaded to the server',
  53: 'Error uploading network interfaces configuration.',
  60: '\n     The activation token specified could not be found on the server.\n     Please retry with a valid key.\n     ',
  61: 'Too many systems registered using this registration token',
  62: 'Token contains invalid, obsoleted or insufficient settings',
  63: 'Conflicting activation tokens',
  70: 'No matching base channel found for your system.',
  71: "\n     You do not have subscription permission to the designated channel.\n     Please refer to your organization's channel or organization\n     administrators for further details.\n     ",
  72: 'You can not unsubscribe from base channel.',
  73: 'Satellite or Proxy channel can not be subscribed.',
  80: 'There was an error while trying to join the system to its groups',
  90: 'Unable to entitle system',
  91: 'Registration token unable to entitle system: maximum membership exceeded',
  105: 'This system has been previously registered.',
  160: 'Required argument is missing',
  601: 'No entitlement information tied to hardware',
  602: 'Installation number is not entitling',
  700: 'Maximum username length violation',
  701: 'Maximum password length violation',
  800: 'System Name cannot be less than 1 character',
  1003: 'Spacewalk Proxy session token is invalid.',
  1004: 'Spacewalk Proxy session token has expired.',
  2001: 'Skylab\n      user creation is not allowed via rhn_register;\n     please contact your sysadmin to have your account created.\n     ',
});

/** The generic paragraph after "Explanation: " (Spacewalk's shape, Skylab's wording). */
export const EXPLANATION =
  '\n     An error has occurred while processing your request. If this problem\n' +
  '     persists please contact the administrator of this Skylab server.\n' +
  '     Please include details of what you were trying to do when this error\n' +
  '     occurred and details on how to reproduce this problem.\n';

// Python 2 str.strip()/rstrip() without arguments: ASCII whitespace only.
const PY_WS = '[ \\t\\n\\r\\x0b\\x0c]';
const STRIP = new RegExp(`^${PY_WS}+|${PY_WS}+$`, 'g');
const RSTRIP = new RegExp(`${PY_WS}+$`);

/** Class code N goes out as -N; code 0 as 1 (rhnFault.getxml). */
export function faultCodeFor(code: number): number {
  return code ? -code : 1;
}

/** rhnFault.getxml's faultString, byte for byte. */
export function faultString(code: number, text = '', explain = true): string {
  let s = '\n';
  if (text) s += `Error Message:\n    ${text.replace(STRIP, '')}\n`;
  if (code) s += `Error Class Code: ${code}\n`;
  const info = FAULT_CLASS_INFO[code];
  if (info) s += `Error Class Info: ${info.replace(RSTRIP, '')}\n`;
  if (explain) s += `Explanation: ${EXPLANATION}`;
  return s;
}

/** The fault Spacewalk's handlers raise for a bad, unknown, tampered or deleted systemid. */
export function invalidSystemFault(): ClientFault {
  return new ClientFault(9, 'Please run rhn_register as root on this client');
}

// apacheRequest.call_function reports exceptions as "While running '<m>': caught\n<class> : <value>\n".
const UNKNOWN_XML = "<class 'spacewalk.server.apacheRequest.UnknownXML'>";
const TYPE_ERROR = "<type 'exceptions.TypeError'>";

function caught(method: string, exceptionClass: string, detail: string): string {
  return `While running '${method}': caught\n${exceptionClass} : ${detail}\n`;
}

/** Fault -1 for a method the dispatcher cannot resolve; `detail` is UnknownXML's argument. */
export function unknownMethodFault(method: string, detail: string): RawClientFault {
  return new RawClientFault(-1, caught(method, UNKNOWN_XML, `Invalid request received (${detail}).`));
}

/** Fault 1 for a call with the wrong number or types of arguments (a Python TypeError). */
export function argumentFault(method: string, detail: string): RawClientFault {
  return new RawClientFault(1, caught(method, TYPE_ERROR, detail));
}

/** `<namespace>.__str__` calls (apachePOST.method_ref): -1, the rhnFault layout without explanation. */
export function strMethodFault(): RawClientFault {
  return new RawClientFault(-1, faultString(-1, 'Ignoring call for a __str__ method', false));
}

const GET_UNAUTHORIZED = new Set([33, 34, 35, 37, 39, 41]);

export interface GetFaultReply {
  status: 401 | 404;
  headers: { 'X-RHN-Fault-Code': string; 'X-RHN-Fault-String': string[] };
}

/** How a GET carries a fault (GetHandler.response): status, the code, and the base64 text in 76-char lines. */
export function getFaultReply(fault: WireFault): GetFaultReply {
  const b64 = Buffer.from(fault.faultString, 'utf8').toString('base64');
  const lines = b64.match(/.{1,76}/g) ?? [''];
  return {
    status: GET_UNAUTHORIZED.has(Math.abs(fault.faultCode)) ? 401 : 404,
    headers: { 'X-RHN-Fault-Code': String(fault.faultCode), 'X-RHN-Fault-String': lines },
  };
}

// ---- typed domain errors -> client faults: the one table for /XMLRPC ----

// Entities without an entry here are fault 6 ("Object not found.").
const NOT_FOUND: Partial<Record<Entity, (e: NotFound) => ClientFault>> = {
  system: () => invalidSystemFault(),
  channel: (e) => new ClientFault(40, `Channel ${e.key} does not exist`),
  activationkey: (e) => new ClientFault(60, `Could not find token '${e.key}'`),
  user: () => new ClientFault(2),
  arch: (e) => new ClientFault(24, `Architecture \`${e.key}' is not supported`),
  package: (e) => new ClientFault(17, `Invalid RPM package ${e.key} requested`),
};

/** InvalidArgument/Conflict reasons with a client code of their own; others are fault 21. */
const REASON_CODES: Readonly<Record<string, number>> = {
  'activationkey.usage_limit': 61,
  // Spacewalk's token query skips disabled keys: they read as "Could not find token"
  'activationkey.disabled': 60,
  'activationkey.settings': 62,
  'activationkey.base_channel': 62,
  'activationkey.child_channel': 62,
  'activationkey.conflict': 63,
  'system.base_channel': 70,
  'system.child_channel': 32,
  'systemgroup.invalid': 80,
  'channel.base': 70,
  'channel.subscribe': 71,
  'channel.already_subscribed': 38,
  'channel.not_subscribed': 39,
  'channel.unsubscribe_base': 72,
  'system.entitlement': 90,
  'system.disabled': 31,
};

/** The client fault for a typed domain error. */
export function domainFault(err: DomainError): ClientFault {
  switch (err.kind) {
    case 'NotFound':
      return NOT_FOUND[(err as NotFound).entity]?.(err as NotFound) ?? new ClientFault(6);
    case 'PermissionDenied':
      return new ClientFault(4, err.message);
    case 'InvalidArgument':
    case 'Conflict': {
      const reason = (err as DomainError & { reason: string }).reason;
      return new ClientFault(Object.hasOwn(REASON_CODES, reason) ? REASON_CODES[reason]! : 21, err.message);
    }
    case 'AlreadyExists':
      return new ClientFault(21, err.message);
  }
}

/** Whatever a handler threw, as a wire fault; null for an unexpected error (HTTP 500). */
export function faultFromError(err: unknown): WireFault | null {
  if (err instanceof ClientFault || err instanceof RawClientFault) return err.toWire();
  if (err instanceof DomainError) return domainFault(err).toWire();
  return null;
}
