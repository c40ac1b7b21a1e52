import * as tf from '@tensorflow/tfjs';
import { UserError } from './errors.js';
import { z } from 'zod';
import { DEFAULT_WHERE, finiteNumber, parseOptions } from './options.js';
import { perExampleCrossEntropy } from './tensor-ops.js';

export const CosuperviseOptionsSchema = z.strictObject({
  /**
   * Before this fraction of training the target is the mean of the teachers' labels (the paper's
   * first round learns from one generalist teacher; the student's predictions are not yet worth
   * assigning by). 0: assign from the first step.
   */
  warmupFrac: finiteNumber().min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]').default(0.2),
  /**
   * Noise reduction: keep the examples whose assigned teacher's class is among the student's top
   * `denoiseTopK` classes — as many as there are, the ones the student fits best (the authors'
   * `top1`/`top2`/`top3` criteria). 0: keep every example.
   */
  denoiseTopK: z.int({ error: 'must be a whole number' }).min(0, 'must be ≥ 0').default(1),
});
export type CosuperviseOptions = z.output<typeof CosuperviseOptionsSchema>;
export type CosuperviseOptionsInput = z.input<typeof CosuperviseOptionsSchema>;

/** What the loss does with one batch: each example's teacher, target and whether it is kept. */
export interface CosuperviseAssignment {
  /** Index of the teacher each example learns from (−1 during warm-up: the mean of all). */
  teacher: Int32Array;
  /** Targets [B, K]: the assigned teacher's row (the teachers' mean during warm-up). */
  target: number[][];
  /** 1 where the example is kept, 0 where noise reduction drops it. */
  keep: Float32Array;
}

function checkCosuperviseInputs(logits: tf.Tensor, targets: tf.Tensor, stepFrac: number, where: string): number {
  if (logits.rank !== 2 || targets.rank !== 2) throw new UserError(`logits and targets must be 2-d, got [${logits.shape}] and [${targets.shape}]`, where);
  const [b, k] = logits.shape as [number, number];
  const width = targets.shape[1]!;
  if (b === 0) throw new UserError('the batch is empty', where);
  if (k < 2) throw new UserError(`need at least 2 classes, got ${k}`, where);
  if (targets.shape[0] !== b || width % k !== 0 || width === 0) {
    throw new UserError(
      `targets [${targets.shape}] must hold each example's labels from every teacher, [batch, teachers × ${k}] (logits [${logits.shape}]); cosupervise needs weak.cosupervise`,
      where,
    );
  }
  if (!(Number.isFinite(stepFrac) && stepFrac >= 0 && stepFrac <= 1)) {
    throw new UserError(`stepFrac must be in [0, 1] (step / total steps), got ${stepFrac}`, where);
  }
  return width / k;
}

/**
 * The assignment step (a constant: nothing here is differentiated). With p_i = softmax(z_i),
 * y_mi teacher m's probability row for example i (M teachers):
 * - teacher assignment, re-done on every batch with the student's current prediction (the E-step
 *   of a hard-EM mixture of experts with a uniform gate): a_i = argmax_m Σ_c y_mic · log p_ic,
 *   the teacher whose label is most likely under the student (ties: the lowest m); t_i = y_{a_i i};
 * - noise reduction (`denoiseTopK` = k ≥ 1): r = #{i : argmax_c t_ic ∈ top-k classes of p_i}, and
 *   the r examples with the smallest CE(z_i, onehot(argmax t_i)) are kept (ties: the earlier
 *   example), as the authors rank samples by the student's loss on the teacher's hard label;
 * - during warm-up (s < warmupFrac): t_i = (1/M) Σ_m y_mi, every example kept.
 */
export function cosuperviseAssignment(logits: tf.Tensor2D, targets: tf.Tensor2D, stepFrac: number, options: CosuperviseOptionsInput = {}): CosuperviseAssignment {
  const parsed = parseOptions(CosuperviseOptionsSchema, options, DEFAULT_WHERE);
  const teachers = checkCosuperviseInputs(logits, targets, stepFrac, DEFAULT_WHERE);
  return assign(logits, targets, stepFrac, parsed, teachers);
}

