// Float32 stability: extreme logits (±50, and ±1000) with labels of exactly 0 and 1 give finite
// losses and gradients for every loss, policy and schedule, at the start, middle and end of training.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeLoss } from './registry.js';
import { BINARY_CONFIGS, MULTICLASS_CONFIGS } from './test-utils/configs.js';
import { expectAllClose, useWasmBackend, valueAndGrad } from './test-utils/tf.js';
import { xent } from './xent.js';

beforeAll(useWasmBackend);

// Confident right, confident wrong, and exact ties, with hard 0/1 labels.
const Z2 = [[50, -50], [-50, 50], [50, -50], [-50, 50], [0, 0], [1000, -1000]];
const Y2 = [[1, 0], [0, 1], [0, 1], [1, 0], [1, 0], [0, 1]];
const Z3 = [[50, -50, 0], [-50, 50, -50], [0, 0, 50], [-50, -50, -50], [1000, -1000, 0]];
const Y3 = [[1, 0, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]];

function isFinite2d(m: number[][]): boolean {
  return m.every((row) => row.every(Number.isFinite));
}

describe('float32 stability at extreme logits', () => {
  const cases = [
    ...BINARY_CONFIGS.map((config) => ({ config, z: Z2, y: Y2, k: 2 })),
    ...MULTICLASS_CONFIGS.map((config) => ({ config, z: Z3, y: Y3, k: 3 })),
  ];
  it.each(cases)('K=$k $config', ({ config, z, y }) => {
    const loss = makeLoss(config);
    for (const s of [0, 0.1, 0.2, 1]) {
      const got = valueAndGrad((logits) => loss(logits, tf.tensor2d(y), s), z);
      expect(Number.isFinite(got.loss), `loss at s=${s}`).toBe(true);
      expect(isFinite2d(got.grad), `grad at s=${s}`).toBe(true);
    }
  });

  it('xent at ±50 by hand: confident wrong costs 100 nats, confident right 0', () => {
    // log softmax([50, −50]) = [0, −100] exactly in float32. Row 0 wrong (CE 100), row 1 right (CE 0) → mean 50.
    // Gradient (p − y)/B: row 0 ([1, 0] − [0, 1])/2 = [0.5, −0.5]; row 1 ([0, 1] − [0, 1])/2 = 0.
    const got = valueAndGrad((z) => xent(z, tf.tensor2d([[0, 1], [0, 1]])), [[50, -50], [-50, 50]]);
    expect(got.loss).toBeCloseTo(50, 4);
    expectAllClose(got.grad, [[0.5, -0.5], [0, 0]], 1e-6);
  });
});
