import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type RedisOptions } from 'ioredis';
import { BackendConnectError, isUnreachable, STARTUP_CONNECT_ATTEMPT_MS, STARTUP_CONNECT_BUDGET_MS } from '../core/backend-connect-error.ts';

/** ioredis's defaults, kept for a client once it has been ready: how it reconnects after that is unchanged. */
const reconnectDelay = (times: number) => Math.min(times * 50, 2_000);
const RECONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens a Redis client and resolves once it is ready. The first connection is tried for the start-up
 * budget only, then fails with a BackendConnectError naming the URL (ioredis alone would retry
 * forever, printing every failure); after that first success ioredis reconnects as it always does.
 */
export async function connectRedis(url: string, options: RedisOptions): Promise<Redis> {
  const deadline = Date.now() + STARTUP_CONNECT_BUDGET_MS;
  for (let delay = 250; ; delay = Math.min(delay * 2, 1_000)) {
    const attempt = await tryConnect(url, options, Math.max(500, Math.min(STARTUP_CONNECT_ATTEMPT_MS, deadline - Date.now())));
    if ('client' in attempt) return attempt.client;
    if (!isUnreachable(attempt.error)) throw BackendConnectError.refused('Redis', url, attempt.error);
    if (Date.now() + delay >= deadline) throw BackendConnectError.unreachable('Redis', url, attempt.error);
    await sleep(delay);
  }
}

/** One connection attempt on a fresh client, bounded by `ms` even if the server accepts the socket and then goes quiet. */
async function tryConnect(url: string, options: RedisOptions, ms: number): Promise<{ client: Redis } | { error: unknown }> {
  let ready = false;
  const client = new Redis(url, {
    ...options,
    lazyConnect: true,
    connectTimeout: ms,
    retryStrategy: (times) => (ready ? reconnectDelay(times) : null),
  });
  // connect() rejects with a bare "Connection is closed."; the real cause arrives as an 'error' event.
  let cause: unknown = null;
  const remember = (error: unknown) => (cause = error);
  client.on('error', remember);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })), ms);
  });
  try {
    await Promise.race([client.connect(), timeout]);
    ready = true;
    client.options.connectTimeout = options.connectTimeout ?? RECONNECT_TIMEOUT_MS;
    client.off('error', remember);
    return { client };
  } catch (error) {
    // The abandoned client keeps its listener, so a late error from it is not printed as unhandled.
    client.disconnect();
    return { error: cause ?? error };
  } finally {
    clearTimeout(timer);
  }
}
