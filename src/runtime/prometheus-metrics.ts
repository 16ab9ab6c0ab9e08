import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BackendHealth } from '../core/backend-health.ts';
import type { Metrics, MetricsScrape } from '../core/metrics.ts';
import { TalliedHistogram } from './tallied-histogram.ts';

/** Every series this node exports starts with this. */
export const METRIC_PREFIX = 'keygate_';

/** What the node's state gauges read at each scrape (set once the node's parts exist). */
export interface MetricsSources {
  /** Live sessions on this node, by protocol. */
  liveSessions(): Record<'centrifuge' | 'feed', number>;
  /** Where this node stands in the key event log. */
  keyEvents(): { appliedSeq: number; headSeq: number; behind: number; lastApplyDelayMs: number | null };
  readonly backends: readonly BackendHealth[];
}

// Sub-millisecond cache hits up to store reads on a slow network.
const VERIFY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
// The README's promises: 100 ms on every node, 1 s from the CLI, 3 s after a fault, 30 s the sweep.
const CLOSE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The node's metrics in a prom-client registry of its own (so two nodes in one process, as in the
 * tests, never share series), with prom-client's default process metrics, every name `keygate_…`.
 * Events are counted as they happen; state (live sessions, key-event lag, backends up) is read from
 * `sources` at each scrape, so it can never drift from the truth.
 */
export class PrometheusMetrics implements Metrics, MetricsScrape {
  readonly #registry = new Registry();
  readonly #verifySeconds: TalliedHistogram<'scheme'>;
  readonly #sessionsEnded: Counter<'protocol' | 'reason'>;
  readonly #eventToClose: Histogram<'reason'>;
  readonly #publications: Counter;
  readonly #deliveries: Counter;
  readonly #backendErrors: Counter<'backend'>;
  /**
   * The verifier's counts, kept as plain numbers and handed to their prom-client counters at each
   * scrape (collect): prom-client validates and hashes labels on every inc(), a tenth of a cached
   * verification. By scheme, then code (no key string built per call); both are fixed sets, so this stays small.
   */
  readonly #verified = new Map<string, Map<string, { readonly labels: { scheme: string; code: string }; count: number; reported: number }>>();
  readonly #cacheCounts = { hit: 0, miss: 0, reportedHit: 0, reportedMiss: 0 };
  #sources: MetricsSources | null = null;

