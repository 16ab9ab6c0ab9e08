import type { WebSocket } from 'ws';
import { allowsExchange, type ApiKey } from '../core/api-key.ts';
import { feedCloseCode, type EndReason } from '../core/codes.ts';
import { feedErrorFrame, testAnnouncementFrame, welcomeFrame } from './feed-messages.ts';
import type { AnnouncementListener } from './live-session.ts';
import type { PreparedFrame } from './prepared-frame.ts';
import type { RealtimeContext } from './realtime-context.ts';
import { WebSocketSession, type CloseFrame } from './websocket-session.ts';

/**
 * A spec 002 feed session, accepted after the handshake checks: welcome, then announcements for the
 * exchanges the key allows (narrowed by the `cex` query), `{"type":"test"}` answered, ws pings.
 */
export class FeedSession extends WebSocketSession implements AnnouncementListener {
  readonly protocol = 'feed' as const;
  readonly #ip: string | undefined;
  readonly exchanges: ReadonlySet<string> | '*';
  #key: ApiKey;

  constructor(ws: WebSocket, key: ApiKey, id: string, ip: string | undefined, cexFilter: readonly string[] | null, context: RealtimeContext) {
    super(ws, id, context);
    this.#key = key;
    this.#ip = ip;
    this.exchanges = selectExchanges(key, cexFilter);
    ws.on('message', (data, isBinary) => this.#onMessage(isBinary ? null : data.toString()));
    ws.on('pong', () => this.heardFromPeer());
  }

  /** Sends the welcome and starts receiving announcements (the key's connection slot is already held under this session's id). */
  open(): void {
    if (this.closed) return;
    this.start(this.#key);
    this.context.hub.listen(this);
    this.send(welcomeFrame(this.#key, this.exchanges, this.context.clock.now()));
  }

  get key(): ApiKey {
    return this.#key;
  }

  get ip(): string | undefined {
    return this.#ip;
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

  announce(frame: PreparedFrame): void {
    this.sendFrame(frame);
  }

  protected closeFrame(reason: EndReason): CloseFrame {
    return { code: feedCloseCode(reason), reason };
  }

  protected ping(): void {
    this.sendPing();
  }

  protected releaseOwn(): void {
    this.context.hub.unlisten(this);
  }

  // Every answer goes through the bounded send: a client that floods `{"type":"test"}` without
  // reading the answers ends as a slow consumer instead of filling the server's memory.
  #onMessage(text: string | null): void {
    if (this.closed) return;
    this.heardFromPeer();
    let message: unknown;
    try {
      message = text === null ? null : JSON.parse(text);
    } catch {
      message = null;
    }
    const type = message !== null && typeof message === 'object' ? (message as { type?: unknown }).type : undefined;
    if (type === 'test') {
      const exchange = this.exchanges === '*' ? (this.#key.allowedExchanges.find((e) => e !== '*') ?? 'test') : ([...this.exchanges][0] ?? 'test');
      this.send(testAnnouncementFrame(exchange, this.context.clock.now()));
    } else if (type === 'ping') {
      this.send(JSON.stringify({ type: 'pong' }));
    } else if (type !== 'pong') {
      this.send(feedErrorFrame('unsupported message: send {"type":"test"} for a test announcement'));
    }
  }
}

/** The exchanges a session receives: the key's allowed ones, narrowed by the `cex` filter when given. */
export function selectExchanges(key: ApiKey, cexFilter: readonly string[] | null): ReadonlySet<string> | '*' {
  const allowedAll = key.allowedExchanges.includes('*');
  if (cexFilter === null || cexFilter.length === 0) return allowedAll ? '*' : new Set(key.allowedExchanges.map((e) => e.toLowerCase()));
  return new Set(cexFilter.map((e) => e.toLowerCase()).filter((e) => allowsExchange(key, e)));
}
