// The debaters' beliefs: probes of the strong backbone, cross-fitted so that no example is
// argued by a judge trained on that example's label.
import { Rng, type TrainConfig } from '@w2s/core';
import { makeLoss } from '@w2s/confidence-loss';
import type { EvidenceJudge } from '@w2s/debate';
import { trainClassifier, type Backbone, type Classifier, type ModelSpec } from '@w2s/models';
import type { Dataset } from '@w2s/tasks';
import { oneHotRows } from '../labels.js';
import { allOf } from './columns.js';
import type { WeakLabelsContext } from './context.js';

/** Trains a probe of `backbone` on every example of `judgeTask` (cross-entropy on its labels). */
export async function trainProbe(backbone: Backbone, spec: ModelSpec, judgeTask: Dataset, train: TrainConfig, seed: number): Promise<Classifier> {
  const all = allOf(judgeTask.examples.labels.length);
  const { classifier } = await trainClassifier({
    backbone,
    spec: { ...spec, mode: 'probe' },
    task: judgeTask,
    indices: all,
    targets: oneHotRows(judgeTask.examples.labels, all, judgeTask.numClasses),
    loss: makeLoss({ name: 'xent' }),
    train,
    seed,
  });
  return classifier;
}

/**
 * The debaters' judges, cross-fitted: weak-train is shuffled into two folds and one judge is
 * trained on each (`train(fold, rng)`). A weak-train example is debated under the judge that never
 * saw its label, any other example under the mean of both. Without this, weak-train transcripts
 * would come from a judge that knows their labels: cleaner than those of transfer and test, so the
 * weak model would learn to trust transcripts more than it should.
 */
export async function crossFittedJudges(ctx: WeakLabelsContext, indices: Int32Array, train: (fold: Int32Array, rng: Rng) => Promise<Classifier>) {
  const rng = new Rng(ctx.seed).fork('debate-judge');
  const shuffled = rng.fork('folds').shuffle(Array.from(ctx.splits['weak-train']));
  const half = shuffled.length >> 1;
  const folds = [Int32Array.from(shuffled.slice(0, half)).sort(), Int32Array.from(shuffled.slice(half)).sort()];
  const foldOf = new Map<number, number>();
  folds.forEach((fold, k) => fold.forEach((i) => foldOf.set(i, k)));
  const judges: Classifier[] = [];
  try {
    for (const [k, fold] of folds.entries()) judges.push(await train(fold, rng.fork(`fold-${k}`)));
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
