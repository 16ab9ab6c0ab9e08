import type { ApiKey } from '../core/api-key.ts';
import type { KeyChange, KeyEvent, KeyEventChange } from '../core/key-event.ts';
import type { Store, StoreTransaction } from '../store/store.ts';

/** Where this node's committed key events go: applied here at once, then announced to other nodes. */
export interface KeyEventSink {
  committed(events: readonly KeyEvent[]): void;
}

/** Notes a key event for the running change; it is written with the change, at the end of the transaction. */
export type RecordKeyEvent = (change: KeyEventChange) => void;

/** The event describing a change to `key`. */
export function keyChange(type: KeyChange['type'], key: ApiKey, reason?: string): KeyChange {
  return { type, keyId: key.id, userId: key.userId, scheme: key.scheme, lookup: key.lookup, ...(reason ? { reason } : {}) };
}

/**
 * Runs a change that can end or grant access in one store transaction together with its key
 * events, so the change and its events are committed together or not at all. The events are
 * appended after `work` (the log's lock is then held only until commit, and after any lock `work`
 * took, so the order of locks is always the same). Once committed they go to `sink`: this node
 * applies them without waiting for any bus, and every other node finds them in the log.
 */
export async function commitKeyChange<T>(
  store: Pick<Store, 'transaction'>,
  sink: KeyEventSink,
  now: () => number,
  work: (tx: StoreTransaction, record: RecordKeyEvent) => Promise<T>,
): Promise<T> {
  let events: KeyEvent[] = [];
  const result = await store.transaction(async (tx) => {
    const changes: KeyEventChange[] = [];
    const value = await work(tx, (change) => void changes.push(change));
    events = [];
    for (const change of changes) events.push(await tx.keyEvents.append(change, now()));
    return value;
  });
  if (events.length > 0) sink.committed(events);
  return result;
}
