// system.search.*: systems whose fields or hardware devices contain a term (Spacewalk asks its
// Lucene search server; Skylab searches its own tables, so 2901 never happens).
import { InvalidArgument, type DeviceSearchField, type SystemSearchField } from '../../../channels/index.js';
import { method, type CallContext, type MethodDef, type NamespaceDef } from '../registry.js';

function term(text: string): string {
  const t = text.trim();
  if (t === '') throw new InvalidArgument('search.query', 'Invalid search query: the search term is empty');
  return t;
}

/** SystemSearchResult without the hw_* members (only device searches carry them). */
async function bySystem(ctx: CallContext, field: SystemSearchField, text: string): Promise<Record<string, unknown>[]> {
  const hits = await ctx.services.stores.systemSearch.systems(ctx.user.orgId, field, term(text));
  return hits.map((h) => ({ id: h.id, name: h.name, last_checkin: h.lastCheckin, hostname: h.hostname, ip: h.ip }));
}

async function byDevice(ctx: CallContext, field: DeviceSearchField, text: string): Promise<Record<string, unknown>[]> {
  const hits = await ctx.services.stores.systemSearch.devices(ctx.user.orgId, field, term(text));
  return hits.map((h) => ({
    id: h.id,
    name: h.name,
    last_checkin: h.lastCheckin,
    hostname: h.hostname,
    ip: h.ip,
    hw_description: h.deviceDescription,
    hw_device_id: h.deviceId,
    hw_vendor_id: h.deviceVendorId,
    hw_driver: h.deviceDriver,
  }));
}

const FAULTS = { faults: [2901, 2902] };
const systemSearch = (name: string, field: SystemSearchField): MethodDef =>
  method(name, ['string searchTerm'], 'SystemSearchResult[]', (ctx, t: string) => bySystem(ctx, field, t), FAULTS);
const deviceSearch = (name: string, field: DeviceSearchField): MethodDef =>
  method(name, ['string searchTerm'], 'SystemSearchResult[]', (ctx, t: string) => byDevice(ctx, field, t), FAULTS);

export const systemSearchNamespace: NamespaceDef = {
  namespace: 'system.search',
  handlerClass: 'SystemSearchHandler',
  methods: [
    deviceSearch('deviceDescription', 'description'),
    deviceSearch('deviceDriver', 'driver'),
    deviceSearch('deviceVendorId', 'vendorId'),
    systemSearch('hostname', 'hostname'),
    systemSearch('ip', 'ip'),
    systemSearch('nameAndDescription', 'nameAndDescription'),
    systemSearch('uuid', 'uuid'),
  ],
};
