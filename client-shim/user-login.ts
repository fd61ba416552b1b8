// Username/password checks of the client protocol (registration in username mode, reserve_user,
// available_eus_channels, subscribeChannels): fault 2 for unknown users and wrong passwords,
// fault 1 for a disabled account, as Spacewalk's validate_system_user.
import { verifyPassword, type Stores, type User } from '../channels/index.js';
import { ClientFault } from './faults.js';

/** The user if the password is right; null when the login is unknown, false when the password is wrong. */
export async function checkUser(stores: Stores, username: unknown, password: unknown): Promise<User | null | false> {
  if (typeof username !== 'string' || typeof password !== 'string' || username === '') return null;
  const user = await stores.users.getUserByLogin(username);
  if (!user) return null;
  return (await verifyPassword(password, user.passwordHash)) ? user : false;
}

/** An enabled user with that password, else the fault Spacewalk gives. */
export async function authenticateUser(stores: Stores, username: unknown, password: unknown): Promise<User> {
  const user = await checkUser(stores, username, password);
  if (user === null) throw new ClientFault(2, 'Attempt to register a system to an invalid username');
  if (user === false) throw new ClientFault(2);
  if (!user.enabled) {
    throw new ClientFault(1, `\n       ${String(username)} Account has been deactivated on this server.\n       Please contact your Org administrator for more help.`, false);
  }
  return user;
}
