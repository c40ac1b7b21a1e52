import { Rng, UserError } from '@w2s/core/base';
import { pgrUnchecked } from './pgr.js';
import { checkLabels, checkSameShape, correctness, toProbMatrix, type Probs } from './probs.js';
import { percentileInterval } from './stats.js';

/** Predictions of the three models of one cell on the same test examples. */
export interface CellPredictions {
  /** Ground-truth test labels. */
  readonly labels: ArrayLike<number>;
  /** Weak teacher's test probabilities. */
  readonly weak: Probs;
  /** Strong ceiling's (trained on ground truth) test probabilities. */
  readonly ceiling: Probs;
  /** Strong student's (trained on weak labels) test probabilities. */
  readonly w2s: Probs;
}

export interface BootstrapOptions {
  /** Seed of the resampling generator: the same seed and inputs give the same intervals. */
  readonly seed: number;
  /** Number of bootstrap resamples B; default 1000. */
  readonly resamples?: number;
  /** Confidence level of the percentile intervals; default 0.95. */
  readonly level?: number;
}

/** A point estimate and its percentile bootstrap interval. */
export interface Interval {
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

/**
 * PGR point estimate and interval. The interval is over the resamples where PGR is defined
 * (ceiling > weak on the resample); the others are dropped and counted in `undefinedResamples`.
 * `low`/`high` are null when the point estimate is null or no resample defines PGR; `reason` says why.
 */
export interface PgrInterval {
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly reason?: string;
  readonly undefinedResamples: number;
}

export interface CellBootstrap {
  /** Test examples. */
  readonly n: number;
  readonly resamples: number;
  readonly level: number;
  readonly weakAcc: Interval;
  readonly ceilingAcc: Interval;
  readonly w2sAcc: Interval;
  readonly pgr: PgrInterval;
}

/** Per-example 0/1 correctness of the three models of one cell. */
interface CellCorrectness {
  readonly n: number;
  readonly weak: Uint8Array;
  readonly ceiling: Uint8Array;
  readonly w2s: Uint8Array;
  /** Per example, weak | ceiling << 1 | w2s << 2: one load per drawn example. */
  readonly packed: Uint8Array;
  /** Scratch for one resample's indices. */
  readonly draws: Int32Array;
}

/**
 * Bootstrap over the test examples of one cell: each resample draws n example indices with
 * replacement and uses the SAME indices for weak, ceiling and w2s (they are evaluated on the
 * same test set, so their errors are paired). Percentile intervals.
 */
export function bootstrapCell(cell: CellPredictions, options: BootstrapOptions): CellBootstrap {
  const { seed, resamples, level } = checkOptions(options, 'bootstrapCell');
  const c = cellCorrectness(cell, 'bootstrapCell: cell');
  const rng = new Rng(seed);

  const weak = new Float64Array(resamples);
  const ceiling = new Float64Array(resamples);
  const w2s = new Float64Array(resamples);
  const pgrs: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const [w, ce, s] = resampleAccuracies(c, rng);
    weak[b] = w;
    ceiling[b] = ce;
    w2s[b] = s;
    const p = pgrUnchecked(w, ce, s).value;
    if (p !== null) pgrs.push(p);
  }

  const point = accuracies(c);
  const pointPgr = pgrUnchecked(point[0], point[1], point[2]);
  return {
    n: c.n,
    resamples,
    level,
    weakAcc: { value: point[0], ...percentileInterval(weak, level) },
    ceilingAcc: { value: point[1], ...percentileInterval(ceiling, level) },
    w2sAcc: { value: point[2], ...percentileInterval(w2s, level) },
    pgr: pgrInterval(pointPgr.value, pointPgr.reason, pgrs, resamples, level),
  };
}

function pgrInterval(
  value: number | null,
  reason: string | undefined,
  definedResamples: readonly number[],
  resamples: number,
  level: number,
): PgrInterval {
  const undefinedResamples = resamples - definedResamples.length;
  if (value === null) return { value, low: null, high: null, reason, undefinedResamples };
  if (definedResamples.length === 0) {
    return { value, low: null, high: null, reason: 'PGR is undefined in every resample', undefinedResamples };
  }
  return { value, ...percentileInterval(definedResamples, level), undefinedResamples };
}

function cellCorrectness(cell: CellPredictions, where: string): CellCorrectness {
  if (cell === null || typeof cell !== 'object') {
    throw new UserError('must be { labels, weak, ceiling, w2s }', where);
  }
  const weak = toProbMatrix(cell.weak, `${where}.weak`);
  const ceiling = toProbMatrix(cell.ceiling, `${where}.ceiling`);
  const w2s = toProbMatrix(cell.w2s, `${where}.w2s`);
  checkSameShape(weak, ceiling, `${where}.ceiling`);
  checkSameShape(weak, w2s, `${where}.w2s`);
  checkLabels(cell.labels, weak.n, weak.k, `${where}.labels`);
  const c = { weak: correctness(weak, cell.labels), ceiling: correctness(ceiling, cell.labels), w2s: correctness(w2s, cell.labels) };
  const packed = Uint8Array.from({ length: weak.n }, (_, i) => c.weak[i]! | (c.ceiling[i]! << 1) | (c.w2s[i]! << 2));
  return { n: weak.n, ...c, packed, draws: new Int32Array(weak.n) };
}

/** Accuracies of weak, ceiling, w2s on one resample of the cell's examples (shared indices). */
function resampleAccuracies(c: CellCorrectness, rng: Rng): [number, number, number] {
  const draws = rng.fillInts(c.draws, c.n);
  const packed = c.packed;
  let w = 0;
  let ce = 0;
  let s = 0;
  for (let j = 0; j < c.n; j++) {
    const k = packed[draws[j]!]!;
    w += k & 1;
    ce += (k >> 1) & 1;
    s += k >> 2;
  }
  return [w / c.n, ce / c.n, s / c.n];
}

function accuracies(c: CellCorrectness): [number, number, number] {
  const sum = (a: Uint8Array) => a.reduce((t, v) => t + v, 0);
  return [sum(c.weak) / c.n, sum(c.ceiling) / c.n, sum(c.w2s) / c.n];
}

function checkOptions(options: BootstrapOptions, fn: string): Required<BootstrapOptions> {
  if (options === null || typeof options !== 'object') {
    throw new UserError('must be { seed, resamples?, level? }', `${fn}: options`);
  }
  const { seed, resamples = 1000, level = 0.95 } = options;
  if (!Number.isInteger(seed)) {
    throw new UserError(`must be an integer, got ${String(seed)}`, `${fn}: options.seed`);
  }
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new UserError(`must be a positive integer, got ${String(resamples)}`, `${fn}: options.resamples`);
  }
  if (typeof level !== 'number' || !(level > 0 && level < 1)) {
    throw new UserError(`must be in (0, 1), got ${String(level)}`, `${fn}: options.level`);
  }
  return { seed, resamples, level };
}
