// SQL behind system.search: case-insensitive substring matches on a system's own fields and on
// the device items of its hardware profile, limited to one org.
import type { Db } from './db.js';
import type { DeviceSearchField, DeviceSearchHit, SystemSearchField, SystemSearchHit } from '../model-systems.js';
import { toDate } from './rows.js';
import { containsPattern, LAST_CHECKIN } from './system-rows.js';

const SYSTEM_CONDITIONS: Record<SystemSearchField, string> = {
  hostname: "s.hostname LIKE @p ESCAPE '\\'",
  ip: "(s.ip LIKE @p ESCAPE '\\' OR s.ip6 LIKE @p ESCAPE '\\')",
  nameAndDescription: "(s.name LIKE @p ESCAPE '\\' OR s.description LIKE @p ESCAPE '\\')",
  uuid: "s.uuid LIKE @p ESCAPE '\\'",
};

// Hardware items keep the normalised members as JSON (client-shim/hardware-input.ts stores the
// client's `desc` as `description`; `desc` is still read for items stored before), `driver`,
// and the PCI ids in prop1/prop2.
const DESCRIPTION = "coalesce(json_extract(h.data, '$.description'), json_extract(h.data, '$.desc'))";
const DEVICE_MEMBERS: Record<DeviceSearchField, string> = {
  description: DESCRIPTION,
  driver: "json_extract(h.data, '$.driver')",
  vendorId: "json_extract(h.data, '$.prop1')",
};

/** The hardware classes that describe the machine as a whole rather than a device. */
const NOT_DEVICES = "('CPU', 'MEMORY', 'NETINFO', 'NETINTERFACES', 'DMI', 'INSTALLINFO')";

interface HitRow {
  id: number;
  name: string;
  last_checkin: number;
  hostname: string;
  ip: string;
  description: string;
  uuid: string;
}

interface DeviceRow {
  id: number;
  name: string;
  last_checkin: number;
  hostname: string;
  ip: string;
  class: string;
  dev_desc: string | null;
  driver: string | null;
  vendor: string | null;
  device: string | null;
}

export class SystemSearchStore {
  constructor(private readonly db: Db) {}

  /** The org's systems whose field contains `term` (any case), by name. */
  async systems(orgId: number, field: SystemSearchField, term: string): Promise<SystemSearchHit[]> {
    const rows = this.db
      .prepare(
        `SELECT s.id, s.name, ${LAST_CHECKIN} AS last_checkin, s.hostname, s.ip, s.description, s.uuid FROM systems s
         WHERE s.org_id = @org AND ${SYSTEM_CONDITIONS[field]} ORDER BY s.name COLLATE NOCASE, s.id`,
      )
      .all({ org: orgId, p: containsPattern(term) }) as HitRow[];
    return rows.map((r) => ({ id: r.id, name: r.name, lastCheckin: toDate(r.last_checkin), hostname: r.hostname, ip: r.ip, description: r.description, uuid: r.uuid }));
  }

  /** One hit per matching device of the org's systems, by system name then item order. */
  async devices(orgId: number, field: DeviceSearchField, term: string): Promise<DeviceSearchHit[]> {
    const rows = this.db
      .prepare(
        `SELECT s.id, s.name, ${LAST_CHECKIN} AS last_checkin, s.hostname, s.ip, h.class,
                CAST(${DESCRIPTION} AS TEXT) AS dev_desc, CAST(json_extract(h.data, '$.driver') AS TEXT) AS driver,
                CAST(json_extract(h.data, '$.prop1') AS TEXT) AS vendor, CAST(json_extract(h.data, '$.prop2') AS TEXT) AS device
         FROM system_hardware h JOIN systems s ON s.id = h.system_id
         WHERE s.org_id = @org AND h.class NOT IN ${NOT_DEVICES}
           AND CAST(${DEVICE_MEMBERS[field]} AS TEXT) LIKE @p ESCAPE '\\'
         ORDER BY s.name COLLATE NOCASE, s.id, h.seq`,
      )
      .all({ org: orgId, p: containsPattern(term) }) as DeviceRow[];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      lastCheckin: toDate(r.last_checkin),
      hostname: r.hostname,
      ip: r.ip,
      deviceClass: r.class,
      deviceDescription: r.dev_desc ?? '',
      deviceDriver: r.driver ?? '',
      deviceVendorId: r.vendor ?? '',
      deviceId: r.device ?? '',
    }));
  }
}
