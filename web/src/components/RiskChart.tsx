import type { RiskPoint } from '../maintenance-update.ts';
import { chartGeometry } from '../risk-chart-geometry.ts';

// Drawn at a fixed aspect ratio and scaled as a whole, so text and the marker never stretch.
const WIDTH = 1000;
const HEIGHT = 260;

/** The risk factor over time, with the margin-call and liquidation thresholds as dashed lines. */
export function RiskChart(props: { points: readonly RiskPoint[]; marginCall: number | null; liquidation: number | null }) {
  const g = chartGeometry(props.points, { marginCall: props.marginCall, liquidation: props.liquidation }, WIDTH, HEIGHT, 12);
  const last = props.points[props.points.length - 1];
  const summary = last
    ? `Risk factor ${last.riskFactor.toFixed(4)} over ${props.points.length} updates; margin call at ${props.marginCall ?? 'n/a'}, liquidation below ${props.liquidation ?? 'n/a'}.`
    : 'No updates yet.';
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        <rect x="0" y="0" width={WIDTH} height={HEIGHT} className="chart-bg" />
        {g.marginCallY !== null && (
          <g className="threshold margin-call">
            <line x1="0" x2={WIDTH} y1={g.marginCallY} y2={g.marginCallY} />
            <text x={WIDTH - 6} y={g.marginCallY - 5} textAnchor="end">
              margin call {props.marginCall?.toFixed(2)}
            </text>
          </g>
        )}
        {g.liquidationY !== null && (
          <g className="threshold liquidation">
            <line x1="0" x2={WIDTH} y1={g.liquidationY} y2={g.liquidationY} />
            <text x={WIDTH - 6} y={g.liquidationY + 14} textAnchor="end">
              liquidation {props.liquidation?.toFixed(2)}
            </text>
          </g>
        )}
        {g.line && <path d={g.line} className="risk-line" />}
        {last && props.points.length > 0 && <circle cx={g.x(last.at)} cy={g.y(last.riskFactor)} r="5" className="risk-dot" />}
        <text x="6" y="16" className="axis">
          {g.max.toFixed(2)}
        </text>
        <text x="6" y={HEIGHT - 6} className="axis">
          {g.min.toFixed(2)}
        </text>
      </svg>
      <figcaption className="visually-hidden">{summary}</figcaption>
    </figure>
  );
}
