import * as tf from '@tensorflow/tfjs';
import { UserError } from './errors.js';
import { z } from 'zod';
import { DEFAULT_WHERE, finiteNumber, parseOptions } from './options.js';
import { meanProbability, quantile, RollingBuffer } from './quantile.js';
import { argmaxOneHot, checkLossInputs, detached, softCrossEntropy } from './tensor-ops.js';

/** How the confidence coefficient c grows from 0 to auxCoef over training (see {@link confidenceCoef}). */
export const WARMUP_SCHEDULES = ['step', 'linear'] as const;
/** How the student's predictions are hardened into ŷ (see {@link logconf}). */
export const THRESHOLD_POLICIES = ['prior-quantile', 'median', 'fixed', 'rolling'] as const;

export const LogconfOptionsSchema = z.strictObject({
  /** Final weight of the student's own hardened prediction in the target. */
  auxCoef: finiteNumber().min(0, 'must be ≥ 0').max(1, 'must be ≤ 1').default(0.5),
  /** Fraction of training over which c warms up. */
  warmupFrac: finiteNumber().gt(0, 'must be in (0, 1]').max(1, 'must be in (0, 1]').default(0.1),
  warmup: z.enum(WARMUP_SCHEDULES, { error: `must be one of: ${WARMUP_SCHEDULES.join(', ')}` }).default('step'),
  threshold: z.enum(THRESHOLD_POLICIES, { error: `must be one of: ${THRESHOLD_POLICIES.join(', ')}` }).default('prior-quantile'),
  /** Examples kept by the `rolling` threshold (ignored by the other policies). */
  bufferSize: z.int({ error: 'must be an integer' }).min(1, 'must be ≥ 1').default(256),
});
export type LogconfOptions = z.output<typeof LogconfOptionsSchema>;
export type LogconfOptionsInput = z.input<typeof LogconfOptionsSchema>;

/**
 * The confidence coefficient c at training progress s = stepFrac ∈ [0, 1]:
 * - `step` (public reference implementation, openai/weak-to-strong): c = auxCoef · (s if s ≤ warmupFrac else 1).
 *   Note the jump at s = warmupFrac: c = auxCoef·warmupFrac there and auxCoef just after.
 * - `linear` (as the paper describes it): c = auxCoef · min(1, s / warmupFrac).
 */
export function confidenceCoef(
  stepFrac: number,
  options: Pick<LogconfOptions, 'auxCoef' | 'warmupFrac' | 'warmup'>,
): number {
  const { auxCoef, warmupFrac, warmup } = options;
  if (warmup === 'step') return auxCoef * (stepFrac <= warmupFrac ? stepFrac : 1);
  return auxCoef * Math.min(1, stepFrac / warmupFrac);
}

/**
 * The student's hardened predictions ŷ as a constant [B, K] one-hot tensor. `probs` = softmax(z).
 * - `fixed`: ŷ = onehot(argmax p); ties go to the lowest class index. The only policy for K > 2.
 * - `prior-quantile` (binary): τ = quantile({p_i0}, m) with m = mean_i y_i1 (linear interpolation),
 *   ŷ_i = [1, 0] if p_i0 ≥ τ else [0, 1]. Ties at τ go to class 0 (the reference's `>=`).
 * - `median` (binary): the same with m = 0.5.
 * - `rolling` (binary): τ from `buffer` after pushing this batch (see {@link RollingBuffer}); every
 *   call pushes, so call the loss once per training step (not again for logging).
 * The binary policies read p_0 and y_1 back to JS (one small sync per step) and compute τ in float64.
 * `stepThreshold`, when given, is τ computed once for the whole optimizer step (all its accumulated
 * minibatches, as the reference computes it over the whole batch): used as is, nothing pushed.
 */
export function hardenPredictions(
  probs: tf.Tensor2D,
  targets: tf.Tensor2D,
  policy: LogconfOptions['threshold'],
  buffer?: RollingBuffer,
  where = DEFAULT_WHERE,
  stepThreshold?: number,
): tf.Tensor2D {
  const [b] = probs.shape;
  if (policy === 'fixed') return argmaxOneHot(probs);
  const tau = stepThreshold ?? logconfThreshold(probs, targets, policy, buffer, where);
  const p = classZeroProbs(probs);
  const hard = new Float32Array(2 * b);
  for (let i = 0; i < b; i++) hard[2 * i + (p[i]! >= tau ? 0 : 1)] = 1;
  return tf.tensor2d(hard, [b, 2]);
}

/** P(class 0) of each row of a binary [B, 2] tensor, read back in float64. */
function classZeroProbs(probs: tf.Tensor2D): Float64Array {
  const [b, k] = probs.shape;
  if (k !== 2) throw new Error(`classZeroProbs: expected 2 classes, got ${k}`);
  const p = probs.dataSync();
  return Float64Array.from({ length: b }, (_, i) => p[2 * i]!);
}

