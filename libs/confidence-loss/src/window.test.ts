import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { YA, YK, ZA, ZK } from './test-utils/cases.js';
import { expectAllClose, useWasmBackend, valueAndGrad } from './test-utils/tf.js';
import { windowLoss, windowMask } from './window.js';

beforeAll(useWasmBackend);

// Expected values printed by reference/expected.py: numpy float64, mask_i = max p_i < 0.5 + r,
// loss Σ mask_i·CE_i / B, gradient mask_i·(p_i − y_i)/B. Max p: case K [0.786, 0.367, 0.681, 0.488],
// case A [0.818, 0.550, 0.818, 0.646, 0.786]; case A with r = 0 is the empty window.
const WINDOW_K = [
  { radius: 0.0, loss: 1.0474196917, grad: [[-0.0, 0.0, 0.0], [0.0251524013, 0.0080562484, -0.0332086497], [0.0, 0.0, -0.0], [0.0969638878, 0.0969638878, -0.1939277756]] }, // mask=[0.0, 1.0, 0.0, 1.0]
  { radius: 0.1, loss: 1.0474196917, grad: [[-0.0, 0.0, 0.0], [0.0251524013, 0.0080562484, -0.0332086497], [0.0, 0.0, -0.0], [0.0969638878, 0.0969638878, -0.1939277756]] }, // mask=[0.0, 1.0, 0.0, 1.0]
  { radius: 0.2, loss: 1.2534300660, grad: [[-0.0, 0.0, 0.0], [0.0251524013, 0.0080562484, -0.0332086497], [0.0230443224, 0.0202757907, -0.043320113], [0.0969638878, 0.0969638878, -0.1939277756]] }, // mask=[0.0, 1.0, 1.0, 1.0]
  { radius: 0.5, loss: 1.3137578902, grad: [[-0.0536007414, 0.043822598, 0.0097781433], [0.0251524013, 0.0080562484, -0.0332086497], [0.0230443224, 0.0202757907, -0.043320113], [0.0969638878, 0.0969638878, -0.1939277756]] }, // mask=[1.0, 1.0, 1.0, 1.0]
];
const WINDOW_A = [
  { radius: 0.0, loss: 0.0000000000, grad: [[-0.0, 0.0], [-0.0, 0.0], [0.0, -0.0], [0.0, -0.0], [-0.0, 0.0]] }, // mask=[0.0, 0.0, 0.0, 0.0, 0.0]
  { radius: 0.1, loss: 0.1516277739, grad: [[-0.0, 0.0], [-0.0699667995, 0.0699667995], [0.0, -0.0], [0.0, -0.0], [-0.0, 0.0]] }, // mask=[0.0, 1.0, 0.0, 0.0, 0.0]
  { radius: 0.3, loss: 0.3893270547, grad: [[-0.0, 0.0], [-0.0699667995, 0.0699667995], [0.0, -0.0], [0.0308687388, -0.0308687388], [-0.0171669966, 0.0171669966]] }, // mask=[0.0, 1.0, 0.0, 1.0, 1.0]
];

describe('window', () => {
  it.each([...WINDOW_K.map((c) => ({ ...c, k: 3 })), ...WINDOW_A.map((c) => ({ ...c, k: 2 }))])(
    'K = $k, radius $radius',
    ({ radius, k, loss, grad }) => {
      const [z, y] = k === 3 ? [ZK, YK] : [ZA, YA];
      const got = valueAndGrad((logits) => windowLoss(logits, tf.tensor2d(y), 0.5, { radius }), z);
      expect(Math.abs(got.loss - loss)).toBeLessThanOrEqual(2e-6);
      expectAllClose(got.grad, grad, 5e-7);
    },
  );

  it('an empty window gives loss exactly 0 and zero gradients (documented choice)', () => {
    const got = valueAndGrad((logits) => windowLoss(logits, tf.tensor2d(YA), 0.5, { radius: 0 }), ZA);
    expect(got.loss).toBe(0);
    expect(got.grad.flat().every((g) => g === 0)).toBe(true);
  });

  it('the mask is strict: max p exactly 0.5 + r is outside', () => {
    // p = [0.75, 0.25] (z = [ln 3, 0]) with r = 0.25: 0.75 < 0.75 is false. Row [0, 0] (p = 0.5) is inside.
    const mask = tf.tidy(() => Array.from(windowMask(tf.tensor2d([[Math.log(3), 0], [0, 0]]), { radius: 0.25 }).dataSync()));
    expect(mask).toEqual([0, 1]);
  });
});
