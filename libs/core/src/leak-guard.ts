import * as tf from '@tensorflow/tfjs';

/**
 * Runs `fn` and throws if it leaves tensors behind (tf.memory().numTensors grows).
 * Tests wrap each stage in it; `allowed` is for results the caller owns and disposes.
 */
export async function expectNoTensorLeak<T>(fn: () => T | Promise<T>, allowed = 0): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const leaked = tf.memory().numTensors - before - allowed;
  if (leaked > 0) throw new Error(`tensor leak: ${leaked} tensor(s) left behind`);
  return result;
}
