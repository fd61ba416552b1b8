// auth.*: login (2 and 3 arguments) and logout. Failed logins are slowed down as in Spacewalk.
import { setTimeout as sleep } from 'node:timers/promises';
import { verifyPassword } from '../../../channels/index.js';
import { fault, internalFault } from '../faults.js';
import { method, type CallContext, type NamespaceDef } from '../registry.js';
import { sessionIdText } from '../sessions.js';

// Spacewalk sleeps 2 s before answering a failed login; it blunts password guessing.
export const FAILED_LOGIN_DELAY_MS = 2000;

async function login(ctx: CallContext, username: string, password: string, duration?: number): Promise<string> {
  const { stores, sessions } = ctx.services;
  if (duration !== undefined && (duration <= 0 || duration > sessions.lifetime)) {
    throw internalFault(`Session duration ${duration} s is not allowed: the maximum is ${sessions.lifetime} s`);
  }
  const user = await stores.users.getUserByLogin(username);
  const ok = user !== null && (await verifyPassword(password, user.passwordHash));
  if (!ok || !user) {
    ctx.services.log.warn({ login: username }, 'admin API login failed');
    await sleep(FAILED_LOGIN_DELAY_MS);
    throw fault(2950, 'Either the password or username is incorrect.');
  }
  if (!user.enabled) {
    await sleep(FAILED_LOGIN_DELAY_MS);
    throw fault(2950, 'Your account has been deactivated.');
  }
  await stores.users.recordLogin(user.id);
  return sessions.create(user, duration);
}

export const authNamespace: NamespaceDef = {
  namespace: 'auth',
  handlerClass: 'AuthHandler',
  methods: [
    method('login', ['string username', 'string password'], 'string', (ctx, u: string, p: string) => login(ctx, u, p), { session: false, faults: [2950] }),
    method('login', ['string username', 'string password', 'int duration'], 'string', (ctx, u: string, p: string, d: number) => login(ctx, u, p, d), {
      session: false,
      faults: [2950, -1],
    }),
    method(
      'logout',
      ['string sessionKey'],
      'int',
      async (ctx, key: string) => {
        if (!(await ctx.services.sessions.destroy(key))) {
          throw internalFault(`Could not find session with id: ${sessionIdText(key)}`);
        }
        return 1;
      },
      { session: false, faults: [-1] },
    ),
  ],
};
