import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Migrator, type Kysely } from 'kysely';
import { connectDatabase } from '../../src/store/connect-database.ts';
import { MIGRATION_TABLES, migrateToLatest, migrations } from '../../src/store/migrate.ts';
import { createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';

// A released version shipped 0001–0005 and 0007 (0006 and 0008 came later, from parallel branches):
// a database it migrated must still start on this version, gaining the migrations it lacks.
for (const dialect of dialects()) {
  describe(`upgrading a database that ran 0007 before 0006 existed (${dialect})`, () => {
    let database: TestDatabase;
    let db: Kysely<any>;
    before(async () => {
      database = await createTestDatabase(dialect);
      db = (await connectDatabase({ databaseUrl: database.databaseUrl, sqlitePath: join(database.dataDir, 'keygate.sqlite') })).db;
      const released = Object.fromEntries(Object.entries(migrations(dialect)).filter(([name]) => !['0006-key-request-limit', '0008-console-nonce-expiry'].includes(name)));
      const result = await new Migrator({ db, provider: { getMigrations: async () => released }, ...MIGRATION_TABLES }).migrateToLatest();
      assert.equal(result.error, undefined);
    });
    after(async () => {
      await db.destroy();
      await database.drop();
    });

    it('runs the migrations it lacks and keeps the one it ran', async () => {
      const result = await migrateToLatest(db, dialect);
      assert.deepEqual(result.results?.map((r) => [r.migrationName, r.status]), [
        ['0006-key-request-limit', 'Success'],
        ['0008-console-nonce-expiry', 'Success'],
      ]);
      const ran = await db.selectFrom(MIGRATION_TABLES.migrationTableName).select('name').orderBy('name').execute();
      assert.deepEqual(ran.map((row) => row.name), Object.keys(migrations(dialect)));
      // The columns of both 0006 and 0007 are there.
      await db.selectFrom('api_keys').select(['requests_per_minute', 'enabled']).execute();
    });
  });
}
