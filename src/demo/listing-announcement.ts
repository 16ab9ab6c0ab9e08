import type { Clock } from '../core/clock.ts';
import { pick, type RandomSource } from './seeded-random.ts';

// Modelled on the public message reference of the spec-002 feed (cryptolisting.ws): one JSON object
// per announcement with the exchange's own title, the parsed ticker, the publisher (exchange, lower
// case), a listing type and microsecond timestamps for each stage (exchange publish, detection,
// dispatch).

/** What an announcement is about. */
export type ListingType = 'spot_listing' | 'futures_listing' | 'spot_delisting';

/** A listing announcement as published on `listings:{exchange}`. */
export interface ListingAnnouncement {
  readonly type: 'announcement';
  /** The announcement title as the exchange wrote it. */
  readonly title: string;
  /** Asset symbol; comma-separated when one announcement lists several. */
  readonly ticker: string;
  /** Exchange, lower case. */
  readonly publisher: string;
  readonly listingType: ListingType;
  /** When the exchange published it, microseconds since the epoch. */
  readonly publishTimestampUs: number;
  /** When it was detected, microseconds since the epoch. */
  readonly detectedTimestampUs: number;
  /** When it was dispatched to subscribers, microseconds since the epoch. */
  readonly dispatchTimestampUs: number;
}

/** Exchanges the demo announces for, unless told otherwise. */
export const DEMO_EXCHANGES: readonly string[] = ['binance', 'coinbase', 'okx', 'bybit', 'kraken', 'upbit', 'bithumb'];

// Fictional projects, so demo data is never mistaken for a real listing.
const PROJECTS: readonly { readonly ticker: string; readonly name: string }[] = [
  { ticker: 'AMSH', name: 'Aurora Mesh' },
  { ticker: 'BORL', name: 'Borealis Finance' },
  { ticker: 'CNDR', name: 'Cinder Protocol' },
  { ticker: 'DRFT', name: 'Driftwood' },
  { ticker: 'EMBR', name: 'Ember Labs' },
  { ticker: 'FTHM', name: 'Fathom AI' },
  { ticker: 'GLCR', name: 'Glacier Network' },
  { ticker: 'HALC', name: 'Halcyon' },
  { ticker: 'IONR', name: 'Ion Relay' },
  { ticker: 'KSTL', name: 'Kestrel' },
  { ticker: 'LMPY', name: 'Lumen Pay' },
  { ticker: 'MRDN', name: 'Meridian Chain' },
];

const FUTURES_EXCHANGES = new Set(['binance', 'okx', 'bybit']);

type TitleFor = (project: { ticker: string; name: string }, date: string) => string;

// Each exchange's house style for the three kinds of announcement.
const TITLES: Readonly<Record<string, Partial<Record<ListingType, TitleFor>>>> = {
  binance: {
    spot_listing: (p) => `Binance Will List ${p.name} (${p.ticker})`,
    futures_listing: (p) => `Binance Futures Will Launch USDⓈ-Margined ${p.ticker}USDT Perpetual Contract`,
    spot_delisting: (p, d) => `Binance Will Delist ${p.ticker} on ${d}`,
  },
  coinbase: {
    spot_listing: (p, d) => `Spot trading for ${p.name} (${p.ticker}) will go live on ${d}`,
    spot_delisting: (p, d) => `Coinbase will suspend trading for ${p.name} (${p.ticker}) on ${d}`,
  },
  okx: {
    spot_listing: (p) => `OKX to list ${p.name} (${p.ticker}) for spot trading`,
    futures_listing: (p) => `OKX to launch ${p.ticker}USDT perpetual futures`,
    spot_delisting: (p, d) => `OKX to delist ${p.ticker} spot trading pairs on ${d}`,
  },
  bybit: {
    spot_listing: (p) => `New Listing: ${p.ticker}/USDT spot trading`,
    futures_listing: (p) => `New Listing: ${p.ticker}USDT Perpetual Contract`,
    spot_delisting: (p, d) => `Delisting of ${p.ticker}/USDT spot trading pair on ${d}`,
  },
  kraken: {
    spot_listing: (p) => `${p.name} (${p.ticker}) is available for trading!`,
    spot_delisting: (p, d) => `Kraken will delist ${p.ticker} on ${d}`,
  },
  upbit: {
    spot_listing: (p) => `[New Listing] ${p.name} (${p.ticker}) KRW, USDT market`,
    spot_delisting: (p, d) => `[Trading Support Ends] ${p.name} (${p.ticker}) on ${d}`,
  },
  bithumb: {
    spot_listing: (p) => `[Market Addition] ${p.name} (${p.ticker}) KRW market`,
    spot_delisting: (p, d) => `[Trading Support Ends] ${p.name} (${p.ticker}) on ${d}`,
  },
};

function genericTitle(exchange: string, type: ListingType, project: { ticker: string; name: string }, date: string): string {
  const venue = exchange.charAt(0).toUpperCase() + exchange.slice(1);
  if (type === 'spot_delisting') return `${venue} will delist ${project.ticker} on ${date}`;
  if (type === 'futures_listing') return `${venue} will launch ${project.ticker}USDT perpetual futures`;
  return `${venue} will list ${project.name} (${project.ticker})`;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Produces plausible announcements from an injected clock and random source (seed it to replay). */
export class ListingGenerator {
  readonly #clock: Clock;
  readonly #random: RandomSource;

  constructor(options: { clock: Clock; random: RandomSource }) {
    this.#clock = options.clock;
    this.#random = options.random;
  }

  /** The next announcement for `exchange` (lower case), detected now. */
  next(exchange: string): ListingAnnouncement {
    const publisher = exchange.toLowerCase();
    const roll = this.#random();
    // Mostly spot listings; perpetuals only where the venue lists them; the odd delisting.
    const listingType: ListingType = roll < 0.1 ? 'spot_delisting' : roll < 0.25 && FUTURES_EXCHANGES.has(publisher) ? 'futures_listing' : 'spot_listing';
    const project = pick(this.#random, PROJECTS);
    const nowMs = this.#clock.now();
    const effectiveDate = new Date(nowMs + (2 + Math.floor(this.#random() * 12)) * DAY_MS).toISOString().slice(0, 10);
    const title = TITLES[publisher]?.[listingType]?.(project, effectiveDate) ?? genericTitle(publisher, listingType, project, effectiveDate);
    const dispatchTimestampUs = nowMs * 1000;
    // Detection trails the exchange by a few milliseconds, dispatch trails detection by well under one.
    const detectedTimestampUs = dispatchTimestampUs - (200 + Math.floor(this.#random() * 800));
    const publishTimestampUs = detectedTimestampUs - (1_000 + Math.floor(this.#random() * 39_000));
    return { type: 'announcement', title, ticker: project.ticker, publisher, listingType, publishTimestampUs, detectedTimestampUs, dispatchTimestampUs };
  }
}
