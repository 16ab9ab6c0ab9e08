import type { WebSocket } from 'ws';
import type { ApiKey } from '../core/api-key.ts';
import { KeygateError } from '../core/errors.ts';
import type { RequestFacts } from '../core/request-facts.ts';
import { COMMAND_HANDLERS, type CommandResult } from './centrifuge-commands.ts';
import { joinReplies, methodOf, parseCommands, PING_FRAME } from './centrifuge-frames.ts';
import { isWalletChannel } from '../core/channel-names.ts';
import { canSubscribe } from './channel-rules.ts';
import { CENTRIFUGE_CLOSE, ERROR_CODE_REPLY, replyError, type EndReason } from '../core/codes.ts';
import { MAX_BUFFERED_BYTES, type ChannelListener, type LiveSession } from './live-session.ts';
import type { RealtimeContext } from './realtime-context.ts';

/** One channel subscription; publications are buffered until the subscribe reply is on the wire. */
export interface Subscription {
  offset: number;
  epoch: string;
  buffer: Array<{ frame: Buffer; offset: number; epoch: string }> | null;
}

type State = 'connecting' | 'connected' | 'closed';

/**
 * A Centrifuge protocol v2 (JSON) session: connecting → connected → closed. The first command must
 * be connect; commands run one at a time in arrival order; after every await a handler re-checks
 * `closed`. Replies to one frame go back batched in one frame.
 */
export class CentrifugeSession implements LiveSession, ChannelListener {
  readonly protocol = 'centrifuge' as const;
  readonly id: string;
  readonly context: RealtimeContext;
  readonly handshake: RequestFacts;
  readonly subscriptions = new Map<string, Subscription>();
  #state: State = 'connecting';
  #ws: WebSocket;
  #key: ApiKey | null = null;
  #ownerWallets: readonly string[] = [];
  #queue: Promise<void> = Promise.resolve();
  #afterReply: Array<() => void> = [];
  #awaitingPong = false;
  #openedAt: number;
  #tokenTimer: NodeJS.Timeout | null = null;

