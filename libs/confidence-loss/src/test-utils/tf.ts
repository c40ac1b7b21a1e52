// Test helpers: wasm backend set-up, loss value + gradient read-back, and array comparisons.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { expect } from 'vitest';

export async function useWasmBackend(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
}

/** Loss value and ∂loss/∂logits of `fn` at `logits` (tfjs, float32), with every tensor disposed. */
export function valueAndGrad(
  fn: (logits: tf.Tensor2D) => tf.Scalar,
  logits: number[][],
): { loss: number; grad: number[][] } {
  const z = tf.tensor2d(logits);
  const { value, grad } = tf.valueAndGrad(fn)(z);
  const result = { loss: value.dataSync()[0]!, grad: grad.arraySync() as number[][] };
  tf.dispose([z, value, grad]);
  return result;
}

/** Element-wise |actual − expected| ≤ tol, with the first offending index in the message. */
export function expectAllClose(actual: number[][] | number[], expected: number[][] | number[], tol: number): void {
  const a = (actual as number[]).flat();
  const e = (expected as number[]).flat();
  expect(a.length).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i]! - e[i]!) <= tol)) {
      throw new Error(`element ${i}: got ${a[i]}, expected ${e[i]} (tol ${tol})\nactual:   ${JSON.stringify(a)}\nexpected: ${JSON.stringify(e)}`);
    }
  }
}

/** Runs `fn`, disposes what it returns, and asserts tf.memory().numTensors did not grow. */
export function expectNoLeak(fn: () => tf.TensorContainer | void): void {
  const before = tf.memory().numTensors;
  const out = fn();
  if (out) tf.dispose(out);
  expect(tf.memory().numTensors).toBe(before);
}
