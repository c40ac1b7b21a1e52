import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { DEFAULT_WHERE, finiteNumber, parseOptions } from './options.js';
import { checkLossInputs, detached, perExampleCrossEntropy } from './tensor-ops.js';

export const WindowOptionsSchema = z.strictObject({
  /** Half-width r of the uncertainty window: examples with max p < 0.5 + r are trained on. */
  radius: finiteNumber().min(0, 'must be ≥ 0').max(0.5, 'must be ≤ 0.5').default(0.1),
});
export type WindowOptions = z.output<typeof WindowOptionsSchema>;
export type WindowOptionsInput = z.input<typeof WindowOptionsSchema>;

/** The window mask (constant, [B]): m_i = 1 if max_c softmax(z_i)_c < 0.5 + r else 0 (strict `<`). */
export function windowMask(logits: tf.Tensor2D, options: WindowOptionsInput = {}): tf.Tensor1D {
  const parsed = parseOptions(WindowOptionsSchema, options, DEFAULT_WHERE);
  return windowMaskParsed(logits, parsed);
}

function windowMaskParsed(logits: tf.Tensor2D, options: WindowOptions): tf.Tensor1D {
  return detached(logits, (z) => tf.cast(tf.less(tf.max(tf.softmax(z), 1), 0.5 + options.radius), 'float32') as tf.Tensor1D);
}

/**
 * Window loss: cross-entropy on the weak labels over only the examples the student is unsure
 * about, summed and divided by the full batch size B:
 *   loss = (1/B) Σ_i m_i · CE_i,   m_i = [max_c p_ic < 0.5 + r] (stop-grad),   p = softmax(z),
 *   CE_i = −Σ_c y_ic · log softmax(z_i)_c.
 * An empty window gives loss 0 with zero gradients (no division by the window size, so no 0/0);
 * dividing by B rather than the window size keeps the step size independent of how many examples
 * fall inside. `stepFrac` is ignored. Exported as `windowLoss` (not `window`, the browser global).
 */
export function windowLoss(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  stepFrac = 0,
  options: WindowOptionsInput = {},
): tf.Scalar {
  const parsed = parseOptions(WindowOptionsSchema, options, DEFAULT_WHERE);
  return windowParsed(logits, targets, stepFrac, parsed, DEFAULT_WHERE);
}

/** window with options already parsed (used by the registry). */
export function windowParsed(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  stepFrac: number,
  options: WindowOptions,
  where: string,
): tf.Scalar {
  checkLossInputs(logits, targets, stepFrac, where);
  return tf.tidy(() => {
    const mask = windowMaskParsed(logits, options);
    const batchSize = logits.shape[0];
    return tf.div(tf.sum(tf.mul(mask, perExampleCrossEntropy(logits, targets))), batchSize) as tf.Scalar;
  });
}
