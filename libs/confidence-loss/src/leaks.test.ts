// No tensor leaks: every loss runs inside tf.tidy and leaves only its returned scalar; the
// target/mask helpers leave only what they return; an error thrown mid-loss leaves nothing.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bootstrapTarget } from './bootstrap.js';
import { logconf, logconfTarget } from './logconf.js';
import { productTarget } from './product.js';
import { makeLoss } from './registry.js';
import { perExampleCrossEntropy, softCrossEntropy, stopGradient } from './tensor-ops.js';
import { YA, YK, ZA, ZK } from './test-utils/cases.js';
import { BINARY_CONFIGS, MULTICLASS_CONFIGS } from './test-utils/configs.js';
import { expectNoLeak, useWasmBackend } from './test-utils/tf.js';
import { windowMask } from './window.js';

let za: tf.Tensor2D, ya: tf.Tensor2D, zk: tf.Tensor2D, yk: tf.Tensor2D;
beforeAll(async () => {
  await useWasmBackend();
  [za, ya, zk, yk] = [tf.tensor2d(ZA), tf.tensor2d(YA), tf.tensor2d(ZK), tf.tensor2d(YK)];
});

describe('no tensor leaks', () => {
  const cases = [
    ...BINARY_CONFIGS.map((config) => ({ config, k: 2 })),
    ...MULTICLASS_CONFIGS.map((config) => ({ config, k: 3 })),
  ];
  it.each(cases)('K=$k $config: forward, tf.grad and tf.variableGrads', ({ config, k }) => {
    const [z, y] = k === 2 ? [za, ya] : [zk, yk];
    const loss = makeLoss(config);
    // Forward: the scalar is the only new tensor, and expectNoLeak disposes it.
    expectNoLeak(() => loss(z, y, 0.5));
    expectNoLeak(() => tf.grad((logits) => loss(logits as tf.Tensor2D, y, 0.5))(z));
    const w = tf.tidy(() => tf.variable(z.clone()));
    expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(() => loss(w, y, 0.5), [w]);
      return [value, grads[w.name]!];
    });
    w.dispose();
  });

  it('target and mask helpers leave only their result', () => {
    expectNoLeak(() => logconfTarget(za, ya, 0.5));
    expectNoLeak(() => productTarget(zk, yk));
    expectNoLeak(() => bootstrapTarget(zk, yk, { mode: 'hard' }));
    expectNoLeak(() => windowMask(zk));
    expectNoLeak(() => softCrossEntropy(zk, yk));
    expectNoLeak(() => perExampleCrossEntropy(zk, yk));
    expectNoLeak(() => stopGradient(zk));
  });

  it('a UserError thrown inside a loss leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    expect(() => logconf(zk, yk, 0.5)).toThrow(/binary-only/);
    expect(() => makeLoss({ name: 'logconf', threshold: 'median' })(zk, yk, 0.5)).toThrow(/binary-only/);
    expect(() => makeLoss('xent')(za, yk, 0.5)).toThrow(/same shape/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
