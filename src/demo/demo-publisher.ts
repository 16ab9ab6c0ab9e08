import { systemClock, type Clock } from '../core/clock.ts';
import { checksumAddress } from '../core/wallet-address.ts';
import { DEMO_ASSETS, DEMO_STRESS_FACTORS } from './demo-assets.ts';
import { listingChannel, maintenanceChannel } from '../core/channel-names.ts';
import { demoClusterFor } from './demo-cluster.ts';
import { DEMO_EXCHANGES, ListingGenerator } from './listing-announcement.ts';
import { maintenanceUpdate } from './maintenance-update.ts';
import { PriceWalk } from './price-walk.ts';
import { assessCluster } from './risk-factor.ts';
import type { RandomSource } from './seeded-random.ts';

/**
 * One maintenance round (price step, risk recomputation, one update per wallet) every 2 s. Arkis
 * recomputes every 30 s (RISK_RECOMPUTE_INTERVAL_MS); the demo compresses time so a newcomer sees the
 * risk factor move within seconds. Pass maintenanceIntervalMs: 30_000 for the platform's cadence.
 */
export const DEMO_MAINTENANCE_INTERVAL_MS = 2_000;

/** One announcement per exchange every 15 s: far livelier than real listings, which is the point of a demo. */
export const DEMO_LISTING_INTERVAL_MS = 15_000;

/** The demo loans were drawn this long before the publisher started, so interest has accrued. */
const DEMO_LOAN_AGE_MS = 14 * 24 * 60 * 60 * 1000;

export interface DemoPublisherOptions {
  /** Where publications go, e.g. keygate.publish. */
  readonly publish: (channel: string, data: unknown) => Promise<void>;
  /** Owner wallets, each getting its own margin cluster on `maintenance:wallet:{checksummed address}`. */
  readonly wallets: readonly string[];
  /** Exchanges announced on `listings:{exchange}`; defaults to DEMO_EXCHANGES. */
  readonly exchanges?: readonly string[];
  readonly clock?: Clock;
  /** Uniform [0, 1) source driving prices and announcements; seed it (seededRandom) to replay. */
  readonly random?: RandomSource;
  readonly maintenanceIntervalMs?: number;
  readonly listingIntervalMs?: number;
  /** Called when a timed round fails to publish; defaults to a process warning. */
  readonly onError?: (error: unknown) => void;
}

export interface DemoPublisher {
  /** Clears the timers and waits for a round in progress; later ticks publish nothing. */
  stop(): Promise<void>;
  /** Publishes one maintenance round and one listing round now, rejecting if a publish fails. */
  tick(): Promise<void>;
}

function interval(value: number | undefined, fallback: number, field: string): number {
  const ms = value ?? fallback;
  if (!Number.isInteger(ms) || ms <= 0) throw new RangeError(`${field} must be a positive whole number of milliseconds`);
  return ms;
}

function warn(error: unknown): void {
  process.emitWarning(error instanceof Error ? error : String(error), 'DemoPublisherWarning');
}

/** Starts publishing demo maintenance updates and listing announcements on unref'd timers. */
export function startDemoPublisher(options: DemoPublisherOptions): DemoPublisher {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const onError = options.onError ?? warn;
  const maintenanceMs = interval(options.maintenanceIntervalMs, DEMO_MAINTENANCE_INTERVAL_MS, 'maintenanceIntervalMs');
  const listingMs = interval(options.listingIntervalMs, DEMO_LISTING_INTERVAL_MS, 'listingIntervalMs');
  const wallets = [...new Set(options.wallets.map((w) => checksumAddress(w)))];
  const exchanges = [...new Set((options.exchanges ?? DEMO_EXCHANGES).map((e) => e.toLowerCase()))];

  const openedAt = clock.now() - DEMO_LOAN_AGE_MS;
  const clusters = wallets.map((wallet) => demoClusterFor(wallet, openedAt));
  const walk = new PriceWalk(DEMO_ASSETS, random);
  const announcements = new ListingGenerator({ clock, random });
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;

  async function maintenanceRound(): Promise<void> {
    const prices = walk.step();
    const now = clock.now();
    await Promise.all(clusters.map((cluster) => options.publish(maintenanceChannel(cluster.owner), maintenanceUpdate(assessCluster(cluster, prices, DEMO_STRESS_FACTORS, now)))));
  }

  async function listingRound(): Promise<void> {
    await Promise.all(exchanges.map((exchange) => options.publish(listingChannel(exchange), announcements.next(exchange))));
  }

  function track<T>(round: Promise<T>): Promise<T> {
    inFlight.add(round);
    void round.finally(() => inFlight.delete(round)).catch(() => undefined);
    return round;
  }

  function every(ms: number, round: () => Promise<void>): NodeJS.Timeout {
    let running = false;
    const timer = setInterval(() => {
      // A slow subscriber must not pile rounds up: skip this one while the last is still publishing.
      if (running || stopped) return;
      running = true;
      void track(round().catch(onError).finally(() => (running = false)));
    }, ms);
    timer.unref();
    return timer;
  }

  const timers = [every(maintenanceMs, maintenanceRound), every(listingMs, listingRound)];

  return {
    async tick() {
      if (stopped) return;
      await track(Promise.all([maintenanceRound(), listingRound()]));
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
