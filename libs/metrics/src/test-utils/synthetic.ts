import { Rng } from '@w2s/core/base';
import type { CellPredictions } from '../bootstrap.js';
import type { ProbRows } from '../probs.js';

/**
 * Binary predictions with an EXACT number of correct examples: `correct` randomly chosen
 * examples get 0.8 on the true label, the rest 0.8 on the other class.
 */
export function predictionsWithCorrectCount(labels: readonly number[], correct: number, rng: Rng): ProbRows {
  const isCorrect = new Array<boolean>(labels.length).fill(false);
  for (const i of rng.permutation(labels.length).slice(0, correct)) isCorrect[i] = true;
  return labels.map((y, i) => {
    const predicted = isCorrect[i] ? y : 1 - y;
    return predicted === 1 ? [0.2, 0.8] : [0.8, 0.2];
  });
}

/** A binary cell of n test examples whose weak / ceiling / w2s get exactly the given counts right. */
export function syntheticCell(
  n: number,
  correct: { weak: number; ceiling: number; w2s: number },
  seed: number,
): CellPredictions {
  const rng = new Rng(seed);
  const labels = Array.from({ length: n }, () => rng.int(2));
  return {
    labels,
    weak: predictionsWithCorrectCount(labels, correct.weak, rng.fork('weak')),
    ceiling: predictionsWithCorrectCount(labels, correct.ceiling, rng.fork('ceiling')),
    w2s: predictionsWithCorrectCount(labels, correct.w2s, rng.fork('w2s')),
  };
}
