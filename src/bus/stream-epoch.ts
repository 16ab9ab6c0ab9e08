import { createHash } from 'node:crypto';

/**
 * The epoch a channel stream gets when its first publication creates it, and the epoch a reader of
 * a stream that does not exist yet is told. Derived from the channel and the current `metaTtlMs`
 * window instead of stored, so a subscribe to a channel nobody publishes to leaves no state in the
 * broker, every node computes the same value, and the first publish keeps the epoch its readers saw
 * (unless a window boundary passed in between: those readers then get `recovered: false`, the
 * honest answer). A stream that lapsed was idle for a whole window, so it restarts under a new epoch.
 */
export function streamEpoch(channel: string, now: number, metaTtlMs: number): string {
  const window = Math.floor(now / Math.max(1, metaTtlMs));
  return createHash('sha256').update(`${channel}\n${window}`).digest('hex').slice(0, 12);
}
