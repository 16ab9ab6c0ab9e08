import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appendRiskPoint, readMaintenanceUpdate, readNumber, riskState } from '../../web/src/maintenance-update.ts';
import { chartGeometry } from '../../web/src/risk-chart-geometry.ts';
import { expiresAtFor, splitList } from '../../web/src/key-expiry.ts';

// The live view reads maintenance updates as documented for `maintenance:wallet:{address}`: camelCase
// JSON, amounts and ratios as decimal strings, timestamps ISO 8601.
const documented = {
  clusterId: 'cluster-1',
  owner: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  currency: 'USD',
  riskFactor: '1.3842',
  marginCallLevel: '1.1000',
  liquidationLevel: '1.0000',
  status: 'healthy',
  marginBalance: '18000.00',
  totalBorrowed: '12000.00',
  collateralValue: '30000.00',
  stressedCollateralValue: '16610.40',
  marginAccounts: [
    {
      address: '0x1111111111111111111111111111111111111111',
      owner: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
      chain: 'ethereum',
      leverageAsset: 'USDC',
      loanPrincipal: '12000',
      accruedInterest: '23.5',
      borrowedValue: '12023.50',
      tokens: [{ symbol: 'ETH', amount: '5', price: '3012.4567', value: '15062.28', stressFactor: '0.7000', stressedValue: '10543.60' }],
      defiPositions: [{ protocol: 'Uniswap', kind: 'liquidity', name: 'ETH/USDC', tokens: [], value: '4000.00', stressedValue: '2800.00' }],
      collateralValue: '19062.28',
      stressedCollateralValue: '13343.60',
    },
  ],
  cexSubAccounts: [{ exchange: 'binance', subAccountId: 'sub-7', tokens: [{ symbol: 'USDT', amount: '3000', price: '1', value: '3000.00' }], value: '3000.00', stressedValue: '2940.00' }],
  updatedAt: '2026-11-22T04:30:00.000Z',
};

