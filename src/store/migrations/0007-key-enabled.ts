import type { Kysely, Migration } from 'kysely';

/**
 * Lets an admin suspend a key and resume it later (`enabled`, 1 or 0): every existing key stays
 * enabled. An integer, not a boolean, so SQLite and PostgreSQL store and return the same thing.
 */
export const keyEnabled = (): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema.alterTable('api_keys').addColumn('enabled', 'integer', (column) => column.notNull().defaultTo(1)).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('api_keys').dropColumn('enabled').execute();
  },
});
