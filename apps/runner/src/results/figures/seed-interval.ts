import { studentTQuantile } from '@w2s/metrics';

/** One accuracy of one seed, with that seed's bootstrap interval over its test examples. */
export interface SeedAccuracy {
  value: number;
  low: number | null;
  high: number | null;
}

/**
 * Mean over seeds with a 95 % Student-t interval over them (the same kind of interval as the
 * report's PGR); with one seed, that seed's own bootstrap interval over its test examples.
 */
export function meanOverSeeds(seeds: readonly SeedAccuracy[]): { mean: number; low: number | null; high: number | null; interval: string } {
  const n = seeds.length;
  const mean = seeds.reduce((s, a) => s + a.value, 0) / n;
  if (n === 1) return { mean, low: seeds[0]!.low, high: seeds[0]!.high, interval: 'one seed: bootstrap over test examples' };
  const variance = seeds.reduce((s, a) => s + (a.value - mean) ** 2, 0) / (n - 1);
  const half = studentTQuantile(0.975, n - 1) * Math.sqrt(variance / n);
  return { mean, low: mean - half, high: mean + half, interval: `t over ${n} seeds` };
}
