// The /XMLRPC handler table: registration, up2date, queue and errata over one environment
// (stores, token key, clock, systemid gate), and the service that owns its check-in buffer.
import { createClientEnv, type ClientDeps, type ClientEnv } from './client-env.js';
import type { ClientHandlerTable } from './dispatch.js';
import { errataMethods } from './errata.js';
import { queueMethods } from './queue.js';
import { profileMethods } from './registration-profile.js';
import { accountMethods, REGISTRATION_TEXTS } from './registration.js';
import { up2dateMethods } from './up2date.js';

export { PRIVACY_STATEMENT, REGISTRATION_TEXTS, WELCOME_MESSAGE } from './registration.js';

export interface ClientService {
  handlers: ClientHandlerTable;
  env: ClientEnv;
  /** writes the buffered check-ins now */
  flushCheckins(): Promise<void>;
  /** writes the buffered check-ins and stops the flush timer (server shutdown) */
  close(): Promise<void>;
}

export function createClientService(deps: ClientDeps): ClientService {
  const env = createClientEnv(deps);
  return {
    handlers: {
      registration: { ...accountMethods(env), ...profileMethods(env) },
      up2date: up2dateMethods(env),
      queue: queueMethods(env),
      errata: errataMethods(env),
    },
    env,
    flushCheckins: () => env.gate.checkins.flush(),
    close: () => env.gate.checkins.close(),
  };
}

/**
 * The table the server dispatches /XMLRPC calls to. Without dependencies only the unauthenticated
 * registration texts (the capability probe); a caller that needs check-ins written at shutdown
 * uses createClientService and closes it.
 */
export function createClientHandlers(deps?: ClientDeps): ClientHandlerTable {
  if (!deps) return { registration: { ...REGISTRATION_TEXTS } };
  return createClientService(deps).handlers;
}