/**
 * The hardening threshold τ of a binary policy over these rows (see {@link hardenPredictions});
 * `rolling` pushes the rows into `buffer` first. Used per call, or once per optimizer step over
 * all its accumulated minibatches (the loss's `beginStep`, see registry.ts).
 */
export function logconfThreshold(
  probs: tf.Tensor2D,
  targets: tf.Tensor2D,
  policy: Exclude<LogconfOptions['threshold'], 'fixed'>,
  buffer?: RollingBuffer,
  where = DEFAULT_WHERE,
): number {
  const [b, k] = probs.shape;
  if (k !== 2) {
    throw new UserError(`'${policy}' is binary-only (K = 2) but got K = ${k} classes; use threshold: fixed`, `${where}.threshold`);
  }
  if (policy === 'rolling' && !buffer) {
    throw new UserError(
      "'rolling' keeps a buffer across steps: pass a RollingBuffer, or build the loss with makeLoss({ name: 'logconf', threshold: 'rolling' })",
      `${where}.threshold`,
    );
  }
  const p0 = classZeroProbs(probs);
  const y = targets.dataSync();
  const y1 = Float64Array.from({ length: b }, (_, i) => y[2 * i + 1]!);
  if (policy === 'median') return quantile(p0, 0.5);
  if (policy === 'prior-quantile') return quantile(p0, meanProbability(y1));
  buffer!.push(p0, y1);
  return buffer!.threshold();
}

/**
 * The logconf target t = (1 − c)·y + c·ŷ (a constant: stop-grad), with c from {@link confidenceCoef}
 * and ŷ from {@link hardenPredictions}. Exposed for inspection and tests; {@link logconf} is the loss.
 */
export function logconfTarget(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  stepFrac: number,
  options: LogconfOptionsInput = {},
  buffer?: RollingBuffer,
): tf.Tensor2D {
  const parsed = parseOptions(LogconfOptionsSchema, options, DEFAULT_WHERE);
  checkLossInputs(logits, targets, stepFrac, DEFAULT_WHERE);
  return logconfTargetParsed(logits, targets, stepFrac, parsed, buffer, DEFAULT_WHERE);
}

function logconfTargetParsed(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  stepFrac: number,
  options: LogconfOptions,
  buffer: RollingBuffer | undefined,
  where: string,
  stepThreshold?: number,
): tf.Tensor2D {
  const c = confidenceCoef(stepFrac, options);
  return detached(logits, (z) => {
    const hardened = hardenPredictions(tf.softmax(z) as tf.Tensor2D, targets, options.threshold, buffer, where, stepThreshold);
    return tf.add(tf.mul(targets, 1 - c), tf.mul(hardened, c)) as tf.Tensor2D;
  });
}

/**
 * Auxiliary confidence loss (Burns et al. 2023): loss = CE(z, t) with t = (1 − c)·y + c·ŷ,
 * where y are the weak labels, ŷ the student's own hardened predictions (stop-grad), and c the
 * coefficient at progress s = stepFrac:
 *   warmup `step`:   c = auxCoef · (s if s ≤ warmupFrac else 1)   (reference code; defaults auxCoef 0.5, warmupFrac 0.1)
 *   warmup `linear`: c = auxCoef · min(1, s / warmupFrac)          (paper; it uses auxCoef 0.75, warmupFrac 0.2 for the largest students)
 * Hardening (`threshold`): `prior-quantile` (default, binary): τ = quantile of {p_i0} at level
 * mean_i y_i1, ŷ_i = [1,0] if p_i0 ≥ τ else [0,1]; `median`: level 0.5; `fixed`: onehot(argmax p);
 * `rolling`: τ over the last `bufferSize` examples, kept in `buffer` (required for this policy).
 * CE(z, t) = −(1/B) Σ_i Σ_c t_ic · log softmax(z_i)_c.
 */
export function logconf(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  stepFrac: number,
  options: LogconfOptionsInput = {},
  buffer?: RollingBuffer,
): tf.Scalar {
  const parsed = parseOptions(LogconfOptionsSchema, options, DEFAULT_WHERE);
  return logconfParsed(logits, targets, stepFrac, parsed, buffer, DEFAULT_WHERE);
}

/** logconf with options already parsed (used by the registry); `stepThreshold` as in hardenPredictions. */
export function logconfParsed(
  logits: tf.Tensor2D,
  targets: tf.Tensor2D,
  stepFrac: number,
  options: LogconfOptions,
  buffer: RollingBuffer | undefined,
  where: string,
  stepThreshold?: number,
): tf.Scalar {
  checkLossInputs(logits, targets, stepFrac, where);
  return tf.tidy(() => softCrossEntropy(logits, logconfTargetParsed(logits, targets, stepFrac, options, buffer, where, stepThreshold)));
}
