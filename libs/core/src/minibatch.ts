import type { Rng } from './rng.js';

/**
 * One epoch of minibatches: a fresh permutation of 0..numExamples-1 drawn from `rng`, cut into
 * consecutive batches of `batchSize`. The last batch keeps the remainder (it may be smaller),
 * so every example is seen exactly once per epoch.
 */
export function minibatches(numExamples: number, batchSize: number, rng: Rng): Int32Array[] {
  if (!Number.isInteger(numExamples) || numExamples < 0) {
    throw new Error(`minibatches: numExamples must be a non-negative integer, got ${numExamples}`);
  }
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new Error(`minibatches: batchSize must be a positive integer, got ${batchSize}`);
  }
  const order = Int32Array.from(rng.permutation(numExamples));
  const batches: Int32Array[] = [];
  for (let start = 0; start < numExamples; start += batchSize) {
    batches.push(order.slice(start, start + batchSize));
  }
  return batches;
}
