import { Rng } from '@w2s/core/base';
import { describe, expect, it } from 'vitest';
import { auroc } from './auroc.js';
import { binaryProbs } from './probs.js';
import { userErrorMessage } from './test-utils/user-error.js';

describe('auroc', () => {
  it('counts tied scores as half (6 examples, hand-computed 7/9)', () => {
    // positives score 0.9, 0.8, 0.6; negatives 0.8, 0.6, 0.2.
    // Pairs (pos vs neg): 0.9 beats all 3 → 3; 0.8 ties 0.8 (½), beats 0.6 and 0.2 → 2.5;
    // 0.6 loses to 0.8, ties 0.6 (½), beats 0.2 → 1.5. Total 7 of 3·3 = 9 pairs → 7/9.
    // By ranks: ascending 0.2→1, 0.6,0.6→2.5, 0.8,0.8→4.5, 0.9→6; R₊ = 6 + 4.5 + 2.5 = 13,
    // U = 13 − 3·4/2 = 7, AUROC = 7/9.
    const result = auroc(binaryProbs([0.9, 0.8, 0.8, 0.6, 0.6, 0.2]), [1, 1, 0, 1, 0, 0]);
    expect(result.value).toBeCloseTo(7 / 9, 12);
    expect(result.reason).toBeUndefined();
  });

  it('is 1 for perfect ranking, 0 for reversed, ½ when all scores tie', () => {
    expect(auroc(binaryProbs([0.1, 0.2, 0.7, 0.9]), [0, 0, 1, 1]).value).toBe(1);
    expect(auroc(binaryProbs([0.1, 0.2, 0.7, 0.9]), [1, 1, 0, 0]).value).toBe(0);
    expect(auroc(binaryProbs([0.5, 0.5, 0.5, 0.5]), [1, 0, 0, 1]).value).toBe(0.5);
  });

  it('matches a brute-force count over all positive–negative pairs on random data with ties', () => {
    const rng = new Rng(3);
    const n = 60;
    const p1 = Array.from({ length: n }, () => rng.int(5) / 4); // only 5 distinct scores → many ties
    const labels = Array.from({ length: n }, () => rng.int(2));
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (labels[i] === 1 && labels[j] === 0) {
          pairs++;
          wins += p1[i]! > p1[j]! ? 1 : p1[i] === p1[j] ? 0.5 : 0;
        }
      }
    }
    expect(auroc(binaryProbs(p1), labels).value).toBeCloseTo(wins / pairs, 12);
  });

  it('is null with a reason when one class is absent', () => {
    const onlyNeg = auroc(binaryProbs([0.3, 0.6]), [0, 0]);
    expect(onlyNeg.value).toBeNull();
    expect(onlyNeg.reason).toMatch(/no positive/);
    const onlyPos = auroc(binaryProbs([0.3, 0.6]), [1, 1]);
    expect(onlyPos.value).toBeNull();
    expect(onlyPos.reason).toMatch(/no negative/);
  });

  it('rejects more than two classes and mismatched labels', () => {
    expect(userErrorMessage(() => auroc([[0.2, 0.3, 0.5]], [0]))).toMatch(/^auroc: probs: has 3 classes/);
    expect(userErrorMessage(() => auroc(binaryProbs([0.2, 0.3]), [0]))).toMatch(/^auroc: labels: has 1 labels/);
  });
});
