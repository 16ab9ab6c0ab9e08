import type { Kysely, Selectable, Updateable } from 'kysely';
import type { ApiKey, KeyScheme, Tier } from '../core/api-key.ts';
import type { ApiKeysTable, Database } from './database.ts';
import { fromJsonColumn, toJsonColumn } from './json-column.ts';
import { numberOrNull } from './number-column.ts';

/** Filters for listing keys; all optional and combined with AND. */
export interface KeyFilter {
  readonly organizationId: string;
  readonly userId?: string;
  /** Case-insensitive substring of the name. */
  readonly name?: string;
  /** Exact or suffix match on the last six characters. */
  readonly tail?: string;
  /** Matches either the name (as `name` does) or the tail (as `tail` does): one search box. */
  readonly text?: string;
  readonly scheme?: KeyScheme;
  readonly origin?: string;
  readonly includeDeleted?: boolean;
}

export type KeyPatch = Partial<
  Pick<ApiKey, 'name' | 'permissions' | 'ipAllowlist' | 'allowedExchanges' | 'tier' | 'maxConnections' | 'requestsPerMinute' | 'expiresAt' | 'revokedAt' | 'revokedBy' | 'deletedAt' | 'enabled'>
>;

function toDomain(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: row.id,
    organizationId: row.organization_id,
    userId: row.user_id,
    name: row.name,
    scheme: row.scheme as KeyScheme,
    lookup: row.lookup,
    tail: row.tail,
    permissions: fromJsonColumn(row.permissions),
    ipAllowlist: fromJsonColumn(row.ip_allowlist),
    allowedExchanges: fromJsonColumn(row.allowed_exchanges),
    tier: row.tier as Tier,
    maxConnections: Number(row.max_connections),
    requestsPerMinute: numberOrNull(row.requests_per_minute),
    expiresAt: numberOrNull(row.expires_at),
    createdAt: Number(row.created_at),
    lastUsedAt: numberOrNull(row.last_used_at),
    revokedAt: numberOrNull(row.revoked_at),
    revokedBy: row.revoked_by,
    deletedAt: numberOrNull(row.deleted_at),
    secretCiphertext: row.secret_ciphertext,
    publicKey: row.public_key,
    walletAddress: row.wallet_address,
    accountIndex: numberOrNull(row.account_index),
    origin: row.origin,
    enabled: Number(row.enabled) !== 0,
  };
}

function patchColumns(patch: KeyPatch): Partial<Updateable<ApiKeysTable>> {
  const columns: Partial<Updateable<ApiKeysTable>> = {};
  if (patch.name !== undefined) columns.name = patch.name;
  if (patch.permissions !== undefined) columns.permissions = toJsonColumn(patch.permissions);
  if (patch.ipAllowlist !== undefined) columns.ip_allowlist = toJsonColumn(patch.ipAllowlist);
  if (patch.allowedExchanges !== undefined) columns.allowed_exchanges = toJsonColumn(patch.allowedExchanges);
  if (patch.tier !== undefined) columns.tier = patch.tier;
  if (patch.maxConnections !== undefined) columns.max_connections = patch.maxConnections;
  if (patch.requestsPerMinute !== undefined) columns.requests_per_minute = patch.requestsPerMinute;
  if (patch.expiresAt !== undefined) columns.expires_at = patch.expiresAt;
  if (patch.revokedAt !== undefined) columns.revoked_at = patch.revokedAt;
  if (patch.revokedBy !== undefined) columns.revoked_by = patch.revokedBy;
  if (patch.deletedAt !== undefined) columns.deleted_at = patch.deletedAt;
  if (patch.enabled !== undefined) columns.enabled = patch.enabled ? 1 : 0;
  return columns;
}

/** Persistence of API keys. */
export class ApiKeyRepository {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Inserts a new key. A key registered by a wallet holds its account index among the wallet's keys
   * (refused with CONFLICT while another key holds it); `rolledFrom` names the key a roll replaces
   * (refused with CONFLICT when that key was rolled already).
   */
  async insert(key: ApiKey, options: { readonly rolledFrom?: string } = {}): Promise<void> {
    await this.#db
      .insertInto('api_keys')
      .values({
        id: key.id,
        organization_id: key.organizationId,
        user_id: key.userId,
        name: key.name,
        scheme: key.scheme,
        lookup: key.lookup,
        tail: key.tail,
        permissions: toJsonColumn(key.permissions),
        ip_allowlist: toJsonColumn(key.ipAllowlist),
        allowed_exchanges: toJsonColumn(key.allowedExchanges),
        tier: key.tier,
        max_connections: key.maxConnections,
        requests_per_minute: key.requestsPerMinute,
        expires_at: key.expiresAt,
        created_at: key.createdAt,
        last_used_at: key.lastUsedAt,
        revoked_at: key.revokedAt,
        revoked_by: key.revokedBy,
        deleted_at: key.deletedAt,
        secret_ciphertext: key.secretCiphertext,
        public_key: key.publicKey,
        wallet_address: key.walletAddress,
        account_slot: key.walletAddress !== null ? key.accountIndex : null,
        rolled_from: options.rolledFrom ?? null,
        account_index: key.accountIndex,
        origin: key.origin,
        enabled: key.enabled ? 1 : 0,
      })
      .execute();
  }

