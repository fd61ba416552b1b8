// up2date.* (client-protocol.md 4): login with the X-RHN-Auth token and the channel list the
// proxies read, listChannels exactly as the yum/dnf plugins index it (every value a string,
// last_modified as the cache key), and the optional child-channel (un)subscription of
// spacewalk-channel. Systemid faults 9/28 and fault 31 for disabled systems.
import type { Channel, SystemAuth, SystemChannel } from '../channels/index.js';
import { issueLoginToken } from './auth-token.js';
import { storeCapabilities, textArg, type ClientEnv } from './client-env.js';
import type { ClientMethod, ClientNamespace } from './dispatch.js';
import { ClientFault } from './faults.js';
import { authenticateUser } from './user-login.js';

/** YYYYMMDDHHMMSS (UTC): Spacewalk's TO_CHAR(last_modified, 'YYYYMMDDHH24MISS'). */
export function channelStamp(d: Date): string {
  return d.toISOString().replace(/\D/g, '').slice(0, 14);
}

interface ListedChannel {
  row: SystemChannel;
  /** null for vendor channels */
  orgId: number | null;
}

/** The system's channels, base first, with the owning org each struct needs. */
async function subscribed(env: ClientEnv, auth: SystemAuth): Promise<ListedChannel[]> {
  const rows = await env.stores.systems.channels(auth.orgId, auth.id);
  const out: ListedChannel[] = [];
  for (const row of rows) {
    const c: Channel | null = await env.stores.channels.getByLabelAnyOrg(row.label);
    out.push({ row, orgId: c ? c.orgId : null });
  }
  return out;
}

const flag = (b: boolean): string => (b ? '1' : '0');

/** up2date.login(systemid[, extra_data]): the token struct plus X-RHN-Auth-Channels. */
async function login(env: ClientEnv, auth: SystemAuth): Promise<Record<string, unknown>> {
  const channels = await subscribed(env, auth);
  return {
    ...issueLoginToken(env.authKey, auth.id, env.now(), env.tokenLifetime),
    'X-RHN-Auth-Channels': channels.map(({ row, orgId }) => [row.label, channelStamp(row.lastModified), flag(row.parentId === null), flag(orgId === auth.orgId)]),
  };
}

/** up2date.listChannels(systemid): one all-string struct per channel, base first. */
async function listChannels(env: ClientEnv, auth: SystemAuth): Promise<Record<string, string>[]> {
  const channels = await subscribed(env, auth);
  return channels.map(({ row, orgId }) => ({
    label: row.label,
    name: row.name,
    summary: row.summary ?? '',
    description: row.description ?? '',
    arch: row.archLabel,
    id: String(row.id),
    parent_channel: row.parentId === null ? '' : String(row.parentId),
    org_id: orgId === null ? '' : String(orgId),
    local_channel: flag(orgId === auth.orgId),
    gpg_key_url: row.gpgKeyUrl ?? '',
    last_modified: channelStamp(row.lastModified),
  }));
}

type Direction = 'subscribe' | 'unsubscribe';

/**
 * spacewalk-channel's child channel changes: credentials (2), same org as the system (37), then
 * per label unknown (40), not a child of the base (32), already there (38), base (72), absent (39).
 */
async function changeChannels(env: ClientEnv, args: readonly unknown[], direction: Direction): Promise<number> {
  const auth = env.gate.authenticate(args[0], { entitled: true });
  const user = await authenticateUser(env.stores, args[2], args[3]);
  if (user.orgId !== auth.orgId) throw new ClientFault(37);
  if (!Array.isArray(args[1])) throw new ClientFault(21, 'Invalid channel list');
  const current = await env.stores.systems.channels(auth.orgId, auth.id);
  const base = current.find((c) => c.parentId === null) ?? null;
  const children = new Set(current.filter((c) => c.parentId !== null).map((c) => c.id));
  for (const label of args[1].map(textArg)) {
    const c = await env.stores.channels.getByLabel(label, auth.orgId);
    if (!c) throw new ClientFault(40, `Channel ${label} does not exist`);
    if (direction === 'subscribe') {
      if (c.parentId === null || !base || c.parentId !== base.id) throw new ClientFault(32, `Channel ${label} is not a child channel of the system's base channel`);
      if (children.has(c.id)) throw new ClientFault(38);
      children.add(c.id);
    } else {
      if (c.parentId === null && base?.id === c.id) throw new ClientFault(72);
      if (!children.has(c.id)) throw new ClientFault(39);
      children.delete(c.id);
    }
  }
  if (await env.stores.systems.setChildChannels(auth.orgId, auth.id, [...children])) await env.stores.relevance.ensureFresh(auth.id);
  return 0;
}

const m = (minArgs: number, maxArgs: number, handler: ClientMethod['handler']): ClientMethod => ({ minArgs, maxArgs, handler });

export function up2dateMethods(env: ClientEnv): ClientNamespace {
  const entitled = (text: unknown): SystemAuth => env.gate.authenticate(text, { entitled: true });
  return {
    login: m(1, 2, async (ctx, a) => {
      const auth = entitled(a[0]);
      await storeCapabilities(env, auth.id, ctx.capabilities);
      return login(env, auth);
    }),
    listChannels: m(1, 1, (_ctx, a) => listChannels(env, entitled(a[0]))),
    subscribeChannels: m(4, 4, (_ctx, a) => changeChannels(env, a, 'subscribe')),
    unsubscribeChannels: m(4, 4, (_ctx, a) => changeChannels(env, a, 'unsubscribe')),
  };
}
