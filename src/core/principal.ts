import type { Tier } from './api-key.ts';

export type Role = 'admin' | 'member';
export const ROLES: readonly Role[] = ['admin', 'member'];
export type UsageLevel = 'basic' | 'advanced' | 'premier' | 'market_maker';
export const USAGE_LEVELS: readonly UsageLevel[] = ['basic', 'advanced', 'premier', 'market_maker'];

/** Who revokes keys in an organization: only admins (spec 000), or also the key's owner. */
export type RevokePolicy = 'admins' | 'owner_or_admin';

export interface Organization {
  readonly id: string;
  readonly name: string;
  readonly revokePolicy: RevokePolicy;
  readonly createdAt: number;
}

export interface User {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly role: Role;
  readonly usageLevel: UsageLevel;
  readonly tier: Tier;
  /** Lowercase 0x addresses the user owns. */
  readonly wallets: readonly string[];
  readonly createdAt: number;
}

/** The authenticated caller of a management operation. */
export interface Principal {
  readonly user: User;
  readonly organization: Organization;
  /** How the caller authenticated (token, session, wallet, cli), for the audit log. */
  readonly via: string;
  readonly ip: string | null;
  /** The management token the caller presented, when it authenticated with one. */
  readonly tokenId?: string;
}
