import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { confidenceCoef, LogconfOptionsSchema } from './logconf.js';
import { DEFAULT_WHERE, parseOptions } from './options.js';
import { checkLossInputs, softCrossEntropy } from './tensor-ops.js';

/** The same coefficient and warm-up as logconf: only the confidence term differs. */
export const EntropyOptionsSchema = LogconfOptionsSchema.pick({ auxCoef: true, warmupFrac: true, warmup: true });
export type EntropyOptions = z.output<typeof EntropyOptionsSchema>;
export type EntropyOptionsInput = z.input<typeof EntropyOptionsSchema>;

/**
 * Entropy-minimization auxiliary loss (Grandvalet & Bengio 2004, "Semi-supervised learning by
 * entropy minimization"), the student-confidence term without a threshold:
 *   loss = (1 − c)·CE(z, y) + c·(1/B) Σ_i H(p_i),   H(p) = −Σ_c p_c · log p_c,   p = softmax(z),
 * c from logconf's schedule ({@link confidenceCoef}: `auxCoef`, `warmup`, `warmupFrac`). Unlike
 * every other loss here the gradient flows through p (that is the point: it sharpens the student's
 * own predictions): ∂H/∂z_j = −p_j · (log p_j + H).
 */
export function entropyLoss(logits: tf.Tensor2D, targets: tf.Tensor2D, stepFrac: number, options: EntropyOptionsInput = {}): tf.Scalar {
  const parsed = parseOptions(EntropyOptionsSchema, options, DEFAULT_WHERE);
  return entropyParsed(logits, targets, stepFrac, parsed, DEFAULT_WHERE);
}

/** entropyLoss with options already parsed (used by the registry). */
export function entropyParsed(logits: tf.Tensor2D, targets: tf.Tensor2D, stepFrac: number, options: EntropyOptions, where: string): tf.Scalar {
  checkLossInputs(logits, targets, stepFrac, where);
  const c = confidenceCoef(stepFrac, options);
  return tf.tidy(() => {
    const logP = tf.logSoftmax(logits);
    const meanEntropy = tf.mean(tf.neg(tf.sum(tf.mul(tf.exp(logP), logP), 1)));
    return tf.add(tf.mul(softCrossEntropy(logits, targets), 1 - c), tf.mul(meanEntropy, c)) as tf.Scalar;
  });
}
