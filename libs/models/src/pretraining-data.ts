// Which pretraining data each task's backbones learn from. Never a val or test row: the digit
// pretraining split, the text corpora of @w2s/tasks and a file task's unlabeled: rows are disjoint
// from every task by construction; a numeric task without its own pretraining data uses its
// weak-train and transfer inputs without labels. The families check it again (corpus.ts).
import { Rng, UserError } from '@w2s/core';
import { digitPretrainSet, loadTask, TEXT_TASK_CORPORA, textPretrainCorpus, type Dataset, type Splits } from '@w2s/tasks';
import type { TextCorpus, VectorCorpus } from './corpus.js';
import type { ModelSpec } from './spec.js';

/** The labelled digit pretraining split as a vector corpus (labels = digit identity). */
export function digitCorpus(): VectorCorpus {
  const set = digitPretrainSet();
  return { name: set.name, ids: set.ids, x: set.x, dim: set.dim, shape: set.shape, labels: set.labels, numClasses: set.numClasses };
}

/** The splits a numeric task without pretraining data of its own pretrains on (labels removed). */
const TASK_PRETRAIN_SPLITS = ['weak-train', 'transfer'] as const;

/**
 * Pretraining data of the mlp and cnn families for `task`, in this order:
 * - 28×28 images: the labelled digit pretraining split (disjoint from every task);
 * - a file task's `unlabeled:` rows;
 * - else the task's own inputs of the cell's weak-train and transfer splits with labels removed
 *   (never val or test rows), shuffled by `seed`. They differ per cell seed, so such a backbone is
 *   pretrained once per seed.
 */
export function vectorCorpusFor(task: Dataset, splits?: Partial<Splits>, seed = 0): VectorCorpus {
  if (isDigitImage(task)) return digitCorpus();
  if (task.unlabeled) {
    const { name, ids, x, dim } = task.unlabeled;
    return { name: `unlabeled:${name}`, ids, x, dim, shape: [dim] };
  }
  if (task.modality === 'vector' && task.examples.x && splits?.['weak-train'] && splits.transfer) return taskInputsCorpus(task, splits, seed);
  throw new UserError(noVectorCorpusMessage(task), 'model.family');
}

/** Whether the mlp and cnn families find pretraining data for `task` (given a cell's splits). */
export function hasVectorCorpus(task: Dataset): boolean {
  return isDigitImage(task) || task.unlabeled !== undefined || (task.modality === 'vector' && task.examples.x !== undefined);
}

export function noVectorCorpusMessage(task: Dataset): string {
  const shape = task.examples.shape ?? [];
  return (
    `no pretraining data for task "${task.name}" (${task.modality}, shape ${shape.join('×') || '?'}): the mlp and cnn families pretrain on ` +
    `the ${digitPretrainSet().shape.join('×')} digit pretraining split, a file task's unlabeled: rows, or a numeric task's own weak-train and transfer inputs; ` +
    'use the embedding family (a column of precomputed features) or a tfjs backbone'
  );
}

function isDigitImage(task: Dataset): boolean {
  return task.modality === 'image' && (task.examples.shape ?? []).join('x') === digitPretrainSet().shape.join('x');
}

/** Whether the vector corpus of `task` depends on the cell's splits (then backbones differ per seed). */
export function pretrainsOnTaskInputs(task: Dataset): boolean {
  return !isDigitImage(task) && !task.unlabeled && task.modality === 'vector';
}

/**
 * What the backbone of `spec` pretrains on for `task`, in words (a results column): the same
 * choice as the families make, without loading anything.
 */
export function pretrainingDataOf(spec: Pick<ModelSpec, 'family' | 'pretrain'>, task: Dataset): string {
  if (spec.family === 'embedding') return 'none (precomputed embedding column)';
  if (spec.family === 'tfjs') return "none (the user's pretrained model)";
  if (spec.pretrain === 'none') return 'none (random initial weights)';
  if (spec.family === 'text') return `unlabelled text: ${textCorpusName(task)}`;
  if (pretrainsOnTaskInputs(task)) return `the task's own ${TASK_PRETRAIN_SPLITS.join(' + ')} inputs, labels removed (per seed)`;
  if (task.unlabeled) return `unlabeled rows: ${task.unlabeled.name}`;
  return `labelled pretraining split: ${digitPretrainSet().name}`;
}

