/**
 * Every broker topic nodes share, with the message each carries (one place, so no two modules can
 * disagree on a name).
 */

/** Key lifecycle events (core KeyEvent): caches drop the key, live sessions re-check it. */
export const KEY_EVENTS_TOPIC = 'key-events';

/** Every channel publication (StreamMessage) to every node's subscribers. */
export const PUBLICATIONS_TOPIC = 'realtime:publications';

/** Server-API disconnects (DisconnectFilter) to every node. */
export const REALTIME_CONTROL_TOPIC = 'realtime:control';

/** Which sessions a server-API disconnect ends. */
export interface DisconnectFilter {
  readonly user?: string;
  readonly key?: string;
  readonly client?: string;
}
