import type { Client } from 'pg';
import { keyEventOf } from './key-event-repository.ts';
import { KEY_EVENTS_CHANNEL } from './migrations/0003-key-events.ts';
import type { KeyEventSignal, KeyEventSignalHandlers } from './key-event-signal.ts';

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 2_000;

/**
 * LISTENs for the notifications the key_events trigger sends, on a dedicated connection (a pooled
 * one cannot keep a LISTEN). A lost connection is re-opened with backoff; every (re)connect is
 * reported so the node catches up on what it may have missed meanwhile.
 */
export async function listenForKeyEventsPostgres(url: string, handlers: KeyEventSignalHandlers): Promise<KeyEventSignal> {
  const pg = (await import('pg')).default;
  let client: Client | null = null;
  let closed = false;
  let retryMs = RETRY_MIN_MS;
  let timer: NodeJS.Timeout | null = null;

  const lost = (from: Client, error: unknown) => {
    if (closed || client !== from) return;
    client = null;
    from.end().catch(() => undefined);
    handlers.onLost(error);
    timer = setTimeout(() => void open(), retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };

  const open = async (): Promise<void> => {
    timer = null;
    const next = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000, keepAlive: true });
    client = next;
    // Registered before connecting: a failed or dropped connection emits 'error', which unheard would crash the process.
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next, new Error('the notification connection ended')));
    next.on('notification', (message) => {
      if (message.channel !== KEY_EVENTS_CHANNEL) return;
      handlers.onEvent(parse(message.payload));
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${KEY_EVENTS_CHANNEL}`);
    } catch (error) {
      return lost(next, error);
    }
    if (closed || client !== next) return;
    retryMs = RETRY_MIN_MS;
    handlers.onConnected();
  };

  await open();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const last = client;
      client = null;
      await last?.end().catch(() => undefined);
    },
  };
}

function parse(payload: string | undefined): ReturnType<typeof keyEventOf> | null {
  if (!payload) return null;
  try {
    return keyEventOf(JSON.parse(payload));
  } catch {
    return null;
  }
}
