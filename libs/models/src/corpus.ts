import { UserError } from '@w2s/core';
import type { Dataset } from '@w2s/tasks';
import { memoHash } from './fingerprint.js';

/**
 * Pretraining data of the vector/image families. With `labels` (e.g. digit identity) pretraining
 * is supervised on them; without, it is self-supervised (denoising autoencoder). Either way these
 * rows are disjoint from every task split: they come from @w2s/tasks' pretraining sets, never
 * from a task's examples.
 */
export interface VectorCorpus {
  name: string;
  ids: string[];
  /** Row-major n × dim. */
  x: Float32Array;
  dim: number;
  /** Shape of one row, e.g. [28, 28, 1]. */
  shape: number[];
  labels?: Int32Array;
  numClasses?: number;
  /**
   * Set when the rows are the task's own inputs of these splits, labels removed (a numeric task
   * with no pretraining data of its own): checked against the cell's splits instead of being
   * disjoint from the task (assertPretrainRows).
   */
  fromTaskSplits?: readonly ('weak-train' | 'transfer')[];
}

/** Unlabelled documents for the text family's tokenizer and self-supervised pretraining. */
export interface TextCorpus {
  name: string;
  /** Ids of the documents (checked against task ids: pretraining never sees a task example). */
  ids: string[];
  texts: string[];
}

export function vectorCorpusFingerprint(c: VectorCorpus): string {
  return memoHash(c, () => [c.name, c.ids, c.x, c.dim, c.shape.join('x'), c.labels, c.numClasses]);
}

export function textCorpusFingerprint(c: TextCorpus): string {
  return memoHash(c, () => [c.name, c.ids, c.texts]);
}

/** The first `n` rows of a corpus (a size's pretraining budget), as a new corpus. */
export function vectorCorpusPrefix(c: VectorCorpus, n: number): VectorCorpus {
  const rows = Math.min(n, c.ids.length);
  return {
    name: c.name,
    ids: c.ids.slice(0, rows),
    x: c.x.subarray(0, rows * c.dim),
    dim: c.dim,
    shape: c.shape,
    labels: c.labels?.subarray(0, rows),
    numClasses: c.numClasses,
    ...(c.fromTaskSplits && { fromTaskSplits: c.fromTaskSplits }),
  };
}

/**
 * Refuses a corpus that shares an example id with the task: pretraining must never see any
 * example of a task's weak-train, transfer, val or test split (all splits index task.examples).
 */
export function assertDisjoint(corpusIds: readonly string[], task: Dataset, corpusName: string): void {
  const taskIds = new Set(task.examples.ids);
  for (const id of corpusIds) {
    if (taskIds.has(id)) {
      throw new UserError(`pretraining corpus "${corpusName}" contains example "${id}" of task "${task.name}"; pretraining must not see task examples`, 'pretraining');
    }
  }
}

/**
 * Checks what a vector corpus may hold: rows of no task split at all, or (fromTaskSplits) only
 * inputs of the cell's weak-train and transfer splits, never a val or test row.
 */
export function assertPretrainRows(corpus: VectorCorpus, task: Dataset, splits: Partial<Record<string, Int32Array>> | undefined): void {
  if (!corpus.fromTaskSplits) return assertDisjoint(corpus.ids, task, corpus.name);
  const allowed = new Set<string>();
  for (const split of corpus.fromTaskSplits) for (const row of splits?.[split] ?? []) allowed.add(task.examples.ids[row]!);
  for (const id of corpus.ids) {
    if (!allowed.has(id)) {
      throw new UserError(`pretraining corpus "${corpus.name}" holds example "${id}", which is not in ${corpus.fromTaskSplits.join(' or ')} of this cell`, 'pretraining');
    }
  }
}

/** Text version of assertDisjoint: no corpus document may equal a text of the task. */
export function assertTextDisjoint(corpus: TextCorpus, task: Dataset): void {
  const taskTexts = new Set(task.examples.text ?? []);
  corpus.texts.forEach((t, i) => {
    if (taskTexts.has(t)) {
      throw new UserError(`pretraining corpus "${corpus.name}" document ${i} is an example of task "${task.name}"; pretraining must not see task examples`, 'pretraining');
    }
  });
}
