import type { WebSocket } from 'ws';
import type { ApiKey } from '../core/api-key.ts';
import type { EndReason } from '../core/codes.ts';
import type { LiveSession } from './live-session.ts';
import { rawFrameWriter, sendPreparedFrame, type FrameWriter, type PreparedFrame } from './prepared-frame.ts';
import type { RealtimeContext } from './realtime-context.ts';

/**
 * Most bytes a session may have queued towards its peer, whatever they are (replies, pushes,
 * announcements, test answers). A send that would go past it ends the session as a slow consumer
 * (a Centrifuge client reconnects and recovers) instead of buffering without bound.
 */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** A peer that does not complete the close handshake within this long is cut off. */
const CLOSE_TIMEOUT_MS = 2000;

/** What a protocol puts in its close frame for an ending. */
export interface CloseFrame {
  readonly code: number;
  readonly reason: string;
}

/**
 * The lifecycle both WebSocket protocols share: one closed flag, `end(reason)` → the protocol's
 * close code and reason, terminate after a close timeout, keep-alive bookkeeping, bounded sending,
 * and a clean-up that runs exactly once however the session ends (its own end, the peer closing, a
 * socket error): the protocol's own resources first, then the hub entry, key watch and connection
 * slot the session took when it started (`start`).
 */
export abstract class WebSocketSession implements LiveSession {
  readonly id: string;
  readonly context: RealtimeContext;
  readonly #ws: WebSocket;
  /** Where shared frames are written, fixed by the handshake (null: a normal send). */
  readonly #frameWriter: FrameWriter | null;
  #closed = false;
  /** The key under which this session sits in the hub, the key watch and the connection slots. */
  #started: ApiKey | null = null;
  #awaitingPong = false;

  protected constructor(ws: WebSocket, id: string, context: RealtimeContext) {
    this.#ws = ws;
    this.#frameWriter = rawFrameWriter(ws);
    this.id = id;
    this.context = context;
    ws.on('close', () => this.#cleanUp('peer_closed'));
    ws.on('error', () => this.#cleanUp('peer_closed'));
  }

  abstract readonly protocol: LiveSession['protocol'];

  /** The key as last checked (throws before the session started). */
  abstract get key(): ApiKey;

  abstract get ip(): string | undefined;

  abstract requiredPermission(): string | undefined;

  abstract adoptKey(fresh: ApiKey, ownerWallets: readonly string[]): EndReason | null;

  get closed(): boolean {
    return this.#closed;
  }

  /** True once the session holds its hub entry, key watch and connection slot. */
  protected get started(): boolean {
    return this.#started !== null;
  }

  /** The protocol's close frame for an ending. */
  protected abstract closeFrame(reason: EndReason, message?: string): CloseFrame;

  /** Sends the protocol's keep-alive (the peer answers with any frame or a pong). */
  protected abstract ping(): void;

  /** Releases what the protocol itself holds (subscriptions, timers, listeners); runs once, before the shared clean-up. */
  protected abstract releaseOwn(): void;

  /**
   * Enters the hub under `key` and has the key watched. The connection slot under the key's id
   * with this session's id as holder must already be held: it is released at clean-up.
   */
  protected start(key: ApiKey): void {
    this.#started = key;
    this.context.hub.addSession(this);
    this.context.keyWatch.watch(key);
  }

  /** Notes that the peer answered: the next keep-alive does not count it as silent. */
  protected heardFromPeer(): void {
    this.#awaitingPong = false;
  }

  /** Sends a keep-alive; false (and the session ends, `no_pong`) when the peer missed the previous one. */
  keepAlive(_now: number): boolean {
    if (this.#closed) return false;
    if (this.#awaitingPong) {
      this.end('no_pong');
      return false;
    }
    this.#awaitingPong = true;
    this.ping();
    return true;
  }

  /** Sends a message unless it would put the peer past MAX_BUFFERED_BYTES (the session then ends, slow consumer). */
  protected send(data: string | Buffer): boolean {
    if (this.#closed) return false;
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (!this.#hasRoomFor(bytes.length)) return false;
    this.#ws.send(bytes, { binary: false });
    return true;
  }

  /** Sends a frame shared with other sessions, under the same bound as `send`. */
  sendFrame(frame: PreparedFrame): boolean {
    if (this.#closed || !this.#hasRoomFor(frame.wire.length)) return false;
    sendPreparedFrame(this.#ws, frame, this.#frameWriter);
    return true;
  }

  /** Sends a WebSocket ping frame (control frames are tiny; they are not counted against the bound). */
  protected sendPing(): void {
    if (!this.#closed) this.#ws.ping();
  }

  /** Bytes queued towards the peer and not yet handed to the kernel. */
  protected get bufferedBytes(): number {
    return this.#ws.bufferedAmount;
  }

  /** Stops reading the peer's frames (back-pressure while earlier ones are processed) or starts again. */
  protected pauseReading(paused: boolean): void {
    if (paused) this.#ws.pause();
    else this.#ws.resume();
  }

  /** Ends the session (idempotent): clean-up now, then the protocol's close frame; a silent peer is cut off after a timeout. */
  end(reason: EndReason, message?: string): void {
    if (this.#closed) return;
    this.#cleanUp(reason);
    const frame = this.closeFrame(reason, message);
    this.#ws.close(frame.code, truncateUtf8(frame.reason, 123));
    const timer = setTimeout(() => this.#ws.terminate(), CLOSE_TIMEOUT_MS);
    timer.unref();
    this.#ws.once('close', () => clearTimeout(timer));
  }

  #hasRoomFor(bytes: number): boolean {
    if (this.#ws.bufferedAmount + bytes <= MAX_BUFFERED_BYTES) return true;
    this.end('slow_consumer');
    return false;
  }

  /** `reason` is the ending (`peer_closed` when the client went away or the socket failed). */
  #cleanUp(reason: EndReason | 'peer_closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.releaseOwn();
    const key = this.#started;
    if (key === null) return;
    const { hub, keyWatch, slots, logger, metrics } = this.context;
    metrics.sessionEnded(this.protocol, reason);
    hub.removeSession(this);
    keyWatch.unwatch(key.id);
    slots.releaseConnection(key.id, this.id).catch((error: unknown) => logger.warn({ err: error, keyId: key.id }, 'could not release a connection slot'));
  }
}

/** Cuts a close reason to the protocol's limit (123 bytes) without splitting a character. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let cut = text.slice(0, maxBytes);
  while (Buffer.byteLength(cut) > maxBytes) cut = cut.slice(0, -1);
  return cut;
}
