/**
 * Names of the transaction locks (`StoreTransaction.lock`) that make a read-then-write check atomic
 * on PostgreSQL (SQLite transactions run one at a time anyway). A transaction takes them in this
 * order, and all of them before it records key events (the event log's lock is always last), so two
 * transactions never wait for each other in a cycle:
 *
 *   key:<id>  →  user-keys:<owner>  →  wallet-keys:<address>
 */
export const LockName = {
  /** One key's state: revoke, roll, delete and update re-read the key under it. */
  key: (keyId: string) => `key:${keyId}`,
  /** A user's per-scheme key caps: every path that adds a live key counts under it, then inserts. */
  userKeys: (userId: string) => `user-keys:${userId}`,
  /** A wallet's account indexes (spec 003): freed and given out under it. */
  walletKeys: (address: string) => `wallet-keys:${address}`,
} as const;
