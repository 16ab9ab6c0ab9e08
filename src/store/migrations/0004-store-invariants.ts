import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../connect-database.ts';
import { KEY_EVENT_LOG_LOCK } from '../key-event-repository.ts';

/** Who the audit log names for what this migration changed. */
const ACTOR = 'migration 0004-store-invariants';

interface KeyRow {
  id: string;
  organization_id: string;
  user_id: string;
  scheme: string;
  lookup: string;
  revoked_at: number | string | null;
  wallet_address: string | null;
  account_index: number | string | null;
}

/**
 * Uniqueness rules as unique indexes, so the store refuses a duplicate whichever path writes it:
 * organization names, user names within an organization, key lookups per scheme (so an Ed25519
 * public key registers once), the account indexes of a wallet's live keys (`account_slot`), and one
 * roll per key (`rolled_from`). Wallets were unique already (their primary key).
 *
 * An existing database may already hold duplicates (the races these indexes close). They are
 * resolved, deterministically and visibly, before the indexes are built; the first record (oldest,
 * then lowest id) always wins:
 * - a later organization or user of the same name is renamed `<name> [<its id>]`: nobody gains or
 *   loses access, and an operator can merge by hand;
 * - a later key with the same scheme and lookup, or a later live key of a wallet holding an account
 *   index an older live key holds, is revoked now (with a key event, so every running node ends its
 *   sessions) and a duplicate lookup is retired (`<lookup>#retired:<id>`), so it can never match.
 * Each change is an audit entry by "migration 0004-store-invariants". The whole migration is one
 * transaction on both stores: it applies completely or not at all.
 */
export const storeInvariants = (dialect: Dialect): Migration => ({
  async up(db: Kysely<any>) {
    // Kysely runs SQLite migrations outside a transaction; PostgreSQL's are inside one already.
    if (db.isTransaction) await migrate(db, dialect);
    else await db.transaction().execute((tx) => migrate(tx, dialect));
  },
  async down(db: Kysely<any>) {
    for (const index of ['api_keys_rolled_from_unique', 'api_keys_wallet_account_slot_unique', 'api_keys_scheme_lookup_unique', 'users_organization_name_unique', 'organizations_name_unique']) {
      await db.schema.dropIndex(index).execute();
    }
    await db.schema.createIndex('api_keys_lookup').on('api_keys').columns(['scheme', 'lookup']).execute();
    await db.schema.alterTable('api_keys').dropColumn('rolled_from').execute();
    await db.schema.alterTable('api_keys').dropColumn('account_slot').execute();
  },
});

