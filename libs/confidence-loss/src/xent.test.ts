import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { perExampleCrossEntropy, softCrossEntropy, stopGradient } from './tensor-ops.js';
import { YA, YK, ZA, ZK } from './test-utils/cases.js';
import { expectAllClose, useWasmBackend, valueAndGrad } from './test-utils/tf.js';
import { xent } from './xent.js';

beforeAll(useWasmBackend);

// Expected values printed by reference/expected.py (numpy float64 CE = −mean Σ y·log_softmax(z);
// gradient (p − y)/B, checked there against float64 central differences).
const XENT_A = { loss: 0.5298923659, grad: [[-0.0164851048, 0.0164851048], [-0.0699667995, 0.0699667995], [0.0164851048, -0.0164851048], [0.0308687388, -0.0308687388], [-0.0171669966, 0.0171669966]] };
const XENT_K = { loss: 1.3137578902, grad: [[-0.0536007414, 0.043822598, 0.0097781433], [0.0251524013, 0.0080562484, -0.0332086497], [0.0230443224, 0.0202757907, -0.043320113], [0.0969638878, 0.0969638878, -0.1939277756]] };

describe('xent / softCrossEntropy', () => {
  it('binary case A: value and gradient', () => {
    const got = valueAndGrad((z) => xent(z, tf.tensor2d(YA), 0.3), ZA);
    expect(Math.abs(got.loss - XENT_A.loss)).toBeLessThanOrEqual(2e-6);
    expectAllClose(got.grad, XENT_A.grad, 5e-7);
  });

  it('3 classes with labels of exactly 0 and 1: value and gradient', () => {
    const got = valueAndGrad((z) => softCrossEntropy(z, tf.tensor2d(YK)), ZK);
    expect(Math.abs(got.loss - XENT_K.loss)).toBeLessThanOrEqual(2e-6);
    expectAllClose(got.grad, XENT_K.grad, 5e-7);
  });

  it('per-example CE by hand: −log softmax at the labelled class', () => {
    // Row [0, 0] with y = [1, 0]: −log 0.5 = ln 2. Row [ln 3, 0] with y = [0, 1]: −log(1/4) = ln 4.
    const ce = tf.tidy(() => perExampleCrossEntropy(tf.tensor2d([[0, 0], [Math.log(3), 0]]), tf.tensor2d([[1, 0], [0, 1]])).arraySync());
    expectAllClose(ce, [Math.LN2, Math.log(4)], 1e-6);
  });

  it('xent takes no options', () => {
    expect(() => xent(tf.tensor2d(ZA), tf.tensor2d(YA), 0, { auxCoef: 1 } as never)).toThrow(
      'loss.auxCoef: unknown option (this loss takes no options)',
    );
  });
});

describe('stopGradient', () => {
  it('is the identity forward and has zero gradient', () => {
    const x = tf.tensor1d([1, -2, 3]);
    const { value, grad } = tf.valueAndGrad((v: tf.Tensor1D) => tf.sum(tf.add(tf.mul(stopGradient(v), v), v)) as tf.Scalar)(x);
    // f(v) = Σ (const(v)·v + v) → ∂f/∂v = v + 1 (the stop-grad copy contributes nothing).
    expect(value.dataSync()[0]).toBeCloseTo(1 + 4 + 9 + 2, 5);
    expectAllClose(Array.from(grad.dataSync()), [2, -1, 4], 1e-6);
    tf.dispose([x, value, grad]);
  });
});
