/**
 * What a node tells operators about itself (GET /metrics). Services and adapters report events
 * through this interface; the runtime wires a Prometheus implementation (prom-client), and
 * everything that runs without one (the CLI, unit tests) gets `noMetrics`. Keeping prom-client out
 * of the inner layers keeps them free of any metrics library.
 */
export interface Metrics {
  /** One verification (forward-auth, verify API, real-time connect): the key's scheme (`unknown` when no stored key matched), the verdict code and how long it took. */
  verified(scheme: string, code: string, seconds: number): void;
  /** One lookup in the verifier's key caches: a hit when the known- or unknown-key cache answered. */
  cacheLookup(hit: boolean): void;
  /** A live (authenticated) session ended, and why (`peer_closed` when the client went away). */
  sessionEnded(protocol: string, reason: string): void;
  /** A key event (revoke, suspension, change) ended a session: the time from the event's commit to the close. */
  eventToClose(reason: string, seconds: number): void;
  /** A publication was made through this node. */
  published(): void;
  /** Publications handed to this node's sessions: one per publication per session it reaches. */
  delivered(count: number): void;
  /** The store or the bus failed an operation (every failure, not only the first of an outage). */
  backendError(backend: string): void;
}

/** Metrics that go nowhere (the CLI, tests that build parts on their own). */
export const noMetrics: Metrics = {
  verified: () => undefined,
  cacheLookup: () => undefined,
  sessionEnded: () => undefined,
  eventToClose: () => undefined,
  published: () => undefined,
  delivered: () => undefined,
  backendError: () => undefined,
};

/** A scrape of every metric in the Prometheus text format (GET /metrics). */
export interface MetricsScrape {
  readonly contentType: string;
  render(): Promise<string>;
}
