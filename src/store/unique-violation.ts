import { ErrorCode, KeygateError } from '../core/errors.ts';

/** A uniqueness rule the store enforces, and what a client is told when a write breaks it. */
interface UniqueRule {
  /** The index (PostgreSQL reports it as `constraint`). */
  readonly index: string;
  /** The columns as SQLite names them in `UNIQUE constraint failed: …`. */
  readonly columns: string;
  readonly message: string;
  readonly field?: string;
}

/** Every uniqueness rule with a message of its own; see migrations 0001 and 0004. */
const RULES: readonly UniqueRule[] = [
  { index: 'organizations_name_unique', columns: 'organizations.name', message: 'an organization of that name already exists', field: 'name' },
  { index: 'users_organization_name_unique', columns: 'users.organization_id, users.name', message: 'a user of that name already exists in the organization', field: 'name' },
  { index: 'wallets_pkey', columns: 'wallets.address', message: 'that wallet already belongs to a user; a wallet belongs to one user' },
  {
    index: 'api_keys_scheme_lookup_unique',
    columns: 'api_keys.scheme, api_keys.lookup',
    message: 'an API key with this identifier is already registered (a public key registers only once); generate a new key pair',
  },
  {
    index: 'api_keys_wallet_account_slot_unique',
    columns: 'api_keys.wallet_address, api_keys.account_slot',
    message: 'that account index is held by another live API key of this wallet; try again',
    field: 'accountIndex',
  },
  { index: 'api_keys_rolled_from_unique', columns: 'api_keys.rolled_from', message: 'this API key was already rolled; roll its successor instead' },
];

/** SQLite (better-sqlite3) and PostgreSQL (pg) codes for a duplicate in a unique index or primary key. */
const SQLITE_UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const POSTGRES_UNIQUE_VIOLATION = '23505';

/**
 * The typed CONFLICT for a driver error that reports a unique-index violation, or null for any other
 * error. This is the one place the store turns both drivers' duplicates into a 409 with a message,
 * so a write that breaks a uniqueness rule is refused cleanly even on a path whose own check missed it.
 */
export function uniqueViolation(error: unknown): KeygateError | null {
  if (error === null || typeof error !== 'object') return null;
  const { code, constraint, message } = error as { code?: unknown; constraint?: unknown; message?: unknown };
  let rule: UniqueRule | undefined;
  if (code === POSTGRES_UNIQUE_VIOLATION) {
    rule = RULES.find((r) => r.index === constraint);
  } else if (typeof code === 'string' && SQLITE_UNIQUE_CODES.has(code)) {
    const columns = typeof message === 'string' ? message.replace(/^UNIQUE constraint failed: /, '') : '';
    rule = RULES.find((r) => r.columns === columns);
  } else {
    return null;
  }
  const conflict = rule
    ? new KeygateError(ErrorCode.CONFLICT, rule.message, rule.field)
    : new KeygateError(ErrorCode.CONFLICT, 'a record with the same identity already exists');
  // Kept for debug logs; the client sees only the message above.
  Object.defineProperty(conflict, 'cause', { value: error, enumerable: false });
  return conflict;
}
