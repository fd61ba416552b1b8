// system.* reads of the hardware profile: CPU, DMI, devices, memory, network interfaces, and
// listActiveSystemsDetails, which bundles them for a list of systems.
import { cpuStruct, deviceStructs, dmiStruct, memoryStruct, networkInterfaces } from '../../presenters/system-hardware.js';
import { intArray } from '../args.js';
import { method, type CallContext, type MethodDef } from '../registry.js';
import { checkedInSince, DEFAULT_INACTIVE_DAYS, systemsOf, systemOf } from './system-access.js';

async function hardware(ctx: CallContext, sid: number) {
  await systemOf(ctx, sid);
  return ctx.services.stores.inventory.hardware(ctx.user.orgId, sid);
}

/** Details of the listed systems that checked in within the inactivity threshold. */
async function activeDetails(ctx: CallContext, ids: unknown): Promise<Record<string, unknown>[]> {
  const systems = await systemsOf(ctx, intArray(ids as never, 'serverIds'));
  const since = checkedInSince(DEFAULT_INACTIVE_DAYS);
  const out: Record<string, unknown>[] = [];
  for (const s of systems) {
    if (s.lastCheckin < since) continue;
    const items = await ctx.services.stores.inventory.hardware(ctx.user.orgId, s.id);
    const channels = await ctx.services.stores.systems.channels(ctx.user.orgId, s.id);
    out.push({
      id: s.id,
      name: s.name,
      last_checkin: s.lastCheckin,
      ...memoryStruct(items),
      network_devices: networkInterfaces(items),
      dmi_info: dmiStruct(items),
      cpu_info: cpuStruct(items),
      subscribed_channels: channels.map((c) => ({ channel_id: c.id, channel_label: c.label })),
      // no virtual host/guest links are kept: a host lists no guests
      active_guest_system_ids: [],
    });
  }
  return out;
}

const READ = { faults: [-208] };

export const systemHardwareMethods: MethodDef[] = [
  method('getCpu', ['int sid'], 'Cpu', async (ctx, sid: number) => cpuStruct(await hardware(ctx, sid)), READ),
  method('getDmi', ['int sid'], 'Dmi', async (ctx, sid: number) => dmiStruct(await hardware(ctx, sid)), READ),
  method('getDevices', ['int sid'], 'Device[]', async (ctx, sid: number) => deviceStructs(await hardware(ctx, sid)), READ),
  method('getMemory', ['int sid'], 'struct', async (ctx, sid: number) => memoryStruct(await hardware(ctx, sid)), READ),
  method('getNetworkDevices', ['int sid'], 'NetworkInterface[]', async (ctx, sid: number) => networkInterfaces(await hardware(ctx, sid)), READ),
  method('listActiveSystemsDetails', ['int[] serverIds'], 'struct[]', activeDetails, READ),
];
