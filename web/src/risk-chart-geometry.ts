import type { RiskPoint } from './maintenance-update.ts';

/** The drawable parts of the risk chart in a width × height box. */
export interface ChartGeometry {
  /** SVG path of the risk-factor line ("" with no points). */
  readonly line: string;
  /** Y of each threshold that is given. */
  readonly marginCallY: number | null;
  readonly liquidationY: number | null;
  /** The value range shown, for axis labels. */
  readonly min: number;
  readonly max: number;
  readonly x: (at: number) => number;
  readonly y: (value: number) => number;
}

/** The chart's height for a given width: a wide, short band on a desktop, taller relative to a phone's width. */
export function chartHeight(width: number): number {
  return Math.round(Math.min(260, Math.max(180, width * 0.26)));
}

/**
 * Scales the history and the thresholds into one box, with some headroom, so the line and both threshold
 * lines are always visible together.
 */
export function chartGeometry(points: readonly RiskPoint[], thresholds: { marginCall: number | null; liquidation: number | null }, width: number, height: number, pad = 8): ChartGeometry {
  const values = [...points.map((p) => p.riskFactor), ...[thresholds.marginCall, thresholds.liquidation].filter((v): v is number => v !== null)];
  let min = values.length ? Math.min(...values) : 0;
  let max = values.length ? Math.max(...values) : 1;
  if (max - min < 1e-9) {
    min -= 0.5;
    max += 0.5;
  }
  const margin = (max - min) * 0.1;
  min -= margin;
  max += margin;
  const y = (value: number) => pad + (height - 2 * pad) * (1 - (value - min) / (max - min));
  const t0 = points.length ? points[0].at : 0;
  const t1 = points.length ? points[points.length - 1].at : 1;
  const x = (at: number) => (points.length < 2 ? width / 2 : pad + (width - 2 * pad) * ((at - t0) / (t1 - t0 || 1)));
  const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.at).toFixed(1)},${y(p.riskFactor).toFixed(1)}`).join(' ');
  return {
    line,
    marginCallY: thresholds.marginCall === null ? null : y(thresholds.marginCall),
    liquidationY: thresholds.liquidation === null ? null : y(thresholds.liquidation),
    min,
    max,
    x,
    y,
  };
}
