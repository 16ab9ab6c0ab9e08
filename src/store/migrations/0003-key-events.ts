import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../connect-database.ts';

/** Channel PostgreSQL notifies on every appended key event (the payload is the row as JSON). */
export const KEY_EVENTS_CHANNEL = 'keygate_key_events';

/**
 * The durable key event log. On PostgreSQL a trigger notifies KEY_EVENTS_CHANNEL for every row, so
 * whichever process appends an event (a node, the CLI, a script) wakes every listening node.
 */
export const keyEvents = (dialect: Dialect): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('key_events')
      .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('scheme', 'text')
      .addColumn('lookup', 'text')
      .addColumn('reason', 'text')
      .execute();
    await db.schema.createIndex('key_events_at').on('key_events').column('at').execute();
    if (dialect !== 'postgres') return;
    await sql`
      CREATE FUNCTION keygate_notify_key_event() RETURNS trigger AS $$
      BEGIN
        PERFORM pg_notify(${sql.lit(KEY_EVENTS_CHANNEL)}, row_to_json(NEW)::text);
        RETURN NEW;
      END
      $$ LANGUAGE plpgsql`.execute(db);
    await sql`CREATE TRIGGER key_events_notify AFTER INSERT ON key_events FOR EACH ROW EXECUTE FUNCTION keygate_notify_key_event()`.execute(db);
  },
  async down(db: Kysely<any>) {
    if (dialect === 'postgres') {
      await sql`DROP TRIGGER IF EXISTS key_events_notify ON key_events`.execute(db);
      await sql`DROP FUNCTION IF EXISTS keygate_notify_key_event()`.execute(db);
    }
    await db.schema.dropTable('key_events').execute();
  },
});
