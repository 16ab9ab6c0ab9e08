import { riskState, type MaintenanceView, type RiskPoint } from '../maintenance-update.ts';
import { PositionsTable } from './PositionsTable.tsx';
import { RiskChart } from './RiskChart.tsx';

const NOTE = { healthy: 'healthy', 'margin-call': 'margin call due', liquidation: 'liquidation', unknown: 'nothing borrowed' } as const;

/** The latest maintenance update: risk factor against its thresholds, its history, balance and positions. */
export function MaintenancePanel(props: { view: MaintenanceView; history: readonly RiskPoint[] }) {
  const { view } = props;
  const level = riskState(view);
  return (
    <div className="live-body" data-testid="live-update">
      <div className="stats">
        <div className={`stat risk ${level}`}>
          <span className="stat-label">Risk factor</span>
          <span className="stat-value" data-testid="risk-factor">
            {view.riskFactor === null ? '∞' : view.riskFactor.toFixed(4)}
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
        <div className="stat">
          <span className="stat-label">Margin balance</span>
          <span className="stat-value">{view.marginBalance === null ? '—' : view.marginBalance.toLocaleString('en-US', { style: 'currency', currency: /^[A-Z]{3}$/.test(view.currency) ? view.currency : 'USD' })}</span>
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
