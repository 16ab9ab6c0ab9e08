import type { Kysely, Migration } from 'kysely';

/**
 * Every nonce issued first deletes the expired ones; with an index on their expiry that delete reads
 * only the rows it removes, not the whole table (a table an attacker with many addresses can grow).
 */
export const consoleNonceExpiry = (): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema.createIndex('console_nonces_expires_at').on('console_nonces').column('expires_at').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('console_nonces_expires_at').execute();
  },
});
