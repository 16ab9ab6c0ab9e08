import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeygateError } from '../../src/core/errors.ts';
import type { MarginCluster } from '../../src/demo/margin-cluster.ts';
import { maintenanceUpdate } from '../../src/demo/maintenance-update.ts';
import { YEAR_MS } from '../../src/demo/portfolio-valuation.ts';
import { assessCluster, riskFactor, riskStatus } from '../../src/demo/risk-factor.ts';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const OWNER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const ACCOUNT = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const PRICES = { ETH: 3000, USDC: 1, WBTC: 60_000, USDT: 1 };
const STRESS = { ETH: 0.65, USDC: 0.98, WBTC: 0.7, USDT: 0.98 };

/** A cluster small enough to value by hand (see the expected message below). */
function handCluster(): MarginCluster {
  return {
    id: 'mc_hand',
    owner: OWNER,
    marginCallLevel: 1.15,
    marginAccounts: [
      {
        address: ACCOUNT,
        owner: OWNER,
        chain: 'ethereum',
        // 10 % a year for a tenth of a year: 100 USDC of interest.
        loan: { asset: 'USDC', principal: 10_000, annualRate: 0.1, openedAt: NOW - YEAR_MS / 10 },
        tokens: [
          { symbol: 'ETH', amount: 2 },
          { symbol: 'USDC', amount: 5_000 },
        ],
        defiPositions: [{ protocol: 'aave-v3', kind: 'lending', name: 'WBTC supply', tokens: [{ symbol: 'WBTC', amount: 0.1 }] }],
      },
    ],
    cexSubAccounts: [{ exchange: 'binance', subAccountId: 'sub-1', tokens: [{ symbol: 'USDT', amount: 1_000 }] }],
  };
}

/** One account borrowing `borrowed` USDC interest-free against `collateral` USDC counted at full value. */
function usdcCluster(collateral: number, borrowed: number): MarginCluster {
  return {
    id: 'mc_usdc',
    owner: OWNER,
    marginCallLevel: 1.15,
    marginAccounts: [
      {
        address: ACCOUNT,
        owner: OWNER,
        chain: 'ethereum',
        loan: { asset: 'USDC', principal: borrowed, annualRate: 0, openedAt: NOW },
        tokens: [{ symbol: 'USDC', amount: collateral }],
        defiPositions: [],
      },
    ],
    cexSubAccounts: [],
  };
}

