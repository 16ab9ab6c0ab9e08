import type { StressFactors } from './portfolio-valuation.ts';
import type { WalkedAsset } from './price-walk.ts';

/** An asset the demo clusters hold, with how its price moves and how hard the stress test discounts it. */
export interface DemoAsset extends WalkedAsset {
  readonly name: string;
  /** Stress-tested value fraction; Arkis' documented example is WETH at 65 %. */
  readonly stressFactor: number;
}

// Volatility is per step (one step per maintenance round). It is deliberately livelier than a real
// market at 2 s steps, so the demo risk factor visibly moves and now and then dips under the
// margin-call level; the reversion keeps prices near their start over minutes.
export const DEMO_ASSETS: readonly DemoAsset[] = [
  { symbol: 'ETH', name: 'Ether', startPrice: 3400, volatility: 0.012, reversion: 0.01, marketCorrelation: 0.8, stressFactor: 0.65 },
  { symbol: 'WBTC', name: 'Wrapped Bitcoin', startPrice: 95_000, volatility: 0.009, reversion: 0.01, marketCorrelation: 0.8, stressFactor: 0.7 },
  { symbol: 'SOL', name: 'Solana', startPrice: 180, volatility: 0.016, reversion: 0.01, marketCorrelation: 0.7, stressFactor: 0.55 },
  { symbol: 'USDC', name: 'USD Coin', startPrice: 1, volatility: 0.0002, reversion: 0.5, marketCorrelation: 0, stressFactor: 0.98 },
  { symbol: 'USDT', name: 'Tether USD', startPrice: 1, volatility: 0.0003, reversion: 0.5, marketCorrelation: 0, stressFactor: 0.97 },
];

/** The stress factor of every demo asset, by symbol. */
export const DEMO_STRESS_FACTORS: StressFactors = Object.fromEntries(DEMO_ASSETS.map((a) => [a.symbol, a.stressFactor]));
