import { UserError, type ArtifactCache, type CurvePoint, type EarlyStopping, type TrainConfig } from '@w2s/core';
import { makeLoss } from '@w2s/confidence-loss';
import { accuracy, agreement } from '@w2s/metrics';
import { trainClassifier, type Backbone, type ModelSpec } from '@w2s/models';
import { labelsOf, oneHotRows, type Dataset, type Splits } from '@w2s/tasks';
import { z } from 'zod';

/**
 * Checkpoint selection during student training:
 * - `none`: the last checkpoint;
 * - `weak-val`: the checkpoint that agrees most with the weak labels on `val` (no ground truth);
 * - `gt-val`: the checkpoint with the best ground-truth accuracy on `val` — an oracle, allowed,
 *   but every result row it produces is flagged `uses_gt_for_selection`.
 */
export const EarlyStoppingModeSchema = z.enum(['none', 'weak-val', 'gt-val']);
export type EarlyStoppingMode = z.infer<typeof EarlyStoppingModeSchema>;

export interface StudentOptions {
  task: Dataset;
  splits: Splits;
  spec: ModelSpec;
  backbone: Backbone;
  train: TrainConfig;
  seed: number;
  /** Probability rows [n_transfer × K] the student learns from. */
  targets: Float32Array;
  /** A loss config of @w2s/confidence-loss, e.g. { name: 'logconf', auxCoef: 0.75 }. */
  loss: unknown;
  /**
   * Co-supervision: each specialised weak teacher's probability rows of `transfer` [n × K]. The loss
   * then receives every teacher's row of each example side by side, [B, M·K], and picks per example
   * (loss `cosupervise`); `targets` stay the weak labels the curve's agreement and `weak-val` read.
   */
  teacherTargets?: Float32Array[];
  earlyStopping?: EarlyStoppingMode;
  /** The weak labels of `val` (needed by `weak-val`). */
  weakVal?: Float32Array;
  /** Evaluations per epoch (for checkpoint selection and the analysis curve). */
  evalsPerEpoch?: number;
  /**
   * Record, at each evaluation, test accuracy and agreement with the weak labels of transfer in
   * the curve (default true). For analysis only: selection never reads them.
   */
  recordCurve?: boolean;
  cache?: ArtifactCache;
  onProgress?: (step: number, totalSteps: number, loss: number) => void;
}

export interface StudentResult {
  /** Probability rows on `test` and on `transfer`. */
  test: Float32Array;
  transfer: Float32Array;
  testAcc: number;
  curve: CurvePoint[];
  usesGtForSelection: boolean;
  /** The optimizer step of the selected checkpoint (the last one under `none`). */
  selectedStep: number;
}

function selection(opts: StudentOptions): { earlyStopping?: EarlyStopping; metric?: (probs: Float32Array) => number } {
  const mode = opts.earlyStopping ?? 'none';
  if (mode === 'none') return {};
  const { task, splits } = opts;
  const k = task.numClasses;
  if (splits.val.length === 0) {
    throw new UserError(`early stopping "${mode}" needs a val split: set splits.nVal (or valFrac) > 0`, 'earlyStopping');
  }
  const earlyStopping: EarlyStopping = { metric: 'select', mode: 'max', restoreBest: true };
  if (mode === 'gt-val') {
    const valLabels = labelsOf(task.examples.labels, splits.val);
    return { earlyStopping, metric: (p) => accuracy({ values: p, numClasses: k }, valLabels) };
  }
  const weakVal = opts.weakVal;
  if (!weakVal || weakVal.length !== splits.val.length * k) {
    throw new UserError('early stopping "weak-val" needs the weak labels of the val split', 'earlyStopping');
  }
  return { earlyStopping, metric: (p) => agreement({ values: p, numClasses: k }, { values: weakVal, numClasses: k }) };
}

/** Curve metrics recorded at every evaluation, for analysis (Burns et al. 2023 §4.3.2: overfitting to weak labels). */
export interface CurveMetrics {
  /** Ground-truth accuracy on `test` of the model as trained so far. */
  test_acc: number;
  /** Argmax agreement with the weak labels on `transfer` (the examples it learns from); students only. */
  weak_agreement?: number;
  /**
   * With a val split, students only: ground-truth accuracy on val and argmax agreement with the
   * weak labels of val — what `gt-val` and `weak-val` would select by, recorded so that one run
   * shows where every selection rule would have stopped (the report's overfitting figure).
   */
  val_acc?: number;
  val_weak_agreement?: number;
}

/**
 * The analysis half of an evaluation. Test labels are read here only to be recorded; the selection
 * metric (`select`) is computed apart and is the only key the early-stopping tracker reads.
 */
