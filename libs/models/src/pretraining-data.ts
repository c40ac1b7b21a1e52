// Which pretraining data each task's backbones learn from. Never a task split: the digit
// pretraining split and the text corpora of @w2s/tasks are disjoint from every task by
// construction, and the families check it again (corpus.ts assertDisjoint).
import { UserError } from '@w2s/core';
import { digitPretrainSet, loadTask, TEXT_TASK_CORPORA, textPretrainCorpus, type Dataset } from '@w2s/tasks';
import type { TextCorpus, VectorCorpus } from './corpus.js';

/** The labelled digit pretraining split as a vector corpus (labels = digit identity). */
export function digitCorpus(): VectorCorpus {
  const set = digitPretrainSet();
  return { name: set.name, ids: set.ids, x: set.x, dim: set.dim, shape: set.shape, labels: set.labels, numClasses: set.numClasses };
}

/**
 * Pretraining data of the mlp and cnn families for `task`: the digit pretraining split for
 * images of its shape (28×28×1). Other vector tasks have no built-in pretraining data; a caller
 * can pass one (BackboneContext.pretrainCorpus), e.g. unlabelled vectors for the denoising recipe.
 */
export function vectorCorpusFor(task: Dataset): VectorCorpus {
  const digits = digitPretrainSet();
  const shape = task.examples.shape ?? [];
  if (task.modality === 'image' && shape.join('x') === digits.shape.join('x')) return digitCorpus();
  throw new UserError(
    `no pretraining data for task "${task.name}" (${task.modality}, shape ${shape.join('×') || '?'}): the mlp and cnn families pretrain on ` +
      `the ${digits.shape.join('×')} digit pretraining split; use the embedding family (a column of precomputed features) or a tfjs backbone, ` +
      'or pass a pretraining corpus',
    'model.family',
  );
}

/**
 * Unlabelled text for the text family: a built-in text task's in-domain corpus plus general prose
 * (TEXT_TASK_CORPORA), or for a user's text task every corpus minus the task's own texts.
 */
export function textCorpusFor(task: Dataset): TextCorpus {
  const builtin = TEXT_TASK_CORPORA[task.name] !== undefined && isBuiltinText(task);
  const texts = builtin ? textPretrainCorpus(task.name) : textPretrainCorpus(task);
  const name = builtin ? TEXT_TASK_CORPORA[task.name]!.join('+') : `all-corpora-minus-${task.name}`;
  return { name, ids: texts.map((_, i) => `${name}#${i}`), texts };
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
