// Entry `@w2s/core/losses`: plain tfjs, no backend registered, so @w2s/confidence-loss can use it
// in any tfjs program (re-exported by the main entry too).
import * as tf from '@tensorflow/tfjs';

/**
 * The shape every training loss has: logits and target probability rows [B, K], and the fraction
 * of training done (for losses that warm up). Defined here, below both @w2s/models (which trains
 * with any loss) and @w2s/confidence-loss (which makes them), so neither depends on the other.
 */
export interface LossFn {
  (logits: tf.Tensor2D, targets: tf.Tensor2D, stepFrac: number): tf.Scalar;
  /**
   * Only on losses whose target depends on statistics of the batch (logconf's threshold τ). A
   * training loop that accumulates gradients over several minibatches calls it once per optimizer
   * step, before the minibatches' loss calls, with the logits and targets of ALL the step's
   * examples: the statistics are computed there, once, and every loss call of the step uses them,
   * so the step's target is the same as without accumulation. Called without arguments (a step
   * of one minibatch), it forgets them and each call computes its own, as before.
   */
  beginStep?(logits?: tf.Tensor2D, targets?: tf.Tensor2D): void;
}

/**
 * Per-example cross-entropy with soft targets: CE_i = −Σ_c t_ic · log softmax(z_i)_c.
 * log softmax is tfjs's stable form (z − max − log Σ exp(z − max)), so logits of ±50 or more stay
 * finite. Differentiable in `logits` (and in `targets`, which every loss here passes stop-grad).
 */
export function perExampleCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1)) as tf.Tensor1D);
}

/**
 * Cross-entropy with soft targets, averaged over the batch:
 * CE(z, t) = −(1/B) Σ_i Σ_c t_ic · log softmax(z_i)_c.
 * With t held constant and rows of t summing to 1, ∂CE/∂z_i = (softmax(z_i) − t_i) / B.
 * The one implementation: the transfer losses, pretraining and the plain xent of ladders use it.
 */
export function softCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(perExampleCrossEntropy(logits, targets)) as tf.Scalar);
}
