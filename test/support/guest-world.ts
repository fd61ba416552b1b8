// A running `skylab serve` for the /XMLRPC guest tests, and a second connection to its database
// for what has no API yet (activation keys, dist channel maps, scheduled actions, disabling a
// system) and for reading back what the server stored.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { attachStores, hashPassword, type Channel, type Stores } from '../../channels/index.js';
import { guestCall, type GuestReply } from './guest-client.js';
import { startServer, type RunningServer, type StartOptions } from './server.js';

export interface GuestWorld {
  server: RunningServer;
  /** http://127.0.0.1:<port>/XMLRPC */
  url: string;
  stores: Stores;
  /** the admin's org */
  org: number;
  adminId: number;
  /** raw SQL on the server's database (reads back what the server wrote) */
  one<T = unknown>(sql: string, ...params: unknown[]): T;
  all<T = unknown>(sql: string, ...params: unknown[]): T[];
  /** a channel in the admin's org (base when parent is null) */
  channel(label: string, parent: Channel | null, arch?: string): Promise<Channel>;
  /** a new organisation; its id */
  newOrg(name: string): number;
  /** a user of `orgId` with that password */
  user(login: string, password: string, orgId?: number, enabled?: boolean): Promise<number>;
  /** an activation key `<org>-<name>` (random name when none) */
  key(name: string | null, opts?: { orgId?: number; base?: Channel | null; children?: Channel[]; universal?: boolean; usageLimit?: number; entitlements?: string[]; groups?: number[]; packages?: { name: string; arch: string }[] }): Promise<string>;
  /** registration.new_system with an activation key; the systemid */
  register(token: string, profileName?: string, extra?: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

export async function guestWorld(opts: StartOptions = {}): Promise<GuestWorld> {
  const server = await startServer(opts);
  const stores = attachStores(join(server.dataDir, 'skylab.db'));
  const admin = (await stores.users.getUserByLogin(server.adminUser))!;
  const url = `${server.url}/XMLRPC`;
  const world: GuestWorld = {
    server,
    url,
    stores,
    org: admin.orgId,
    adminId: admin.id,
    one: (sql, ...params) => stores.db.prepare(sql).get(...params) as never,
    all: (sql, ...params) => stores.db.prepare(sql).all(...params) as never,
    channel: (label, parent, arch = 'channel-x86_64') =>
      stores.channels.create({ orgId: admin.orgId, label, name: `${label} name`, summary: `${label} summary`, archLabel: arch, parentId: parent?.id ?? null, checksumLabel: 'sha256' }),
    newOrg: (name) => Number(stores.db.prepare('INSERT INTO orgs (name, created) VALUES (?, ?)').run(name, Math.floor(Date.now() / 1000)).lastInsertRowid),
    user: async (login, password, orgId = admin.orgId, enabled = true) => {
      const u = await stores.users.createUser({ orgId, login, passwordHash: await hashPassword(password), roles: ['org_admin'] });
      if (!enabled) await stores.users.updateUser(u.id, { enabled: false });
      return u.id;
    },
    key: async (name, o = {}) => {
      const orgId = o.orgId ?? admin.orgId;
      const k = await stores.activationKeys.create({
        orgId,
        key: `${orgId}-${name ?? randomBytes(16).toString('hex')}`,
        baseChannelId: o.base?.id ?? null,
        usageLimit: o.usageLimit ?? 0,
        universalDefault: o.universal ?? false,
        entitlements: o.entitlements ?? [],
        creatorId: orgId === admin.orgId ? admin.id : null,
      });
      if (o.children?.length) await stores.activationKeys.addChildChannels(orgId, k.id, o.children.map((c) => c.id));
      if (o.groups?.length) await stores.activationKeys.addGroups(orgId, k.id, o.groups);
      if (o.packages?.length) await stores.activationKeys.addPackages(orgId, k.id, o.packages);
      return k.key;
    },
    register: async (token, profileName = 'guest.example.com', extra = {}) => {
      const r: GuestReply = await guestCall(url, 'registration.new_system', [
        { profile_name: profileName, os_release: '8', release_name: 'redhat-release', architecture: 'x86_64', token, ...extra },
      ]);
      if (typeof r.answer !== 'string') throw new Error(`registration failed: ${JSON.stringify(r.fault)}`);
      return r.answer;
    },
    stop: async () => {
      stores.close();
      await server.stop();
    },
  };
  return world;
}
