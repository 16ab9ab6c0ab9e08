import type { WebSocket } from 'ws';
import { keyEndsAt, type ApiKey } from '../core/api-key.ts';
import { KeygateError } from '../core/errors.ts';
import type { RequestFacts } from '../core/request-facts.ts';
import { isWalletChannel } from '../core/channel-names.ts';
import { CENTRIFUGE_CLOSE, replyError, replyErrorFor, temporaryFailure, type EndReason } from '../core/codes.ts';
import { COMMAND_HANDLERS, type CommandOutcome, type HandledMethod, type SessionView } from './centrifuge-commands.ts';
import { joinReplies, methodOf, parseCommands, PING_FRAME, type Command } from './centrifuge-frames.ts';
import type { ChannelSubscription } from './centrifuge-subscription.ts';
import { canSubscribe } from './channel-rules.ts';
import type { PendingPlace } from './pending-connections.ts';
import type { RealtimeContext } from './realtime-context.ts';
import { MAX_BUFFERED_BYTES, WebSocketSession, type CloseFrame } from './websocket-session.ts';

type State = 'connecting' | 'connected' | 'closed';

const NO_HEADERS: RequestFacts['headers'] = Object.freeze({});

/** Frames waiting to be processed before the session stops reading the socket (back-pressure). */
const MAX_QUEUED_FRAMES = 8;

/**
 * A Centrifuge protocol v2 (JSON) session: connecting → connected → closed, and this class alone
 * moves it. The first command must be connect, within the connect timeout; commands run one at a
 * time in arrival order; handlers return outcomes that the session applies after their awaits (or
 * releases, when it closed meanwhile). Replies to one frame go back batched in one frame.
 */
export class CentrifugeSession extends WebSocketSession implements SessionView {
  readonly protocol = 'centrifuge' as const;
  #handshake: RequestFacts;
  readonly #subscriptions = new Map<string, ChannelSubscription>();
  #pendingPlace: PendingPlace | null;
  #state: State = 'connecting';
  #key: ApiKey | null = null;
  #ownerWallets: readonly string[] = [];
  #queue: Promise<void> = Promise.resolve();
  #queued = 0;
  #paused = false;
  #connectTimer: NodeJS.Timeout | null;
  #tokenTimer: NodeJS.Timeout | null = null;

