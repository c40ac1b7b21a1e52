import { DIGIT_CONCEPTS, loadTask } from '@w2s/tasks';
import { describe, expect, it } from 'vitest';
import { pretrainingConceptOf, taskProbs } from './zero-shot.js';

describe('taskProbs', () => {
  it('sums the probabilities of the digits the task maps to 1 and stays a probability when float32 rows add up past 1', () => {
    const parity = DIGIT_CONCEPTS['digits-parity']!.label;
    // Row 0: all mass on odd digits 1 and 3; row 1: ten float32 values of 0.1, whose float32 sum exceeds 1.
    const rows = Float32Array.from([0, 0.25, 0, 0.75, 0, 0, 0, 0, 0, 0, ...Array.from({ length: 10 }, () => 0.1)]);
    expect(Array.from(rows.subarray(10)).reduce((a, b) => Math.fround(a + b), 0)).toBeGreaterThan(1);
    const probs = taskProbs(rows, 10, parity);
    expect(probs[0]).toBe(0);
    expect(probs[1]).toBe(1);
    expect(probs[3]).toBeCloseTo(0.5, 6);
    for (const p of probs) expect(p >= 0 && p <= 1).toBe(true);
  });
});

describe('pretrainingConceptOf', () => {
  it('knows the built-in digit tasks and nothing else, even under a digit task name', () => {
    expect(pretrainingConceptOf(loadTask('digits-gt4'))!(7)).toBe(1);
    expect(pretrainingConceptOf(loadTask('spam'))).toBeUndefined();
    expect(pretrainingConceptOf({ ...loadTask('digits-parity') })).toBeUndefined(); // a copy is not the built-in task
  });
});
