// The systemid (client-protocol.md 2): the signed `<params>` document a registered client keeps
// and sends as the first argument of almost every call; building, checksumming and validating it.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { dumpParams, EmbeddedXmlError, loadParams, xmlSafe, type ReadValue } from './embedded-xmlrpc.js';
import { ClientFault, invalidSystemFault } from './faults.js';

/** The checksummed members, in the order Spacewalk lists them in `fields`. */
export const SYSTEMID_FIELDS = ['system_id', 'os_release', 'operating_system', 'architecture', 'username', 'type'] as const;

export const MAX_PROFILE_NAME = 128;
const MAX_SERVER_ID = 2147483647;

/** A new per-system secret: 64 lower-case hex characters. */
export function newSecret(): string {
  return randomBytes(32).toString('hex');
}

/** `ID-%09d` */
export function formatSystemId(serverId: number): string {
  return `ID-${String(serverId).padStart(9, '0')}`;
}

/** The server id in a system_id value (`ID-` + digits, or plain digits; leading zeros allowed), else null. */
export function parseServerId(value: string): number | null {
  const m = /^(?:ID-)?0*(\d{1,10})$/.exec(value);
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 1 && n <= MAX_SERVER_ID ? n : null;
}

/** "Initial Registration Parameters:..." as Spacewalk writes it at registration. */
export function initialDescription(operatingSystem: string, osRelease: string, architecture: string): string {
  return `Initial Registration Parameters:\nOS: ${operatingSystem}\nRelease: ${osRelease}\nCPU Arch: ${architecture}`;
}

/** A value as the checksum feeds it: text as-is, integers as str(), lists element by element. */
type FieldValue = ReadValue;

/**
 * checksum = hex(H(secret || v(f1) .. v(fn) || f1 .. fn)) with H = SHA-256, or MD5 for a legacy
 * 32-character secret; the secret is fed as its hex text. Null when a value cannot be fed (Spacewalk
 * would fail the call) or the secret has another length.
 */
export function systemIdChecksum(secret: string, fields: readonly string[], values: Readonly<Record<string, FieldValue>>): string | null {
  const algo = secret.length === 64 ? 'sha256' : secret.length === 32 ? 'md5' : null;
  if (!algo) return null;
  const h = createHash(algo).update(secret, 'utf8');
  for (const f of fields) {
    const v = values[f];
    if (typeof v === 'string') h.update(v, 'utf8');
    else if (typeof v === 'number' && Number.isInteger(v)) h.update(String(v), 'utf8');
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) for (const x of v as string[]) h.update(x, 'utf8');
    else return null;
  }
  for (const f of fields) h.update(f, 'utf8');
  return h.digest('hex');
}

export interface SystemIdInput {
  serverId: number;
  osRelease: string;
  /** the release package name (release_name at registration), e.g. redhat-release-server */
  operatingSystem: string;
  /** the arch string the client sent */
  architecture: string;
  /** login of the registering user ('' for activation keys without a creator) */
  username: string;
  profileName: string;
  /** default: the initial registration description */
  description?: string;
}

/**
 * The systemid document: `<?xml version="1.0"?>\n` + xmlrpclib.dumps((struct,)), members in the
 * order Spacewalk's Python 2 dict gives them, signed with the system's secret.
 */
export function buildSystemId(input: SystemIdInput, secret: string): string {
  if (!Number.isInteger(input.serverId) || input.serverId < 1 || input.serverId > MAX_SERVER_ID) throw new RangeError(`server id out of range: ${input.serverId}`);
  // The document cannot carry XML-forbidden characters; dropping them before signing keeps the
  // checksum true to what the client will send back.
  const clean = xmlSafe;
  const values: Record<string, string> = {
    system_id: formatSystemId(input.serverId),
    os_release: clean(input.osRelease),
    operating_system: clean(input.operatingSystem),
    architecture: clean(input.architecture),
    username: clean(input.username),
    type: 'REAL',
  };
  const checksum = systemIdChecksum(secret, SYSTEMID_FIELDS, values);
  if (checksum === null) throw new RangeError('a system secret is 64 (or legacy 32) characters long');
  const description = clean(input.description ?? initialDescription(values.operating_system!, values.os_release!, values.architecture!));
  const struct = {
    username: values.username!,
    operating_system: values.operating_system!,
    description,
    checksum,
    profile_name: Array.from(clean(input.profileName)).slice(0, MAX_PROFILE_NAME).join(''),
    system_id: values.system_id!,
    architecture: values.architecture!,
    os_release: values.os_release!,
    fields: [...SYSTEMID_FIELDS],
    type: 'REAL',
  };
  return `<?xml version="1.0"?>\n${dumpParams([struct])}`;
}

/** A systemid that passed the structural checks of 2.3 (not yet the checksum). */
export interface SystemIdDocument {
  serverId: number;
  /** every member except fields and checksum */
  attrs: Readonly<Record<string, ReadValue>>;
  fields: readonly string[];
  checksum: string;
}

/**
 * Steps 1-4 of 2.3: parse, require system_id and fields, every field a member, not ANONYMOUS
 * (fault 28), an id that parses. Anything else is fault 9.
 */
export function readSystemId(text: unknown): SystemIdDocument {
  if (typeof text !== 'string') throw invalidSystemFault();
  let s: ReadValue;
  try {
    const params = loadParams(text.trim());
    if (params.length === 0) throw invalidSystemFault();
    s = params[0]!;
  } catch (err) {
    if (err instanceof EmbeddedXmlError) throw invalidSystemFault();
    throw err;
  }
  if (typeof s !== 'object' || Array.isArray(s)) throw invalidSystemFault();
  const { fields, checksum, ...attrs } = s;
  if (!('system_id' in s) || !Array.isArray(fields) || !fields.every((f): f is string => typeof f === 'string' && f in s)) throw invalidSystemFault();
  if (typeof attrs['type'] === 'string' && attrs['type'].toUpperCase() === 'ANONYMOUS') {
    throw new ClientFault(28, 'You need to re-register your system with Skylab. Previously you have chosen to skip the creation of a system profile and this trial feature is no longer available now.');
  }
  const serverId = typeof attrs['system_id'] === 'string' ? parseServerId(attrs['system_id']) : null;
  if (serverId === null || typeof checksum !== 'string' || !fields.includes('system_id')) throw invalidSystemFault();
  return { serverId, attrs, fields, checksum };
}

/** Step 5: the checksum over the certificate's own fields list, compared in constant time. */
export function checksumMatches(doc: SystemIdDocument, secret: string): boolean {
  const expected = systemIdChecksum(secret, doc.fields, doc.attrs);
  if (expected === null || expected.length !== doc.checksum.length) return false;
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(doc.checksum, 'latin1'));
}

/** The secret of a system, or null when there is no such system. */
export type SecretLookup = (serverId: number) => string | null | undefined | Promise<string | null | undefined>;

/** Validates a systemid as every call taking one does (2.3); throws ClientFault 9 or 28. */
export async function validateSystemId(text: unknown, lookup: SecretLookup): Promise<SystemIdDocument> {
  const doc = readSystemId(text);
  const secret = await lookup(doc.serverId);
  if (typeof secret !== 'string' || !checksumMatches(doc, secret)) throw invalidSystemFault();
  return doc;
}
