import { describe, expect, it } from 'vitest';
import { accuracy } from './accuracy.js';
import { binaryProbs, toProbMatrix } from './probs.js';
import { userErrorMessage } from './test-utils/user-error.js';

describe('probability input', () => {
  it('reads rows, typed-array rows and flat values + numClasses into the same matrix', () => {
    const rows = [
      [0.1, 0.9],
      [0.7, 0.3],
    ];
    const fromRows = toProbMatrix(rows, 'x');
    const fromTypedRows = toProbMatrix([new Float32Array([0.1, 0.9]), new Float32Array([0.7, 0.3])], 'x');
    const fromFlat = toProbMatrix({ values: new Float64Array([0.1, 0.9, 0.7, 0.3]), numClasses: 2 }, 'x');
    expect([fromRows.n, fromRows.k]).toEqual([2, 2]);
    expect(Array.from(fromFlat.data)).toEqual([0.1, 0.9, 0.7, 0.3]);
    expect(Array.from(fromRows.data)).toEqual(Array.from(fromFlat.data));
    // Float32 rows are the float32 roundings, equal to the others to float32 precision.
    Array.from(fromTypedRows.data).forEach((v, i) => expect(v).toBeCloseTo(fromRows.data[i]!, 6));
  });

  it('binaryProbs turns P(class 1) into rows [1 − p, p]', () => {
    const m = toProbMatrix(binaryProbs([0.25, 1]), 'x');
    expect(Array.from(m.data)).toEqual([0.75, 0.25, 0, 1]);
  });

  it('rejects empty input, naming the argument', () => {
    expect(userErrorMessage(() => accuracy([], []))).toBe('accuracy: probs: is empty; need at least one example');
    expect(userErrorMessage(() => accuracy({ values: new Float32Array(0), numClasses: 2 }, []))).toMatch(
      /^accuracy: probs: is empty/,
    );
  });

  it('rejects NaN, out-of-range values and rows that do not sum to 1, naming row and class', () => {
    expect(userErrorMessage(() => accuracy([[0.5, 0.5], [NaN, 1]], [0, 1]))).toBe(
      'accuracy: probs: row 1, class 0 is NaN; probabilities must be numbers in [0, 1]',
    );
    expect(userErrorMessage(() => accuracy([[1.5, -0.5]], [0]))).toMatch(/^accuracy: probs: row 0, class 0 is 1.5/);
    expect(userErrorMessage(() => accuracy([[0.5, 0.6]], [0]))).toMatch(/^accuracy: probs: row 0 sums to 1.1/);
  });

  it('rejects ragged rows, a flat array without numClasses, bare P(class 1) values and K < 2', () => {
    expect(userErrorMessage(() => accuracy([[0.5, 0.5], [1]], [0, 0]))).toBe(
      'accuracy: probs: row 1 has 1 values, expected 2 (the length of row 0)',
    );
    expect(userErrorMessage(() => accuracy(new Float32Array([0.5, 0.5]) as never, [0]))).toMatch(
      /needs numClasses/,
    );
    expect(userErrorMessage(() => accuracy([0.2, 0.9] as never, [0, 1]))).toMatch(/binaryProbs/);
    expect(userErrorMessage(() => accuracy([[1], [1]], [0, 0]))).toMatch(/at least 2 classes/);
    expect(userErrorMessage(() => accuracy({ values: [0.5, 0.5, 1], numClasses: 2 }, [0]))).toMatch(
      /3 values, not a multiple of numClasses = 2/,
    );
  });

  it('rejects label length mismatch and labels outside [0, K)', () => {
    expect(userErrorMessage(() => accuracy([[0.5, 0.5]], [0, 1]))).toBe(
      'accuracy: labels: has 2 labels but there are 1 examples (length mismatch)',
    );
    expect(userErrorMessage(() => accuracy([[0.5, 0.5]], [2]))).toMatch(/^accuracy: labels: label 0 is 2/);
    expect(userErrorMessage(() => accuracy([[0.5, 0.5]], [0.5]))).toMatch(/label 0 is 0.5/);
  });
});
