/**
 * A change that can end (or grant) access, as caches and live sessions react to it. Every one is a
 * row of the durable key event log in the store, written in the same transaction as the change.
 */
export type KeyEventChange = KeyChange | UserChange;

/** One key changed: caches drop it, its live sessions are re-checked. */
export interface KeyChange {
  readonly type: 'created' | 'updated' | 'revoked' | 'deleted' | 'expired';
  readonly keyId: string;
  /** The key's owner. */
  readonly userId: string;
  readonly scheme: string;
  readonly lookup: string;
  /** Close reason for sessions: key_revoked, key_expired or key_invalidated. */
  readonly reason?: string;
}

/** Something every key of a user depends on changed (the wallets they own): all of them are re-checked. */
export interface UserChange {
  readonly type: 'user_changed';
  readonly userId: string;
  readonly reason?: string;
}

/** A change as the log holds it: its position (monotonic, commit order) and when it was written. */
export type KeyEvent = KeyEventChange & {
  readonly seq: number;
  readonly at: number;
};
