/** A change to a key that caches and live sessions must react to. */
export interface KeyEvent {
  readonly type: 'created' | 'updated' | 'revoked' | 'deleted' | 'expired';
  readonly keyId: string;
  readonly scheme: string;
  readonly lookup: string;
  /** Close reason for sessions: key_revoked, key_expired or key_invalidated. */
  readonly reason?: string;
}
