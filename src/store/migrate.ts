import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { Dialect } from './connect-database.ts';
import type { Database } from './database.ts';
import { initial } from './migrations/0001-initial.ts';
import { consoleSessions } from './migrations/0002-console-sessions.ts';
import { keyEvents } from './migrations/0003-key-events.ts';
import { storeInvariants } from './migrations/0004-store-invariants.ts';
import { sessionTokens } from './migrations/0005-session-tokens.ts';
import { keyRequestLimit } from './migrations/0006-key-request-limit.ts';
import { keyEnabled } from './migrations/0007-key-enabled.ts';
import { consoleNonceExpiry } from './migrations/0008-console-nonce-expiry.ts';
import { auditLogByOrganization } from './migrations/0009-audit-log-by-organization.ts';

/** Versioned migrations in order; names sort lexically, so keep the numeric prefix. */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-initial': initial(dialect),
    '0002-console-sessions': consoleSessions(),
    '0003-key-events': keyEvents(dialect),
    '0004-store-invariants': storeInvariants(dialect),
    '0005-session-tokens': sessionTokens(),
    '0006-key-request-limit': keyRequestLimit(),
    '0007-key-enabled': keyEnabled(),
    '0008-console-nonce-expiry': consoleNonceExpiry(),
    '0009-audit-log-by-organization': auditLogByOrganization(),
  };
}

/** Where Kysely keeps which migrations ran, and its lock. */
export const MIGRATION_TABLES = { migrationTableName: 'keygate_migrations', migrationLockTableName: 'keygate_migrations_lock' } as const;

function migrator(db: Kysely<Database>, dialect: Dialect): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
    ...MIGRATION_TABLES,
    // A released version ran 0007 before 0006 existed (they were written on parallel branches), so
    // a database may hold a later migration than one still to run: run the missing ones, in order.
    allowUnorderedMigrations: true,
  });
}

/** Brings the schema to the newest version; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<Database>, dialect: Dialect): Promise<MigrationResultSet> {
  return checked(await migrator(db, dialect).migrateToLatest());
}

/** Brings the schema up to (and including) the named migration: how tests build a database of an older version. */
export async function migrateUpTo(db: Kysely<Database>, dialect: Dialect, name: string): Promise<MigrationResultSet> {
  return checked(await migrator(db, dialect).migrateTo(name));
}

function checked(result: MigrationResultSet): MigrationResultSet {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const reason = (result.error as Error).message ?? String(result.error);
    // No failed migration means none ran: the database could not even be read (locked, unreachable).
    throw new Error(failed ? `migration ${failed.migrationName} failed: ${reason}` : `could not migrate the database: ${reason}`);
  }
  return result;
}
