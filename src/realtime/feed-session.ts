import type { WebSocket } from 'ws';
import { allowsExchange, type ApiKey } from '../core/api-key.ts';
import { feedCloseCode, type EndReason } from '../core/codes.ts';
import { feedErrorFrame, testAnnouncementFrame, welcomeFrame } from './feed-messages.ts';
import { MAX_BUFFERED_BYTES, type AnnouncementListener, type LiveSession } from './live-session.ts';
import type { RealtimeContext } from './realtime-context.ts';

/**
 * A spec 002 feed session, accepted after the handshake checks: welcome, then announcements for the
 * exchanges the key allows (narrowed by the `cex` query), `{"type":"test"}` answered, ws pings.
 */
export class FeedSession implements LiveSession, AnnouncementListener {
  readonly protocol = 'feed' as const;
  readonly id: string;
  readonly ip: string | undefined;
  readonly exchanges: ReadonlySet<string> | '*';
  #key: ApiKey;
  #ws: WebSocket;
  #context: RealtimeContext;
  #closed = false;
  #awaitingPong = false;

  constructor(ws: WebSocket, key: ApiKey, id: string, ip: string | undefined, cexFilter: readonly string[] | null, context: RealtimeContext) {
    this.#ws = ws;
    this.#key = key;
    this.id = id;
    this.ip = ip;
    this.#context = context;
    this.exchanges = selectExchanges(key, cexFilter);
    ws.on('message', (data, isBinary) => this.#onMessage(isBinary ? null : data.toString()));
    ws.on('pong', () => (this.#awaitingPong = false));
    ws.on('close', () => this.#cleanUp());
    ws.on('error', () => this.#cleanUp());
  }

  /** Sends the welcome and starts receiving announcements. */
  start(): void {
    this.#context.hub.addSession(this);
    this.#context.hub.listen(this);
    this.#context.keyWatch.watch(this.#key);
    this.#ws.send(welcomeFrame(this.#key, this.#context.clock.now()));
  }

  get key(): ApiKey {
    return this.#key;
  }

  requiredPermission(): string | undefined {
    return undefined;
  }

  adoptKey(fresh: ApiKey): EndReason | null {
    this.#key = fresh;
    // The session relies on every exchange it receives staying allowed.
    if (this.exchanges === '*') return fresh.allowedExchanges.includes('*') ? null : 'key_invalidated';
    for (const exchange of this.exchanges) if (!allowsExchange(fresh, exchange)) return 'key_invalidated';
    return null;
  }

  announce(frame: Buffer): void {
    if (this.#closed) return;
    if (this.#ws.bufferedAmount > MAX_BUFFERED_BYTES) return this.end('slow_consumer');
    this.#ws.send(frame, { binary: false });
  }

  keepAlive(): boolean {
    if (this.#closed) return false;
    if (this.#awaitingPong) {
      this.end('no_pong');
      return false;
    }
    this.#awaitingPong = true;
    this.#ws.ping();
    return true;
  }

  end(reason: EndReason): void {
    if (this.#closed) return;
    this.#cleanUp();
    this.#ws.close(feedCloseCode(reason), reason);
    setTimeout(() => this.#ws.terminate(), 2000).unref();
  }

  #onMessage(text: string | null): void {
    if (this.#closed) return;
    this.#awaitingPong = false;
    let message: unknown;
    try {
      message = text === null ? null : JSON.parse(text);
    } catch {
      message = null;
    }
    const type = message !== null && typeof message === 'object' ? (message as { type?: unknown }).type : undefined;
    if (type === 'test') {
      const exchange = this.exchanges === '*' ? (this.#key.allowedExchanges.find((e) => e !== '*') ?? 'test') : [...this.exchanges][0] ?? 'test';
      this.#ws.send(testAnnouncementFrame(exchange, this.#context.clock.now()));
    } else if (type !== 'pong' && type !== 'ping') {
      this.#ws.send(feedErrorFrame('unsupported message: send {"type":"test"} for a test announcement'));
    } else if (type === 'ping') {
      this.#ws.send(JSON.stringify({ type: 'pong' }));
    }
  }

  #cleanUp(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#context.hub.unlisten(this);
    this.#context.hub.removeSession(this);
    this.#context.keyWatch.unwatch(this.#key.id);
    this.#context.slots.releaseConnection(this.#key.id, this.id).catch(() => undefined);
  }
}

/** The exchanges a session receives: the key's allowed ones, narrowed by the `cex` filter when given. */
export function selectExchanges(key: ApiKey, cexFilter: readonly string[] | null): ReadonlySet<string> | '*' {
  const allowedAll = key.allowedExchanges.includes('*');
  if (cexFilter === null || cexFilter.length === 0) return allowedAll ? '*' : new Set(key.allowedExchanges.map((e) => e.toLowerCase()));
  return new Set(cexFilter.map((e) => e.toLowerCase()).filter((e) => allowsExchange(key, e)));
}
