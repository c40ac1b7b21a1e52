import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { DEFAULT_WHERE, finiteNumber, parseOptions } from './options.js';
import { argmaxOneHot, checkLossInputs, detached, softCrossEntropy } from './tensor-ops.js';

export const BOOTSTRAP_MODES = ['soft', 'hard'] as const;

/** β defaults per mode: Reed et al. (2015) report β = 0.95 for soft and β = 0.8 for hard bootstrapping. */
export const BOOTSTRAP_DEFAULT_BETA = { soft: 0.95, hard: 0.8 } as const;

export const BootstrapOptionsSchema = z.strictObject({
  mode: z.enum(BOOTSTRAP_MODES, { error: `must be one of: ${BOOTSTRAP_MODES.join(', ')}` }).default('soft'),
  /** Weight of the weak label; default by mode ({@link BOOTSTRAP_DEFAULT_BETA}). */
  beta: finiteNumber().min(0, 'must be ≥ 0').max(1, 'must be ≤ 1').optional(),
});
export type BootstrapOptions = z.output<typeof BootstrapOptionsSchema>;
export type BootstrapOptionsInput = z.input<typeof BootstrapOptionsSchema>;

/**
 * The bootstrap target (stop-grad), p = softmax(z):
 *   soft: t = β·y + (1 − β)·p
 *   hard: t = β·y + (1 − β)·onehot(argmax p)   (ties: lowest class index)
 */
export function bootstrapTarget(logits: tf.Tensor2D, targets: tf.Tensor2D, options: BootstrapOptionsInput = {}): tf.Tensor2D {
  const parsed = parseOptions(BootstrapOptionsSchema, options, DEFAULT_WHERE);
  checkLossInputs(logits, targets, 0, DEFAULT_WHERE);
  return bootstrapTargetParsed(logits, targets, parsed);
}

function bootstrapTargetParsed(logits: tf.Tensor2D, targets: tf.Tensor2D, options: BootstrapOptions): tf.Tensor2D {
  const beta = options.beta ?? BOOTSTRAP_DEFAULT_BETA[options.mode];
  return detached(logits, (z) => {
    const probs = tf.softmax(z) as tf.Tensor2D;
    const own = options.mode === 'soft' ? probs : argmaxOneHot(probs);
    return tf.add(tf.mul(targets, beta), tf.mul(own, 1 - beta)) as tf.Tensor2D;
  });
}

/**
 * Bootstrapping loss (Reed et al. 2015, "Training deep neural networks on noisy labels with
 * bootstrapping"): loss = CE(z, t) with the stop-grad target
 *   soft: t = β·y + (1 − β)·p                 (default β = 0.95)
 *   hard: t = β·y + (1 − β)·onehot(argmax p)  (default β = 0.8)
 * p = softmax(z), y the weak labels, CE(z, t) = −(1/B) Σ_i Σ_c t_ic · log softmax(z_i)_c.
 * Unlike Reed et al., p is stop-grad here, as in every loss of this lib. `stepFrac` is ignored.
 */
export function bootstrap(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  stepFrac = 0,
  options: BootstrapOptionsInput = {},
): tf.Scalar {
  const parsed = parseOptions(BootstrapOptionsSchema, options, DEFAULT_WHERE);
  return bootstrapParsed(logits, targets, stepFrac, parsed, DEFAULT_WHERE);
}

/** bootstrap with options already parsed (used by the registry). */
export function bootstrapParsed(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  stepFrac: number,
  options: BootstrapOptions,
  where: string,
): tf.Scalar {
  checkLossInputs(logits, targets, stepFrac, where);
  return tf.tidy(() => softCrossEntropy(logits, bootstrapTargetParsed(logits, targets, options)));
}
