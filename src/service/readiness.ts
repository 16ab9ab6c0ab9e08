import type { Broker } from '../bus/broker.ts';
import type { Store } from '../store/store.ts';

/** What /readyz reports: each backend's answer to a trivial request. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly store: 'ok' | 'down';
  readonly bus: 'ok' | 'down';
}

/** How long each probe may take before its backend counts as down. */
export const READINESS_TIMEOUT_MS = 1_000;

/**
 * Whether this node can do all its work: the store answers `select 1` and the bus answers PING,
 * each within a second (and the bus has both its connections: without the pub/sub one, publications
 * would not reach this node). The store probe's outcome also feeds the store's health; the bus
 * reports its own.
 */
export class Readiness {
  readonly #store: Pick<Store, 'ping' | 'health'>;
  readonly #broker: Pick<Broker, 'ping' | 'health'>;
  readonly #timeoutMs: number;

  constructor(store: Pick<Store, 'ping' | 'health'>, broker: Pick<Broker, 'ping' | 'health'>, timeoutMs = READINESS_TIMEOUT_MS) {
    this.#store = store;
    this.#broker = broker;
    this.#timeoutMs = timeoutMs;
  }

  /** Probes both backends at once. */
  async check(): Promise<ReadinessReport> {
    const [store, bus] = await Promise.all([
      this.#probe(() => this.#store.ping()).then((error) => (error === null ? this.#store.health.ok() : this.#store.health.failed(error), error)),
      this.#probe(() => this.#broker.ping()),
    ]);
    const report = { store: store === null ? 'ok' : 'down', bus: bus === null && this.#broker.health.up ? 'ok' : 'down' } as const;
    return { ready: report.store === 'ok' && report.bus === 'ok', ...report };
  }

  /** Null when `ping` resolved in time, else why not. */
  async #probe(ping: () => Promise<void>): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    try {
      await Promise.race([ping(), timeout]);
      return null;
    } catch (error) {
      return error ?? new Error('probe failed');
    } finally {
      clearTimeout(timer);
    }
  }
}
