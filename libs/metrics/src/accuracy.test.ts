import { describe, expect, it } from 'vitest';
import { accuracy, agreement } from './accuracy.js';
import { binaryProbs } from './probs.js';
import { userErrorMessage } from './test-utils/user-error.js';

describe('accuracy', () => {
  it('is the fraction of argmax == label, ties going to the lowest class (3 classes)', () => {
    const probs = [
      [0.2, 0.5, 0.3], // argmax 1
      [0.4, 0.4, 0.2], // tie of classes 0 and 1 → 0
      [0.1, 0.1, 0.8], // argmax 2
      [0.6, 0.3, 0.1], // argmax 0
    ];
    // labels 1,1,2,2: right, wrong (tie → 0), right, wrong → 2/4
    expect(accuracy(probs, [1, 1, 2, 2])).toBe(0.5);
    // labels 1,0,2,2: right, right (tie → 0), right, wrong → 3/4
    expect(accuracy(probs, [1, 0, 2, 2])).toBe(0.75);
  });

  it('works on flat binary probabilities and typed-array labels', () => {
    // P(class 1) = 0.9, 0.4, 0.5, 0.2 → predictions 1, 0, 0 (tie → 0), 0
    // labels          1,   1,   0,   0 → right, wrong, right, right → 3/4
    expect(accuracy(binaryProbs([0.9, 0.4, 0.5, 0.2]), new Int32Array([1, 1, 0, 0]))).toBe(0.75);
  });
});

describe('agreement', () => {
  it('is the fraction of examples where student and teacher argmax agree', () => {
    const student = [
      [0.6, 0.4], // 0
      [0.3, 0.7], // 1
      [0.5, 0.5], // tie → 0
      [0.1, 0.9], // 1
    ];
    const teacher = [
      [0.9, 0.1], // 0  (agree)
      [0.6, 0.4], // 0  (disagree)
      [0.2, 0.8], // 1  (disagree)
      [0.45, 0.55], // 1 (agree)
    ];
    // 2 of 4 agree
    expect(agreement(student, teacher)).toBe(0.5);
    expect(agreement(teacher, student)).toBe(0.5);
    expect(agreement(student, student)).toBe(1);
  });

  it('names the mismatched argument', () => {
    expect(userErrorMessage(() => agreement([[0.5, 0.5]], [[0.5, 0.5], [1, 0]]))).toBe(
      'agreement: teacherProbs: has 2 examples, expected 1 (length mismatch)',
    );
    expect(userErrorMessage(() => agreement([[NaN, 1]], [[0.5, 0.5]]))).toMatch(/^agreement: studentProbs: row 0/);
  });
});
