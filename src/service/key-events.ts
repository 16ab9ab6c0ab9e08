import type { ApiKey } from '../core/api-key.ts';
import type { Broker } from '../bus/broker.ts';
import { KEY_EVENTS_TOPIC } from '../bus/topics.ts';
import type { KeyEvent } from '../core/key-event.ts';

/** Tells every node that a key changed, so caches drop it and live sessions re-check or end. */
export async function announceKeyEvent(broker: Broker, type: KeyEvent['type'], key: ApiKey, reason?: string): Promise<void> {
  const event: KeyEvent = { type, keyId: key.id, scheme: key.scheme, lookup: key.lookup, reason };
  await broker.publish(KEY_EVENTS_TOPIC, event);
}
