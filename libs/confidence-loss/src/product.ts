import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { DEFAULT_WHERE, finiteNumber, parseOptions } from './options.js';
import { checkLossInputs, detached, softCrossEntropy } from './tensor-ops.js';

export const ProductOptionsSchema = z.strictObject({
  /** Exponent on the weak label y. */
  alpha: finiteNumber().min(0, 'must be ≥ 0').default(1),
  /** Exponent on the student's prediction p. */
  beta: finiteNumber().min(0, 'must be ≥ 0').default(1),
});
export type ProductOptions = z.output<typeof ProductOptionsSchema>;
export type ProductOptionsInput = z.input<typeof ProductOptionsSchema>;

/**
 * The product target t_i ∝ p_i^β · y_i^α, row-normalized, stop-grad (p = softmax(z)).
 * Computed in log space, t = softmax(β·log softmax(z) + α·log y), which is the same number but
 * survives float32 underflow: with z = [−50, 50] and y = [1, 0] the direct form is 0/0, this is [1, 0].
 * y_c = 0 contributes log 0 = −∞, i.e. t_c = 0 (for α > 0); α = 0 drops the term (y^0 = 1, as torch.pow).
 */
export function productTarget(logits: tf.Tensor2D, targets: tf.Tensor2D, options: ProductOptionsInput = {}): tf.Tensor2D {
  const parsed = parseOptions(ProductOptionsSchema, options, DEFAULT_WHERE);
  checkLossInputs(logits, targets, 0, DEFAULT_WHERE);
  return productTargetParsed(logits, targets, parsed);
}

function productTargetParsed(logits: tf.Tensor2D, targets: tf.Tensor2D, options: ProductOptions): tf.Tensor2D {
  const { alpha, beta } = options;
  return detached(logits, (z) => {
    const weightedLogP = tf.mul(tf.logSoftmax(z), beta);
    const scores = alpha === 0 ? weightedLogP : tf.add(weightedLogP, tf.mul(tf.log(targets), alpha));
    return tf.softmax(scores) as tf.Tensor2D;
  });
}

/**
 * Product loss: loss = CE(z, t) with t_ic = p_ic^β · y_ic^α / Σ_c' p_ic'^β · y_ic'^α (stop-grad),
 * p = softmax(z), y the weak labels. Defaults α = β = 1.
 * CE(z, t) = −(1/B) Σ_i Σ_c t_ic · log softmax(z_i)_c. `stepFrac` is ignored.
 */
export function product(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  stepFrac = 0,
  options: ProductOptionsInput = {},
): tf.Scalar {
  const parsed = parseOptions(ProductOptionsSchema, options, DEFAULT_WHERE);
  return productParsed(logits, targets, stepFrac, parsed, DEFAULT_WHERE);
}

/** product with options already parsed (used by the registry). */
export function productParsed(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  stepFrac: number,
  options: ProductOptions,
  where: string,
): tf.Scalar {
  checkLossInputs(logits, targets, stepFrac, where);
  return tf.tidy(() => softCrossEntropy(logits, productTargetParsed(logits, targets, options)));
}
