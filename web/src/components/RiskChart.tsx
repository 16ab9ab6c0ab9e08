import { useRef } from 'react';
import type { RiskPoint } from '../maintenance-update.ts';
import { chartGeometry, chartHeight } from '../risk-chart-geometry.ts';
import { useElementWidth } from '../use-element-width.ts';

// Drawn at the width it is shown at (one SVG unit = one CSS pixel), so its labels keep their CSS font
// size on a phone instead of shrinking with a fixed viewBox (a 1000-unit box on a 340 px screen made
// 14 px labels 5 px tall).
const FALLBACK_WIDTH = 720;
// Label baselines: 12 px text sits 4 px inside the top and bottom edges and 5 px off a threshold line.
const LABEL_SIZE = 12;

/** The risk factor over time, with the margin-call and liquidation thresholds as dashed lines. */
export function RiskChart(props: { points: readonly RiskPoint[]; marginCall: number | null; liquidation: number | null }) {
  const figure = useRef<HTMLElement>(null);
  const width = useElementWidth(figure, FALLBACK_WIDTH);
  const height = chartHeight(width);
  const g = chartGeometry(props.points, { marginCall: props.marginCall, liquidation: props.liquidation }, width, height, 12);
  const last = props.points[props.points.length - 1];
  const summary = last
    ? `Risk factor ${last.riskFactor.toFixed(4)} over ${props.points.length} updates; margin call at ${props.marginCall ?? 'n/a'}, liquidation below ${props.liquidation ?? 'n/a'}.`
    : 'No updates yet.';
  return (
    <figure className="chart" ref={figure}>
      <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={summary}>
        <rect x="0" y="0" width={width} height={height} className="chart-bg" />
        {g.marginCallY !== null && (
          <g className="threshold margin-call">
            <line x1="0" x2={width} y1={g.marginCallY} y2={g.marginCallY} />
            <text x={width - 6} y={g.marginCallY - 5} textAnchor="end">
              margin call {props.marginCall?.toFixed(2)}
            </text>
          </g>
        )}
        {g.liquidationY !== null && (
          <g className="threshold liquidation">
            <line x1="0" x2={width} y1={g.liquidationY} y2={g.liquidationY} />
            <text x={width - 6} y={g.liquidationY + 5 + LABEL_SIZE} textAnchor="end">
              liquidation {props.liquidation?.toFixed(2)}
            </text>
          </g>
        )}
        {g.line && <path d={g.line} className="risk-line" />}
        {last && props.points.length > 0 && <circle cx={g.x(last.at)} cy={g.y(last.riskFactor)} r="4" className="risk-dot" />}
        <text x="6" y={4 + LABEL_SIZE} className="axis">
          {g.max.toFixed(2)}
        </text>
        <text x="6" y={height - 4} className="axis">
          {g.min.toFixed(2)}
        </text>
      </svg>
      <figcaption className="visually-hidden">{summary}</figcaption>
    </figure>
  );
}
