import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { connectDatabase } from '../../src/store/connect-database.ts';
import { migrateToLatest, migrateUpTo } from '../../src/store/migrate.ts';
import { createTestDatabase, dialects, type TestDatabase } from '../support/databases.ts';

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const FAR = Date.now() + 30 * DAY;

// A database of the version before 0004 holding exactly the duplicates the races of finding 6 made:
// the migration must resolve them (first one wins), record what it did, and then build its indexes.
for (const dialect of dialects()) {
  describe(`migration 0004 on an existing database with duplicates (${dialect})`, () => {
    let database: TestDatabase;
    let db: Kysely<any>;
    const orgs = [randomUUID(), randomUUID(), randomUUID()];
    const users = { first: randomUUID(), second: randomUUID(), walletOwner: randomUUID() };
    const address = '0x' + 'ab'.repeat(20);
    const keys = {
      registeredFirst: randomUUID(),
      registeredAgain: randomUUID(),
      index3: randomUUID(),
      index3Again: randomUUID(),
      index3Expired: randomUUID(),
      index4: randomUUID(),
    };
    const publicKey = 'cd'.repeat(32);

    const keyRow = (id: string, overrides: Record<string, unknown>) => ({
      id,
      organization_id: orgs[0],
      user_id: users.walletOwner,
      name: 'k',
      scheme: 'ed25519',
      lookup: randomUUID().replaceAll('-', ''),
      tail: 'abcdef',
      permissions: '["read"]',
      ip_allowlist: '[]',
      allowed_exchanges: '["*"]',
      tier: 'basic',
      max_connections: 2,
      expires_at: FAR,
      created_at: T0,
      last_used_at: null,
      revoked_at: null,
      revoked_by: null,
      deleted_at: null,
      secret_ciphertext: null,
      public_key: null,
      wallet_address: address,
      account_index: null,
      origin: 'wallet',
      ...overrides,
    });

    before(async () => {
      database = await createTestDatabase(dialect);
      db = (await connectDatabase({ databaseUrl: database.databaseUrl, sqlitePath: join(database.dataDir, 'keygate.sqlite') })).db;
      await migrateUpTo(db, dialect, '0003-key-events');
      for (const [i, id] of orgs.entries()) {
        await db.insertInto('organizations').values({ id, name: 'Wallet Accounts', revoke_policy: 'admins', created_at: T0 + i }).execute();
      }
      await db.insertInto('users').values({ id: users.first, organization_id: orgs[0], name: 'ada', role: 'member', usage_level: 'basic', tier: 'basic', created_at: T0 }).execute();
      await db.insertInto('users').values({ id: users.second, organization_id: orgs[0], name: 'ada', role: 'member', usage_level: 'basic', tier: 'basic', created_at: T0 + 1 }).execute();
      await db.insertInto('users').values({ id: users.walletOwner, organization_id: orgs[0], name: address, role: 'member', usage_level: 'basic', tier: 'basic', created_at: T0 }).execute();
      await db
        .insertInto('api_keys')
        .values([
          keyRow(keys.registeredFirst, { lookup: publicKey, created_at: T0, account_index: 0 }),
          keyRow(keys.registeredAgain, { lookup: publicKey, created_at: T0 + 1, account_index: 1 }),
          keyRow(keys.index3, { created_at: T0 + 2, account_index: 3 }),
          keyRow(keys.index3Again, { created_at: T0 + 3, account_index: 3 }),
          keyRow(keys.index3Expired, { created_at: T0, account_index: 3, expires_at: T0 + DAY }),
          keyRow(keys.index4, { created_at: T0, account_index: 4 }),
        ])
        .execute();
      const result = await migrateToLatest(db, dialect);
      // 0004 runs first and succeeds; later migrations (0005, 0007, …) follow it.
      const ran = result.results?.map((r) => [r.migrationName, r.status]) ?? [];
      assert.deepEqual(ran[0], ['0004-store-invariants', 'Success']);
      assert.ok(ran.every(([, status]) => status === 'Success'), JSON.stringify(ran));
    });
    after(async () => {
      await db.destroy();
      await database.drop();
    });

    const key = (id: string) => db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    it('keeps the oldest organization name and renames the later ones', async () => {
      const rows = await db.selectFrom('organizations').select(['id', 'name']).orderBy('created_at').execute();
      assert.deepEqual(
        rows.map((r) => r.name),
        ['Wallet Accounts', `Wallet Accounts [${orgs[1]}]`, `Wallet Accounts [${orgs[2]}]`],
      );
    });

    it('keeps the oldest user name within the organization and renames the later one', async () => {
      assert.equal((await db.selectFrom('users').select('name').where('id', '=', users.first).executeTakeFirstOrThrow()).name, 'ada');
      assert.equal((await db.selectFrom('users').select('name').where('id', '=', users.second).executeTakeFirstOrThrow()).name, `ada [${users.second}]`);
    });

    it('keeps the first registration of a public key and revokes and retires the later one, with a key event', async () => {
      const first = await key(keys.registeredFirst);
      const again = await key(keys.registeredAgain);
      assert.equal(first.lookup, publicKey);
      assert.equal(first.revoked_at, null);
      assert.equal(again.lookup, `${publicKey}#retired:${keys.registeredAgain}`);
      assert.ok(again.revoked_at !== null && Number(again.revoked_at) <= Date.now());
      assert.equal(again.account_slot, null, 'a revoked key holds no account index');
      const event = await db.selectFrom('key_events').selectAll().where('key_id', '=', keys.registeredAgain).executeTakeFirstOrThrow();
      assert.equal(event.type, 'revoked');
      assert.equal(event.lookup, publicKey, 'under the lookup caches know it by, so every node drops it');
    });

    it('gives each live wallet key its index; a later live key on a held index is revoked, an expired one just holds none', async () => {
      assert.equal((await key(keys.registeredFirst)).account_slot, 0);
      assert.equal((await key(keys.index3)).account_slot, 3);
      assert.equal((await key(keys.index4)).account_slot, 4);
      const again = await key(keys.index3Again);
      assert.equal(again.account_slot, null);
      assert.notEqual(again.revoked_at, null);
      const expired = await key(keys.index3Expired);
      assert.equal(expired.account_slot, null);
      assert.equal(expired.revoked_at, null, 'an expired key is left as it was');
    });

    it('records every change in the audit log, by the migration', async () => {
      const entries = await db.selectFrom('audit_log').selectAll().where('actor', '=', 'migration 0004-store-invariants').execute();
      const summary = entries.map((e) => `${e.action} ${e.key_id ?? JSON.parse(e.detail).user ?? e.organization_id}`).sort();
      assert.deepEqual(
        summary,
        [
          `key.revoke ${keys.index3Again}`,
          `key.revoke ${keys.registeredAgain}`,
          `organization.rename ${orgs[1]}`,
          `organization.rename ${orgs[2]}`,
          `user.rename ${users.second}`,
        ].sort(),
      );
      assert.match(JSON.parse(entries.find((e) => e.key_id === keys.index3Again)!.detail).reason, new RegExp(`${keys.index3} of wallet ${address} holds accountIndex 3`));
    });

    it('builds the indexes: the same duplicates are refused from now on, and migrating again changes nothing', async () => {
      await assert.rejects(
        db.insertInto('organizations').values({ id: randomUUID(), name: 'Wallet Accounts', revoke_policy: 'admins', created_at: T0 }).execute(),
        { name: 'KeygateError', code: 'CONFLICT' },
      );
      await assert.rejects(db.insertInto('api_keys').values(keyRow(randomUUID(), { lookup: publicKey })).execute(), { name: 'KeygateError', code: 'CONFLICT' });
      await assert.rejects(db.insertInto('api_keys').values(keyRow(randomUUID(), { account_index: 3, account_slot: 3 })).execute(), { name: 'KeygateError', code: 'CONFLICT' });
      assert.deepEqual((await migrateToLatest(db, dialect)).results, []);
    });
  });
}
