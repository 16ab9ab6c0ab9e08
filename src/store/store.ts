import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { ApiKeyRepository } from './api-key-repository.ts';
import { AuditLogRepository } from './audit-log-repository.ts';
import { connectDatabase, type Dialect } from './connect-database.ts';
import type { Database } from './database.ts';
import { ManagementTokenRepository } from './management-token-repository.ts';
import { migrateToLatest } from './migrate.ts';
import { OrganizationRepository } from './organization-repository.ts';
import { UserRepository } from './user-repository.ts';

/** The repositories over one database connection. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  readonly keys: ApiKeyRepository;
  readonly users: UserRepository;
  readonly organizations: OrganizationRepository;
  readonly tokens: ManagementTokenRepository;
  readonly audit: AuditLogRepository;
  close(): Promise<void>;
}

/** Opens the store (PostgreSQL when `databaseUrl` is set, else `<dataDir>/keygate.sqlite`) and migrates it. */
export async function openStore(options: {
  databaseUrl: string | null;
  dataDir: string;
  migrate?: boolean;
  onIdleError?: (error: Error) => void;
}): Promise<Store> {
  const { db, dialect } = await connectDatabase({
    databaseUrl: options.databaseUrl,
    sqlitePath: join(options.dataDir, 'keygate.sqlite'),
    onIdleError: options.onIdleError,
  });
  if (options.migrate !== false) await migrateToLatest(db, dialect);
  return {
    db,
    dialect,
    keys: new ApiKeyRepository(db),
    users: new UserRepository(db),
    organizations: new OrganizationRepository(db),
    tokens: new ManagementTokenRepository(db),
    audit: new AuditLogRepository(db),
    close: () => db.destroy(),
  };
}
