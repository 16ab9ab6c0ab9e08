import type { Broker } from '../bus/broker.ts';
import { MemoryBroker } from '../bus/broker-memory.ts';
import { isBackendUnavailable } from '../core/backend-unavailable.ts';
import type { Clock } from '../core/clock.ts';

/**
 * Fixed-window counters (failure throttles, request rate limits) kept on the bus so every node sees
 * one total. While the bus is down each node counts on its own instead: limits then hold per node
 * (a key may get up to its limit on each node for that minute) rather than failing every request.
 * Counting resumes on the bus as soon as it answers; the minute's local counts are not carried over.
 */
export class WindowCounters implements Pick<Broker, 'hit' | 'hits'> {
  readonly #shared: Pick<Broker, 'hit' | 'hits'>;
  readonly #local: MemoryBroker;

  constructor(shared: Pick<Broker, 'hit' | 'hits'>, clock: Clock) {
    this.#shared = shared;
    this.#local = new MemoryBroker(clock);
  }

  /** Counts one hit in the current window and returns the window's total. */
  async hit(key: string, windowMs: number): Promise<number> {
    try {
      return await this.#shared.hit(key, windowMs);
    } catch (error) {
      if (!isBackendUnavailable(error)) throw error;
      return this.#local.hit(key, windowMs);
    }
  }

  /** The current window's total without counting. */
  async hits(key: string, windowMs: number): Promise<number> {
    try {
      return await this.#shared.hits(key, windowMs);
    } catch (error) {
      if (!isBackendUnavailable(error)) throw error;
      return this.#local.hits(key, windowMs);
    }
  }
}
