// user.*: roles (CEFS checks them before publishing) and the account management an admin needs.
import { hashPassword, hasRole, NotFound, PermissionDenied, ROLES, type Role, type User } from '../../../channels/index.js';
import { formatSqlDate } from '../../xmlrpc/zone.js';
import { fault } from '../faults.js';
import { method, type CallContext, type NamespaceDef } from '../registry.js';

/** Another user of the caller's org, if the caller may look at them (themselves, or as org admin). */
async function visibleUser(ctx: CallContext, login: string, needAdmin = false): Promise<User> {
  const target = await ctx.services.stores.users.getUserByLogin(login);
  if (!target || target.orgId !== ctx.user.orgId) throw new NotFound('user', login);
  const self = target.id === ctx.user.id;
  if ((needAdmin || !self) && !hasRole(ctx.user, 'org_admin')) throw new PermissionDenied('org_admin');
  return target;
}

function assignableRoles(user: User): Role[] {
  return ROLES.filter((r) => r !== 'satellite_admin' || user.roles.includes('satellite_admin'));
}

function checkRole(ctx: CallContext, role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new NotFound('role', role);
  if (role === 'satellite_admin' && !ctx.user.roles.includes('satellite_admin')) throw new PermissionDenied('satellite_admin');
  return role as Role;
}

const LOGIN_RE = /^[A-Za-z0-9._@+-]{3,64}$/;

async function createUser(ctx: CallContext, login: string, password: string, first: string, last: string, email: string, usePam = 0): Promise<number> {
  if (!LOGIN_RE.test(login)) throw fault(2800, `Invalid login '${login}': 3-64 letters, digits or . _ @ + -`);
  if (!usePam && password.length < 5) throw fault(-501, 'Password must be at least 5 characters');
  await ctx.services.stores.users.createUser({
    orgId: ctx.user.orgId,
    login,
    passwordHash: await hashPassword(password),
    firstName: first,
    lastName: last,
    email,
    usePam: usePam === 1,
  });
  return 1;
}

export const userNamespace: NamespaceDef = {
  namespace: 'user',
  handlerClass: 'UserHandler',
  methods: [
    method('listRoles', ['string login'], 'string[]', async (ctx, login: string) => (await visibleUser(ctx, login)).roles, { faults: [-213, -23] }),
    method('listAssignableRoles', [], 'string[]', (ctx) => assignableRoles(ctx.user)),
    method(
      'getDetails',
      ['string login'],
      'struct',
      async (ctx, login: string) => {
        const u = await visibleUser(ctx, login);
        const zone = ctx.services.zone;
        return {
          first_names: u.firstName,
          first_name: u.firstName,
          last_name: u.lastName,
          email: u.email,
          org_id: u.orgId,
          org_name: u.orgName,
          prefix: u.prefix,
          last_login_date: u.lastLogin ? formatSqlDate(zone, u.lastLogin) : null,
          created_date: formatSqlDate(zone, u.created),
          enabled: u.enabled,
          use_pam: u.usePam,
          read_only: u.readOnly,
          errata_notification: u.errataNotification,
        };
      },
      { faults: [-213, -23] },
    ),
    method(
      'listUsers',
      [],
      'struct[]',
      async (ctx) =>
        (await ctx.services.stores.users.listUsers(ctx.user.orgId)).map((u) => ({ id: u.id, login: u.login, login_uc: u.login.toUpperCase(), enabled: u.enabled })),
      { role: 'org_admin', faults: [-23] },
    ),
    method('create', ['string login', 'string password', 'string firstName', 'string lastName', 'string email'], 'int', createUser, { role: 'org_admin', faults: [-23, 2800, -501] }),
    method('create', ['string login', 'string password', 'string firstName', 'string lastName', 'string email', 'int usePamAuth'], 'int', createUser, {
      role: 'org_admin',
      faults: [-23, 2800, -501],
    }),
    method(
      'delete',
      ['string login'],
      'int',
      async (ctx, login: string) => {
        const target = await visibleUser(ctx, login, true);
        if (target.id === ctx.user.id) throw fault(2601, 'Error deleting user: you cannot delete your own account');
        await ctx.services.stores.users.deleteUser(target.id);
        ctx.services.sessions.forgetUser(target.id);
        return 1;
      },
      { role: 'org_admin', faults: [-213, -23, 2601] },
    ),
    method(
      'addRole',
      ['string login', 'string role'],
      'int',
      async (ctx, login: string, role: string) => {
        const target = await visibleUser(ctx, login, true);
        await ctx.services.stores.users.setRoles(target.id, [checkRole(ctx, role)], []);
        return 1;
      },
      { role: 'org_admin', faults: [-213, -23, -2005] },
    ),
    method(
      'removeRole',
      ['string login', 'string role'],
      'int',
      async (ctx, login: string, role: string) => {
        const target = await visibleUser(ctx, login, true);
        const r = checkRole(ctx, role);
        if (target.id === ctx.user.id && (r === 'org_admin' || r === 'satellite_admin')) {
          throw fault(-23, `You cannot remove the ${r} role from your own account.`);
        }
        await ctx.services.stores.users.setRoles(target.id, [], [r]);
        return 1;
      },
      { role: 'org_admin', faults: [-213, -23, -2005] },
    ),
  ],
};
