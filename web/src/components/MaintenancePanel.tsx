import type { CSSProperties } from 'react';
import { riskState, type MaintenanceView, type RiskPoint } from '../maintenance-update.ts';
import { PositionsTable } from './PositionsTable.tsx';
import { RiskChart } from './RiskChart.tsx';

/** A figure's length, so CSS can shrink a long one to fit its card (styles.css, .stat-value). */
const fit = (text: string) => ({ '--chars': text.length }) as CSSProperties;

/** A formatted number that, if it must wrap, wraps after a thousands separator rather than mid-group. */
function Breakable(props: { text: string }) {
  const groups = props.text.split(',');
  return groups.map((group, i) => (i < groups.length - 1 ? [group, ',', <wbr key={i} />] : group));
}

const currency = (view: MaintenanceView) => (/^[A-Z]{3}$/.test(view.currency) ? view.currency : 'USD');

const NOTE = { healthy: 'healthy', 'margin-call': 'margin call due', liquidation: 'liquidation', unknown: 'nothing borrowed' } as const;

/** The latest maintenance update: risk factor against its thresholds, its history, balance and positions. */
export function MaintenancePanel(props: { view: MaintenanceView; history: readonly RiskPoint[] }) {
  const { view } = props;
  const level = riskState(view);
  const risk = view.riskFactor === null ? '∞' : view.riskFactor.toFixed(4);
  const balance = view.marginBalance === null ? '—' : view.marginBalance.toLocaleString('en-US', { style: 'currency', currency: currency(view) });
  return (
    <div className="live-body" data-testid="live-update">
      <div className="stats">
        <div className={`stat risk ${level}`}>
          <span className="stat-label">Risk factor</span>
          <span className="stat-value" style={fit(risk)} data-testid="risk-factor">
            {risk}
          </span>
          <span className="stat-note">{NOTE[level]}</span>
        </div>
        <div className="stat">
          <span className="stat-label">Margin call at</span>
          <span className="stat-value">{view.marginCallLevel?.toFixed(2) ?? '—'}</span>
        </div>
        <div className="stat">
          <span className="stat-label">Liquidation below</span>
          <span className="stat-value">{view.liquidationLevel?.toFixed(2) ?? '—'}</span>
        </div>
        <div className="stat balance">
          <span className="stat-label">Margin balance</span>
          <span className="stat-value" style={fit(balance)} data-testid="margin-balance">
            <Breakable text={balance} />
          </span>
        </div>
      </div>
      <RiskChart points={props.history} marginCall={view.marginCallLevel} liquidation={view.liquidationLevel} />
      <p className="muted small-print">
        Updated {new Date(view.at).toLocaleTimeString('en-US', { hour12: false })}
        {view.status ? ` · status ${view.status}` : ''}
        {view.extra.length > 0 ? ' · ' + view.extra.map(([k, v]) => `${k} ${v}`).join(' · ') : ''}
      </p>
      <PositionsTable view={view} />
    </div>
  );
}
