// The debaters' beliefs: probes of the strong backbone. Where their training targets come from is
// the `judge` setting (see judgeFolds); cross-fitting makes sure no example is argued by a judge
// trained on that example's target.
import { Rng, type TrainConfig } from '@w2s/core';
import { makeLoss } from '@w2s/confidence-loss';
import type { EvidenceJudge, JudgeKind } from '@w2s/debate';
import { trainClassifier, type Backbone, type Classifier, type ModelSpec } from '@w2s/models';
import type { Dataset } from '@w2s/tasks';
import { oneHotRows } from '../labels.js';
import { trainWeakTeacher } from '../weak-teacher.js';
import { allOf } from './columns.js';
import type { WeakLabelsContext } from './context.js';

/** Trains a probe of `backbone` on every example of `judgeTask`, on the probability rows `targets` (cross-entropy). */
export async function trainProbe(backbone: Backbone, spec: ModelSpec, judgeTask: Dataset, targets: Float32Array, train: TrainConfig, seed: number): Promise<Classifier> {
  const { classifier } = await trainClassifier({
    backbone,
    spec: { ...spec, mode: 'probe' },
    task: judgeTask,
    indices: allOf(judgeTask.examples.ids.length),
    targets,
    loss: makeLoss({ name: 'xent' }),
    train,
    seed,
  });
  return classifier;
}

/**
 * The examples the cross-fitted judges learn from, and their targets (probability rows):
 * - `gt`: weak-train with its ground truth (the strong side sees task labels: an ablation);
 * - `elicited`: transfer with the plain weak model's soft labels there (held-out predictions: the
 *   weak model never trained on transfer). No ground truth reaches the strong side except through
 *   the weak model, exactly as for the naive student.
 */
export async function judgeFolds(ctx: WeakLabelsContext, judge: Exclude<JudgeKind, 'zero-shot'>): Promise<{ pool: Int32Array; targetsOf: (examples: Int32Array) => Float32Array }> {
  const { task, splits } = ctx;
  const k = task.numClasses;
  if (judge === 'gt') return { pool: splits['weak-train'], targetsOf: (examples) => oneHotRows(task.examples.labels, examples, k) };
  const weak = await trainWeakTeacher({
    task,
    splits,
    spec: ctx.weak,
    backbone: await ctx.backboneOf(ctx.weak),
    train: ctx.weakTrainOf(ctx.weak),
    seed: ctx.seed,
    cache: ctx.cache,
  });
  const rowOf = new Map<number, number>();
  splits.transfer.forEach((i, r) => rowOf.set(i, r));
  const targetsOf = (examples: Int32Array) => {
    const out = new Float32Array(examples.length * k);
    examples.forEach((i, r) => out.set(weak.transfer.subarray(rowOf.get(i)! * k, (rowOf.get(i)! + 1) * k), r * k));
    return out;
  };
  return { pool: splits.transfer, targetsOf };
}

/** How a source trains one judge: on `examples` of the task with `targets` (rows [n × K]). */
export type TrainJudge = (examples: Int32Array, targets: Float32Array, rng: Rng) => Promise<Classifier>;

/**
 * The debaters' judges, cross-fitted: the pool of `judgeFolds` is shuffled into two folds and one
 * judge is trained on each. A pool example is debated under the judge that never saw its target,
 * any other example under the mean of both. Without this, pool transcripts would come from a
 * judge that knows their labels: cleaner than those of the other examples, so the weak model
 * would learn to trust transcripts more than it should (gt), or the debate would echo the weak
 * model's own label back on the examples the student learns from (elicited).
 */
export async function crossFittedJudges(ctx: WeakLabelsContext, indices: Int32Array, judge: Exclude<JudgeKind, 'zero-shot'>, train: TrainJudge) {
  const { pool, targetsOf } = await judgeFolds(ctx, judge);
  const rng = new Rng(ctx.seed).fork('debate-judge');
  const shuffled = rng.fork('folds').shuffle(Array.from(pool));
  const half = shuffled.length >> 1;
  const folds = [Int32Array.from(shuffled.slice(0, half)).sort(), Int32Array.from(shuffled.slice(half)).sort()];
  const foldOf = new Map<number, number>();
  folds.forEach((fold, k) => fold.forEach((i) => foldOf.set(i, k)));
  const judges: Classifier[] = [];
  try {
    for (const [k, fold] of folds.entries()) judges.push(await train(fold, targetsOf(fold), rng.fork(`fold-${k}`)));
  } catch (e) {
    for (const j of judges) j.dispose();
    throw e;
  }
  /** Which judge scores debated example r: 0 or 1 (the other fold's), or 2 (the mean of both). */
  const judgeOf = (r: number) => {
    const fold = foldOf.get(indices[r]!);
    return fold === undefined ? 2 : 1 - fold;
  };
  /** The three predictors (judge 0, judge 1, their mean) given how to predict with one judge. */
  const predictors = <A extends unknown[]>(predict: (judge: Classifier, ...args: A) => Float32Array) => [
    (...args: A) => predict(judges[0]!, ...args),
    (...args: A) => predict(judges[1]!, ...args),
    (...args: A) => {
      const a = predict(judges[0]!, ...args);
      const b = predict(judges[1]!, ...args);
      return a.map((v, i) => (v + b[i]!) / 2);
    },
  ];
  return { judgeOf, predictors, dispose: () => judges.forEach((j) => j.dispose()) };
}

/** An evidence judge that hands each example to judges[judgeOf(example)]. */
export function dispatchJudge(judges: EvidenceJudge[], judgeOf: (example: number) => number): EvidenceJudge {
  return {
    numFeatures: (example) => judges[judgeOf(example)]!.numFeatures(example),
    scoreReveals: (example, masks) => judges[judgeOf(example)]!.scoreReveals(example, masks),
  };
}
