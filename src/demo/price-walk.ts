import type { PriceTable } from './portfolio-valuation.ts';
import { normalDraw, type RandomSource } from './seeded-random.ts';

const PRICE_DIGITS = 6;

/** How one asset's simulated price moves. */
export interface WalkedAsset {
  readonly symbol: string;
  readonly startPrice: number;
  /** Standard deviation of the log return per step. */
  readonly volatility: number;
  /** Share of the log distance to the start price closed each step (0 = pure random walk). */
  readonly reversion: number;
  /** Correlation with the common market move, so crypto assets fall together as they do in a sell-off. */
  readonly marketCorrelation: number;
}

/**
 * A seedable mean-reverting random walk in log price (discrete Ornstein–Uhlenbeck) with one shared
 * market factor. The same assets and random sequence always give the same prices; time never enters,
 * so callers decide how often a step happens.
 */
export class PriceWalk {
  readonly #assets: readonly WalkedAsset[];
  readonly #random: RandomSource;
  readonly #logPrices: Map<string, number>;
  #steps = 0;

  constructor(assets: readonly WalkedAsset[], random: RandomSource) {
    for (const asset of assets) {
      if (!(asset.startPrice > 0)) throw new RangeError(`${asset.symbol}: startPrice must be positive`);
      if (Math.abs(asset.marketCorrelation) > 1) throw new RangeError(`${asset.symbol}: marketCorrelation must be within [-1, 1]`);
    }
    this.#assets = assets;
    this.#random = random;
    this.#logPrices = new Map(assets.map((a) => [a.symbol, Math.log(a.startPrice)]));
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.#steps;
  }

  /** The current price of every asset, quoted to six significant digits as a price feed would. */
  prices(): PriceTable {
    // Quoting (not the walk's state) is rounded, so published prices and the values derived from them agree.
    return Object.fromEntries([...this.#logPrices].map(([symbol, log]) => [symbol, Number(Math.exp(log).toPrecision(PRICE_DIGITS))]));
  }

  /** Moves every price one step and returns the new prices. */
  step(): PriceTable {
    // Draw order is fixed (market first, then assets in declaration order) so a seed replays exactly.
    const market = normalDraw(this.#random);
    for (const asset of this.#assets) {
      const own = normalDraw(this.#random);
      const shock = asset.marketCorrelation * market + Math.sqrt(1 - asset.marketCorrelation ** 2) * own;
      const log = this.#logPrices.get(asset.symbol)!;
      const pull = asset.reversion * (Math.log(asset.startPrice) - log);
      this.#logPrices.set(asset.symbol, log + pull + asset.volatility * shock);
    }
    this.#steps += 1;
    return this.prices();
  }
}
