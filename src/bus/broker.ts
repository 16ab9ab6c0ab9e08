import type { BackendHealth } from '../core/backend-health.ts';

/** Receives messages published on a topic. */
export type BrokerHandler = (message: unknown) => void;

/**
 * What nodes share: fan-out of events and publications, counted connection slots,
 * one-time claims (replay protection) and windowed counters (throttling).
 * `broker-memory.ts` serves one node; `broker-redis.ts` serves many.
 */
export interface Broker {
  readonly kind: 'memory' | 'redis';
  /**
   * Up/down as this node last saw the bus (always up in memory). While it is down every operation
   * fails at once with KeygateError UNAVAILABLE instead of waiting; listeners hear it come back.
   */
  readonly health: BackendHealth;
  /** Delivers `message` to every subscriber of `topic` on every node, this one included. */
  publish(topic: string, message: unknown): Promise<void>;
  /** Subscribes to a topic; resolves once the subscription is live and returns an unsubscribe function. */
  subscribe(topic: string, handler: BrokerHandler): Promise<() => Promise<void>>;
  /** Takes one of `limit` slots under `key` for `holder`; false when all are taken. Slots lapse after `ttlMs` unless refreshed. */
  acquireSlot(key: string, holder: string, limit: number, ttlMs: number): Promise<boolean>;
  /**
   * Re-asserts the slots this node holds: extends each, and creates it again if it is gone (a bus
   * that restarted empty). A heartbeat, so a dead node's slots lapse and a restarted bus is whole again.
   */
  refreshSlots(slots: ReadonlyArray<{ key: string; holder: string }>, ttlMs: number): Promise<void>;
  releaseSlot(key: string, holder: string): Promise<void>;
  countSlots(key: string): Promise<number>;
  /**
   * True the first time `signature` is claimed in `space` within `ttlMs`, false on every repeat
   * (replay protection). A claim names the signature's last 32 bytes (signature-claim.ts). The
   * in-memory bus answers at once, so a signed request on one node waits for no promise.
   */
  claimOnce(space: string, signature: Buffer, ttlMs: number): boolean | Promise<boolean>;
  /**
   * Claims made before this time (epoch ms) may be gone: the bus reconnected, and a Redis that
   * restarted keeps none of them; the in-memory bus starts empty with its process.
   */
  readonly claimsSince: number;
  /** Counts one hit in the current fixed window of `windowMs` and returns the window's total. */
  hit(key: string, windowMs: number): Promise<number>;
  /** Reads the current window's total without counting. */
  hits(key: string, windowMs: number): Promise<number>;
  /** Live holders of the slots under `key` (presence in a channel). */
  slotHolders(key: string): Promise<string[]>;
  /**
   * Appends `data` to `channel`'s stream (next offset, kept per `options`) and publishes a
   * StreamMessage on `topic` in the same atomic step, so every node sees offsets in order.
   */
  publishToStream(topic: string, channel: string, data: unknown, options: StreamOptions): Promise<StreamPosition>;
  /**
   * The stream's current position and the publications it still keeps, oldest first; with
   * `withPublications: false` only the position (a plain subscribe needs no more).
   */
  readStream(channel: string, options: Pick<StreamOptions, 'metaTtlMs'> & { readonly withPublications?: boolean }): Promise<StreamState>;
  /** Resolves when the bus answers a trivial command (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** How a channel stream keeps its publications. */
export interface StreamOptions {
  /** Publications kept (0 keeps none but still counts offsets). */
  readonly size: number;
  /** Publications are dropped after this long without a new one. */
  readonly ttlMs: number;
  /** The stream's epoch and top offset live this long without activity; after that a new epoch starts. */
  readonly metaTtlMs: number;
}

/** Where a stream stands: a new epoch means offsets started again and old positions are void. */
export interface StreamPosition {
  readonly offset: number;
  readonly epoch: string;
}

/** One kept publication. */
export interface StreamPublication {
  readonly offset: number;
  readonly data: unknown;
}

/** A stream's position with the publications it keeps. */
export interface StreamState extends StreamPosition {
  readonly publications: readonly StreamPublication[];
}

/** What publishToStream sends on its topic. */
export interface StreamMessage extends StreamPosition {
  readonly channel: string;
  readonly data: unknown;
}
