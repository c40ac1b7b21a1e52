import { argmaxRow, checkLabels, checkSameShape, correctness, toProbMatrix, type Probs } from './probs.js';

/**
 * Fraction of examples whose most probable class (argmax; ties → lowest class index)
 * equals the label.
 */
export function accuracy(probs: Probs, labels: ArrayLike<number>): number {
  const m = toProbMatrix(probs, 'accuracy: probs');
  checkLabels(labels, m.n, m.k, 'accuracy: labels');
  const correct = correctness(m, labels);
  let sum = 0;
  for (let i = 0; i < m.n; i++) sum += correct[i]!;
  return sum / m.n;
}

/**
 * Student–teacher agreement: fraction of examples where the student's argmax equals the
 * teacher's argmax (ties → lowest class index on both sides).
 */
export function agreement(studentProbs: Probs, teacherProbs: Probs): number {
  const s = toProbMatrix(studentProbs, 'agreement: studentProbs');
  const t = toProbMatrix(teacherProbs, 'agreement: teacherProbs');
  checkSameShape(s, t, 'agreement: teacherProbs');
  let same = 0;
  for (let i = 0; i < s.n; i++) if (argmaxRow(s, i) === argmaxRow(t, i)) same++;
  return same / s.n;
}