function curveMetrics(opts: StudentOptions, weakTargets: boolean): ((predict: (idx: Int32Array) => Float32Array) => CurveMetrics) | undefined {
  if (opts.recordCurve === false) return undefined;
  const { task, splits } = opts;
  const k = task.numClasses;
  const testLabels = labelsOf(task.examples.labels, splits.test);
  const valLabels = weakTargets && splits.val.length > 0 ? labelsOf(task.examples.labels, splits.val) : undefined;
  const weakVal = opts.weakVal?.length === splits.val.length * k ? opts.weakVal : undefined;
  return (predict) => {
    const val = valLabels ? { values: predict(splits.val), numClasses: k } : undefined;
    return {
      test_acc: accuracy({ values: predict(splits.test), numClasses: k }, testLabels),
      ...(weakTargets && { weak_agreement: agreement({ values: predict(splits.transfer), numClasses: k }, { values: opts.targets, numClasses: k }) }),
      ...(val && { val_acc: accuracy(val, valLabels!) }),
      ...(val && weakVal && { val_weak_agreement: agreement(val, { values: weakVal, numClasses: k }) }),
    };
  };
}

/** M teachers' rows [n × K] each → one [n × M·K] array: row i holds teacher 0's row i, then teacher 1's, … */
export function sideBySide(teachers: readonly Float32Array[], n: number, k: number): Float32Array {
  const m = teachers.length;
  const out = new Float32Array(n * m * k);
  teachers.forEach((rows, t) => {
    if (rows.length !== n * k) throw new UserError(`teacher ${t} has ${rows.length} numbers, expected ${n} examples × ${k} classes`, 'teacherTargets');
    for (let i = 0; i < n; i++) out.set(rows.subarray(i * k, (i + 1) * k), (i * m + t) * k);
  });
  return out;
}

/** Trains the strong model on `targets` for the `transfer` split and evaluates it on `test`. */
export async function trainStudent(opts: StudentOptions): Promise<StudentResult> {
  return train(opts, true);
}

async function train(opts: StudentOptions, weakTargets: boolean): Promise<StudentResult> {
  const { task, splits } = opts;
  const k = task.numClasses;
  const { earlyStopping, metric } = selection(opts);
  const analysis = curveMetrics(opts, weakTargets);
  const batchesPerEpoch = Math.ceil(splits.transfer.length / opts.train.batchSize / opts.train.gradAccumSteps);
  const { classifier, curve } = await trainClassifier({
    backbone: opts.backbone,
    spec: opts.spec,
    task,
    indices: splits.transfer,
    ...(opts.teacherTargets ? { targets: sideBySide(opts.teacherTargets, splits.transfer.length, k), teachers: opts.teacherTargets.length } : { targets: opts.targets }),
    loss: makeLoss(opts.loss),
    train: opts.train,
    seed: opts.seed,
    cache: opts.cache,
    onProgress: opts.onProgress,
    ...((metric || analysis) && {
      ...(metric && { earlyStopping, evalIndices: splits.val }),
      alsoPredicted: analysis && weakTargets && splits.val.length > 0 ? [splits.test, splits.val] : [splits.test],
      evalEvery: Math.max(1, Math.floor(batchesPerEpoch / (opts.evalsPerEpoch ?? 1))),
      onEval: (ctx) => ({
        ...(metric && { select: metric(ctx.evalProbs!) }),
        ...analysis?.(ctx.predict),
      }),
    }),
  });
  try {
    const test = classifier.predict(task, splits.test);
    const selected = curve.filter((p) => p.metrics?.select !== undefined);
    const best = selected.reduce<(typeof selected)[number] | undefined>(
      (b, p) => (b === undefined || p.metrics!.select! > b.metrics!.select! ? p : b),
      undefined,
    );
    return {
      test,
      transfer: classifier.predict(task, splits.transfer),
      testAcc: accuracy({ values: test, numClasses: k }, labelsOf(task.examples.labels, splits.test)),
      curve,
      usesGtForSelection: opts.earlyStopping === 'gt-val',
      selectedStep: best?.step ?? curve.at(-1)?.step ?? 0,
    };
  } finally {
    classifier.dispose();
  }
}

/**
 * The ceiling: the strong model trained on the GROUND TRUTH of `transfer` — the same examples
 * the student sees, so ceiling and student differ only in where the labels came from. (The two
 * public reference scripts differ here: one trains the ceiling on the weak model's training
 * half, the other on the transfer half; we use the transfer half.)
 */
export async function trainCeiling(opts: Omit<StudentOptions, 'targets' | 'loss' | 'weakVal'>): Promise<StudentResult> {
  const { task, splits } = opts;
  const targets = oneHotRows(task.examples.labels, splits.transfer, task.numClasses);
  return train({ ...opts, targets, loss: { name: 'xent' } }, false);
}
