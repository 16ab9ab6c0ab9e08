import { sql, type Kysely, type Selectable } from 'kysely';
import type { KeyEvent, KeyEventChange } from '../core/key-event.ts';
import type { Dialect } from './connect-database.ts';
import type { Database, KeyEventsTable } from './database.ts';

/** Name of the lock every appender takes on PostgreSQL (see `append`). */
export const KEY_EVENT_LOG_LOCK = 'keygate:key-event-log';

/** Maps a stored row (or the JSON a PostgreSQL notification carries) to an event. */
export function keyEventOf(row: Selectable<KeyEventsTable>): KeyEvent {
  const base = { seq: Number(row.seq), at: Number(row.at), ...(row.reason === null ? {} : { reason: row.reason }) };
  if (row.type === 'user_changed') return { ...base, type: 'user_changed', userId: row.user_id };
  return {
    ...base,
    type: row.type as Exclude<KeyEvent['type'], 'user_changed'>,
    keyId: row.key_id ?? '',
    userId: row.user_id,
    scheme: row.scheme ?? '',
    lookup: row.lookup ?? '',
  };
}

/**
 * The append-only key event log. Readers follow it by sequence: every event with a higher `seq` than
 * the last one applied is new. That only holds if sequence numbers become visible in order, so on
 * PostgreSQL each appender holds one transaction-scoped advisory lock from taking its number until
 * it commits (writers of key changes queue there; they are few). SQLite has one writer at a time.
 */
export class KeyEventRepository {
  readonly #db: Kysely<Database>;
  readonly #dialect: Dialect;

  constructor(db: Kysely<Database>, dialect: Dialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  /**
   * Appends an event inside the caller's transaction and returns it with its sequence number.
   * Call it last in the transaction: the log's lock is held from here until commit.
   */
  async append(change: KeyEventChange, at: number): Promise<KeyEvent> {
    if (!this.#db.isTransaction) throw new Error('key events are appended inside a store transaction, with the change they describe');
    if (this.#dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtextextended(${KEY_EVENT_LOG_LOCK}, 0))`.execute(this.#db);
    const row = await this.#db
      .insertInto('key_events')
      .values({
        at,
        type: change.type,
        key_id: change.type === 'user_changed' ? null : change.keyId,
        user_id: change.userId,
        scheme: change.type === 'user_changed' ? null : change.scheme,
        lookup: change.type === 'user_changed' ? null : change.lookup,
        reason: change.reason ?? null,
      })
      .returning('seq')
      .executeTakeFirstOrThrow();
    return { ...change, seq: Number(row.seq), at } as KeyEvent;
  }

  /** Events after `seq`, oldest first, at most `limit`. */
  async after(seq: number, limit: number): Promise<KeyEvent[]> {
    const rows = await this.#db.selectFrom('key_events').selectAll().where('seq', '>', seq).orderBy('seq').limit(limit).execute();
    return rows.map(keyEventOf);
  }

  /** The newest sequence number (0 for an empty log). */
  async headSeq(): Promise<number> {
    const row = await this.#db.selectFrom('key_events').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
    return row?.seq === null || row?.seq === undefined ? 0 : Number(row.seq);
  }

  /** The oldest sequence number still kept, or null for an empty log. */
  async oldestSeq(): Promise<number | null> {
    const row = await this.#db.selectFrom('key_events').select((eb) => eb.fn.min('seq').as('seq')).executeTakeFirst();
    return row?.seq === null || row?.seq === undefined ? null : Number(row.seq);
  }

  /** Deletes events written before `at`; returns how many went. */
  async pruneBefore(at: number): Promise<number> {
    const result = await this.#db.deleteFrom('key_events').where('at', '<', at).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
