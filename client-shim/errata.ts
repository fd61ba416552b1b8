// errata.getErrataInfo (client-protocol.md 7.1): the packages of an erratum that are in the
// system's channels, as [n, v, r, e, a] strings; the arch only for clients announcing
// packages.update version > 1. Unknown errata and non-integer ids answer [].
import type { SystemAuth } from '../channels/index.js';
import { sendsPackageArch } from './capabilities.js';
import type { ClientEnv } from './client-env.js';
import type { ClientCallContext, ClientNamespace } from './dispatch.js';

function erratumId(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*\d{1,10}\s*$/.test(v)) return Number(v);
  return null;
}

async function errataInfo(env: ClientEnv, ctx: ClientCallContext, auth: SystemAuth, idArg: unknown): Promise<string[][]> {
  const id = erratumId(idArg);
  if (id === null) return [];
  const { stores } = env;
  const packageIds = await stores.errata.packageIds(id);
  if (packageIds.length === 0) return [];
  const channels = new Set((await stores.systems.channels(auth.orgId, auth.id)).map((c) => c.id));
  const withArch = sendsPackageArch(ctx.capabilities);
  const rows = new Map<string, string[]>();
  for (const p of await stores.packages.getMany(packageIds)) {
    if (!(await stores.packages.channelsOf(p.id)).some((c) => channels.has(c.id))) continue;
    const row = [p.name, p.version, p.release, p.epoch ?? '', withArch ? p.arch : ''];
    rows.set(row.join('\u0000'), row);
  }
  return [...rows.values()].sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : a[4]! < b[4]! ? -1 : a[4]! > b[4]! ? 1 : 0));
}

export function errataMethods(env: ClientEnv): ClientNamespace {
  return {
    getErrataInfo: {
      minArgs: 2,
      maxArgs: 2,
      handler: (ctx, a) => errataInfo(env, ctx, env.gate.authenticate(a[0], { entitled: true }), a[1]),
    },
  };
}
