// Capability negotiation (client-protocol.md 1.9): reading the client's X-RHN-Client-Capability
// header and the X-RHN-Server-Capability list Skylab advertises.

/** One client capability as sent: `name(version)=value`. */
export interface ClientCapability {
  name: string;
  /** the version text as sent ("2", "1-2") */
  versionText: string;
  /** the leading integer of the version, 0 when there is none (stored per system as an int) */
  version: number;
  value: string;
}

/** The client's capabilities by name; a later duplicate overwrites an earlier one. */
export type ClientCapabilities = ReadonlyMap<string, ClientCapability>;

export const NO_CAPABILITIES: ClientCapabilities = new Map();

// rhnCapability.set_client_capabilities: name up to "(", version up to ")", "=", value.
const ITEM = /^([^(]*)\(([^)]*)\)\s*=\s*([\s\S]*)$/;
// Python's str.strip(): ASCII whitespace.
const STRIP = /^[ \t\n\r\x0b\x0c]+|[ \t\n\r\x0b\x0c]+$/g;

// A fleet sends a handful of distinct headers: each is parsed once, and callers can tell an
// unchanged set by identity (the per-system capability store skips its work then).
const PARSED = new Map<string, ClientCapabilities>();
const MAX_PARSED = 1024;

/**
 * Parses the header as Node hands it over: one string (repeated header lines arrive joined with
 * ", "), an array of lines, or nothing. Items that do not match are ignored. The same header text
 * gives the same (read-only) map.
 */
export function parseClientCapabilities(header: string | readonly string[] | undefined): ClientCapabilities {
  if (header === undefined) return NO_CAPABILITIES;
  const text = typeof header === 'string' ? header : header.join('\n');
  let caps = PARSED.get(text);
  if (!caps) {
    caps = parseLines(typeof header === 'string' ? [header] : header);
    if (PARSED.size >= MAX_PARSED) PARSED.clear();
    PARSED.set(text, caps);
  }
  return caps;
}

function parseLines(lines: readonly string[]): ClientCapabilities {
  const caps = new Map<string, ClientCapability>();
  for (const line of lines) {
    for (const raw of line.split(',')) {
      const m = ITEM.exec(raw.replace(STRIP, ''));
      if (!m) continue;
      const name = m[1]!.replace(STRIP, '');
      const versionText = m[2]!.replace(STRIP, '');
      const leading = /^\d+/.exec(versionText);
      caps.set(name, { name, versionText, version: leading ? Math.min(Number(leading[0]), 2147483647) : 0, value: m[3]!.replace(STRIP, '') });
    }
  }
  return caps;
}

/** The version of a capability the client announced, or null when it did not. */
export function capabilityVersion(caps: ClientCapabilities, name: string): number | null {
  const cap = caps.get(name);
  return cap ? cap.version : null;
}

/** packages.update version > 1: action payloads and errata.getErrataInfo carry the arch (6.5). */
export function sendsPackageArch(caps: ClientCapabilities): boolean {
  return (capabilityVersion(caps, 'packages.update') ?? 0) > 1;
}

/** packages.extended_profile version >= 2: package lists arrive as structs (3.7). */
export function sendsExtendedProfile(caps: ClientCapabilities): boolean {
  return (capabilityVersion(caps, 'packages.extended_profile') ?? 0) >= 2;
}

// What Skylab implements from Spacewalk's list (rhnCapability._set_server_capabilities). Left out
// on purpose: register_osad (no push), extended_update_support (no EUS channels), abrt,
// rhncfg.*, applet.*, and the optional checksums/patch_names.
const SERVER_CAPABILITIES: readonly [name: string, version: string, value: number][] = [
  ['registration.finish_message', '1', 1],
  ['registration.remaining_subscriptions', '1', 1],
  ['registration.update_contact_info', '1', 1],
  ['registration.delta_packages', '1', 1],
  ['registration.smbios', '1', 1],
  ['registration.update_systemid', '1', 1],
  ['xmlrpc.packages.extended_profile', '1-2', 1],
  ['xmlrpc.login.extra_data', '1', 1],
  ['ipv6', '1', 1],
  ['cpu_sockets', '1', 1],
  ['staging_content', '1', 1],
];

/** The X-RHN-Server-Capability values, one header line each. */
export const SERVER_CAPABILITY_HEADERS: readonly string[] = Object.freeze(SERVER_CAPABILITIES.map(([n, v, x]) => `${n}(${v})=${x}`));
