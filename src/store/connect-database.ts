import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';
import { ImmediateSqliteDialect } from './sqlite-immediate-dialect.ts';

export type Dialect = 'sqlite' | 'postgres';

// int8 columns hold epoch milliseconds, well inside Number's safe range.
pg.types.setTypeParser(20, (value) => Number(value));

/** Opens Kysely on PostgreSQL when a URL is given, else on a SQLite file (created with its folder). */
export function connectDatabase(options: {
  databaseUrl: string | null;
  sqlitePath: string;
  onIdleError?: (error: Error) => void;
}): { db: Kysely<Database>; dialect: Dialect } {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10, connectionTimeoutMillis: 3_000, keepAlive: true });
    // An idle client whose connection the server ends (restart, DROP DATABASE ... FORCE) makes the
    // pool emit 'error'; unheard, that would crash the process. The pool replaces the client itself.
    pool.on('error', (error) => options.onIdleError?.(error));
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
  }
  if (options.sqlitePath !== ':memory:') mkdirSync(dirname(options.sqlitePath), { recursive: true });
  const sqlite = new Sqlite(options.sqlitePath);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return { db: new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) }), dialect: 'sqlite' };
}
