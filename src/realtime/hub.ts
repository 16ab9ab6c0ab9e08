import type { StreamMessage } from '../bus/broker.ts';
import { noMetrics, type Metrics } from '../core/metrics.ts';
import { exchangeOf } from '../core/channel-names.ts';
import { announcementFrame } from './feed-messages.ts';
import type { AnnouncementListener, ChannelListener, LiveSession } from './live-session.ts';
import { prepareTextFrame } from './prepared-frame.ts';
import { PublicationBatch } from './publication-batch.ts';

/** A channel's batch is sent at once when it holds this many characters, not at the end of the turn. */
const MAX_BATCH_CHARS = 64 * 1024;

/**
 * This node's live sessions: channel → Centrifuge subscriptions, exchange → feed listeners,
 * key id → sessions. The single fan-out point: a publication is encoded and framed once per
 * protocol and the same bytes go to every subscriber. A channel's first Centrifuge publication in a
 * turn of the event loop goes out at once; those that follow it within the turn go out together at
 * its end, as one frame of push lines (see PublicationBatch): a burst costs two socket writes per
 * subscriber, not one per publication, and a lone publication waits for nothing.
 */
export class Hub {
  readonly #channels = new Map<string, Set<ChannelListener>>();
  readonly #byExchange = new Map<string, Set<AnnouncementListener>>();
  readonly #allExchanges = new Set<AnnouncementListener>();
  readonly #byKey = new Map<string, Set<LiveSession>>();
  readonly #sessions = new Set<LiveSession>();
  readonly #metrics: Pick<Metrics, 'delivered'>;
  /** Channel batches waiting for the end of this turn of the event loop. */
  readonly #pending = new Map<string, PublicationBatch>();
  /** Channels that sent a publication this turn: the next ones wait for the batch. */
  readonly #sentThisTurn = new Set<string>();
  #flushScheduled = false;

  constructor(metrics: Pick<Metrics, 'delivered'> = noMetrics) {
    this.#metrics = metrics;
  }

  /** Adds a session under its key. */
  addSession(session: LiveSession): void {
    this.#sessions.add(session);
    let set = this.#byKey.get(session.key.id);
    if (!set) this.#byKey.set(session.key.id, (set = new Set()));
    set.add(session);
  }

  /** Removes a session from the key index (its channels are removed by the session). */
  removeSession(session: LiveSession): void {
    this.#sessions.delete(session);
    const set = this.#byKey.get(session.key.id);
    set?.delete(session);
    if (set?.size === 0) this.#byKey.delete(session.key.id);
  }

  /** Sessions using a key on this node (a copy: ending them changes the index). */
  sessionsOf(keyId: string): LiveSession[] {
    const set = this.#byKey.get(keyId);
    return set ? [...set] : [];
  }

  /** True while a key has sessions on this node (no copy, for checks inside a close loop). */
  hasSessions(keyId: string): boolean {
    return this.#byKey.has(keyId);
  }

  /** Every live session on this node. */
  sessions(): IterableIterator<LiveSession> {
    return this.#sessions.values();
  }

  subscribe(channel: string, listener: ChannelListener): void {
    let set = this.#channels.get(channel);
    if (!set) this.#channels.set(channel, (set = new Set()));
    set.add(listener);
  }

  unsubscribe(channel: string, listener: ChannelListener): void {
    const set = this.#channels.get(channel);
    set?.delete(listener);
    if (set?.size === 0) this.#channels.delete(channel);
  }

  listen(listener: AnnouncementListener): void {
    if (listener.exchanges === '*') return void this.#allExchanges.add(listener);
    for (const exchange of listener.exchanges) {
      let set = this.#byExchange.get(exchange);
      if (!set) this.#byExchange.set(exchange, (set = new Set()));
      set.add(listener);
    }
  }

  unlisten(listener: AnnouncementListener): void {
    if (listener.exchanges === '*') return void this.#allExchanges.delete(listener);
    for (const exchange of listener.exchanges) {
      const set = this.#byExchange.get(exchange);
      set?.delete(listener);
      if (set?.size === 0) this.#byExchange.delete(exchange);
    }
  }

  /** Fans a publication from the broker out to this node's subscribers (batched) and feed listeners (at once). */
  dispatch(message: StreamMessage): void {
    if (this.#channels.get(message.channel)?.size) this.#batch(message);
    const exchange = exchangeOf(message.channel);
    if (exchange === null) return;
    const wanted = this.#byExchange.get(exchange.toLowerCase());
    if (this.#allExchanges.size === 0 && !wanted) return;
    const frame = prepareTextFrame(announcementFrame(exchange, message.data));
    for (const listener of this.#allExchanges) listener.announce(frame);
    if (wanted) for (const listener of wanted) listener.announce(frame);
    this.#metrics.delivered(this.#allExchanges.size + (wanted?.size ?? 0));
  }

  /** Sends every waiting batch (at the end of the turn the first publication of a batch was made in). */
  #flush(): void {
    this.#flushScheduled = false;
    for (const batch of this.#pending.values()) this.#send(batch);
    this.#pending.clear();
    this.#sentThisTurn.clear();
  }

  // The first publication of a channel in a turn goes out at once, so one publication at a time
  // waits for nothing; those that follow it within the turn wait for the end of the turn, together.
  #batch(message: StreamMessage): void {
    let batch = this.#pending.get(message.channel);
    if (!batch) this.#pending.set(message.channel, (batch = new PublicationBatch(message.channel)));
    batch.add(message.data, message.offset, message.epoch);
    if (!this.#sentThisTurn.has(message.channel) || batch.size >= MAX_BATCH_CHARS) {
      this.#sentThisTurn.add(message.channel);
      this.#pending.delete(message.channel);
      this.#send(batch);
    }
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      // After the I/O of this turn: every publication the broker handed over meanwhile joins the batch.
      setImmediate(() => this.#flush());
    }
  }

  // To whoever listens when the batch goes out: a subscription that left meanwhile gets nothing.
  #send(batch: PublicationBatch): void {
    const listeners = this.#channels.get(batch.channel);
    if (!listeners) return;
    for (const listener of listeners) listener.deliver(batch);
    this.#metrics.delivered(listeners.size * batch.count);
  }
}
