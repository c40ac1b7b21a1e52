import { UserError } from '@w2s/core/base';
import { checkLabels, toProbMatrix, type Probs } from './probs.js';
import type { MaybeMetric } from './result.js';

/**
 * Area under the ROC curve for binary data, scoring each example by P(class 1) (class 1 is the
 * positive class). Computed as the Mann–Whitney rank statistic with average ranks for ties:
 *   AUROC = (R₊ − n₊(n₊+1)/2) / (n₊·n₋),
 * R₊ = sum of the (1-based, tie-averaged) ranks of the positives among all scores. This equals
 * P(score₊ > score₋) + ½·P(score₊ = score₋) over all positive–negative pairs.
 * Null (with a reason) when the labels hold only one class.
 */
export function auroc(probs: Probs, labels: ArrayLike<number>): MaybeMetric {
  const m = toProbMatrix(probs, 'auroc: probs');
  if (m.k !== 2) {
    throw new UserError(`has ${m.k} classes; AUROC here is for binary data (2 classes)`, 'auroc: probs');
  }
  checkLabels(labels, m.n, m.k, 'auroc: labels');

  let nPos = 0;
  for (let i = 0; i < m.n; i++) nPos += labels[i]!;
  const nNeg = m.n - nPos;
  if (nPos === 0) return { value: null, reason: 'no positive (class 1) examples: AUROC is undefined' };
  if (nNeg === 0) return { value: null, reason: 'no negative (class 0) examples: AUROC is undefined' };

  const score = (i: number) => m.data[2 * i + 1]!;
  const order = Array.from({ length: m.n }, (_, i) => i).sort((a, b) => score(a) - score(b));
  let rankSumPos = 0;
  for (let start = 0; start < m.n; ) {
    let end = start + 1;
    while (end < m.n && score(order[end]!) === score(order[start]!)) end++;
    // Positions start..end-1 (0-based) hold tied scores: each gets the mean 1-based rank.
    const averageRank = (start + 1 + end) / 2;
    for (let j = start; j < end; j++) if (labels[order[j]!] === 1) rankSumPos += averageRank;
    start = end;
  }
  const u = rankSumPos - (nPos * (nPos + 1)) / 2;
  return { value: u / (nPos * nNeg) };
}
