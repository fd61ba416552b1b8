// The /XMLRPC handler table. So far only the unauthenticated registration texts, which every
// client calls to read X-RHN-Server-Capability (client-protocol.md 3.1).
import type { ClientHandlerTable, ClientNamespace } from './dispatch.js';

export const WELCOME_MESSAGE = 'Skylab Welcome Message';
export const PRIVACY_STATEMENT = 'Skylab Privacy Statement';

/** registration.welcome_message([lang]) / privacy_statement([lang]): plain strings, no auth. */
export const REGISTRATION_TEXTS: ClientNamespace = {
  welcome_message: { minArgs: 0, maxArgs: 1, handler: () => WELCOME_MESSAGE },
  privacy_statement: { minArgs: 0, maxArgs: 1, handler: () => PRIVACY_STATEMENT },
};

/** The table the server dispatches /XMLRPC calls to. */
export function createClientHandlers(): ClientHandlerTable {
  return { registration: { ...REGISTRATION_TEXTS } };
}
