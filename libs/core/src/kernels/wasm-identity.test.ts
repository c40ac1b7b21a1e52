import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoTensorLeak } from '../leak-guard.js';
import { installWasmIdentity } from './wasm-identity.js';

// The sharing Identity (wasm-identity.ts): a clone is the same data with one more reference, which
// outlives the original and is freed with the last tensor using it.

beforeAll(async () => {
  await tf.setBackend('wasm');
  installWasmIdentity();
});

describe('wasm Identity', () => {
  it('shares the data of its input, which survives the input’s disposal and is freed with the last user', async () => {
    const bytesBefore = tf.memory().numBytes;
    await expectNoTensorLeak(() => {
      const x = tf.tensor1d([1, -2, 3.5]);
      const y = tf.clone(x);
      expect(y.dataId).toBe(x.dataId);
      x.dispose();
      expect(Array.from(y.dataSync())).toEqual([1, -2, 3.5]);
      const z = tf.add(y, 1); // the data is still on the heap for kernels
      expect(Array.from(z.dataSync())).toEqual([2, -1, 4.5]);
      tf.dispose([y, z]);
    });
    expect(tf.memory().numBytes).toBe(bytesBefore);
  });

  it('keeps gradients right where kernels save their inputs (Multiply) and strings working', async () => {
    const x = tf.tensor1d([1, 2, 3]);
    const g = await expectNoTensorLeak(() => tf.grad((t: tf.Tensor) => tf.mul(t, t).sum())(x), 1);
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6]);
    const s = tf.tensor1d(['a', 'b'], 'string');
    const c = tf.clone(s);
    expect(await c.array()).toEqual(['a', 'b']);
    tf.dispose([x, g, s, c]);
  });
});
