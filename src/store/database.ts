import type { Generated } from 'kysely';

/** Table shapes as Kysely sees them. Times are epoch milliseconds; lists are JSON text. */
export interface OrganizationsTable {
  id: string;
  name: string;
  revoke_policy: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  organization_id: string;
  name: string;
  role: string;
  usage_level: string;
  tier: string;
  created_at: number;
}

export interface WalletsTable {
  address: string;
  user_id: string;
  created_at: number;
}

export interface ManagementTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  tail: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface ApiKeysTable {
  id: string;
  organization_id: string;
  user_id: string;
  name: string;
  scheme: string;
  lookup: string;
  tail: string;
  permissions: string;
  ip_allowlist: string;
  allowed_exchanges: string;
  tier: string;
  max_connections: number;
  /** Migration 0006; null: the tier's limit. */
  requests_per_minute: number | null;
  expires_at: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  revoked_by: string | null;
  deleted_at: number | null;
  secret_ciphertext: string | null;
  public_key: string | null;
  wallet_address: string | null;
  /**
   * The account index this key holds among its wallet's keys while it is live; null once freed
   * (after the key ended) and for keys without a wallet. Unique per wallet (migration 0004).
   */
  account_slot: number | null;
  /** The key this one replaced by a roll; unique, so a key is rolled at most once (migration 0004). */
  rolled_from: string | null;
  account_index: number | null;
  origin: string;
  /** 1, or 0 while an admin has the key suspended (migration 0007). */
  enabled: Generated<number>;
}

export interface AuditLogTable {
  seq: Generated<number>;
  id: string;
  at: number;
  actor_user_id: string | null;
  actor: string;
  organization_id: string | null;
  action: string;
  key_id: string | null;
  ip: string | null;
  outcome: string;
  detail: string;
}

export interface ConsoleSessionsTable {
  /** SHA-256 of the session id: the cookie alone opens a session, so the id is never stored. */
  id_hash: string;
  user_id: string;
  via: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  /** The management token that opened the session (migration 0005); null for wallet sign-ins. */
  token_id: string | null;
}

export interface ConsoleNoncesTable {
  nonce: string;
  expires_at: number;
}

/** The durable key event log: append-only, `seq` increases in commit order (see key-event-repository.ts). */
export interface KeyEventsTable {
  seq: Generated<number>;
  at: number;
  type: string;
  key_id: string | null;
  user_id: string;
  scheme: string | null;
  lookup: string | null;
  reason: string | null;
}

export interface Database {
  organizations: OrganizationsTable;
  users: UsersTable;
  wallets: WalletsTable;
  management_tokens: ManagementTokensTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  console_sessions: ConsoleSessionsTable;
  console_nonces: ConsoleNoncesTable;
  key_events: KeyEventsTable;
}
