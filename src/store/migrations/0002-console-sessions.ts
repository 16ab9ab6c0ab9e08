import type { Kysely, Migration } from 'kysely';

/** Web console sign-ins (stored by hash, shared by every node) and single-use Sign-In with Ethereum nonces. */
export const consoleSessions = (): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('console_sessions')
      .addColumn('id_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('via', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema.createIndex('console_sessions_expiry').on('console_sessions').column('expires_at').execute();
    await db.schema
      .createTable('console_nonces')
      .addColumn('nonce', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('console_nonces').execute();
    await db.schema.dropTable('console_sessions').execute();
  },
});
