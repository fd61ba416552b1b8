// Uploaded hardware lists (client-protocol.md 3.6) as plain records: keys read case-insensitively,
// each known class reduced to the fields Skylab keeps, NETINTERFACES checked (fault 53), unknown
// classes dropped, and nothing the clients send makes the call fail with a 500.
import { ClientFault } from './faults.js';

/** One hardware item: its class (upper case) and the fields kept for it. */
export interface HardwareRecord {
  class: string;
  data: Record<string, unknown>;
}

export interface NetInterface {
  name: string;
  hwaddr: string;
  module: string;
  ipaddr: string;
  netmask: string;
  broadcast: string;
  ipv6: { address: string; netmask: string; scope: string }[];
}

type Struct = { [key: string]: unknown };

const isStruct = (v: unknown): v is Struct => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v);

const DEVICE_CLASSES = new Set([
  'VIDEO', 'AUDIO', 'AUDIO_HD', 'USB', 'OTHER', 'HD', 'FLOPPY', 'MOUSE', 'MODEM', 'NETWORK', 'CDROM', 'SCSI',
  'UNSPEC', 'SCANNER', 'TAPE', 'CAPTURE', 'RAID', 'SOCKET', 'KEYBOARD', 'PRINTER', 'FIREWIRE', 'IDE',
]);

/** Scalars as text, trimmed and unquoted as Spacewalk's Device class does; other values as ''. */
function str(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') return '';
  const t = v.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

function int(v: unknown, fallback: number): number {
  const t = str(v);
  return /^-?\d{1,12}$/.test(t) ? Number(t) : fallback;
}

/** 127.00.00.01 -> 127.0.0.1 (kudzu padded octets). */
export function cleanseIpv4(v: unknown): string {
  const t = str(v);
  return t === '' ? '' : t.split('.').map((x) => x.replace(/^0+/, '') || '0').join('.');
}

function cpu(k: Struct): Record<string, unknown> {
  const count = int(k['count'], 1);
  return {
    arch: str(k['platform']),
    count: count === 0 ? 1 : count,
    socket_count: k['socket_count'] === undefined ? null : int(k['socket_count'], 0),
    vendor: str(k['type']),
    model: str(k['model']),
    family: str(k['model_number']),
    version: str(k['model_ver'] ?? k['model_version']),
    stepping: str(k['model_rev']),
    cache: str(k['cache']),
    bogomips: str(k['bogomips']),
    flags: str(k['other']),
    mhz: str(k['speed']),
  };
}

/** MiB counts; a trailing L (Python 2 longs) is dropped, missing values are -1. */
function memory(k: Struct): Record<string, unknown> {
  const mib = (v: unknown): number => int(str(v).replace(/L$/, ''), -1);
  return { ram: mib(k['ram']), swap: mib(k['swap']) };
}

function requiredField(info: Struct, keys: readonly string[]): string {
  const k = keys.find((x) => x in info);
  if (k === undefined) throw new ClientFault(53, `Unable to find required field ${keys[keys.length - 1]}`);
  return str(info[k]);
}

function ipv6Addresses(name: string, list: unknown): NetInterface['ipv6'] {
  if (list === undefined || list === null || list === '') return [];
  if (!Array.isArray(list)) throw new ClientFault(53, `Unexpected format for interface ${name}`);
  return list.map((a) => {
    if (!isStruct(a)) throw new ClientFault(53, `Unexpected format for interface ${name}`);
    return { address: requiredField(a, ['address', 'addr']), netmask: requiredField(a, ['netmask']), scope: requiredField(a, ['scope']) };
  });
}

/** One member per interface (plus `class`); each needs hwaddr and module (fault 53). */
function netInterfaces(item: Struct): Record<string, unknown> {
  const interfaces: NetInterface[] = [];
  for (const [name, info] of Object.entries(item)) {
    if (name.toLowerCase() === 'class') continue;
    if (!isStruct(info)) throw new ClientFault(53, `Unexpected format for interface ${name}`);
    interfaces.push({
      name,
      hwaddr: requiredField(info, ['hw_addr', 'hwaddr']),
      module: requiredField(info, ['module']),
      ipaddr: cleanseIpv4(info['ipaddr']),
      netmask: cleanseIpv4(info['netmask']),
      broadcast: cleanseIpv4(info['broadcast']),
      ipv6: ipv6Addresses(name, info['ipv6']),
    });
  }
  return { interfaces };
}

function pick(k: Struct, fields: Readonly<Record<string, string>>, limit = Infinity): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [to, from] of Object.entries(fields)) out[to] = Array.from(str(k[from])).slice(0, limit).join('');
  return out;
}

const DMI = { vendor: 'vendor', system: 'system', product: 'product', asset: 'asset', board: 'board', bios_vendor: 'bios_vendor', bios_version: 'bios_version', bios_release: 'bios_release' };
const INSTALL = { install_method: 'installmethod', iso_status: 'isostatus', mediasum: 'mediasum' };
const DEVICE = { bus: 'bus', device: 'device', driver: 'driver', detached: 'detached', description: 'desc', pcitype: 'pcitype', prop1: 'prop1', prop2: 'prop2', prop3: 'prop3', prop4: 'prop4' };
const NETINFO = { hostname: 'hostname', ip6addr: 'ip6addr' };

function record(cls: string, item: Struct, k: Struct): Record<string, unknown> | null {
  switch (cls) {
    case 'CPU':
      return cpu(k);
    case 'MEMORY':
      return memory(k);
    case 'NETINFO':
      return { ...pick(k, NETINFO), ipaddr: cleanseIpv4(k['ipaddr']) };
    case 'NETINTERFACES':
      return netInterfaces(item);
    case 'DMI':
      return pick(k, DMI, 256);
    case 'INSTALLINFO':
      return pick(k, INSTALL);
    default:
      return DEVICE_CLASSES.has(cls) ? pick(k, DEVICE) : null;
  }
}

/** The hwlist argument of add_hw_profile / refresh_hw_profile. */
export function normaliseHardwareList(value: unknown): HardwareRecord[] {
  if (!Array.isArray(value)) throw new ClientFault(21, 'Invalid hardware list: expected an array');
  const out: HardwareRecord[] = [];
  for (const item of value) {
    if (item === '' || item === 0 || item === false) continue;
    if (!isStruct(item)) throw new ClientFault(21, 'Invalid hardware list: an item is not a struct');
    // keys compare case-insensitively (Spacewalk wraps each item in a UserDictCase)
    const k: Struct = Object.create(null) as Struct;
    for (const [key, v] of Object.entries(item)) k[key.toLowerCase()] = v;
    if (typeof k['class'] !== 'string') continue;
    const cls = k['class'].toUpperCase();
    const data = record(cls, item, k);
    if (data) out.push({ class: cls, data });
  }
  return out;
}
