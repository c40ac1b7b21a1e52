// The zero-shot judge: what the strong model knows from pretraining alone, mapped to the task.
import { Rng, UserError } from '@w2s/core';
import type { FeatureUnits } from '@w2s/debate';
import type { Backbone, Classifier } from '@w2s/models';
import { DIGIT_CONCEPTS, digitPretrainSet, loadTask, type Dataset } from '@w2s/tasks';
import { oneHotRows } from '../labels.js';
import type { WeakLabelsContext } from './context.js';
import { trainProbe } from './judges.js';
import { maskedCopies } from './masked-copies.js';

/**
 * The task's label as a function of the pretraining labels (digit identity), when the task is
 * one of the built-in digit tasks; undefined otherwise (a user's file is never assumed to be one,
 * even under the same name: the built-in task object is compared).
 */
export function pretrainingConceptOf(task: Dataset): ((digit: number) => 0 | 1) | undefined {
  const concept = DIGIT_CONCEPTS[task.name];
  return concept && loadTask(task.name) === task ? concept.label : undefined;
}

/** Refuses `judge: zero-shot` for a task that is not a function of the pretraining labels. */
export function checkZeroShotFor(task: Dataset, where: string): void {
  if (pretrainingConceptOf(task)) return;
  throw new UserError(
    `judge "zero-shot" maps the pretraining labels (digit identity) through the task's function, so it needs a task defined from them (${Object.keys(DIGIT_CONCEPTS).join(', ')}); task "${task.name}" is not: use judge "elicited"`,
    `${where}.debate.debater.judge`,
  );
}

/**
 * Binary probability rows [n × 2] from digit probability rows [n × K]: P(class 1) is the total
 * probability of the digits `label` maps to 1, summed in double precision and clamped to [0, 1]
 * (ten float32 probabilities can add up to 1.0000001), and P(class 0) = 1 − P(class 1).
 */
export function taskProbs(digitProbs: Float32Array, K: number, label: (digit: number) => 0 | 1): Float32Array {
  const m = digitProbs.length / K;
  const out = new Float32Array(2 * m);
  for (let i = 0; i < m; i++) {
    let p1 = 0;
    for (let digit = 0; digit < K; digit++) if (label(digit) === 1) p1 += digitProbs[i * K + digit]!;
    p1 = Math.min(1, Math.max(0, p1));
    out[2 * i + 1] = p1;
    out[2 * i] = 1 - p1;
  }
  return out;
}

/**
 * One judge, no task labels at all: a 10-way head on the strong backbone trained on the
 * pretraining split's digit identities (the concept pretraining taught; the pretraining head itself
 * is not kept by @w2s/models, so it is re-fitted as a probe on the same data the backbone saw),
 * with masked copies as for the other judges. Its probability of class 1 is the total probability
 * of the digits the task's function maps to 1 — the analog of prompting a pretrained model with the
 * question. As many pretraining images as weak-train examples (seeded draw), so it learns from as
 * many inputs as the `gt` judges together.
 */
export async function zeroShotJudge(ctx: WeakLabelsContext, units: FeatureUnits, strongBackbone: () => Promise<Backbone>) {
  const label = pretrainingConceptOf(ctx.task);
  if (!label) checkZeroShotFor(ctx.task, ctx.where ?? 'methods[]');
  const pretrain = digitPretrainSet();
  const rng = new Rng(ctx.seed).fork('zero-shot-judge');
  const n = Math.min(ctx.splits['weak-train'].length, pretrain.labels.length);
  const rows = Int32Array.from(rng.fork('rows').permutation(pretrain.labels.length).slice(0, n)).sort();
  const d = pretrain.dim;
  const full = new Float32Array(n * d);
  rows.forEach((row, r) => full.set(pretrain.x.subarray(row * d, (row + 1) * d), r * d));
  const K = pretrain.numClasses;
  const train = maskedCopies(full, oneHotRows(pretrain.labels, rows, K), K, units, rng.fork('copies'));
  const identityTask = (x: Float32Array): Dataset => ({
    name: `${pretrain.name}/zero-shot`,
    modality: 'image',
    numClasses: K,
    classNames: pretrain.classNames,
    examples: { ids: Array.from({ length: x.length / d }, (_, i) => `${pretrain.name}/${i}`), labels: new Int32Array(x.length / d), x, dim: d, shape: pretrain.shape },
  });
  const identity = await trainProbe(await strongBackbone(), ctx.strong, identityTask(train.x), train.targets, ctx.strongTrain, ctx.seed);
  const toTask = (digitProbs: Float32Array) => taskProbs(digitProbs, K, label!);
  // The task's two classes from the identity head: what the debaters consult.
  const judge: Classifier = { spec: identity.spec, numClasses: 2, predict: (task, indices) => toTask(identity.predict(task, indices)), dispose: () => identity.dispose() };
  return {
    judgeOf: (_r: number) => 0,
    predictors: <A extends unknown[]>(predict: (judge: Classifier, ...args: A) => Float32Array) => [(...args: A) => predict(judge, ...args)],
    dispose: () => judge.dispose(),
  };
}
