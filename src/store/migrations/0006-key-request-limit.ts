import type { Kysely, Migration } from 'kysely';

/**
 * A per-key request limit an admin may set (`requestsPerMinute`), overriding the tier's. Existing
 * keys get null, which keeps the tier's limit: nothing changes for them.
 */
export const keyRequestLimit = (): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema.alterTable('api_keys').addColumn('requests_per_minute', 'integer').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('api_keys').dropColumn('requests_per_minute').execute();
  },
});
