// system.* for what admins attach to a system: notes, custom info values, group membership as
// listGroups shows it, and the activation keys that registered it.
import { InvalidArgument } from '../../../channels/index.js';
import { noteStruct } from '../../presenters/systems.js';
import type { XmlRpcStruct } from '../../xmlrpc/types.js';
import { stringArray } from '../args.js';
import { method, type CallContext, type MethodDef } from '../registry.js';
import { systemOf } from './system-access.js';

function undefinedFields(labels: readonly string[]): InvalidArgument {
  return new InvalidArgument('customkey.unknown', `One or more of the following custom info fields was not defined: ${labels.map((l) => `\n${l}`).join('')}`);
}

/**
 * setCustomValues: keys the org defines get their (non-blank) values; the others are reported
 * afterwards with 1000, as Spacewalk sets what it can first.
 */
async function setCustomValues(ctx: CallContext, sid: number, values: XmlRpcStruct): Promise<number> {
  await systemOf(ctx, sid);
  const { systemExtras } = ctx.services.stores;
  const known = new Set((await systemExtras.customKeys(ctx.user.orgId)).map((k) => k.label));
  const set: Record<string, string> = {};
  const skipped: string[] = [];
  for (const [label, v] of Object.entries(values)) {
    const text = typeof v === 'string' || typeof v === 'number' ? String(v) : '';
    if (known.has(label) && text.trim() !== '') set[label] = text;
    else skipped.push(label);
  }
  await systemExtras.setCustomValues(ctx.user.orgId, sid, set);
  if (skipped.length > 0) throw undefinedFields(skipped);
  return 1;
}

async function deleteCustomValues(ctx: CallContext, sid: number, keys: unknown): Promise<number> {
  await systemOf(ctx, sid);
  const { systemExtras } = ctx.services.stores;
  const known = new Set((await systemExtras.customKeys(ctx.user.orgId)).map((k) => k.label));
  const labels = stringArray(keys as never, 'keys');
  await systemExtras.deleteCustomValues(ctx.user.orgId, sid, labels.filter((l) => known.has(l)));
  const skipped = labels.filter((l) => !known.has(l));
  if (skipped.length > 0) throw undefinedFields(skipped);
  return 1;
}

/** listGroups: every group of the org, with whether the system is in it (sgid is the id as a string). */
async function listGroups(ctx: CallContext, sid: number): Promise<Record<string, unknown>[]> {
  await systemOf(ctx, sid);
  const { groups } = ctx.services.stores;
  const member = new Set((await groups.groupsOf(ctx.user.orgId, sid)).map((g) => g.id));
  return (await groups.list(ctx.user.orgId)).map((g) => ({
    id: g.id,
    subscribed: member.has(g.id) ? 1 : 0,
    system_group_name: g.name,
    sgid: String(g.id),
  }));
}

const READ = { faults: [-208] };

export const systemExtraMethods: MethodDef[] = [
  method('addNote', ['int sid', 'string subject', 'string body'], 'int', async (ctx, sid: number, subject: string, body: string) => {
    await systemOf(ctx, sid);
    await ctx.services.stores.systemExtras.addNote(ctx.user.orgId, sid, ctx.user.id, subject, body);
    return 1;
  }, READ),
  method('deleteNote', ['int sid', 'int nid'], 'int', async (ctx, sid: number, nid: number) => {
    await systemOf(ctx, sid);
    await ctx.services.stores.systemExtras.deleteNote(ctx.user.orgId, sid, nid);
    return 1;
  }),
  method('deleteNotes', ['int sid'], 'int', async (ctx, sid: number) => {
    await systemOf(ctx, sid);
    await ctx.services.stores.systemExtras.deleteNotes(ctx.user.orgId, sid);
    return 1;
  }),
  method('listNotes', ['int sid'], 'Note[]', async (ctx, sid: number) => {
    await systemOf(ctx, sid);
    return (await ctx.services.stores.systemExtras.notes(ctx.user.orgId, sid)).map(noteStruct);
  }),
  method('getCustomValues', ['int sid'], 'struct', async (ctx, sid: number) => {
    await systemOf(ctx, sid);
    return ctx.services.stores.systemExtras.customValues(ctx.user.orgId, sid);
  }, READ),
  method('setCustomValues', ['int sid', 'struct values'], 'int', setCustomValues, { faults: [-208, 1000] }),
  method('deleteCustomValues', ['int sid', 'string[] keys'], 'int', deleteCustomValues, { faults: [-208, 1000] }),
  method('listGroups', ['int sid'], 'struct[]', listGroups, READ),
  method('listActivationKeys', ['int serverId'], 'string[]', async (ctx, sid: number) => {
    await systemOf(ctx, sid);
    return ctx.services.stores.activationKeys.keysOfSystem(ctx.user.orgId, sid);
  }, READ),
];
