// Every amount, price, value and ratio in the demo messages is a decimal string, as most trading
// APIs publish them: JSON numbers lose precision in many clients and cannot say "no limit".
// The math runs on numbers; these functions are the single place where numbers become wire text.

function fixed(value: number, decimals: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot publish a non-finite number (${value})`);
  const text = value.toFixed(decimals);
  // toFixed keeps the sign of values that round to zero ("-0.00"); nobody wants to read that.
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/** A US-dollar value: exactly two decimals, e.g. "18000.00". */
export function usd(value: number): string {
  return fixed(value, 2);
}

/** A ratio (risk factor, levels, stress factors): exactly four decimals, e.g. "1.3842". */
export function ratio(value: number): string {
  return fixed(value, 4);
}

/** A token quantity or unit price: up to eight decimals, trailing zeros dropped, e.g. "2", "0.1", "3012.4567". */
export function quantity(value: number): string {
  const text = fixed(value, 8);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** The number a ratio is published as; decisions use it so the published value and the decision agree. */
export function roundRatio(value: number): number {
  return Number(ratio(value));
}
