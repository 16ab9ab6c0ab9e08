import type { ApiKey } from '../core/api-key.ts';
import type { Principal } from '../core/principal.ts';

/** True when the principal may see and change the key: its owner, or an admin of its organization. */
export function canManage(principal: Principal, key: ApiKey): boolean {
  if (key.organizationId !== principal.organization.id) return false;
  return principal.user.role === 'admin' || key.userId === principal.user.id;
}

/**
 * Revoking follows the organization's policy (spec 000: only admins), unless the caller is a
 * profile whose document lets owners remove their own keys.
 */
export function canRevoke(principal: Principal, key: ApiKey, policy: 'organization' | 'owner'): boolean {
  if (!canManage(principal, key)) return false;
  if (principal.user.role === 'admin') return true;
  return policy === 'owner' || principal.organization.revokePolicy === 'owner_or_admin';
}
