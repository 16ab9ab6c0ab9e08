import type { Logger } from 'pino';
import type { Broker } from '../bus/broker.ts';
import { KEY_EVENTS_TOPIC } from '../bus/topics.ts';
import { isBackendUnavailable } from '../core/backend-unavailable.ts';
import type { Clock } from '../core/clock.ts';
import type { KeyEvent } from '../core/key-event.ts';
import type { KeyEventSignal } from '../store/key-event-signal.ts';
import type { Store } from '../store/store.ts';
import type { KeyEventSink } from './key-events.ts';

/** Catch-up reads the log from the node's position this often, whatever the fast paths do. */
export const CATCH_UP_EVERY_MS = 1_000;
/** Events are kept this long, then pruned; a node further behind than this drops every cache (resync). */
export const KEY_EVENT_RETENTION_MS = 24 * 3600_000;
const PRUNE_EVERY_MS = 10 * 60_000;
const BATCH = 500;

export interface KeyEventFollowerOptions {
  readonly store: Pick<Store, 'keyEvents' | 'listenForKeyEvents' | 'health'>;
  readonly broker: Pick<Broker, 'publish' | 'subscribe' | 'health'>;
  /** Applies one event on this node: the verifier drops the key, then the key watch re-checks its live sessions. */
  readonly apply: (event: KeyEvent) => void;
  /** The node fell behind what the log keeps: drop every cached key and re-check every live session. */
  readonly resync: () => void;
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'warn' | 'error'>;
  readonly catchUpEveryMs?: number;
  readonly retentionMs?: number;
}

/** How far this node is through the log (for metrics and tests). */
export interface KeyEventLogPosition {
  /** Every event up to this sequence number is applied on this node. */
  readonly appliedSeq: number;
  /** The newest sequence number this node has heard of. */
  readonly headSeq: number;
  /** Events heard of but not yet applied in order. */
  readonly behind: number;
  /** How long after it was written the last applied event was applied here. */
  readonly lastApplyDelayMs: number | null;
  /** When the last catch-up read of the log succeeded (epoch ms). */
  readonly lastCatchUpAt: number | null;
}

/**
 * Follows the durable key event log so that no event is ever missed, whichever process wrote it.
 * Three ways in, one way to apply:
 *   - this node's own commits apply at once (`committed`), then go out on the bus (best effort);
 *   - fast paths: the store's signal (PostgreSQL LISTEN/NOTIFY, or SQLite's data_version check)
 *     and the bus topic carry other writers' events within milliseconds;
 *   - catch-up reads every event after the node's position on every (re)connect of a fast path and
 *     every second, so a lost message only delays an event, never drops it.
 * An event is applied once; one that arrives ahead of a gap is applied at once too (applying reads
 * fresh state, so order never changes the outcome) and the gap is filled from the log.
 */
export class KeyEventFollower implements KeyEventSink {
  readonly #options: KeyEventFollowerOptions;
  /** Applied out of order, ahead of `#applied`, with the time they were written. */
  readonly #ahead = new Map<number, number>();
  readonly #stops: Array<() => unknown> = [];
  #applied = 0;
  #head = 0;
  #lastApplyDelayMs: number | null = null;
  #lastCatchUpAt: number | null = null;
  #running: Promise<void> | null = null;
  #pending: Promise<void> | null = null;
  #signal: KeyEventSignal | null = null;
  #stopped = false;

  private constructor(options: KeyEventFollowerOptions) {
    this.#options = options;
  }

  /** Starts at the log's current end (a starting node caches nothing yet) and follows it from there. */
  static async start(options: KeyEventFollowerOptions): Promise<KeyEventFollower> {
    const follower = new KeyEventFollower(options);
    follower.#applied = follower.#head = await options.store.keyEvents.headSeq();
    await follower.#follow();
    return follower;
  }

  /** This node's own committed events: applied here now, then announced on the bus for the others (best effort). */
  committed(events: readonly KeyEvent[]): void {
    for (const event of events) {
      this.#offer(event);
      // Nobody waits for this: the log is the record, the bus only makes other nodes hear sooner.
      this.#options.broker.publish(KEY_EVENTS_TOPIC, event).catch(() => undefined);
    }
  }

  /** Reads and applies every event after this node's position; resolves once a read that started after the call is done. */
  catchUp(): Promise<void> {
    if (this.#pending) return this.#pending;
    const pending = (this.#running ?? Promise.resolve()).then(() => {
      this.#pending = null;
      this.#running = this.#readLog().finally(() => (this.#running = null));
      return this.#running;
    });
    this.#pending = pending;
    return pending;
  }