/**
 * What the backbone of `spec` for `task` is pretrained from, as cache-key material, without
 * loading the corpus (the runner makes pretraining a stage of its DAG with it). `undefined` when
 * there is nothing to pretrain: an embedding column, a user's tfjs model, `pretrain: none`.
 * `fromTask`: the corpus is made of the task's own rows (its content is in the task's key);
 * `perSeed`: of the cell's weak-train and transfer inputs, so there is one backbone per split seed.
 */
export function pretrainSource(spec: Pick<ModelSpec, 'family' | 'pretrain'>, task: Dataset): { corpus: string; fromTask: boolean; perSeed: boolean } | undefined {
  if (spec.family === 'embedding' || spec.family === 'tfjs' || spec.pretrain === 'none') return undefined;
  if (spec.family === 'text') return { corpus: textCorpusName(task), fromTask: !hasBuiltinCorpus(task), perSeed: false };
  if (isDigitImage(task)) return { corpus: digitPretrainSet().name, fromTask: false, perSeed: false };
  if (task.unlabeled) return { corpus: `unlabeled:${task.unlabeled.name}`, fromTask: true, perSeed: false };
  return { corpus: `${task.name}/inputs-of-${TASK_PRETRAIN_SPLITS.join('+')}`, fromTask: true, perSeed: true };
}

/** The task's inputs of weak-train ∪ transfer, labels removed, in a seeded order (budgets take a prefix). */
function taskInputsCorpus(task: Dataset, splits: Partial<Splits>, seed: number): VectorCorpus {
  const rows = new Rng(seed).fork(`pretrain-rows/${task.name}`).shuffle(TASK_PRETRAIN_SPLITS.flatMap((name) => Array.from(splits[name]!)));
  const dim = task.examples.dim!;
  const x = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => x.set(task.examples.x!.subarray(row * dim, (row + 1) * dim), i * dim));
  return {
    name: `${task.name}/inputs-of-${TASK_PRETRAIN_SPLITS.join('+')}`,
    ids: rows.map((row) => task.examples.ids[row]!),
    x,
    dim,
    shape: [dim],
    fromTaskSplits: TASK_PRETRAIN_SPLITS,
  };
}

/**
 * Unlabelled text for the text family: a built-in text task's in-domain corpus plus general prose
 * (TEXT_TASK_CORPORA), or for a user's text task every corpus minus the task's own texts.
 */
export function textCorpusFor(task: Dataset): TextCorpus {
  const texts = hasBuiltinCorpus(task) ? textPretrainCorpus(task.name) : textPretrainCorpus(task);
  const name = textCorpusName(task);
  return { name, ids: texts.map((_, i) => `${name}#${i}`), texts };
}

/** The name of textCorpusFor(task), without building the corpus. */
function textCorpusName(task: Dataset): string {
  return hasBuiltinCorpus(task) ? TEXT_TASK_CORPORA[task.name]!.join('+') : `all-corpora-minus-${task.name}`;
}

function hasBuiltinCorpus(task: Dataset): boolean {
  return TEXT_TASK_CORPORA[task.name] !== undefined && isBuiltinText(task);
}

/** A user's file task may be called "spam" too; only the built-in one (the same object) gets the in-domain corpus. */
function isBuiltinText(task: Dataset): boolean {
  try {
    return loadTask(task.name) === task;
  } catch {
    return false;
  }
}

export function asVectorCorpus(c: VectorCorpus | TextCorpus): VectorCorpus {
  if (!('x' in c)) throw new UserError(`pretraining corpus "${c.name}" is text; this family needs numeric rows`, 'pretrainCorpus');
  return c;
}

export function asTextCorpus(c: VectorCorpus | TextCorpus): TextCorpus {
  if (!('texts' in c)) throw new UserError(`pretraining corpus "${c.name}" has numeric rows; the text family needs texts`, 'pretrainCorpus');
  return c;
}
