import { describe, expect, it } from 'vitest';
import { misfit } from './misfit.js';
import { binaryProbs } from './probs.js';
import { userErrorMessage } from './test-utils/user-error.js';

describe('misfit', () => {
  it("equals Charikar et al.'s E[(f_s − f_w)²] on P(class 1) for binary data", () => {
    // P(class 1): student 0.8, 0.4, 0.1; teacher 0.5, 0.6, 0.1
    // differences 0.3, −0.2, 0 → squares 0.09, 0.04, 0 → mean 0.13/3 = 0.043333…
    expect(misfit(binaryProbs([0.8, 0.4, 0.1]), binaryProbs([0.5, 0.6, 0.1]))).toBeCloseTo(0.13 / 3, 12);
  });

  it('averages over classes for K classes', () => {
    // row 0: differences 0.3, −0.2, −0.1 → squares 0.09 + 0.04 + 0.01 = 0.14 → mean over 3 classes 0.14/3
    // row 1: identical → 0.   Mean over rows: (0.14/3 + 0)/2 = 0.023333…
    const student = [
      [0.7, 0.2, 0.1],
      [0.2, 0.3, 0.5],
    ];
    const teacher = [
      [0.4, 0.4, 0.2],
      [0.2, 0.3, 0.5],
    ];
    expect(misfit(student, teacher)).toBeCloseTo(0.14 / 3 / 2, 12);
    expect(misfit(teacher, student)).toBeCloseTo(0.14 / 3 / 2, 12);
    expect(misfit(student, student)).toBe(0);
  });

  it('names the mismatched argument', () => {
    expect(userErrorMessage(() => misfit([[0.5, 0.5]], [[0.2, 0.3, 0.5]]))).toBe(
      'misfit: teacherProbs: has 3 classes, expected 2',
    );
    expect(userErrorMessage(() => misfit([[0.5, 0.5]], []))).toMatch(/^misfit: teacherProbs: is empty/);
  });
});
