import { UserError } from '@w2s/core/base';

/** Median of finite numbers (mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Sample variance Σ(x − x̄)² / (n − 1) of at least 2 values (two passes, for accuracy). */
export function sampleVariance(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) throw new UserError(`has ${n} value(s); need at least 2`, 'sampleVariance: values');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  return squares / (n - 1);
}

/**
 * Quantile q ∈ [0, 1] of ascending-sorted values by linear interpolation between order statistics
 * (position q·(n − 1); numpy's default, "type 7").
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Percentile interval [q(α/2), q(1 − α/2)] with α = 1 − level; values need not be sorted. */
export function percentileInterval(values: ArrayLike<number>, level: number): { low: number; high: number } {
  if (values.length === 0) throw new UserError('is empty; need at least one value', 'percentileInterval: values');
  const sorted = Float64Array.from(values).sort();
  const alpha = 1 - level;
  return { low: quantileSorted(sorted, alpha / 2), high: quantileSorted(sorted, 1 - alpha / 2) };
}
