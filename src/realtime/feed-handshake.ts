import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { findOpaqueKey } from '../schemes/opaque-scheme.ts';
import { splitUrl, type RequestFacts } from '../core/request-facts.ts';
import { FEED_CONNECTION_LIMIT, feedHandshakeStatus, HANDSHAKE_RETRY } from '../core/codes.ts';
import { FeedSession } from './feed-session.ts';
import type { RealtimeContext } from './realtime-context.ts';
import { refuseUpgrade } from './websocket-upgrade.ts';

/** Completes the WebSocket handshake and hands the open socket to `onOpen`. */
export type Upgrade = (onOpen: (ws: WebSocket) => void) => void;

/** The `cex` query filter: comma-separated exchanges, or null when absent. */
export function cexFilter(url: string): string[] | null {
  const raw = splitUrl(url).query.get('cex');
  if (raw === null) return null;
  return raw.split(',').map((e) => e.trim()).filter((e) => e !== '');
}

/**
 * Checks a spec 002 feed handshake before upgrading: the key (X-API-Key, or the discouraged
 * `api_key` query) must verify and get a connection slot; refusals are HTTP 401/403/429 on the raw
 * socket, and a store or broker that cannot answer now is a 503 with Retry-After (never a 500).
 */
export async function acceptFeed(context: RealtimeContext, facts: RequestFacts, socket: Duplex, upgrade: Upgrade): Promise<void> {
  const mark = context.keyWatch.mark();
  const id = context.ids.uuid();
  let slotOf: string | null = null;
  try {
    const found = findOpaqueKey(facts);
    const verdict = await context.verifier.verify(facts);
    if (found?.source === 'query') {
      context.logger.warn({ keyId: verdict.key?.id }, 'feed key sent in the api_key query parameter; the X-API-Key header keeps it out of logs');
    }
    if (!verdict.valid) {
      const status = feedHandshakeStatus(verdict.code);
      return refuseUpgrade(socket, status, { error: { code: verdict.code, message: verdict.message } }, status === 401 ? { 'WWW-Authenticate': 'ApiKey realm="keygate"' } : {});
    }
    const key = verdict.key;
    if (!(await context.slots.acquireConnection(key.id, id, key.maxConnections))) {
      return refuseUpgrade(socket, 429, { error: { code: FEED_CONNECTION_LIMIT, message: `API key allows at most ${key.maxConnections} simultaneous connections` } });
    }
    slotOf = key.id;
    if (socket.destroyed) return void (await context.slots.releaseConnection(key.id, id));
    // If the handshake fails from here on, the session never starts and the slot is returned.
    const handOver = releaseSlotOnClose(socket, context, key.id, id);
    upgrade((ws) => {
      handOver();
      new FeedSession(ws, key, id, facts.ip, cexFilter(facts.url), context).open();
      context.keyWatch.settle(key, mark);
    });
  } catch (error) {
    context.logger.warn({ err: error }, 'feed handshake could not be checked: store or broker unavailable');
    if (slotOf !== null) context.slots.releaseConnection(slotOf, id).catch(() => undefined);
    const retry = HANDSHAKE_RETRY.backendDown;
    refuseUpgrade(socket, retry.status, { error: { code: retry.code, message: 'temporarily unavailable, retry later' } }, { 'Retry-After': String(retry.retryAfterSeconds) });
  }
}

/**
 * Releases a connection slot when `socket` closes before its session started; the returned
 * hand-over stops that once the session holds the slot. Its own function, so the listener captures
 * only what it needs, not the handshake's request.
 */
function releaseSlotOnClose(socket: Duplex, context: RealtimeContext, keyId: string, holder: string): () => void {
  const release = () => void context.slots.releaseConnection(keyId, holder).catch(() => undefined);
  socket.once('close', release);
  return () => socket.off('close', release);
}
