import { BackendHealth } from '../core/backend-health.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { ClaimTable } from './claim-table.ts';
import type { Broker, BrokerHandler, StreamMessage, StreamOptions, StreamPosition, StreamPublication, StreamState } from './broker.ts';
import { streamEpoch } from './stream-epoch.ts';

interface MemoryStream {
  epoch: string;
  top: number;
  publications: StreamPublication[];
  /** When the kept publications lapse. */
  pubsUntil: number;
  /** When epoch and top lapse. */
  metaUntil: number;
}

/** The single-node broker: everything lives in this process. */
export class MemoryBroker implements Broker {
  readonly kind = 'memory' as const;
  /**
   * When this broker was made. Its claims live in this process only, so a restarted node holds none
   * of those its previous run made: a request signed before then cannot be proven unused.
   */
  readonly claimsSince: number;
  readonly health = new BackendHealth('bus', 'the in-memory bus');
  readonly #clock: Clock;
  readonly #handlers = new Map<string, Set<BrokerHandler>>();
  readonly #slots = new Map<string, Map<string, number>>();
  /** Per slot, no later than the earliest expiry among its holders: before it, none can have lapsed. */
  readonly #earliestExpiry = new Map<string, number>();
  readonly #claims: ClaimTable;
  readonly #counters = new Map<string, { window: number; count: number; until: number }>();
  readonly #streams = new Map<string, MemoryStream>();
  #sweeps = 0;

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
    this.claimsSince = clock.now();
    this.#claims = new ClaimTable(this.claimsSince);
  }

  async publish(topic: string, message: unknown): Promise<void> {
    const handlers = this.#handlers.get(topic);
    if (!handlers) return;
    // Deliver asynchronously, as Redis would, so publishers never re-enter their subscribers.
    for (const handler of handlers) queueMicrotask(() => handler(message));
  }

  async subscribe(topic: string, handler: BrokerHandler): Promise<() => Promise<void>> {
    let handlers = this.#handlers.get(topic);
    if (!handlers) this.#handlers.set(topic, (handlers = new Set()));
    handlers.add(handler);
    return async () => {
      handlers.delete(handler);
      if (handlers.size === 0) this.#handlers.delete(topic);
    };
  }

  async acquireSlot(key: string, holder: string, limit: number, ttlMs: number): Promise<boolean> {
    const now = this.#clock.now();
    const slots = this.#liveSlots(key, now);
    if (!slots.has(holder) && slots.size >= limit) return false;
    slots.set(holder, now + ttlMs);
    this.#slots.set(key, slots);
    this.#noteExpiry(key, now + ttlMs);
    return true;
  }

  async refreshSlots(slots: ReadonlyArray<{ key: string; holder: string }>, ttlMs: number): Promise<void> {
    const until = this.#clock.now() + ttlMs;
    for (const { key, holder } of slots) {
      const held = this.#slots.get(key) ?? new Map<string, number>();
      held.set(holder, until);
      this.#slots.set(key, held);
      this.#noteExpiry(key, until);
    }
  }

  async releaseSlot(key: string, holder: string): Promise<void> {
    const slots = this.#slots.get(key);
    slots?.delete(holder);
    if (slots?.size !== 0) return;
    this.#slots.delete(key);
    this.#earliestExpiry.delete(key);
  }

  async countSlots(key: string): Promise<number> {
    return this.#liveSlots(key, this.#clock.now()).size;
  }

  claimOnce(space: string, signature: Buffer, ttlMs: number): boolean {
    return this.#claims.claim(space, signature, ttlMs, this.#clock.now());
  }

  async hit(key: string, windowMs: number): Promise<number> {
    const now = this.#clock.now();
    this.#maybeSweep(now);
    const window = Math.floor(now / windowMs);
    const counter = this.#counters.get(key);
    if (!counter || counter.window !== window) {
      this.#counters.set(key, { window, count: 1, until: (window + 1) * windowMs });
      return 1;
    }
    counter.count += 1;
    return counter.count;
  }

  async hits(key: string, windowMs: number): Promise<number> {
    const counter = this.#counters.get(key);
    return counter && counter.window === Math.floor(this.#clock.now() / windowMs) ? counter.count : 0;
  }

  async slotHolders(key: string): Promise<string[]> {
    return [...this.#liveSlots(key, this.#clock.now()).keys()];
  }

  async publishToStream(topic: string, channel: string, data: unknown, options: StreamOptions): Promise<StreamPosition> {
    const now = this.#clock.now();
    const stream = this.#stream(channel, now, options.metaTtlMs);
    stream.top += 1;
    // Kept as JSON text so a reader never shares an object a publisher may still mutate.
    const kept = JSON.parse(JSON.stringify(data ?? null)) as unknown;
    if (options.size > 0) {
      stream.publications.push({ offset: stream.top, data: kept });
      if (stream.publications.length > options.size) stream.publications.splice(0, stream.publications.length - options.size);
    }
    stream.pubsUntil = now + options.ttlMs;
    stream.metaUntil = now + options.metaTtlMs;
    const message: StreamMessage = { channel, offset: stream.top, epoch: stream.epoch, data: kept };
    await this.publish(topic, message);
    return { offset: message.offset, epoch: message.epoch };
  }

  async readStream(channel: string, options: Pick<StreamOptions, 'metaTtlMs'> & { readonly withPublications?: boolean }): Promise<StreamState> {
    const now = this.#clock.now();
    this.#maybeSweep(now);
    const stream = this.#live(channel, now);
    // Reading a channel nobody published to creates nothing.
    if (!stream) return { offset: 0, epoch: streamEpoch(channel, now, options.metaTtlMs), publications: [] };
    // A reader holds a position in this epoch: keep the epoch alive as Redis does.
    stream.metaUntil = now + options.metaTtlMs;
    return { offset: stream.top, epoch: stream.epoch, publications: options.withPublications === false ? [] : stream.publications.slice() };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.#handlers.clear();
  }

  // A lapsed stream starts again under a new epoch, so positions from before are recognised as void.
  #stream(channel: string, now: number, metaTtlMs: number): MemoryStream {
    let stream = this.#live(channel, now);
    if (!stream) {
      stream = { epoch: streamEpoch(channel, now, metaTtlMs), top: 0, publications: [], pubsUntil: now, metaUntil: now + metaTtlMs };
      this.#streams.set(channel, stream);
    }
    return stream;
  }

  /** The channel's stream unless it does not exist or lapsed; publications past their TTL are dropped. */
  #live(channel: string, now: number): MemoryStream | null {
    const stream = this.#streams.get(channel);
    if (!stream || stream.metaUntil <= now) return null;
    if (stream.pubsUntil <= now) stream.publications = [];
    return stream;
  }

  // Scans a slot's holders only once one of them may have lapsed (a lower bound of their expiries is
  // kept per slot), so N connects to one slot cost O(N), not O(N²) - a channel's presence slot holds
  // every subscriber on the node.
  #liveSlots(key: string, now: number): Map<string, number> {
    const slots = this.#slots.get(key) ?? new Map<string, number>();
    if (now < (this.#earliestExpiry.get(key) ?? Infinity)) return slots;
    let earliest = Infinity;
    for (const [holder, until] of slots) {
      if (until <= now) slots.delete(holder);
      else if (until < earliest) earliest = until;
    }
    this.#earliestExpiry.set(key, earliest);
    return slots;
  }

  #noteExpiry(key: string, until: number): void {
    if (until < (this.#earliestExpiry.get(key) ?? Infinity)) this.#earliestExpiry.set(key, until);
  }

  // Stale counters and lapsed streams are dropped now and then so memory stays bounded (claims lapse in claimOnce).
  #maybeSweep(now: number): void {
    if (++this.#sweeps % 1024 !== 0) return;
    for (const [key, counter] of this.#counters) if (counter.until <= now) this.#counters.delete(key);
    for (const [channel, stream] of this.#streams) if (stream.metaUntil <= now) this.#streams.delete(channel);
  }
}
