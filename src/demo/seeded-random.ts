/** A source of uniform numbers in [0, 1), like Math.random; injected so demo data can be replayed. */
export type RandomSource = () => number;

/**
 * A deterministic random source (mulberry32): the same seed always yields the same sequence.
 * Not for secrets — only for simulated market data.
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller) from a uniform source. */
export function normalDraw(random: RandomSource): number {
  // 1 - u keeps the logarithm's argument in (0, 1].
  const u1 = 1 - random();
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A uniformly chosen element of a non-empty list. */
export function pick<T>(random: RandomSource, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick needs at least one item');
  return items[Math.min(items.length - 1, Math.floor(random() * items.length))];
}
