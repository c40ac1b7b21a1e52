import { UserError } from '@w2s/core/base';
import type { CellBootstrap, PgrInterval } from './bootstrap.js';
import { studentTQuantile } from './distributions.js';
import { pgrUnchecked } from './pgr.js';
import type { MaybeMetric } from './result.js';
import { sampleVariance } from './stats.js';

/** What aggregateSeeds needs of one seed: its accuracies and its PGR with the cell bootstrap. */
export interface SeedResult {
  readonly weakAcc: number;
  readonly ceilingAcc: number;
  readonly w2sAcc: number;
  /** The seed's PGR on its full test set and its example-level bootstrap (bootstrapCell's `pgr`). */
  readonly pgr: Pick<PgrInterval, 'value' | 'low' | 'high' | 'undefinedResamples'>;
}

/**
 * How the seed-level PGR interval was made:
 * - `t`: Student-t interval over the seeds with a defined PGR (at least 2), see aggregateSeeds;
 * - `one-seed`: a single seed defines PGR; its example-level bootstrap interval, which does NOT
 *   cover seed-to-seed variation (it is about that seed, not about the method);
 * - `none`: no seed defines PGR.
 */
export type SeedIntervalMethod = 't' | 'one-seed' | 'none';

export interface SeedPgrInterval {
  /** Mean over the seeds with a defined PGR of their per-seed PGR. */
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly method: SeedIntervalMethod;
  /** Why the value or interval is null, or what the one-seed interval does not cover. */
  readonly reason?: string;
}

export interface SeedAggregate {
  readonly seeds: number;
  readonly level: number;
  /** Seeds whose PGR is null (ceiling ≤ weak on their test set): left out of `meanPgr`. */
  readonly droppedSeeds: number;
  /** Bootstrap resamples dropped (PGR undefined), summed over the seeds. */
  readonly droppedResamples: number;
  /** Mean over all seeds of each model's test accuracy. */
  readonly weakAcc: number;
  readonly ceilingAcc: number;
  readonly w2sAcc: number;
  /**
   * PGR of the mean accuracies, (w2sAcc − weakAcc) / (ceilingAcc − weakAcc) of the three means
   * above: the number the displayed accuracies reproduce. No interval (see README).
   */
  readonly pgrOfMeans: MaybeMetric;
  /** Mean of the per-seed PGRs, with an interval of stated coverage (see aggregateSeeds). */
  readonly meanPgr: SeedPgrInterval;
}

/** The SeedResult of one cell's bootstrap. */
export function seedResult(cell: CellBootstrap): SeedResult {
  return { weakAcc: cell.weakAcc.value, ceilingAcc: cell.ceilingAcc.value, w2sAcc: cell.w2sAcc.value, pgr: cell.pgr };
}

/**
 * Aggregates one (task, models, method) group over its seeds.
 *
 * The target is θ = E[PGR of one seed], the expectation over seeds (training randomness, data
 * split) and test sets of a seed's PGR. The S seeds with a defined PGR give estimates p_s, and
 *
 *     p̄ ± t_{S−1, 1−α/2} · s / √S
 *
 * with p̄ their mean, s² their sample variance (n − 1 denominator) and t the Student-t quantile
 * with S − 1 degrees of freedom. Why this covers both levels of noise: each seed has its own test
 * set, so p_s = θ + (seed effect) + (test-set error), independent across seeds, and s² estimates
 * the variance of the sum; the example-level bootstrap is not needed on top. The t quantile makes
 * the coverage exact when the p_s are normal: with 2 or 3 seeds it is 12.7 or 4.30 (not 1.96),
 * the honest price of few seeds. PGR is a ratio, so p_s is slightly skewed; coverage stays close
 * to nominal in the simulation of seeds.test.ts. The percentile bootstrap over seeds this replaces
 * is about [min, max] of the seeds (coverage ~75 % with 3 seeds, 50 % with 2).
 * (Flooring s² at the seeds' mean bootstrap variance was tried and rejected: the t quantile
 * already pays for a small s², so the floor made the interval cover ~100 % in the simulation.)
 *
 * Seeds with a null PGR are left out of p̄ and counted in `droppedSeeds`; the accuracy means
 * and `pgrOfMeans` use every seed.
 */
export function aggregateSeeds(seeds: readonly SeedResult[], options: { level?: number } = {}): SeedAggregate {
  const level = options.level ?? 0.95;
  if (typeof level !== 'number' || !(level > 0 && level < 1)) {
    throw new UserError(`must be in (0, 1), got ${String(level)}`, 'aggregateSeeds: options.level');
  }
  if (!Array.isArray(seeds) || seeds.length === 0) {
    throw new UserError('is empty; need the results of at least one seed', 'aggregateSeeds: seeds');
  }
  seeds.forEach((s, i) => {
    for (const name of ['weakAcc', 'ceilingAcc', 'w2sAcc'] as const) {
      const v = s?.[name];
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
        throw new UserError(`must be an accuracy in [0, 1], got ${String(v)}`, `aggregateSeeds: seeds[${i}].${name}`);
      }
    }
  });
  const n = seeds.length;
  const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  const weakAcc = mean(seeds.map((s) => s.weakAcc));
  const ceilingAcc = mean(seeds.map((s) => s.ceilingAcc));
  const w2sAcc = mean(seeds.map((s) => s.w2sAcc));
  const defined = seeds.filter((s) => s.pgr.value !== null);
  const droppedSeeds = n - defined.length;
  return {
    seeds: n,
    level,
    droppedSeeds,
    droppedResamples: seeds.reduce((sum, s) => sum + s.pgr.undefinedResamples, 0),
    weakAcc,
    ceilingAcc,
    w2sAcc,
    pgrOfMeans: pgrUnchecked(weakAcc, ceilingAcc, w2sAcc),
    meanPgr: seedInterval(defined, level),
  };
}

function seedInterval(defined: readonly SeedResult[], level: number): SeedPgrInterval {
  if (defined.length === 0) {
    return { value: null, low: null, high: null, method: 'none', reason: 'PGR is null in every seed (ceiling ≤ weak)' };
  }
  if (defined.length === 1) {
    const { value, low, high } = defined[0]!.pgr;
    return {
      value,
      low,
      high,
      method: 'one-seed',
      reason: 'one seed: interval over its test examples only, not over seeds',
    };
  }
  const p = defined.map((s) => s.pgr.value!);
  const S = p.length;
  const pMean = p.reduce((sum, v) => sum + v, 0) / S;
  const half = studentTQuantile(1 - (1 - level) / 2, S - 1) * Math.sqrt(sampleVariance(p) / S);
  return { value: pMean, low: pMean - half, high: pMean + half, method: 't' };
}
