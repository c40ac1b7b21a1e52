import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { DEFAULT_WHERE, finiteNumber, parseOptions } from './options.js';
import { argmaxOneHot, checkLossInputs, detached, softCrossEntropy } from './tensor-ops.js';

export const AdaptconfOptionsSchema = z.strictObject({
  /** T: how sharply β follows the gap between the two cross-entropies (the authors' configs use 0.5). */
  temperature: finiteNumber().gt(0, 'must be > 0').default(0.5),
  /** β is scaled by min(1, s / warmupFrac) (the authors' few-shot code: the first quarter); 0 = no warm-up. */
  warmupFrac: finiteNumber().min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]').default(0),
});
export type AdaptconfOptions = z.output<typeof AdaptconfOptionsSchema>;
export type AdaptconfOptionsInput = z.input<typeof AdaptconfOptionsSchema>;

/**
 * The per-example weight β_i (a constant: stop-grad), as the authors' code computes it:
 *   β_i = e^{CE(z_i, ŝ_i)/T} / (e^{CE(z_i, ŝ_i)/T} + e^{CE(z_i, ŵ_i)/T}) · min(1, s / warmupFrac)
 * ŝ = onehot(argmax p) the student's hard label, ŵ = onehot(argmax y) the teacher's. Since
 * CE(z, ŝ) − CE(z, ŵ) = z_ŵ − z_ŝ, β_i = sigmoid((z_iŵ − max_c z_ic) / T) — computed in that
 * stable form; β ≤ ½, with ½ where student and teacher agree.
 */
export function adaptconfWeights(logits: tf.Tensor2D, targets: tf.Tensor2D, stepFrac: number, options: AdaptconfOptions): tf.Tensor1D {
  const ramp = options.warmupFrac > 0 ? Math.min(1, stepFrac / options.warmupFrac) : 1;
  return detached(logits, (z) => {
    const teacherClass = argmaxOneHot(targets);
    const gap = tf.sub(tf.sum(tf.mul(z, teacherClass), 1), tf.max(z, 1));
    return tf.mul(tf.sigmoid(tf.div(gap, options.temperature)), ramp) as tf.Tensor1D;
  });
}

/**
 * The target t_i = (1 − β_i)·y_i + β_i·ŝ_i (a constant), so that the loss is CE(z, t).
 * Exposed for inspection and tests; {@link adaptconf} is the loss.
 */
export function adaptconfTarget(logits: tf.Tensor2D, targets: tf.Tensor2D, stepFrac: number, options: AdaptconfOptionsInput = {}): tf.Tensor2D {
  const parsed = parseOptions(AdaptconfOptionsSchema, options, DEFAULT_WHERE);
  checkLossInputs(logits, targets, stepFrac, DEFAULT_WHERE);
  return adaptconfTargetParsed(logits, targets, stepFrac, parsed);
}

function adaptconfTargetParsed(logits: tf.Tensor2D, targets: tf.Tensor2D, stepFrac: number, options: AdaptconfOptions): tf.Tensor2D {
  return tf.tidy(() => {
    const beta = tf.expandDims(adaptconfWeights(logits, targets, stepFrac, options), 1);
    const own = detached(logits, (z) => argmaxOneHot(tf.softmax(z) as tf.Tensor2D));
    return tf.add(tf.mul(targets, tf.sub(1, beta)), tf.mul(own, beta)) as tf.Tensor2D;
  });
}

/**
 * Adaptive confidence distillation (Guo et al. 2024, "Vision Superalignment: Weak-to-Strong
 * Generalization for Vision Foundation Models", arXiv 2402.03749; formula as in the authors' code,
 * github.com/ggjy/vision_weak_to_strong, classification/distillers/adaptconf.py):
 *   loss = (1/B) Σ_i [(1 − β_i)·CE(z_i, y_i) + β_i·CE(z_i, ŝ_i)] = CE(z, t),
 * β_i from {@link adaptconfWeights}. Their distillation term is KL(y‖p) at temperature 1; CE(z, y)
 * differs from it by the entropy of y, a constant: same gradient.
 */
export function adaptconf(logits: tf.Tensor2D, targets: tf.Tensor2D, stepFrac: number, options: AdaptconfOptionsInput = {}): tf.Scalar {
  const parsed = parseOptions(AdaptconfOptionsSchema, options, DEFAULT_WHERE);
  return adaptconfParsed(logits, targets, stepFrac, parsed, DEFAULT_WHERE);
}

/** adaptconf with options already parsed (used by the registry). */
export function adaptconfParsed(logits: tf.Tensor2D, targets: tf.Tensor2D, stepFrac: number, options: AdaptconfOptions, where: string): tf.Scalar {
  checkLossInputs(logits, targets, stepFrac, where);
  return tf.tidy(() => softCrossEntropy(logits, adaptconfTargetParsed(logits, targets, stepFrac, options)));
}
