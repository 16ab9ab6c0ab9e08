/** The middle value (upper middle for an even count): robust to a neighbour's load burst in one round. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** One measured figure, with the baseline it is compared against in the same run. */
export interface BenchFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: number;
  /** The ratio this figure should reach against the baseline (e.g. 0.8). */
  readonly goal?: number;
  /** True when a lower value is better (latency, memory). */
  readonly lowerIsBetter?: boolean;
}

/** Prints figures as an aligned table with the ratio to each baseline and whether the goal is met. */
export function printFigures(title: string, figures: readonly BenchFigure[]): void {
  console.log(`\n${title}`);
  for (const f of figures) {
    const value = `${f.value.toFixed(f.value < 100 ? 2 : 0)} ${f.unit}`;
    let ratio = '';
    if (f.baseline !== undefined && f.baseline > 0) {
      const r = f.lowerIsBetter ? f.baseline / f.value : f.value / f.baseline;
      const goal = f.goal === undefined ? '' : r >= f.goal ? `  (goal ≥ ${f.goal}: met)` : `  (goal ≥ ${f.goal}: NOT met)`;
      ratio = `  ratio ${r.toFixed(2)}× vs baseline ${f.baseline.toFixed(f.baseline < 100 ? 2 : 0)} ${f.unit}${goal}`;
    }
    console.log(`  ${f.name.padEnd(44)} ${value.padStart(16)}${ratio}`);
  }
}

/** The goal line every benchmark keeps for a ratio: "goal ≥ X: met" or "goal ≥ X: NOT met". */
export function goalVerdict(ratio: number, goal: number): string {
  return `goal ≥ ${goal}: ${ratio >= goal ? 'met' : 'NOT met'}`;
}

/** The median of per-round ratios a[i] ÷ b[i]: each round's load hits both alike, so the ratio shrugs it off. */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((value, round) => value / b[round]));
}
