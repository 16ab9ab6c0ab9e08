import type { Kysely } from 'kysely';
import type { Database } from './database.ts';
import { numberOrNull } from './number-column.ts';

/** A console session as stored: only the hash of its id. */
export interface ConsoleSessionRecord {
  readonly idHash: string;
  readonly userId: string;
  readonly via: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
  /** The management token that opened it; null for a wallet sign-in. */
  readonly tokenId: string | null;
}

/** A stored session with the state of the token that opened it (null when none did, or it is gone). */
export interface ConsoleSessionWithToken extends ConsoleSessionRecord {
  readonly token: { readonly revokedAt: number | null; readonly expiresAt: number | null } | null;
}

/** Persistence of web console sessions, shared by every node on the same database. */
export class ConsoleSessionRepository {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(session: ConsoleSessionRecord): Promise<void> {
    await this.#db
      .insertInto('console_sessions')
      .values({
        id_hash: session.idHash,
        user_id: session.userId,
        via: session.via,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
        revoked_at: session.revokedAt,
        token_id: session.tokenId,
      })
      .execute();
  }

  /** A session by the hash of its id, with its token's state read in the same query. */
  async findByHash(idHash: string): Promise<ConsoleSessionWithToken | null> {
    const row = await this.#db
      .selectFrom('console_sessions')
      .leftJoin('management_tokens', 'management_tokens.id', 'console_sessions.token_id')
      .selectAll('console_sessions')
      .select(['management_tokens.id as token_row', 'management_tokens.revoked_at as token_revoked_at', 'management_tokens.expires_at as token_expires_at'])
      .where('console_sessions.id_hash', '=', idHash)
      .executeTakeFirst();
    if (!row) return null;
    return {
      idHash: row.id_hash,
      userId: row.user_id,
      via: row.via,
      createdAt: Number(row.created_at),
      expiresAt: Number(row.expires_at),
      revokedAt: numberOrNull(row.revoked_at),
      tokenId: row.token_id,
      token: row.token_row === null ? null : { revokedAt: numberOrNull(row.token_revoked_at), expiresAt: numberOrNull(row.token_expires_at) },
    };
  }

  async revoke(idHash: string, at: number): Promise<void> {
    await this.#db.updateTable('console_sessions').set({ revoked_at: at }).where('id_hash', '=', idHash).where('revoked_at', 'is', null).execute();
  }

  /** Forgets sessions that ended before `before`; they can never be used again. */
  async deleteEndedBefore(before: number): Promise<void> {
    await this.#db.deleteFrom('console_sessions').where('expires_at', '<', before).execute();
  }
}