  constructor(ws: WebSocket, handshake: RequestFacts, context: RealtimeContext) {
    this.#ws = ws;
    this.handshake = handshake;
    this.context = context;
    this.id = context.ids.uuid();
    this.#openedAt = context.clock.now();
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? null : data.toString();
      this.#queue = this.#queue.then(() => this.#onFrame(text)).catch((error: unknown) => this.#fail(error));
    });
    ws.on('close', () => this.#cleanUp());
    ws.on('error', () => this.#cleanUp());
  }

  get key(): ApiKey {
    if (!this.#key) throw new Error('session is not connected');
    return this.#key;
  }

  get ownerWallets(): readonly string[] {
    return this.#ownerWallets;
  }

  get ip(): string | undefined {
    return this.handshake.ip;
  }

  get closed(): boolean {
    return this.#state === 'closed';
  }

  get connected(): boolean {
    return this.#state === 'connected';
  }

  /** Marks the session connected under `key` (called by the connect handler once everything checked out). */
  markConnected(key: ApiKey, ownerWallets: readonly string[], tokenExpiresAt: number | null): void {
    this.#state = 'connected';
    this.#key = key;
    this.#ownerWallets = ownerWallets;
    this.context.hub.addSession(this);
    this.context.keyWatch.watch(key);
    this.setTokenExpiry(tokenExpiresAt);
  }

  /** Ends the session when its connection token lapses without a refresh (the client reconnects with a new one). */
  setTokenExpiry(expiresAt: number | null): void {
    if (this.#tokenTimer) clearTimeout(this.#tokenTimer);
    this.#tokenTimer = null;
    if (expiresAt === null) return;
    this.#tokenTimer = setTimeout(() => this.end('connection_expired'), Math.min(Math.max(0, expiresAt - this.context.clock.now()), 2 ** 31 - 1));
    this.#tokenTimer.unref();
  }

  /** Runs `action` once the reply frame now being built has been sent. */
  afterReply(action: () => void): void {
    this.#afterReply.push(action);
  }

  requiredPermission(): string | undefined {
    for (const channel of this.subscriptions.keys()) if (isWalletChannel(channel)) return this.context.settings.channels.walletPermission;
    return undefined;
  }

  adoptKey(fresh: ApiKey): EndReason | null {
    this.#key = fresh;
    for (const channel of this.subscriptions.keys()) {
      if (!canSubscribe(channel, fresh, this.#ownerWallets, this.context.settings.channels).allowed) return 'key_invalidated';
    }
    return null;
  }

  deliver(channel: string, frame: Buffer, offset: number, epoch: string): void {
    const sub = this.subscriptions.get(channel);
    if (!sub || this.#state !== 'connected') return;
    if (sub.buffer) return void sub.buffer.push({ frame, offset, epoch });
    if (epoch === sub.epoch && offset <= sub.offset) return;
    sub.offset = offset;
    sub.epoch = epoch;
    if (this.#ws.bufferedAmount > MAX_BUFFERED_BYTES) return this.end('slow_consumer');
    this.#ws.send(frame, { binary: false });
  }

  /** Sends a push outside any reply (unsubscribe, disconnect notices). */
  push(frame: string): void {
    if (this.#state !== 'closed') this.#ws.send(frame);
  }

  /** Forgets a subscription: hub, presence. */
  dropSubscription(channel: string): void {
    if (!this.subscriptions.delete(channel)) return;
    this.context.hub.unsubscribe(channel, this);
    if (this.#key) this.context.slots.leave(channel, this.id, this.#key.userId).catch(() => undefined);
  }

  keepAlive(now: number): boolean {
    if (this.#state === 'connecting') {
      if (now - this.#openedAt < this.context.settings.connectTimeoutMs) return true;
      this.end('bad_request', 'connect timeout');
      return false;
    }
    if (this.#state === 'closed') return false;
    if (this.#awaitingPong) {
      this.end('no_pong');
      return false;
    }
    this.#awaitingPong = true;
    this.#ws.send(PING_FRAME);
    return true;
  }

  end(reason: EndReason, message?: string): void {
    if (this.#state === 'closed') return;
    const text = (message ?? reason).slice(0, 120);
    this.#cleanUp();
    this.#ws.close(CENTRIFUGE_CLOSE[reason], text);
    // A peer that never answers the close handshake is cut off.
    setTimeout(() => this.#ws.terminate(), 2000).unref();
  }

  async #onFrame(text: string | null): Promise<void> {
    if (this.#state === 'closed') return;
    this.#awaitingPong = false;
    const commands = text === null ? null : parseCommands(text);
    if (!commands) return this.end('bad_request', 'frames must be JSON text, one command per line');
    const replies: string[] = [];
    for (const command of commands) {
      const method = methodOf(command);
      if (method === null) continue; // the client's pong
      // `send` is the one fire-and-forget command: the official client sends it without an id.
      if (method !== 'send' && (typeof command.id !== 'number' || command.id <= 0)) return this.end('bad_request', 'command without id');
      if (method === 'connect' ? this.#state !== 'connecting' : this.#state !== 'connected') {
        return this.end('bad_request', method === 'connect' ? 'already connected' : 'connect first');
      }
      let result: CommandResult;
      if (method === 'unknown' || !(method in COMMAND_HANDLERS)) {
        result = { error: replyError('METHOD_NOT_FOUND') };
      } else {
        const request = command[method];
        const body = request !== null && typeof request === 'object' && !Array.isArray(request) ? (request as Record<string, unknown>) : {};
        result = await this.#run(method as keyof typeof COMMAND_HANDLERS, body);
      }
      if (this.closed) return;
      if (result === 'no_reply') continue;
      replies.push('error' in result ? JSON.stringify({ id: command.id, error: result.error }) : JSON.stringify({ id: command.id, [method]: result.result }));
      if ('disconnect' in result && result.disconnect) {
        this.#ws.send(joinReplies(replies));
        return this.end(result.disconnect.reason, result.disconnect.message);
      }
    }
    if (replies.length > 0) this.#ws.send(joinReplies(replies));
    for (const action of this.#afterReply.splice(0)) action();
  }

  // A typed service error answers with its protocol code; a failure of our own (store or broker
  // down) answers that command with a temporary 100. Either way the session goes on.
  async #run(method: keyof typeof COMMAND_HANDLERS, body: Record<string, unknown>): Promise<CommandResult> {
    try {
      return await COMMAND_HANDLERS[method](this, body);
    } catch (error) {
      if (error instanceof KeygateError) return { error: replyError(ERROR_CODE_REPLY[error.code], error.message) };
      this.context.logger.error({ err: error, method }, 'centrifuge command failed');
      return { error: { ...replyError('INTERNAL'), temporary: true } };
    }
  }

  #fail(error: unknown): void {
    this.context.logger.error({ err: error }, 'centrifuge session failed');
    this.end('force_reconnect', 'internal error');
  }

  #cleanUp(): void {
    if (this.#state === 'closed') return;
    const wasConnected = this.#state === 'connected';
    this.#state = 'closed';
    if (this.#tokenTimer) clearTimeout(this.#tokenTimer);
    for (const channel of [...this.subscriptions.keys()]) this.dropSubscription(channel);
    if (wasConnected && this.#key) {
      this.context.hub.removeSession(this);
      this.context.keyWatch.unwatch(this.#key.id);
      this.context.slots.releaseConnection(this.#key.id, this.id).catch(() => undefined);
    }
  }
}
