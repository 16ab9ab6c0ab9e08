import type { Kysely } from 'kysely';
import type { Database } from './database.ts';

/** Sign-In with Ethereum nonces the server handed out and nobody has used yet. */
export class ConsoleNonceRepository {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(nonce: string, expiresAt: number): Promise<void> {
    await this.#db.insertInto('console_nonces').values({ nonce, expires_at: expiresAt }).execute();
  }

  /** Deletes the nonce if it is still valid at `now`; true only for the one caller that removed it. */
  async consume(nonce: string, now: number): Promise<boolean> {
    const result = await this.#db.deleteFrom('console_nonces').where('nonce', '=', nonce).where('expires_at', '>', now).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** Drops nonces that expired unused. */
  async deleteExpired(now: number): Promise<void> {
    await this.#db.deleteFrom('console_nonces').where('expires_at', '<=', now).execute();
  }
}
