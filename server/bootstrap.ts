// First-start setup: the default organisation, the first admin (password from
// SKYLAB_ADMIN_PASSWORD or generated and printed once) and install-wide secrets.
import { randomBytes } from 'node:crypto';
import { generatePassword, hashPassword, type Stores } from '../channels/index.js';
import type { Config } from './config.js';

export interface BootstrapResult {
  downloadSecret: string;
  /** set only when the admin was created by this start with a generated password */
  generatedPassword: string | null;
  adminCreated: boolean;
}

export async function bootstrap(stores: Stores, config: Config): Promise<BootstrapResult> {
  const org = await stores.users.ensureOrg(config.orgName);
  const downloadSecret = await stores.users.initSetting('download_secret', randomBytes(32).toString('hex'));
  if ((await stores.users.countUsers()) > 0) return { downloadSecret, generatedPassword: null, adminCreated: false };
  const password = config.adminPassword ?? generatePassword();
  await stores.users.createUser({
    orgId: org.id,
    login: config.adminUser,
    passwordHash: await hashPassword(password),
    firstName: 'Skylab',
    lastName: 'Administrator',
    roles: ['satellite_admin', 'org_admin', 'channel_admin'],
  });
  return { downloadSecret, generatedPassword: config.adminPassword ? null : password, adminCreated: true };
}
