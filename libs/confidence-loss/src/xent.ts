import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { DEFAULT_WHERE, parseOptions } from './options.js';
import { checkLossInputs, softCrossEntropy } from './tensor-ops.js';

/** `xent` takes no options. */
export const XentOptionsSchema = z.strictObject({});
export type XentOptions = z.output<typeof XentOptionsSchema>;

/**
 * Plain cross-entropy on the weak labels: loss = CE(z, y) = −(1/B) Σ_i Σ_c y_ic · log softmax(z_i)_c.
 * `stepFrac` is accepted for a uniform signature and ignored.
 */
export function xent(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  stepFrac = 0,
  options: z.input<typeof XentOptionsSchema> = {},
): tf.Scalar {
  parseOptions(XentOptionsSchema, options, DEFAULT_WHERE);
  return xentParsed(logits, targets, stepFrac, DEFAULT_WHERE);
}

/** xent with options already parsed (used by the registry). */
export function xentParsed(logits: tf.Tensor2D, targets: tf.Tensor2D, stepFrac: number, where: string): tf.Scalar {
  checkLossInputs(logits, targets, stepFrac, where);
  return softCrossEntropy(logits, targets);
}