describe('live view: reading maintenance updates', () => {
  it('reads the documented shape: risk factor, thresholds, balance, positions', () => {
    const view = readMaintenanceUpdate(documented, 0)!;
    assert.equal(view.riskFactor, 1.3842);
    assert.equal(view.marginCallLevel, 1.1);
    assert.equal(view.liquidationLevel, 1);
    assert.equal(view.marginBalance, 18000);
    assert.equal(view.status, 'healthy');
    assert.equal(view.at, Date.parse('2026-11-22T04:30:00.000Z'));
    assert.equal(view.marginAccounts[0].loanPrincipal, 12000);
    assert.equal(view.marginAccounts[0].accruedInterest, 23.5);
    assert.deepEqual(view.marginAccounts[0].tokens[0], { symbol: 'ETH', amount: 5, price: 3012.4567, value: 15062.28 });
    assert.equal(view.marginAccounts[0].defiPositions[0].name, 'ETH/USDC');
    assert.equal(view.cexSubAccounts[0].exchange, 'binance');
    assert.deepEqual(
      view.extra.map(([k]) => k),
      ['clusterId', 'owner', 'collateralValue', 'stressedCollateralValue'],
      'unknown scalar fields are kept for display',
    );
  });

  it('survives missing and oddly typed fields', () => {
    assert.equal(readMaintenanceUpdate('not an object', 0), null);
    assert.equal(readMaintenanceUpdate([1, 2], 0), null);
    const view = readMaintenanceUpdate({ riskFactor: 1.2, marginAccounts: 'nope', cexSubAccounts: [null, 7, { tokens: [{ amount: 'x' }] }], nested: { a: 1 } }, 42)!;
    assert.equal(view.riskFactor, 1.2, 'JSON numbers are fine too');
    assert.equal(view.marginCallLevel, null);
    assert.equal(view.at, 42, 'without updatedAt the arrival time is used');
    assert.deepEqual(view.marginAccounts, []);
    assert.equal(view.cexSubAccounts.length, 1);
    assert.deepEqual(view.cexSubAccounts[0].tokens[0], { symbol: '?', amount: null, price: null, value: null });
    assert.deepEqual(view.extra, [], 'objects are not dumped as extra text');
    assert.equal(readMaintenanceUpdate({ riskFactor: null }, 0)!.riskFactor, null, 'nothing borrowed: no risk factor');
    assert.equal(readNumber('1e400'), null);
    assert.equal(readNumber(''), null);
  });

  it('classifies the risk factor against the thresholds', () => {
    assert.equal(riskState({ riskFactor: 1.3, marginCallLevel: 1.1, liquidationLevel: 1 }), 'healthy');
    assert.equal(riskState({ riskFactor: 1.1, marginCallLevel: 1.1, liquidationLevel: 1 }), 'margin-call', 'at the margin-call level a margin call is due');
    assert.equal(riskState({ riskFactor: 0.99, marginCallLevel: 1.1, liquidationLevel: 1 }), 'liquidation');
    assert.equal(riskState({ riskFactor: 1.0, marginCallLevel: 1.1, liquidationLevel: 1 }), 'margin-call', 'liquidation only below 1.0');
    assert.equal(riskState({ riskFactor: null, marginCallLevel: 1.1, liquidationLevel: 1 }), 'unknown');
  });

  it('keeps a time-ordered, bounded, de-duplicated risk history', () => {
    let history = appendRiskPoint([], readMaintenanceUpdate({ riskFactor: '1.3', updatedAt: '2026-01-01T00:00:02Z' }, 0)!);
    history = appendRiskPoint(history, readMaintenanceUpdate({ riskFactor: '1.4', updatedAt: '2026-01-01T00:00:01Z' }, 0)!);
    history = appendRiskPoint(history, readMaintenanceUpdate({ riskFactor: '1.35', updatedAt: '2026-01-01T00:00:02Z' }, 0)!);
    assert.deepEqual(history.map((p) => p.riskFactor), [1.4, 1.35]);
    const many = Array.from({ length: 10 }, (_, i) => readMaintenanceUpdate({ riskFactor: 1 + i / 10, updatedAt: i * 1000 }, 0)!);
    assert.equal(many.reduce((h, v) => appendRiskPoint(h, v, 5), [] as ReturnType<typeof appendRiskPoint>).length, 5);
  });

  it('scales the chart so the line and both thresholds are inside the box', () => {
    const points = [
      { at: 0, riskFactor: 1.4 },
      { at: 1000, riskFactor: 1.2 },
      { at: 2000, riskFactor: 1.3 },
    ];
    const g = chartGeometry(points, { marginCall: 1.1, liquidation: 1.0 }, 600, 200, 10);
    assert.match(g.line, /^M10\.0,[\d.]+ L300\.0,[\d.]+ L590\.0,[\d.]+$/);
    for (const y of [g.marginCallY!, g.liquidationY!, g.y(1.4)]) assert.ok(y >= 10 && y <= 190, `y ${y} inside`);
    assert.ok(g.liquidationY! > g.marginCallY!, 'lower values are drawn lower');
    assert.equal(chartGeometry([], { marginCall: null, liquidation: null }, 600, 200).line, '');
  });
});

describe('create form helpers', () => {
  const now = new Date('2026-11-22T04:00:00.000Z');
  it('turns expiry presets into dates and "No expiry" into null', () => {
    assert.equal(expiresAtFor('7d', '', now), '2026-11-29T04:00:00.000Z');
    assert.equal(expiresAtFor('30d', '', now), '2026-12-22T04:00:00.000Z');
    assert.equal(expiresAtFor('90d', '', now), '2027-02-20T04:00:00.000Z');
    assert.equal(expiresAtFor('never', '', now), null);
    assert.ok(Date.parse(expiresAtFor('custom', '2027-01-15', now)!) > Date.parse('2027-01-15T00:00:00Z') - 86_400_000);
    assert.equal(expiresAtFor('custom', 'garbage', now), 'garbage', 'an unreadable date goes to the server, which names the field');
  });
  it('splits typed lists', () => {
    assert.deepEqual(splitList(' 10.0.0.1, 10.0.0.0/8\n2001:db8::1 '), ['10.0.0.1', '10.0.0.0/8', '2001:db8::1']);
    assert.deepEqual(splitList(''), []);
  });
});
