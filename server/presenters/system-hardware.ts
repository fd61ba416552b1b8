// Wire shapes of a system's hardware profile (Cpu, Dmi, Device, NetworkInterface, memory),
// read from the items the client uploaded (client-shim/hardware-input.ts keeps their fields).
import type { HardwareItem } from '../../channels/index.js';

type Data = Record<string, unknown>;

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

function first(items: readonly HardwareItem[], cls: string): Data | null {
  // a refresh replaces the profile, an add appends: the latest item of a class is current
  for (let i = items.length - 1; i >= 0; i--) if (items[i]!.class === cls) return items[i]!.data;
  return null;
}

/** CpuSerializer, or {} when the system never reported a CPU (as Spacewalk's getCpu). */
export function cpuStruct(items: readonly HardwareItem[]): Data {
  const c = first(items, 'CPU');
  if (!c) return {};
  const out: Data = {
    cache: text(c['cache']),
    family: text(c['family']),
    mhz: text(c['mhz']),
    flags: text(c['flags']),
    model: text(c['model']),
    vendor: text(c['vendor']),
    arch: text(c['arch']),
    stepping: text(c['stepping']),
    count: text(c['count']),
  };
  if (typeof c['socket_count'] === 'number') out['socket_count'] = c['socket_count'];
  return out;
}

const DMI_FIELDS = ['vendor', 'system', 'product', 'asset', 'board', 'bios_release', 'bios_vendor', 'bios_version'];

/** DmiSerializer, or {} without DMI data. */
export function dmiStruct(items: readonly HardwareItem[]): Data {
  const d = first(items, 'DMI');
  if (!d) return {};
  return Object.fromEntries(DMI_FIELDS.map((f) => [f, text(d[f])]));
}

/** MiB of RAM and swap; 0 when unknown. */
export function memoryStruct(items: readonly HardwareItem[]): { ram: number; swap: number } {
  const m = first(items, 'MEMORY');
  const mib = (v: unknown): number => (typeof v === 'number' && v > 0 ? Math.min(v, 2147483647) : 0);
  return { ram: mib(m?.['ram']), swap: mib(m?.['swap']) };
}

const MACHINE_CLASSES = new Set(['CPU', 'MEMORY', 'NETINFO', 'NETINTERFACES', 'DMI', 'INSTALLINFO']);

/** DeviceSerializer for every device item; prop1..prop4 only when set. */
export function deviceStructs(items: readonly HardwareItem[]): Data[] {
  return items
    .filter((i) => !MACHINE_CLASSES.has(i.class))
    .map((i) => {
      const d = i.data;
      const out: Data = {
        device: text(d['device']),
        device_class: i.class,
        driver: text(d['driver']),
        description: text(d['description'] ?? d['desc']),
        bus: text(d['bus']),
        pcitype: text(d['pcitype']),
      };
      for (const p of ['prop1', 'prop2', 'prop3', 'prop4']) if (text(d[p]) !== '') out[p] = text(d[p]);
      return out;
    });
}

interface StoredInterface {
  name?: unknown;
  hwaddr?: unknown;
  module?: unknown;
  ipaddr?: unknown;
  netmask?: unknown;
  broadcast?: unknown;
  ipv6?: unknown;
}

/** NetworkInterfaceSerializer for each interface of the latest NETINTERFACES item. */
export function networkInterfaces(items: readonly HardwareItem[]): Data[] {
  const n = first(items, 'NETINTERFACES');
  const list = Array.isArray(n?.['interfaces']) ? (n!['interfaces'] as StoredInterface[]) : [];
  return list.map((i) => ({
    ip: text(i.ipaddr),
    interface: text(i.name),
    netmask: text(i.netmask),
    hardware_address: text(i.hwaddr),
    module: text(i.module),
    broadcast: text(i.broadcast),
    ipv6: (Array.isArray(i.ipv6) ? (i.ipv6 as Data[]) : []).map((a) => ({ address: text(a['address']), netmask: text(a['netmask']), scope: text(a['scope']) })),
  }));
}
