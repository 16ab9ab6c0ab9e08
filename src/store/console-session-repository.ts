import type { Kysely } from 'kysely';
import type { Database } from './database.ts';

/** A console session as stored: only the hash of its id. */
export interface ConsoleSessionRecord {
  readonly idHash: string;
  readonly userId: string;
  readonly via: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
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
      })
      .execute();
  }

  async findByHash(idHash: string): Promise<ConsoleSessionRecord | null> {
    const row = await this.#db.selectFrom('console_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    if (!row) return null;
    return {
      idHash: row.id_hash,
      userId: row.user_id,
      via: row.via,
      createdAt: Number(row.created_at),
      expiresAt: Number(row.expires_at),
      revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
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