  /** `pendingPlace` is this socket's place among the node's unauthenticated ones, given back once it connects or closes. */
  constructor(ws: WebSocket, handshake: RequestFacts, context: RealtimeContext, pendingPlace: PendingPlace) {
    super(ws, context.ids.uuid(), context);
    this.#handshake = handshake;
    this.#pendingPlace = pendingPlace;
    // Its own timer per socket: a socket that never connects is gone after the timeout, not at some later ping tick.
    this.#connectTimer = setTimeout(() => this.end('bad_request', 'connect timeout'), context.settings.connectTimeoutMs);
    this.#connectTimer.unref();
    ws.on('message', (data, isBinary) => this.#enqueue(isBinary ? null : data.toString()));
  }

  get key(): ApiKey {
    if (!this.#key) throw new Error('session is not connected');
    return this.#key;
  }

  /** The upgrade request's facts; after connect only its address (the headers are not kept for the session's life). */
  get handshake(): RequestFacts {
    return this.#handshake;
  }

  get ownerWallets(): readonly string[] {
    return this.#ownerWallets;
  }

  get ip(): string | undefined {
    return this.#handshake.ip;
  }

  get connected(): boolean {
    return this.#state === 'connected';
  }

  get subscriptionCount(): number {
    return this.#subscriptions.size;
  }

  hasSubscription(channel: string): boolean {
    return this.#subscriptions.has(channel);
  }

  requiredPermission(): string | undefined {
    for (const channel of this.#subscriptions.keys()) if (isWalletChannel(channel)) return this.context.settings.channels.walletPermission;
    return undefined;
  }

  adoptKey(fresh: ApiKey, ownerWallets: readonly string[]): EndReason | null {
    this.#key = fresh;
    this.#ownerWallets = ownerWallets;
    for (const channel of this.#subscriptions.keys()) {
      if (!canSubscribe(channel, fresh, this.#ownerWallets, this.context.settings.channels).allowed) return 'key_invalidated';
    }
    return null;
  }

  override keepAlive(now: number): boolean {
    // Before connect the connect timer guards the socket; pings start with the connection.
    return this.#state === 'connecting' ? true : super.keepAlive(now);
  }

  protected closeFrame(reason: EndReason, message?: string): CloseFrame {
    return { code: CENTRIFUGE_CLOSE[reason], reason: message ?? reason };
  }

  protected ping(): void {
    this.send(PING_FRAME);
  }

  protected releaseOwn(): void {
    this.#state = 'closed';
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    if (this.#tokenTimer) clearTimeout(this.#tokenTimer);
    this.#givePlaceBack();
    for (const subscription of this.#subscriptions.values()) subscription.release();
    this.#subscriptions.clear();
  }

  // Frames are processed one at a time; a peer that sends faster than they complete is not read
  // from until the queue drains, so unprocessed frames cannot pile up in memory.
  #enqueue(text: string | null): void {
    if (++this.#queued >= MAX_QUEUED_FRAMES && !this.#paused) this.#pause(true);
    this.#queue = this.#queue
      .then(() => this.#onFrame(text))
      .catch((error: unknown) => this.#fail(error))
      .finally(() => {
        if (--this.#queued <= MAX_QUEUED_FRAMES / 2 && this.#paused && !this.closed) this.#pause(false);
      });
  }

  #pause(paused: boolean): void {
    this.#paused = paused;
    this.pauseReading(paused);
  }

  async #onFrame(text: string | null): Promise<void> {
    if (this.closed) return;
    this.heardFromPeer();
    const commands = text === null ? null : parseCommands(text);
    if (!commands) return this.end('bad_request', 'frames must be JSON text, one command per line');
    const maxCommands = this.context.settings.maxCommandsPerFrame;
    if (commands.length > maxCommands) return this.end('bad_request', `at most ${maxCommands} commands per frame`);
    const replies: string[] = [];
    let replyBytes = 0;
    const afterReply: Array<() => void> = [];
    for (const command of commands) {
      const method = methodOf(command);
      if (method === null) continue; // the client's pong
      // `send` is the one fire-and-forget command: the official client sends it without an id.
      if (method !== 'send' && (typeof command.id !== 'number' || command.id <= 0)) return this.end('bad_request', 'command without id');
      if (method === 'connect' ? this.#state !== 'connecting' : this.#state !== 'connected') {
        return this.end('bad_request', method === 'connect' ? 'already connected' : 'connect first');
      }
      const outcome = method === 'unknown' || !(method in COMMAND_HANDLERS) ? errorOutcome('METHOD_NOT_FOUND') : await this.#run(method as HandledMethod, command);
      const line = this.#apply(outcome, command, method, afterReply);
      if (this.closed) return;
      if (line !== null) {
        replies.push(line);
        // Replies are built in memory before they are sent: they count against the same bound.
        replyBytes += Buffer.byteLength(line) + 1;
        if (this.bufferedBytes + replyBytes > MAX_BUFFERED_BYTES) return this.end('slow_consumer');
      }
      if (outcome.kind === 'error' && outcome.disconnect) {
        this.send(joinReplies(replies));
        return this.end(outcome.disconnect.reason, outcome.disconnect.message);
      }
      // The client sent the rest of the frame (its subscribes) expecting a connection: after a
      // failed connect only its error goes back, so the client acts on it (stops or retries).
      if (method === 'connect' && outcome.kind === 'error') break;
    }
    if (replies.length > 0 && !this.send(joinReplies(replies))) return;
    for (const action of afterReply) action();
  }

  // A typed service error answers with its protocol code; a failure of our own (store or broker
  // down) answers that command with a temporary 100 the client retries. Either way the session goes on.
  async #run(method: HandledMethod, command: Command): Promise<CommandOutcome> {
    const request = command[method];
    const body = request !== null && typeof request === 'object' && !Array.isArray(request) ? (request as Record<string, unknown>) : {};
    try {
      return await COMMAND_HANDLERS[method](this, body);
    } catch (error) {
      if (error instanceof KeygateError) return { kind: 'error', error: replyErrorFor(error.code, error.message) };
      this.context.logger.error({ err: error, method }, 'centrifuge command failed');
      return { kind: 'error', error: temporaryFailure() };
    }
  }

  /** Applies a handler's outcome and returns the reply line, or null for none; a closed session releases what the outcome holds. */
  #apply(outcome: CommandOutcome, command: Command, method: string, afterReply: Array<() => void>): string | null {
    if (this.closed) {
      this.#release(outcome);
      return null;
    }
    switch (outcome.kind) {
      case 'none':
        return null;
      case 'error':
        return JSON.stringify({ id: command.id, error: outcome.error });
      case 'reply':
        return JSON.stringify({ id: command.id, [method]: outcome.result });
      case 'connected': {
        this.#connect(outcome.key, outcome.ownerWallets, outcome.tokenExpiresAt);
        afterReply.push(() => this.context.keyWatch.settle(outcome.key, outcome.mark));
        return JSON.stringify({ id: command.id, connect: outcome.result });
      }
      case 'subscribed': {
        // Asked again of the key the session holds now: it may have changed while the subscribe waited
        // on the bus, and adoptKey checked only the subscriptions already made.
        const decision = canSubscribe(outcome.subscription.channel, this.key, this.#ownerWallets, this.context.settings.channels);
        if (!decision.allowed) {
          outcome.subscription.release();
          return JSON.stringify({ id: command.id, error: replyError(decision.error, decision.message) });
        }
        this.#subscriptions.set(outcome.subscription.channel, outcome.subscription);
        afterReply.push(() => outcome.subscription.flush());
        return JSON.stringify({ id: command.id, subscribe: outcome.result });
      }
      case 'unsubscribed':
        this.#subscriptions.get(outcome.channel)?.release();
        this.#subscriptions.delete(outcome.channel);
        return JSON.stringify({ id: command.id, unsubscribe: {} });
      case 'refreshed':
        this.#expireTokenAt(outcome.tokenExpiresAt);
        return JSON.stringify({ id: command.id, refresh: outcome.result });
    }
  }

  // An outcome that arrived after the session closed: give back what it took.
  #release(outcome: CommandOutcome): void {
    if (outcome.kind === 'subscribed') outcome.subscription.release();
    if (outcome.kind === 'connected') {
      this.context.slots.releaseConnection(outcome.key.id, this.id).catch((error: unknown) => this.context.logger.warn({ err: error }, 'could not release a connection slot'));
    }
  }

  #connect(key: ApiKey, ownerWallets: readonly string[], tokenExpiresAt: number | null): void {
    this.#state = 'connected';
    this.#key = key;
    this.#ownerWallets = ownerWallets;
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
    this.#givePlaceBack();
    // Connect was the last reader of the headers; a browser's (cookies, user agent) are kilobytes per session.
    this.#handshake = { method: this.#handshake.method, url: this.#handshake.url, headers: NO_HEADERS, ip: this.#handshake.ip };
    this.start(key);
    this.#expireTokenAt(tokenExpiresAt);
  }

  #givePlaceBack(): void {
    this.#pendingPlace?.release();
    this.#pendingPlace = null;
  }

  /**
   * Ends the session when its connection token lapses without a refresh (the client reconnects with a
   * new one) — or, when the key itself ends within the second after (a token is capped at the key's
   * end, rounded down to the second), as the key's end: the client must then stop, not fetch a token
   * for a key that is gone.
   */
  #expireTokenAt(expiresAt: number | null): void {
    if (this.#tokenTimer) clearTimeout(this.#tokenTimer);
    this.#tokenTimer = null;
    if (expiresAt === null) return;
    this.#tokenTimer = setTimeout(() => this.end(this.#keyEndingWithin(1000) ?? 'connection_expired'), Math.min(Math.max(0, expiresAt - this.context.clock.now()), 2 ** 31 - 1));
    this.#tokenTimer.unref();
  }

  /** How the session's key ends if it does within `ms` from now (revoked at a roll's end, or expired), else null. */
  #keyEndingWithin(ms: number): EndReason | null {
    const key = this.#key;
    const ends = key === null ? null : keyEndsAt(key);
    if (key === null || ends === null || ends > this.context.clock.now() + ms) return null;
    return key.revokedAt === ends ? 'key_revoked' : 'key_expired';
  }

  #fail(error: unknown): void {
    this.context.logger.error({ err: error }, 'centrifuge session failed');
    this.end('force_reconnect', 'internal error');
  }
}

function errorOutcome(name: Parameters<typeof replyError>[0]): CommandOutcome {
  return { kind: 'error', error: replyError(name) };
}
