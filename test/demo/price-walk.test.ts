import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO_ASSETS, DEMO_STRESS_FACTORS } from '../../src/demo/demo-assets.ts';
import { DEMO_MARGIN_CALL_LEVEL, demoClusterFor } from '../../src/demo/demo-cluster.ts';
import { PriceWalk } from '../../src/demo/price-walk.ts';
import { assessCluster } from '../../src/demo/risk-factor.ts';
import { seededRandom } from '../../src/demo/seeded-random.ts';

const NOW = Date.UTC(2026, 0, 15);

function path(seed: number, steps: number) {
  const walk = new PriceWalk(DEMO_ASSETS, seededRandom(seed));
  return Array.from({ length: steps }, () => walk.step());
}

describe('price walk', () => {
  it('starts at the configured prices', () => {
    const walk = new PriceWalk(DEMO_ASSETS, seededRandom(1));
    for (const asset of DEMO_ASSETS) assert.ok(Math.abs(walk.prices()[asset.symbol] - asset.startPrice) < 1e-9 * asset.startPrice);
    assert.equal(walk.steps, 0);
  });

  it('replays exactly from the same seed and differs with another', () => {
    assert.deepEqual(path(7, 200), path(7, 200));
    assert.notDeepEqual(path(7, 5), path(8, 5));
  });

  it('moves every price, keeps it positive, and keeps stablecoins near one dollar', () => {
    const prices = path(3, 2_000);
    const last = prices.at(-1)!;
    for (const asset of DEMO_ASSETS) assert.notEqual(last[asset.symbol], asset.startPrice);
    for (const step of prices) {
      for (const asset of DEMO_ASSETS) assert.ok(step[asset.symbol] > 0);
      assert.ok(Math.abs(step.USDC - 1) < 0.005 && Math.abs(step.USDT - 1) < 0.005, `stablecoin drifted: ${step.USDC} ${step.USDT}`);
    }
  });

  it('moves the demo cluster under the margin-call level now and then, and back', () => {
    const cluster = demoClusterFor('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', NOW - 14 * 86_400_000);
    const walk = new PriceWalk(DEMO_ASSETS, seededRandom(1));
    const start = assessCluster(cluster, walk.prices(), DEMO_STRESS_FACTORS, NOW);
    assert.equal(start.status, 'healthy');
    assert.ok(start.riskFactor! > DEMO_MARGIN_CALL_LEVEL && start.riskFactor! < 1.3, `start ${start.riskFactor}`);
    const statuses = Array.from({ length: 1_500 }, (_, i) => assessCluster(cluster, walk.step(), DEMO_STRESS_FACTORS, NOW + i * 2_000).status);
    const firstCall = statuses.indexOf('margin_call');
    assert.ok(firstCall > 0, 'a margin call happens');
    assert.ok(statuses.slice(firstCall).includes('healthy'), 'and the cluster recovers');
    assert.ok(statuses.filter((s) => s === 'healthy').length > statuses.length / 2, 'mostly healthy');
  });

  it('refuses assets it cannot walk', () => {
    assert.throws(() => new PriceWalk([{ symbol: 'X', startPrice: 0, volatility: 0.01, reversion: 0, marketCorrelation: 0 }], Math.random), /startPrice/);
    assert.throws(() => new PriceWalk([{ symbol: 'X', startPrice: 1, volatility: 0.01, reversion: 0, marketCorrelation: 2 }], Math.random), /marketCorrelation/);
  });
});

describe('seeded random', () => {
  it('yields the same numbers in [0, 1) for the same seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    for (let i = 0; i < 1_000; i++) {
      const x = a();
      assert.equal(x, b());
      assert.ok(x >= 0 && x < 1);
    }
  });
});