function assign(logits: tf.Tensor2D, targets: tf.Tensor2D, stepFrac: number, options: CosuperviseOptions, teachers: number): CosuperviseAssignment {
  const [b, k] = logits.shape;
  const logP = tf.tidy(() => tf.logSoftmax(logits).arraySync() as number[][]);
  const y = targets.arraySync();
  const row = (i: number, m: number) => y[i]!.slice(m * k, (m + 1) * k);
  const teacher = new Int32Array(b);
  const keep = new Float32Array(b).fill(1);
  if (stepFrac < options.warmupFrac) {
    teacher.fill(-1);
    const target = Array.from({ length: b }, (_, i) => Array.from({ length: k }, (_, c) => {
      let s = 0;
      for (let m = 0; m < teachers; m++) s += y[i]![m * k + c]!;
      return s / teachers;
    }));
    return { teacher, target, keep };
  }
  const target: number[][] = [];
  for (let i = 0; i < b; i++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let m = 0; m < teachers; m++) {
      const score = row(i, m).reduce((s, p, c) => s + (p > 0 ? p * logP[i]![c]! : 0), 0);
      if (score > bestScore) [best, bestScore] = [m, score];
    }
    teacher[i] = best;
    target.push(row(i, best));
  }
  if (options.denoiseTopK > 0) {
    const hard = target.map((t) => argmax(t));
    const inTopK = hard.map((c, i) => {
      const l = logP[i]!;
      // Rank of class c in the student's prediction (ties: the lower class ranks first, as argmax).
      const above = l.filter((v, j) => v > l[c]! || (v === l[c]! && j < c)).length;
      return above < options.denoiseTopK;
    });
    const r = inTopK.filter(Boolean).length;
    const order = hard.map((c, i) => ({ i, loss: -logP[i]![c]! })).sort((a, b2) => a.loss - b2.loss || a.i - b2.i);
    keep.fill(0);
    for (const { i } of order.slice(0, r)) keep[i] = 1;
  }
  return { teacher, target, keep };
}

function argmax(row: number[]): number {
  let best = 0;
  for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
  return best;
}

/**
 * Co-supervision by several specialised weak teachers (Y. Liu & A. Alahi, "Co-Supervised Learning:
 * Improving Weak-to-Strong Generalization with Hierarchical Mixture of Experts", arXiv 2402.15505;
 * the authors' code github.com/YuejiangLIU/csl, vision/multi_weak_strong_csl.py). `targets` hold
 * every teacher's label of each example, [B, M·K] (teacher m in columns m·K … m·K + K − 1). With
 * the assignment of {@link cosuperviseAssignment} (target t_i, kept mask κ_i, r = Σ κ_i):
 *   loss = (1 / max(1, r)) Σ_i κ_i · CE(z_i, t_i),
 * t and κ constants, so ∂loss/∂z_i = κ_i (p_i − t_i) / max(1, r) — the mean over kept examples,
 * as the authors train on the kept subset only.
 */
export function cosupervise(logits: tf.Tensor2D, targets: tf.Tensor2D, stepFrac: number, options: CosuperviseOptionsInput = {}): tf.Scalar {
  const parsed = parseOptions(CosuperviseOptionsSchema, options, DEFAULT_WHERE);
  return cosuperviseParsed(logits, targets, stepFrac, parsed, DEFAULT_WHERE);
}

/** cosupervise with options already parsed (used by the registry). */
export function cosuperviseParsed(logits: tf.Tensor2D, targets: tf.Tensor2D, stepFrac: number, options: CosuperviseOptions, where: string): tf.Scalar {
  const teachers = checkCosuperviseInputs(logits, targets, stepFrac, where);
  // Read off the values only: the assignment's ops never reach the returned loss, so no gradient flows through them.
  const { target, keep } = assign(logits, targets, stepFrac, options, teachers);
  return tf.tidy(() => {
    const kept = keep.reduce((s, v) => s + v, 0);
    const perExample = perExampleCrossEntropy(logits, tf.tensor2d(target, logits.shape));
    return tf.div(tf.sum(tf.mul(perExample, tf.tensor1d(keep))), Math.max(1, kept)) as tf.Scalar;
  });
}