describe('risk factor', () => {
  it('values a hand-computed cluster exactly: stress-tested collateral ÷ borrowed, with accrued interest', () => {
    // Collateral 6000 + 5000 + 6000 + 1000 = 18000; stressed 3900 + 4900 + 4200 + 980 = 13980;
    // borrowed 10000 + 100 interest = 10100; risk factor 13980 / 10100 = 1.38415…
    const update = maintenanceUpdate(assessCluster(handCluster(), PRICES, STRESS, NOW));
    assert.deepEqual(update, {
      clusterId: 'mc_hand',
      owner: OWNER,
      currency: 'USD',
      riskFactor: '1.3842',
      marginCallLevel: '1.1500',
      liquidationLevel: '1.0000',
      status: 'healthy',
      marginBalance: '7900.00',
      totalBorrowed: '10100.00',
      collateralValue: '18000.00',
      stressedCollateralValue: '13980.00',
      marginAccounts: [
        {
          address: ACCOUNT,
          owner: OWNER,
          chain: 'ethereum',
          leverageAsset: 'USDC',
          loanPrincipal: '10000',
          accruedInterest: '100',
          borrowedValue: '10100.00',
          tokens: [
            { symbol: 'ETH', amount: '2', price: '3000', value: '6000.00', stressFactor: '0.6500', stressedValue: '3900.00' },
            { symbol: 'USDC', amount: '5000', price: '1', value: '5000.00', stressFactor: '0.9800', stressedValue: '4900.00' },
          ],
          defiPositions: [
            {
              protocol: 'aave-v3',
              kind: 'lending',
              name: 'WBTC supply',
              tokens: [{ symbol: 'WBTC', amount: '0.1', price: '60000', value: '6000.00', stressFactor: '0.7000', stressedValue: '4200.00' }],
              value: '6000.00',
              stressedValue: '4200.00',
            },
          ],
          collateralValue: '17000.00',
          stressedCollateralValue: '13000.00',
        },
      ],
      cexSubAccounts: [
        {
          exchange: 'binance',
          subAccountId: 'sub-1',
          tokens: [{ symbol: 'USDT', amount: '1000', price: '1', value: '1000.00', stressFactor: '0.9800', stressedValue: '980.00' }],
          value: '1000.00',
          stressedValue: '980.00',
        },
      ],
      updatedAt: '2026-01-15T12:00:00.000Z',
    });
  });

  it('accrues interest with time, lowering the risk factor', () => {
    const later = assessCluster(handCluster(), PRICES, STRESS, NOW + YEAR_MS / 10);
    assert.equal(later.marginAccounts[0].loan.accruedInterest, 200);
    assert.equal(maintenanceUpdate(later).riskFactor, '1.3706'); // 13980 / 10200 = 1.37059…
  });

  it('is healthy just above the margin-call level', () => {
    const update = maintenanceUpdate(assessCluster(usdcCluster(11_501, 10_000), { USDC: 1 }, { USDC: 1 }, NOW));
    assert.equal(update.riskFactor, '1.1501');
    assert.equal(update.status, 'healthy');
  });

  it('calls margin exactly at the margin-call level', () => {
    const update = maintenanceUpdate(assessCluster(usdcCluster(11_500, 10_000), { USDC: 1 }, { USDC: 1 }, NOW));
    assert.equal(update.riskFactor, '1.1500');
    assert.equal(update.status, 'margin_call');
  });

  it('still calls margin (not liquidation) at exactly 1.0', () => {
    const update = maintenanceUpdate(assessCluster(usdcCluster(10_000, 10_000), { USDC: 1 }, { USDC: 1 }, NOW));
    assert.equal(update.riskFactor, '1.0000');
    assert.equal(update.status, 'margin_call');
  });

  it('liquidates below 1.0', () => {
    const update = maintenanceUpdate(assessCluster(usdcCluster(9_999, 10_000), { USDC: 1 }, { USDC: 1 }, NOW));
    assert.equal(update.riskFactor, '0.9999');
    assert.equal(update.status, 'liquidation');
  });

  it('publishes a null risk factor and healthy status when nothing is borrowed, never NaN or Infinity', () => {
    const update = maintenanceUpdate(assessCluster(usdcCluster(5_000, 0), { USDC: 1 }, { USDC: 1 }, NOW));
    assert.equal(update.riskFactor, null);
    assert.equal(update.status, 'healthy');
    assert.equal(update.totalBorrowed, '0.00');
    const json = JSON.stringify(update);
    assert.match(json, /"riskFactor":null/);
    assert.doesNotMatch(json, /NaN|Infinity/);
    assert.equal(riskFactor(0, 0), null);
  });

  it('decides on the published four-decimal value, so the status always matches the number shown', () => {
    assert.equal(riskStatus(1.15004, 1.15), 'margin_call');
    assert.equal(riskStatus(1.15006, 1.15), 'healthy');
    assert.equal(riskStatus(0.99996, 1.15), 'margin_call');
    assert.equal(riskStatus(0.99994, 1.15), 'liquidation');
    assert.equal(riskStatus(null, 1.15), 'healthy');
  });

  it('refuses to value an asset it has no price or stress factor for', () => {
    assert.throws(() => assessCluster(handCluster(), { ...PRICES, WBTC: undefined } as never, STRESS, NOW), (e: unknown) => e instanceof KeygateError && e.code === 'INTERNAL' && /price for WBTC/.test(e.message));
    const { ETH: _eth, ...withoutEth } = STRESS;
    assert.throws(() => assessCluster(handCluster(), PRICES, withoutEth, NOW), /stress factor for ETH/);
  });
});