async function migrate(db: Kysely<any>, dialect: Dialect): Promise<void> {
  // The revocations below append to the key event log: on PostgreSQL under the log's lock, as every
  // appender does, so no running node commits a later sequence number first and skips past them.
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtextextended(${KEY_EVENT_LOG_LOCK}, 0))`.execute(db);
  const now = Date.now();
  await renameDuplicateOrganizations(db, now);
  await renameDuplicateUsers(db, now);
  await retireDuplicateLookups(db, now);

  await db.schema.alterTable('api_keys').addColumn('account_slot', 'integer').execute();
  await db.schema.alterTable('api_keys').addColumn('rolled_from', 'text').execute();
  await assignAccountSlots(db, now);

  await db.schema.createIndex('organizations_name_unique').on('organizations').column('name').unique().execute();
  await db.schema.createIndex('users_organization_name_unique').on('users').columns(['organization_id', 'name']).unique().execute();
  // Replaces the plain lookup index of 0001: same columns, now unique.
  await db.schema.dropIndex('api_keys_lookup').execute();
  await db.schema.createIndex('api_keys_scheme_lookup_unique').on('api_keys').columns(['scheme', 'lookup']).unique().execute();
  await db.schema
    .createIndex('api_keys_wallet_account_slot_unique')
    .on('api_keys')
    .columns(['wallet_address', 'account_slot'])
    .unique()
    .where(sql.ref('account_slot'), 'is not', null)
    .execute();
  await db.schema.createIndex('api_keys_rolled_from_unique').on('api_keys').column('rolled_from').unique().where(sql.ref('rolled_from'), 'is not', null).execute();
}

async function renameDuplicateOrganizations(db: Kysely<any>, now: number): Promise<void> {
  const groups = await db.selectFrom('organizations').select('name').groupBy('name').having((eb) => eb.fn.countAll(), '>', 1).execute();
  for (const { name } of groups) {
    const rows = await db.selectFrom('organizations').select(['id', 'name']).where('name', '=', name).orderBy('created_at').orderBy('id').execute();
    for (const row of rows.slice(1)) {
      const renamed = `${row.name} [${row.id}]`;
      await db.updateTable('organizations').set({ name: renamed }).where('id', '=', row.id).execute();
      await audit(db, now, { organizationId: row.id, action: 'organization.rename', keyId: null, detail: { from: row.name, to: renamed, reason: `organization names are unique; ${rows[0].id} keeps the name` } });
    }
  }
}

async function renameDuplicateUsers(db: Kysely<any>, now: number): Promise<void> {
  const groups = await db
    .selectFrom('users')
    .select(['organization_id', 'name'])
    .groupBy(['organization_id', 'name'])
    .having((eb) => eb.fn.countAll(), '>', 1)
    .execute();
  for (const group of groups) {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'name'])
      .where('organization_id', '=', group.organization_id)
      .where('name', '=', group.name)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    for (const row of rows.slice(1)) {
      const renamed = `${row.name} [${row.id}]`;
      await db.updateTable('users').set({ name: renamed }).where('id', '=', row.id).execute();
      await audit(db, now, {
        organizationId: group.organization_id,
        action: 'user.rename',
        keyId: null,
        detail: { user: row.id, from: row.name, to: renamed, reason: `user names are unique within an organization; ${rows[0].id} keeps the name` },
      });
    }
  }
}

async function retireDuplicateLookups(db: Kysely<any>, now: number): Promise<void> {
  const groups = await db
    .selectFrom('api_keys')
    .select(['scheme', 'lookup'])
    .groupBy(['scheme', 'lookup'])
    .having((eb) => eb.fn.countAll(), '>', 1)
    .execute();
  for (const group of groups) {
    const rows = (await db
      .selectFrom('api_keys')
      .selectAll()
      .where('scheme', '=', group.scheme)
      .where('lookup', '=', group.lookup)
      .orderBy('created_at')
      .orderBy('id')
      .execute()) as KeyRow[];
    for (const row of rows.slice(1)) {
      await revoke(db, now, row, `a ${row.scheme} API key with the same identifier was registered first (${rows[0].id}); identifiers are unique`);
      await db.updateTable('api_keys').set({ lookup: `${row.lookup}#retired:${row.id}` }).where('id', '=', row.id).execute();
    }
  }
}

/** Gives every live wallet key its account index as a slot; a later live key on an index already held is revoked. */
async function assignAccountSlots(db: Kysely<any>, now: number): Promise<void> {
  const live = (await db
    .selectFrom('api_keys')
    .selectAll()
    .where('wallet_address', 'is not', null)
    .where('account_index', 'is not', null)
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', now)]))
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('wallet_address')
    .orderBy('created_at')
    .orderBy('id')
    .execute()) as KeyRow[];
  const held = new Map<string, string>();
  for (const row of live) {
    const slot = `${row.wallet_address}/${Number(row.account_index)}`;
    const holder = held.get(slot);
    if (holder === undefined) {
      held.set(slot, row.id);
      await db.updateTable('api_keys').set({ account_slot: Number(row.account_index) }).where('id', '=', row.id).execute();
    } else {
      await revoke(db, now, row, `live key ${holder} of wallet ${row.wallet_address} holds accountIndex ${Number(row.account_index)} already; an account index belongs to one live key`);
    }
  }
}

/** Revokes a key now (if it still works), logs the key event every node follows, and audits why. */
async function revoke(db: Kysely<any>, now: number, row: KeyRow, reason: string): Promise<void> {
  const live = row.revoked_at === null || Number(row.revoked_at) > now;
  if (live) {
    await db.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', row.id).execute();
    await db
      .insertInto('key_events')
      .values({ at: now, type: 'revoked', key_id: row.id, user_id: row.user_id, scheme: row.scheme, lookup: row.lookup, reason: 'key_revoked' })
      .execute();
  }
  await audit(db, now, { organizationId: row.organization_id, action: 'key.revoke', keyId: row.id, detail: { reason, wasLive: live } });
}

async function audit(
  db: Kysely<any>,
  now: number,
  entry: { organizationId: string; action: string; keyId: string | null; detail: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: randomUUID(),
      at: now,
      actor_user_id: null,
      actor: ACTOR,
      organization_id: entry.organizationId,
      action: entry.action,
      key_id: entry.keyId,
      ip: null,
      outcome: 'ok',
      detail: JSON.stringify(entry.detail),
    })
    .execute();
}
