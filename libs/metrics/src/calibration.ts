import { UserError } from '@w2s/core/base';
import { argmaxRow, checkLabels, toProbMatrix, type Probs } from './probs.js';

/** One equal-width confidence bin (lower, upper]; the first bin also holds confidence 0. */
export interface ReliabilityBin {
  readonly lower: number;
  readonly upper: number;
  /** Examples whose confidence falls in the bin. */
  readonly count: number;
  /** Accuracy of those examples (NaN when count = 0). */
  readonly accuracy: number;
  /** Mean confidence of those examples (NaN when count = 0). */
  readonly confidence: number;
}

export interface CalibrationOptions {
  /** Number of equal-width bins on [0, 1]; default 10. */
  readonly bins?: number;
}

/**
 * Top-label reliability bins: confidence = max class probability, prediction = argmax (ties →
 * lowest class index). Bin b (0-based) of B covers (b/B, (b+1)/B], right-closed, and bin 0
 * also takes confidence exactly 0; so 0.7 falls in (0.6, 0.7], not (0.7, 0.8].
 */
export function reliabilityBins(
  probs: Probs,
  labels: ArrayLike<number>,
  options: CalibrationOptions = {},
): ReliabilityBin[] {
  const numBins = options.bins ?? 10;
  if (!Number.isInteger(numBins) || numBins < 1) {
    throw new UserError(`must be a positive integer, got ${numBins}`, 'reliabilityBins: options.bins');
  }
  const m = toProbMatrix(probs, 'reliabilityBins: probs');
  checkLabels(labels, m.n, m.k, 'reliabilityBins: labels');

  const count = new Array<number>(numBins).fill(0);
  const correct = new Array<number>(numBins).fill(0);
  const confSum = new Array<number>(numBins).fill(0);
  for (let i = 0; i < m.n; i++) {
    const predicted = argmaxRow(m, i);
    const confidence = m.data[i * m.k + predicted]!;
    const b = binIndex(confidence, numBins);
    count[b]!++;
    confSum[b]! += confidence;
    if (predicted === labels[i]) correct[b]!++;
  }
  return count.map((c, b) => ({
    lower: b / numBins,
    upper: (b + 1) / numBins,
    count: c,
    accuracy: c > 0 ? correct[b]! / c : NaN,
    confidence: c > 0 ? confSum[b]! / c : NaN,
  }));
}

/**
 * Expected calibration error: Σ_b (n_b / n)·|acc_b − conf_b| over the reliability bins above
 * (10 equal-width bins on the top-label confidence by default; empty bins contribute 0).
 */
export function ece(probs: Probs, labels: ArrayLike<number>, options: CalibrationOptions = {}): number {
  const bins = reliabilityBins(probs, labels, options);
  let n = 0;
  for (const bin of bins) n += bin.count;
  let total = 0;
  for (const bin of bins) {
    if (bin.count > 0) total += (bin.count / n) * Math.abs(bin.accuracy - bin.confidence);
  }
  return total;
}

/** Bin of confidence c in [0, 1] for right-closed bins, compared against the edges b/B themselves. */
function binIndex(c: number, numBins: number): number {
  let b = Math.max(0, Math.ceil(c * numBins) - 1);
  // c·B can round across an edge; fix that so the edge comparison decides.
  while (b > 0 && c <= b / numBins) b--;
  while (b < numBins - 1 && c > (b + 1) / numBins) b++;
  return Math.min(b, numBins - 1);
}
