import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { product, productTarget } from './product.js';
import { YA, YK, ZA, ZK } from './test-utils/cases.js';
import { expectAllClose, useWasmBackend, valueAndGrad } from './test-utils/tf.js';

beforeAll(useWasmBackend);

// Expected values printed by reference/expected.py: numpy float64, t = p**β · y**α / row sum (the
// direct form, not the log-space one used here), loss CE(z, t), gradient (p − t)/B (t frozen).
const PRODUCT_K = [
  { alpha: 1.0, beta: 1.0, loss: 0.7767683755, grad: [[-0.0536007414, 0.043822598, 0.0097781433], [0.0313792485, 0.0104910252, -0.0418702737], [0.0230443224, -0.0343212502, 0.0112769278], [0.017723234, 0.017723234, -0.035446468]] },
  { alpha: 2.0, beta: 0.5, loss: 1.3108704003, grad: [[-0.0536007414, 0.043822598, 0.0097781433], [0.0508160019, 0.0254919034, -0.0763079053], [0.0230443224, -0.0287019195, 0.0056575971], [0.1066079339, 0.1066079339, -0.2132158679]] },
  { alpha: 0.0, beta: 1.0, loss: 0.8313155160, grad: [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]] },
];
const PRODUCT_A = [
  { alpha: 1.0, beta: 1.0, loss: 0.4227207190, grad: [[-0.0316466138, 0.0316466138], [-0.0631823312, 0.0631823312], [0.0316466138, -0.0316466138], [0.0467388481, -0.0467388481], [0.0219162038, -0.0219162038]] },
];

describe('product', () => {
  it.each(PRODUCT_K)('3 classes, α = $alpha, β = $beta', ({ alpha, beta, loss, grad }) => {
    const got = valueAndGrad((z) => product(z, tf.tensor2d(YK), 0.5, { alpha, beta }), ZK);
    expect(Math.abs(got.loss - loss)).toBeLessThanOrEqual(2e-6);
    expectAllClose(got.grad, grad, 5e-7);
  });

  it.each(PRODUCT_A)('binary case A, α = $alpha, β = $beta (the defaults)', ({ loss, grad }) => {
    const got = valueAndGrad((z) => product(z, tf.tensor2d(YA), 0.5), ZA);
    expect(Math.abs(got.loss - loss)).toBeLessThanOrEqual(2e-6);
    expectAllClose(got.grad, grad, 5e-7);
  });

  it('target by hand: p = [0.2, 0.8], y = [0.6, 0.4] → t = [0.12, 0.32] / 0.44', () => {
    const t = tf.tidy(() => productTarget(tf.tensor2d([[Math.log(0.2), Math.log(0.8)]]), tf.tensor2d([[0.6, 0.4]])).arraySync());
    expectAllClose(t, [[0.12 / 0.44, 0.32 / 0.44]], 1e-6);
  });

  it('a label of exactly 0 zeroes that class even when the direct form underflows to 0/0', () => {
    // z = [−50, 50]: p0 = e^−100 underflows in float32, y = [1, 0]; exactly, t = [1, 0].
    const t = tf.tidy(() => productTarget(tf.tensor2d([[-50, 50]]), tf.tensor2d([[1, 0]])).arraySync());
    expect(t).toEqual([[1, 0]]);
  });
});
