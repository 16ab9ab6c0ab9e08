import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { MaintenancePanel } from '../../web/src/components/MaintenancePanel.tsx';
import { appendRiskPoint, readMaintenanceUpdate, type RiskPoint } from '../../web/src/maintenance-update.ts';

// Renders the live view's panel from updates in the documented shape (decimal strings, ISO times).
const update = (riskFactor: string | null, at: string) => ({
  clusterId: 'cluster-1',
  owner: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  currency: 'USD',
  riskFactor,
  marginCallLevel: '1.1000',
  liquidationLevel: '1.0000',
  status: 'healthy',
  marginBalance: '18000.00',
  totalBorrowed: '12000.00',
  marginAccounts: [
    {
      address: '0x1111111111111111111111111111111111111111',
      owner: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
      chain: 'ethereum',
      leverageAsset: 'USDC',
      loanPrincipal: '12000',
      accruedInterest: '23.5',
      tokens: [{ symbol: 'ETH', amount: '5', price: '3012.4567', value: '15062.28' }],
      defiPositions: [{ protocol: 'Uniswap', kind: 'liquidity', name: 'ETH/USDC', tokens: [], value: '4000.00' }],
      collateralValue: '19062.28',
    },
  ],
  cexSubAccounts: [{ exchange: 'binance', subAccountId: 'sub-7', tokens: [{ symbol: 'USDT', amount: '3000', price: '1', value: '3000.00' }], value: '3000.00' }],
  updatedAt: at,
});

function render(updates: unknown[]): string {
  let history: RiskPoint[] = [];
  let latest = null;
  for (const data of updates) {
    latest = readMaintenanceUpdate(data, Date.now())!;
    history = appendRiskPoint(history, latest);
  }
  return renderToStaticMarkup(createElement(MaintenancePanel, { view: latest!, history }));
}

describe('live view panel', () => {
  it('shows the risk factor, its thresholds, the chart and the positions of the latest update', () => {
    const html = render([update('1.4210', '2026-11-22T04:30:00Z'), update('1.3842', '2026-11-22T04:30:30Z')]);
    assert.match(html, /data-testid="risk-factor">1\.3842</);
    assert.match(html, /stat risk healthy/);
    assert.match(html, /Margin call at<\/span><span class="stat-value">1\.10</);
    assert.match(html, /Liquidation below<\/span><span class="stat-value">1\.00</);
    assert.match(html, /data-testid="margin-balance">\$18,<wbr\/>000\.00</, 'the balance, breakable after its thousands separator');
    assert.match(html, /<path d="M[\d.]+,[\d.]+ L[\d.]+,[\d.]+" class="risk-line"/, 'a line through both updates');
    assert.match(html, /margin call 1\.10/);
    assert.match(html, /liquidation 1\.00/);
    assert.match(html, /5 ETH/);
    assert.match(html, /ETH\/USDC/);
    assert.match(html, /binance/);
    assert.match(html, /3,000 USDT/);
  });

  it('flags a margin call and a liquidation', () => {
    assert.match(render([update('1.0500', '2026-11-22T04:30:00Z')]), /stat risk margin-call.*margin call due/);
    assert.match(render([update('0.9800', '2026-11-22T04:30:00Z')]), /stat risk liquidation/);
  });

  it('renders an update with nothing borrowed and no positions', () => {
    const html = render([{ riskFactor: null, marginAccounts: [], cexSubAccounts: [] }]);
    assert.match(html, /data-testid="risk-factor">∞</);
    assert.match(html, /nothing borrowed/);
    assert.match(html, /None in this update/);
  });
});
