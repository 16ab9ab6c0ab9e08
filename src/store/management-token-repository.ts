import type { Kysely, Selectable } from 'kysely';
import type { Database, ManagementTokensTable } from './database.ts';
import { numberOrNull } from './number-column.ts';

/** A management token as stored (hash only). */
export interface ManagementTokenRecord {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly tokenHash: string;
  readonly tail: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
}

/** A token with the user and organization it belongs to, as listings show it. */
export interface OwnedTokenRecord extends ManagementTokenRecord {
  readonly userName: string;
  readonly organizationId: string;
}

function record(row: Selectable<ManagementTokensTable>): ManagementTokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    tokenHash: row.token_hash,
    tail: row.tail,
    createdAt: Number(row.created_at),
    expiresAt: numberOrNull(row.expires_at),
    lastUsedAt: numberOrNull(row.last_used_at),
    revokedAt: numberOrNull(row.revoked_at),
  };
}

/** Persistence of management (Bearer) tokens. */
export class ManagementTokenRepository {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(token: ManagementTokenRecord): Promise<void> {
    await this.#db
      .insertInto('management_tokens')
      .values({
        id: token.id,
        user_id: token.userId,
        name: token.name,
        token_hash: token.tokenHash,
        tail: token.tail,
        created_at: token.createdAt,
        expires_at: token.expiresAt,
        last_used_at: token.lastUsedAt,
        revoked_at: token.revokedAt,
      })
      .execute();
  }

  async findByHash(tokenHash: string): Promise<ManagementTokenRecord | null> {
    const row = await this.#db.selectFrom('management_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return row ? record(row) : null;
  }

  /** One token with its owner, or null. */
  async findOwned(id: string): Promise<OwnedTokenRecord | null> {
    const rows = await this.#owned().where('management_tokens.id', '=', id).execute();
    return rows.length === 0 ? null : this.#ownedRecord(rows[0]);
  }

  /** Tokens of one user, or of every user of an organization; newest first. */
  async list(filter: { userId?: string; organizationId?: string }): Promise<OwnedTokenRecord[]> {
    let query = this.#owned();
    if (filter.userId !== undefined) query = query.where('management_tokens.user_id', '=', filter.userId);
    if (filter.organizationId !== undefined) query = query.where('users.organization_id', '=', filter.organizationId);
    const rows = await query.orderBy('management_tokens.created_at', 'desc').orderBy('management_tokens.id').execute();
    return rows.map((row) => this.#ownedRecord(row));
  }

  /** Revokes a token that is not revoked yet; true when this call revoked it. */
  async revoke(id: string, at: number): Promise<boolean> {
    const result = await this.#db.updateTable('management_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  #owned() {
    return this.#db
      .selectFrom('management_tokens')
      .innerJoin('users', 'users.id', 'management_tokens.user_id')
      .selectAll('management_tokens')
      .select(['users.name as user_name', 'users.organization_id as organization_id']);
  }

  #ownedRecord(row: Selectable<ManagementTokensTable> & { user_name: string; organization_id: string }): OwnedTokenRecord {
    return { ...record(row), userName: row.user_name, organizationId: row.organization_id };
  }
}
