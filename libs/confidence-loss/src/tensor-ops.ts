import * as tf from '@tensorflow/tfjs';
import { UserError } from './errors.js';

/**
 * Computes `compute(x)` as a constant for differentiation ("stop-grad"): the ops inside are not
 * recorded on the gradient tape and the result has zero gradient with respect to `x`. This is how
 * every target and mask here is built: their ops (comparisons, argmax, quantiles read back to JS)
 * then never need gradients of their own. tfjs has no public stopGradient, so this is a customGrad.
 */
export function detached<T extends tf.Tensor>(x: tf.Tensor, compute: (x: tf.Tensor) => T): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    return { value: compute(input), gradFunc: () => tf.zerosLike(input) };
  });
  return op(x) as T;
}

/** Identity in the forward pass, zero gradient in the backward pass. */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detached(x, (v) => tf.clone(v) as T);
}

// The cross-entropies live in @w2s/core (one implementation for losses, pretraining and ladders).
// (`@w2s/core/losses` loads plain tfjs only, no backend: this lib works with any backend.)
export { perExampleCrossEntropy, softCrossEntropy } from '@w2s/core/losses';

/**
 * Checks the shared loss inputs: logits and targets both [B, K] with B ≥ 1, K ≥ 2, float32,
 * and stepFrac in [0, 1]. Targets should be probability rows (not checked: reading them back
 * from the device every step would cost more than the loss).
 */
export function checkLossInputs(logits: tf.Tensor, targets: tf.Tensor, stepFrac: number, where: string): void {
  if (logits.rank !== 2) throw new UserError(`logits must be [batch, classes], got shape [${logits.shape}]`, where);
  if (targets.rank !== 2) throw new UserError(`targets must be [batch, classes], got shape [${targets.shape}]`, where);
  const [b, k] = logits.shape;
  if (targets.shape[0] !== b || targets.shape[1] !== k) {
    throw new UserError(`logits [${logits.shape}] and targets [${targets.shape}] must have the same shape`, where);
  }
  if (b === 0) throw new UserError('the batch is empty', where);
  if (k === undefined || k < 2) throw new UserError(`need at least 2 classes, got ${k}`, where);
  if (logits.dtype !== 'float32' || targets.dtype !== 'float32') {
    throw new UserError(`logits and targets must be float32, got ${logits.dtype} and ${targets.dtype}`, where);
  }
  if (!(Number.isFinite(stepFrac) && stepFrac >= 0 && stepFrac <= 1)) {
    throw new UserError(`stepFrac must be in [0, 1] (step / total steps), got ${stepFrac}`, where);
  }
}

/** Hard labels as a constant [B, K] tensor: row i is one-hot at the class with the largest p (ties: lowest index). */
export function argmaxOneHot(probs: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(tf.argMax(probs, 1), probs.shape[1]), 'float32') as tf.Tensor2D);
}