  /** The key by id, including deleted ones (callers decide what deletion means). */
  async findById(id: string): Promise<ApiKey | null> {
    const row = await this.#db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toDomain(row) : null;
  }

  /** The keys with these ids that exist (deleted included), in one query per 500 ids. */
  async findByIds(ids: readonly string[]): Promise<Map<string, ApiKey>> {
    const found = new Map<string, ApiKey>();
    for (let start = 0; start < ids.length; start += 500) {
      const rows = await this.#db.selectFrom('api_keys').selectAll().where('id', 'in', ids.slice(start, start + 500)).execute();
      for (const row of rows) found.set(row.id, toDomain(row));
    }
    return found;
  }

  /** The key a credential maps to under a scheme (a lookup is unique per scheme, revoked keys included). */
  async findByLookup(scheme: KeyScheme, lookup: string): Promise<ApiKey | null> {
    const row = await this.#db
      .selectFrom('api_keys')
      .selectAll()
      .where('scheme', '=', scheme)
      .where('lookup', '=', lookup)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toDomain(row) : null;
  }

  /** Keys matching a filter, newest first. */
  async list(filter: KeyFilter): Promise<ApiKey[]> {
    let query = this.#db.selectFrom('api_keys').selectAll().where('organization_id', '=', filter.organizationId);
    if (filter.userId) query = query.where('user_id', '=', filter.userId);
    if (filter.scheme) query = query.where('scheme', '=', filter.scheme);
    if (filter.origin) query = query.where('origin', '=', filter.origin);
    if (!filter.includeDeleted) query = query.where('deleted_at', 'is', null);
    const rows = await query.orderBy('created_at', 'desc').orderBy('id').execute();
    // Name and tail matching happen here: LIKE escaping differs between SQLite and PostgreSQL,
    // and an organization's key list is small.
    const nameMatches = (row: { name: string }, text: string) => row.name.toLowerCase().includes(text.toLowerCase());
    const tailMatches = (row: { tail: string }, text: string) => row.tail.toLowerCase().endsWith(text.toLowerCase());
    const { name, tail, text } = filter;
    return rows
      .filter((row) => (name ? nameMatches(row, name) : true))
      .filter((row) => (tail ? tailMatches(row, tail) : true))
      .filter((row) => (text ? nameMatches(row, text) || tailMatches(row, text) : true))
      .map(toDomain);
  }

  /** Keys of a wallet (spec 003), newest first, deleted included. */
  async listByWallet(walletAddress: string): Promise<ApiKey[]> {
    const rows = await this.#db.selectFrom('api_keys').selectAll().where('wallet_address', '=', walletAddress).orderBy('created_at', 'desc').execute();
    return rows.map(toDomain);
  }

  /**
   * Frees the account indexes of a wallet's keys that have ended (revoked, deleted or expired by
   * `now`), so they can be given out again. Expiry depends on the time, which no index can express:
   * call this under the wallet's lock (LockName.walletKeys), right before `heldAccountSlots`.
   */
  async releaseEndedAccountSlots(walletAddress: string, now: number): Promise<void> {
    await this.#db
      .updateTable('api_keys')
      .set({ account_slot: null })
      .where('wallet_address', '=', walletAddress)
      .where('account_slot', 'is not', null)
      .where((eb) => eb.or([eb('deleted_at', 'is not', null), eb('revoked_at', '<=', now), eb('expires_at', '<=', now)]))
      .execute();
  }

  /** The account indexes the wallet's keys hold (live keys, and ended ones not yet released). */
  async heldAccountSlots(walletAddress: string): Promise<number[]> {
    const rows = await this.#db
      .selectFrom('api_keys')
      .select('account_slot')
      .where('wallet_address', '=', walletAddress)
      .where('account_slot', 'is not', null)
      .execute();
    return rows.map((row) => Number(row.account_slot));
  }

  /** The key a roll of `id` created, or null when it was never rolled. */
  async findSuccessor(id: string): Promise<ApiKey | null> {
    const row = await this.#db.selectFrom('api_keys').selectAll().where('rolled_from', '=', id).executeTakeFirst();
    return row ? toDomain(row) : null;
  }

  /** Keys of one scheme a user holds that count toward the per-user limit (not revoked, deleted or expired). */
  async countLive(userId: string, now: number, scheme: KeyScheme): Promise<number> {
    const row = await this.#db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('scheme', '=', scheme)
      .where('deleted_at', 'is', null)
      .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', now)]))
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Applies a patch and returns the updated key, or null if it does not exist. */
  async update(id: string, patch: KeyPatch): Promise<ApiKey | null> {
    const columns = patchColumns(patch);
    if (Object.keys(columns).length > 0) await this.#db.updateTable('api_keys').set(columns).where('id', '=', id).execute();
    return this.findById(id);
  }

  /** Records last-used times in one statement per key; batched by the caller. */
  async touchLastUsed(entries: ReadonlyMap<string, number>): Promise<void> {
    for (const [id, at] of entries) {
      await this.#db
        .updateTable('api_keys')
        .set({ last_used_at: at })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .execute();
    }
  }
}
