import { describe, expect, it } from 'vitest';
import { ece, reliabilityBins } from './calibration.js';
import { userErrorMessage } from './test-utils/user-error.js';

// Five binary examples (confidence = max prob, prediction = argmax, ties → class 0):
//   [0.10, 0.90] label 1: conf 0.90, pred 1, right → bin (0.8, 0.9]  (right-closed edge)
//   [0.05, 0.95] label 0: conf 0.95, pred 1, wrong → bin (0.9, 1.0]
//   [0.30, 0.70] label 0: conf 0.70, pred 1, wrong → bin (0.6, 0.7]  (right-closed edge)
//   [0.65, 0.35] label 0: conf 0.65, pred 0, right → bin (0.6, 0.7]
//   [0.50, 0.50] label 1: conf 0.50, pred 0 (tie), wrong → bin (0.4, 0.5]
const probs = [
  [0.1, 0.9],
  [0.05, 0.95],
  [0.3, 0.7],
  [0.65, 0.35],
  [0.5, 0.5],
];
const labels = [1, 0, 0, 0, 1];

describe('reliabilityBins', () => {
  it('puts each confidence in its right-closed bin with the bin accuracy and mean confidence', () => {
    const bins = reliabilityBins(probs, labels);
    expect(bins).toHaveLength(10);
    expect(bins.map((b) => b.count)).toEqual([0, 0, 0, 0, 1, 0, 2, 0, 1, 1]);
    expect(bins[4]).toMatchObject({ lower: 0.4, upper: 0.5, accuracy: 0, confidence: 0.5 });
    expect(bins[6]!.accuracy).toBe(0.5);
    expect(bins[6]!.confidence).toBeCloseTo(0.675, 12); // (0.70 + 0.65) / 2
    expect(bins[8]).toMatchObject({ accuracy: 1, confidence: 0.9 });
    expect(bins[9]).toMatchObject({ accuracy: 0, confidence: 0.95 });
    expect(bins[0]!.accuracy).toBeNaN();
  });
});

describe('ece', () => {
  it('is Σ (n_b/n)|acc_b − conf_b| over 10 bins (hand-computed 0.38)', () => {
    // (0.4,0.5]: 1/5·|0 − 0.5|    = 0.10
    // (0.6,0.7]: 2/5·|0.5 − 0.675| = 0.07
    // (0.8,0.9]: 1/5·|1 − 0.9|    = 0.02
    // (0.9,1.0]: 1/5·|0 − 0.95|   = 0.19   → total 0.38
    expect(ece(probs, labels)).toBeCloseTo(0.38, 12);
  });

  it('uses the requested number of bins (2 bins: hand-computed 0.34)', () => {
    // (0,0.5]: only conf 0.5 (wrong): 1/5·0.5 = 0.10
    // (0.5,1]: confs 0.9, 0.95, 0.7, 0.65 with right, wrong, wrong, right → acc 0.5,
    //          mean conf 3.2/4 = 0.8: 4/5·|0.5 − 0.8| = 0.24   → total 0.34
    expect(ece(probs, labels, { bins: 2 })).toBeCloseTo(0.34, 12);
  });

  it('is 0 when confidence matches accuracy, and handles 3 classes', () => {
    // conf 0.75 on all four, 3 of 4 right → |0.75 − 0.75| = 0
    expect(ece([[0.25, 0.75], [0.25, 0.75], [0.25, 0.75], [0.25, 0.75]], [1, 1, 1, 0])).toBeCloseTo(0, 12);
    // [0.5,0.3,0.2] label 0: conf 0.5 right; [0.2,0.2,0.6] label 1: conf 0.6 wrong;
    // [⅓,⅓,⅓] label 0: conf ⅓, tie → 0, right. One per bin:
    // (|1 − 0.5| + |0 − 0.6| + |1 − ⅓|)/3 = (0.5 + 0.6 + ⅔)/3 = 0.588888…
    const third = 1 / 3;
    expect(
      ece(
        [
          [0.5, 0.3, 0.2],
          [0.2, 0.2, 0.6],
          [third, third, third],
        ],
        [0, 1, 0],
      ),
    ).toBeCloseTo((0.5 + 0.6 + 2 / 3) / 3, 12);
  });

  it('rejects a bad bin count', () => {
    expect(userErrorMessage(() => ece(probs, labels, { bins: 0 }))).toMatch(/^reliabilityBins: options.bins/);
  });
});