  constructor() {
    const registers = [this.#registry];
    collectDefaultMetrics({ register: this.#registry, prefix: METRIC_PREFIX });
    const verified = this.#verified;
    const cacheCounts = this.#cacheCounts;
    new Counter({
      name: 'keygate_verifications_total',
      help: 'Verifications (forward-auth, verify API, real-time connects) by key scheme and verdict code',
      labelNames: ['scheme', 'code'],
      registers,
      collect() {
        for (const byCode of verified.values()) {
          for (const tally of byCode.values()) {
            this.inc(tally.labels, tally.count - tally.reported);
            tally.reported = tally.count;
          }
        }
      },
    });
    this.#verifySeconds = new TalliedHistogram({ name: 'keygate_verification_duration_seconds', help: 'Time to verify a credential, by key scheme', label: 'scheme', buckets: VERIFY_BUCKETS, registers });
    new Counter({
      name: 'keygate_key_cache_lookups_total',
      help: 'Key cache lookups of the verifier: hit (known or unknown key answered from memory) or miss (read from the store)',
      labelNames: ['result'],
      registers,
      collect() {
        this.inc({ result: 'hit' }, cacheCounts.hit - cacheCounts.reportedHit);
        this.inc({ result: 'miss' }, cacheCounts.miss - cacheCounts.reportedMiss);
        cacheCounts.reportedHit = cacheCounts.hit;
        cacheCounts.reportedMiss = cacheCounts.miss;
      },
    });
    this.#sessionsEnded = new Counter({ name: 'keygate_sessions_ended_total', help: 'Live sessions ended on this node, by protocol and reason', labelNames: ['protocol', 'reason'], registers });
    this.#eventToClose = new Histogram({ name: 'keygate_revoke_to_close_seconds', help: 'From a key event (revoke, suspension, change, a scheduled end) to the close of a session it ended, by reason', labelNames: ['reason'], buckets: CLOSE_BUCKETS, registers });
    this.#publications = new Counter({ name: 'keygate_publications_total', help: 'Publications made through this node', registers });
    this.#deliveries = new Counter({ name: 'keygate_deliveries_total', help: 'Publications handed to sessions on this node: one per publication per session it reaches (Centrifuge and the feed alike)', registers });
    this.#backendErrors = new Counter({ name: 'keygate_backend_errors_total', help: 'Failed operations of the store or the bus', labelNames: ['backend'], registers });
    this.#stateGauges(registers);
  }

  /** Gives the state gauges what they read; the node calls it once its parts exist. */
  observe(sources: MetricsSources): void {
    this.#sources = sources;
    for (const health of sources.backends) {
      this.#backendErrors.inc({ backend: health.component }, 0);
      health.onFailure(() => this.backendError(health.component));
    }
  }

  verified(scheme: string, code: string, seconds: number): void {
    let byCode = this.#verified.get(scheme);
    if (byCode === undefined) this.#verified.set(scheme, (byCode = new Map()));
    let tally = byCode.get(code);
    if (tally === undefined) byCode.set(code, (tally = { labels: { scheme, code }, count: 0, reported: 0 }));
    tally.count += 1;
    this.#verifySeconds.observe(scheme, seconds);
  }

  cacheLookup(hit: boolean): void {
    if (hit) this.#cacheCounts.hit += 1;
    else this.#cacheCounts.miss += 1;
  }

  sessionEnded(protocol: string, reason: string): void {
    this.#sessionsEnded.inc({ protocol, reason });
  }

  eventToClose(reason: string, seconds: number): void {
    this.#eventToClose.observe({ reason }, seconds);
  }

  published(): void {
    this.#publications.inc();
  }

  delivered(count: number): void {
    if (count > 0) this.#deliveries.inc(count);
  }

  backendError(backend: string): void {
    this.#backendErrors.inc({ backend });
  }

  get contentType(): string {
    return this.#registry.contentType;
  }

  /** Every metric in the Prometheus text format. */
  render(): Promise<string> {
    return this.#registry.metrics();
  }

  #stateGauges(registers: Registry[]): void {
    const sources = () => this.#sources;
    new Gauge({
      name: 'keygate_live_sessions',
      help: 'Live (authenticated) sessions on this node, by protocol',
      labelNames: ['protocol'],
      registers,
      collect() {
        const live = sources()?.liveSessions() ?? { centrifuge: 0, feed: 0 };
        for (const [protocol, count] of Object.entries(live)) this.set({ protocol }, count);
      },
    });
    const position = (read: (p: ReturnType<MetricsSources['keyEvents']>) => number | null) => () => {
      const current = sources()?.keyEvents();
      return current ? read(current) : null;
    };
    const gauge = (name: string, help: string, read: () => number | null) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const value = read();
          if (value !== null) this.set(value);
        },
      });
    gauge('keygate_key_events_behind', 'Key events this node has heard of but not applied yet (head minus applied)', position((p) => p.behind));
    gauge('keygate_key_events_applied_seq', 'Sequence number up to which this node has applied the key event log', position((p) => p.appliedSeq));
    gauge('keygate_key_events_head_seq', 'Newest key event sequence number this node has heard of', position((p) => p.headSeq));
    gauge('keygate_key_event_apply_delay_seconds', 'How long after it was written the last key event was applied on this node', position((p) => (p.lastApplyDelayMs === null ? null : p.lastApplyDelayMs / 1000)));
    new Gauge({
      name: 'keygate_backend_up',
      help: 'Whether this node last found the backend answering (1) or not (0), by backend (store, bus)',
      labelNames: ['backend'],
      registers,
      collect() {
        for (const health of sources()?.backends ?? []) this.set({ backend: health.component }, health.up ? 1 : 0);
      },
    });
  }
}
