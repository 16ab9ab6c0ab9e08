import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { BackendHealth } from '../core/backend-health.ts';
import { ApiKeyRepository } from './api-key-repository.ts';
import { AuditLogRepository } from './audit-log-repository.ts';
import { connectDatabase, type Dialect } from './connect-database.ts';
import { ConsoleNonceRepository } from './console-nonce-repository.ts';
import { ConsoleSessionRepository } from './console-session-repository.ts';
import type { Database } from './database.ts';
import { KeyEventRepository } from './key-event-repository.ts';
import type { KeyEventSignal, KeyEventSignalHandlers } from './key-event-signal.ts';
import { listenForKeyEventsPostgres } from './key-event-signal-postgres.ts';
import { watchKeyEventsSqlite } from './key-event-signal-sqlite.ts';
import { ManagementTokenRepository } from './management-token-repository.ts';
import { migrateToLatest } from './migrate.ts';
import { OrganizationRepository } from './organization-repository.ts';
import { UserRepository } from './user-repository.ts';

/** Every repository, bound to one connection or to one transaction. */
export interface Repositories {
  readonly dialect: Dialect;
  readonly keys: ApiKeyRepository;
  readonly users: UserRepository;
  readonly organizations: OrganizationRepository;
  readonly tokens: ManagementTokenRepository;
  readonly audit: AuditLogRepository;
  readonly consoleSessions: ConsoleSessionRepository;
  readonly consoleNonces: ConsoleNonceRepository;
  /** The durable key event log (append only inside a transaction). */
  readonly keyEvents: KeyEventRepository;
}

/**
 * The repositories of one store transaction. Use only these inside it: on SQLite the transaction
 * holds the process's one connection, so a query through the outer store would wait for ever.
 */
export interface StoreTransaction extends Repositories {
  /**
   * Serialises transactions that take the same `name` until this one ends: the tool for
   * count-then-insert caps and read-then-write checks (e.g. `lock(LockName.userKeys(userId))`, then
   * count, then insert). Names and the order to take them in: lock-names.ts; take every lock before
   * recording key events. PostgreSQL takes a transaction-scoped advisory lock; SQLite needs none, as
   * its transactions begin immediate and so already run one at a time.
   */
  lock(name: string): Promise<void>;
}

/** The repositories over one database connection. */
export interface Store extends Repositories {
  readonly db: Kysely<Database>;
  /** Up/down as this node last saw the database; logs each change once. */
  readonly health: BackendHealth;
  /**
   * Runs `work` in one transaction and commits when it resolves (rolls back when it throws). Every
   * write that must stand or fall together — a change, its audit entry, its key event — goes here.
   */
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /** A trivial query, to tell whether the database answers (readiness). */
  ping(): Promise<void>;
  /** Starts the fast path for key events other processes write: LISTEN on PostgreSQL, a file change check on SQLite. */
  listenForKeyEvents(handlers: KeyEventSignalHandlers): Promise<KeyEventSignal>;
  close(): Promise<void>;
}

function repositories(db: Kysely<Database>, dialect: Dialect): Repositories {
  return {
    dialect,
    keys: new ApiKeyRepository(db),
    users: new UserRepository(db),
    organizations: new OrganizationRepository(db),
    tokens: new ManagementTokenRepository(db),
    audit: new AuditLogRepository(db),
    consoleSessions: new ConsoleSessionRepository(db),
    consoleNonces: new ConsoleNonceRepository(db),
    keyEvents: new KeyEventRepository(db, dialect),
  };
}

/** Opens the store (PostgreSQL when `databaseUrl` is set, else `<dataDir>/keygate.sqlite`) and migrates it. */
export async function openStore(options: {
  databaseUrl: string | null;
  dataDir: string;
  migrate?: boolean;
  onIdleError?: (error: Error) => void;
  /** Where database outages are reported (one log line per change); a silent one when left out. */
  health?: BackendHealth;
}): Promise<Store> {
  const { db, dialect } = await connectDatabase({
    databaseUrl: options.databaseUrl,
    sqlitePath: join(options.dataDir, 'keygate.sqlite'),
    onIdleError: options.onIdleError,
  });
  if (options.migrate !== false) await migrateToLatest(db, dialect);
  const health = options.health ?? new BackendHealth('store', dialect === 'postgres' ? 'PostgreSQL' : 'SQLite');
  return {
    ...repositories(db, dialect),
    db,
    health,
    transaction: (work) =>
      db.transaction().execute((trx) =>
        work({
          ...repositories(trx, dialect),
          lock: async (name) => {
            if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtextextended(${name}, 0))`.execute(trx);
          },
        }),
      ),
    ping: async () => void (await sql`select 1`.execute(db)),
    listenForKeyEvents: async (handlers) =>
      options.databaseUrl ? listenForKeyEventsPostgres(options.databaseUrl, handlers) : watchKeyEventsSqlite(db, handlers),
    close: () => db.destroy(),
  };
}