  /** Where this node stands in the log. */
  position(): KeyEventLogPosition {
    return {
      appliedSeq: this.#applied,
      headSeq: this.#head,
      behind: Math.max(0, this.#head - this.#applied),
      lastApplyDelayMs: this.#lastApplyDelayMs,
      lastCatchUpAt: this.#lastCatchUpAt,
    };
  }

  /** Deletes events older than the retention (every node does this now and then; it is idempotent). */
  async prune(): Promise<number> {
    const { store, clock } = this.#options;
    return store.keyEvents.pruneBefore(clock.now() - (this.#options.retentionMs ?? KEY_EVENT_RETENTION_MS));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const stop of this.#stops.splice(0)) await Promise.resolve(stop()).catch(() => undefined);
    await this.#signal?.close();
    await this.#running?.catch(() => undefined);
  }

  async #follow(): Promise<void> {
    const { store, broker } = this.#options;
    const unsubscribe = await broker.subscribe(KEY_EVENTS_TOPIC, (message) => this.#heard(message));
    this.#stops.push(unsubscribe);
    // Whatever the bus dropped while it was away is in the log.
    this.#stops.push(broker.health.onChange((up) => up && void this.catchUp()));
    this.#signal = await store.listenForKeyEvents({
      onEvent: (event) => (event ? this.#offer(event) : void this.catchUp()),
      onConnected: () => void this.catchUp(),
      onLost: (error) => store.health.failed(error),
    });
    const catchUp = setInterval(() => void this.catchUp(), this.#options.catchUpEveryMs ?? CATCH_UP_EVERY_MS);
    catchUp.unref();
    this.#stops.push(() => clearInterval(catchUp));
    const prune = setInterval(() => void this.prune().catch((error: unknown) => this.#failed(error, 'could not prune the key event log')), PRUNE_EVERY_MS);
    prune.unref();
    this.#stops.push(() => clearInterval(prune));
  }

  #heard(message: unknown): void {
    const seq = (message as { seq?: unknown } | null)?.seq;
    if (typeof seq === 'number' && Number.isInteger(seq)) this.#offer(message as KeyEvent);
    else void this.catchUp();
  }

  #offer(event: KeyEvent): void {
    if (this.#stopped) return;
    if (event.seq > this.#head) this.#head = event.seq;
    if (event.seq <= this.#applied || this.#ahead.has(event.seq)) return;
    this.#apply(event);
    if (event.seq !== this.#applied + 1) {
      this.#ahead.set(event.seq, event.at);
      void this.catchUp();
      return;
    }
    this.#applied = event.seq;
    while (this.#ahead.delete(this.#applied + 1)) this.#applied += 1;
  }

  async #readLog(): Promise<void> {
    const { store } = this.#options;
    try {
      for (;;) {
        if (this.#stopped) return;
        const events = await store.keyEvents.after(this.#applied, BATCH);
        if (events.length > 0 && events[0].seq !== this.#applied + 1) await this.#checkNotPrunedPast();
        for (const event of events) {
          if (event.seq > this.#head) this.#head = event.seq;
          if (!this.#ahead.delete(event.seq)) this.#apply(event);
          this.#applied = event.seq;
        }
        for (const seq of this.#ahead.keys()) if (seq <= this.#applied) this.#ahead.delete(seq);
        if (events.length < BATCH) break;
      }
      this.#lastCatchUpAt = this.#options.clock.now();
      store.health.ok();
    } catch (error) {
      this.#failed(error, 'could not read the key event log');
    }
  }

  // A gap before the first event read is normal (a rolled-back transaction used a number); events
  // pruned past this node's position are not: it cannot know what it missed, so it forgets everything.
  async #checkNotPrunedPast(): Promise<void> {
    if (this.#applied === 0) return; // started on an empty log: nothing cached predates what is there
    const oldest = await this.#options.store.keyEvents.oldestSeq();
    if (oldest === null || oldest <= this.#applied + 1) return;
    this.#options.logger.warn({ appliedSeq: this.#applied, oldestSeq: oldest }, 'this node fell behind the pruned key event log; dropping every cached key and re-checking every live session');
    this.#options.resync();
  }

  #apply(event: KeyEvent): void {
    this.#lastApplyDelayMs = Math.max(0, this.#options.clock.now() - event.at);
    try {
      this.#options.apply(event);
    } catch (error) {
      this.#options.logger.error({ err: error, seq: event.seq }, 'could not apply a key event');
    }
  }

  #failed(error: unknown, message: string): void {
    if (isBackendUnavailable(error)) this.#options.store.health.failed(error);
    else this.#options.logger.error({ err: error }, message);
  }
}
