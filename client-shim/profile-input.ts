// Uploaded package lists (client-protocol.md 3.7) as plain records: either wire shape per element,
// epochs normalised, duplicates folded, fault 21 on anything that is not a package list. Hardware
// lists (3.6) live in hardware-input.ts and are re-exported here.
import { ClientFault } from './faults.js';

export { cleanseIpv4, normaliseHardwareList, type HardwareRecord, type NetInterface } from './hardware-input.js';

/** One installed package as a system reports it; the profile key is (n, v, r, e, a). */
export interface ProfilePackage {
  name: string;
  /** '' when none (also for '(none)' and a missing epoch) */
  epoch: string;
  version: string;
  release: string;
  /** '' when the client sent none */
  arch: string;
  /** Unix seconds; null when the client did not say */
  installtime: number | null;
}

export interface PackageDelta {
  added: ProfilePackage[];
  deleted: ProfilePackage[];
}

type Struct = { [key: string]: unknown };

const isStruct = (v: unknown): v is Struct => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v);

function badPackage(what: string): ClientFault {
  return new ClientFault(21, `Invalid package list: ${what}`);
}

/** A scalar the client may send for a text field (Python would str() an int); null otherwise. */
function text(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function epochOf(v: unknown): string {
  if (v === undefined || v === null) return '';
  const t = text(v);
  if (t === null) throw badPackage('epoch is not a string');
  return t === '(none)' ? '' : t;
}

function installtimeOf(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d{1,12}$/.test(v.trim())) return Number(v.trim());
  return null;
}

function required(v: unknown, field: string): string {
  const t = text(v);
  if (t === null) throw badPackage(`${field} missing or not a string`);
  return t;
}

/** `{name, epoch, version, release, arch, installtime}` (extended_profile >= 2). */
function fromStruct(s: Struct): ProfilePackage {
  const name = required(s['name'], 'name');
  const arch = s['arch'] === undefined || s['arch'] === null ? '' : required(s['arch'], 'arch');
  return {
    name,
    epoch: epochOf(s['epoch']),
    version: required(s['version'], 'version'),
    release: required(s['release'], 'release'),
    arch,
    installtime: installtimeOf(s['installtime']),
  };
}

/** `[name, version, release, epoch[, arch[, cookie]]]` (older clients). */
function fromArray(a: readonly unknown[]): ProfilePackage {
  if (a.length < 4) throw badPackage('a package array has fewer than 4 elements');
  return {
    name: required(a[0], 'name'),
    version: required(a[1], 'version'),
    release: required(a[2], 'release'),
    epoch: epochOf(a[3]),
    arch: a.length > 4 && a[4] !== null ? required(a[4], 'arch') : '',
    installtime: null,
  };
}

/** The (n, v, r, e, a) profile key as one string. */
export function profileKey(p: ProfilePackage): string {
  return `${p.name}\u0000${p.version}\u0000${p.release}\u0000${p.epoch}\u0000${p.arch}`;
}

/** The packages argument of add/update/delete_packages; each element in either shape. */
export function normalisePackageList(value: unknown): ProfilePackage[] {
  if (!Array.isArray(value)) throw new ClientFault(21, 'Invalid package list: expected an array');
  const byKey = new Map<string, ProfilePackage>();
  for (const item of value) {
    let p: ProfilePackage;
    if (isStruct(item)) p = fromStruct(item);
    else if (Array.isArray(item)) p = fromArray(item);
    else throw badPackage('an element is neither a struct nor an array');
    if (p.name === '') throw badPackage('empty package name');
    const key = profileKey(p);
    const seen = byKey.get(key);
    // the same NEVRA twice: one row, with the installtime the client gave last
    if (!seen || p.installtime !== null) byKey.set(key, p);
  }
  return [...byKey.values()];
}

/** The argument of delta_packages: `{added, deleted}`, either may be missing. */
export function normalisePackageDelta(value: unknown): PackageDelta {
  if (!isStruct(value)) throw new ClientFault(21, 'Invalid package delta: expected a struct');
  return {
    added: value['added'] === undefined ? [] : normalisePackageList(value['added']),
    deleted: value['deleted'] === undefined ? [] : normalisePackageList(value['deleted']),
  };
}
