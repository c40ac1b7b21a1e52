/**
 * The q-quantile of `values` with linear interpolation between order statistics, as
 * `numpy.quantile(values, q)` (method 'linear') and `torch.quantile` compute it:
 * sort ascending to x_0 ≤ … ≤ x_{n−1}, h = (n − 1)·q, j = ⌊h⌋, result = x_j + (h − j)·(x_{j+1} − x_j).
 * The interpolation uses the same two-sided form as numpy/torch (`lerp`), so results match them to the bit
 * on the same float64 inputs.
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) throw new Error('quantile of an empty set');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile level must be in [0, 1], got ${q}`);
  const sorted = Float64Array.from(values).sort();
  const h = (sorted.length - 1) * q;
  const j = Math.floor(h);
  const a = sorted[j]!;
  const b = sorted[Math.min(j + 1, sorted.length - 1)]!;
  const t = h - j;
  // numpy's _lerp: a + (b−a)·t, computed from the nearer end for t ≥ 0.5.
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/** Mean of `values` clamped to [0, 1] (absorbs float rounding in sums of probabilities). */
export function meanProbability(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return Math.min(1, Math.max(0, sum / values.length));
}

/**
 * State of logconf's `rolling` threshold: the student's p_0 and the weak label's y_1 for the
 * last `capacity` examples seen (oldest dropped first). The threshold is the quantile of the
 * buffered p_0 at the level mean(buffered y_1) — the prior-quantile rule applied to the last N
 * examples instead of one (small, noisy) batch.
 */
export class RollingBuffer {
  private p0: number[] = [];
  private y1: number[] = [];

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new Error(`capacity must be an integer ≥ 1, got ${capacity}`);
  }

  /** Number of examples currently buffered (≤ capacity). */
  get size(): number {
    return this.p0.length;
  }

  /** Appends one batch (p_0 and y_1 per example), then keeps only the last `capacity` examples. */
  push(p0: ArrayLike<number>, y1: ArrayLike<number>): void {
    if (p0.length !== y1.length) throw new Error(`push: ${p0.length} predictions but ${y1.length} labels`);
    for (let i = 0; i < p0.length; i++) {
      this.p0.push(p0[i]!);
      this.y1.push(y1[i]!);
    }
    const excess = this.p0.length - this.capacity;
    if (excess > 0) {
      this.p0.splice(0, excess);
      this.y1.splice(0, excess);
    }
  }

  /** Quantile of the buffered p_0 at level mean(buffered y_1). */
  threshold(): number {
    return quantile(this.p0, meanProbability(this.y1));
  }

  /** Forgets everything (e.g. between training runs that share one loss function). */
  clear(): void {
    this.p0 = [];
    this.y1 = [];
  }
}
