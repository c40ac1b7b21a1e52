import { checkSameShape, toProbMatrix, type Probs } from './probs.js';

/**
 * Misfit between student and teacher probabilities (measured on the transfer split by the
 * caller): the mean over examples of the MEAN over classes of (p_student − p_teacher)².
 *
 * For binary data this is exactly Charikar et al.'s E[(f_s − f_w)²] on P(class 1): the class-0
 * difference is minus the class-1 difference, so the two squared terms are equal and their mean
 * is the class-1 term. (Summing over classes instead would double the binary value and make the
 * K-class value K/2 times larger.)
 */
export function misfit(studentProbs: Probs, teacherProbs: Probs): number {
  const s = toProbMatrix(studentProbs, 'misfit: studentProbs');
  const t = toProbMatrix(teacherProbs, 'misfit: teacherProbs');
  checkSameShape(s, t, 'misfit: teacherProbs');
  let total = 0;
  for (let j = 0; j < s.data.length; j++) {
    const d = s.data[j]! - t.data[j]!;
    total += d * d;
  }
  return total / (s.n * s.k);
}
