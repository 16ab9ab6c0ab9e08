import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kysely, PostgresDialect } from 'kysely';
import type { Client as PgClient, ClientConfig } from 'pg';
import { BackendConnectError, isUnreachable, STARTUP_CONNECT_ATTEMPT_MS, STARTUP_CONNECT_BUDGET_MS } from '../core/backend-connect-error.ts';
import type { Database } from './database.ts';
import { ImmediateSqliteDialect } from './sqlite-immediate-dialect.ts';
import { withUniqueViolationsAsConflicts } from './unique-violation-dialect.ts';

export type Dialect = 'sqlite' | 'postgres';

/**
 * Opens Kysely on PostgreSQL when a URL is given, else on a SQLite file (created with its folder).
 * Only the configured driver is loaded. An unreachable PostgreSQL fails with a BackendConnectError
 * within the start-up budget instead of hanging on the first query. On both, a write that breaks a
 * unique index fails with a typed CONFLICT (unique-violation.ts), never a raw driver error.
 */
export async function connectDatabase(options: {
  databaseUrl: string | null;
  sqlitePath: string;
  onIdleError?: (error: Error) => void;
}): Promise<{ db: Kysely<Database>; dialect: Dialect }> {
  if (options.databaseUrl) {
    const pg = (await import('pg')).default;
    // int8 columns hold epoch milliseconds, well inside Number's safe range.
    pg.types.setTypeParser(20, (value) => Number(value));
    await probePostgres((config) => new pg.Client(config), options.databaseUrl);
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10, connectionTimeoutMillis: 3_000, keepAlive: true });
    // An idle client whose connection the server ends (restart, DROP DATABASE ... FORCE) makes the
    // pool emit 'error'; unheard, that would crash the process. The pool replaces the client itself.
    pool.on('error', (error) => options.onIdleError?.(error));
    // pg-pool listens for errors only on idle clients. A connection that drops while checked out
    // (mid-query, or inside a transaction) emits 'error' on the client as well as failing its query;
    // unheard, that event would crash the process. The failed query reports the failure; the pool
    // discards the broken client when it is released.
    pool.on('connect', (client) => client.on('error', () => undefined));
    return { db: new Kysely<Database>({ dialect: withUniqueViolationsAsConflicts(new PostgresDialect({ pool })) }), dialect: 'postgres' };
  }
  const Sqlite = (await import('better-sqlite3')).default;
  if (options.sqlitePath !== ':memory:') {
    mkdirSync(dirname(options.sqlitePath), { recursive: true });
    restrictToOwner(options.sqlitePath);
  }
  const sqlite = new Sqlite(options.sqlitePath);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return { db: new Kysely<Database>({ dialect: withUniqueViolationsAsConflicts(new ImmediateSqliteDialect({ database: sqlite })) }), dialect: 'sqlite' };
}

/**
 * Creates the SQLite file readable by its owner only (it holds key hashes and encrypted secrets).
 * SQLite gives the -wal and -shm files the main file's mode, so this covers them too. A file made
 * by an older version with wider permissions is narrowed when we own it.
 */
function restrictToOwner(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    let stat;
    try {
      stat = statSync(file);
    } catch {
      continue;
    }
    if ((stat.mode & 0o077) !== 0 && stat.uid === process.getuid?.()) chmodSync(file, stat.mode & 0o700);
  }
}

/** Connects once to prove PostgreSQL answers and accepts us, retrying unanswered attempts within the start-up budget. */
async function probePostgres(newClient: (config: ClientConfig) => PgClient, url: string): Promise<void> {
  const deadline = Date.now() + STARTUP_CONNECT_BUDGET_MS;
  for (let delay = 250; ; delay = Math.min(delay * 2, 1_000)) {
    const remaining = deadline - Date.now();
    const client = newClient({ connectionString: url, connectionTimeoutMillis: Math.max(500, Math.min(STARTUP_CONNECT_ATTEMPT_MS, remaining)) });
    // A client that fails to connect may still emit 'error' afterwards; unheard, it would crash the process.
    client.on('error', () => {});
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (!isUnreachable(error)) throw BackendConnectError.refused('PostgreSQL', url, error);
      if (Date.now() + delay >= deadline) throw BackendConnectError.unreachable('PostgreSQL', url, error);
      await sleep(delay);
    }
  }
}
