// Who may do what: role checks shared by every endpoint. org_admin implies the org-level
// roles (as in Spacewalk); satellite_admin is separate and implied by nothing.
import { PermissionDenied } from './errors.js';
import type { Role, User } from './model.js';

export function hasRole(user: Pick<User, 'roles'>, role: Role): boolean {
  if (user.roles.includes(role)) return true;
  return role !== 'satellite_admin' && user.roles.includes('org_admin');
}

export function requireRole(user: Pick<User, 'roles'>, role: Role): void {
  if (!hasRole(user, role)) {
    throw new PermissionDenied(role, `You do not have permissions to perform this action. You need to have at least a ${role} role to perform this action`);
  }
}
