// Intermediate-model bootstrapping (Burns et al. 2023, §4.3.1): instead of training the strong model
// directly on the weak model's labels, train a chain of models of growing size — the weak model's
// labels of transfer train the first link, its predictions on transfer train the next, and so on;
// the strong student learns from the last link's labels.
import { UserError, type ArtifactCache, type TrainConfig } from '@w2s/core';
import { makeLoss } from '@w2s/confidence-loss';
import { parseModelSpec, trainClassifier, type Backbone, type ModelSpec } from '@w2s/models';
import type { Dataset, Splits } from '@w2s/tasks';
import { z } from 'zod';
import { softLabelsOf, type WeakLabels } from './weak-teacher.js';

/** Sizes of the cell's ladder family, strictly between the weak and the strong size, growing. */
export const ChainConfigSchema = z.array(z.string().min(1)).min(1).max(8);
export type ChainConfig = z.infer<typeof ChainConfigSchema>;

/**
 * The chain's model specs (the weak model's family, mode and head at each size), checked against
 * the ladder `order` (smallest first): every size must come strictly after the previous one, the
 * first strictly after `weak`, the last strictly before `strong`. One UserError under `where`.
 */
export function chainSpecs(chain: ChainConfig, weak: ModelSpec, strong: ModelSpec, order: readonly string[], where = 'weak.chain'): ModelSpec[] {
  if (weak.family !== strong.family) {
    throw new UserError(`a chain needs weak and strong models of one family (got ${weak.family} and ${strong.family})`, where);
  }
  const rank = (size: string) => order.indexOf(size);
  const known = `the ${weak.family} ladder order is ${order.join(', ') || '(none: set ladders.<modality>.order)'}`;
  for (const size of [weak.size, strong.size, ...chain]) {
    if (rank(size) < 0) throw new UserError(`size "${size}" is not in the ladder order (${known})`, where);
  }
  const sizes = [weak.size, ...chain, strong.size];
  for (let i = 1; i < sizes.length; i++) {
    if (!(rank(sizes[i]!) > rank(sizes[i - 1]!))) {
      throw new UserError(
        `chain sizes must grow strictly between the weak and the strong model: ${weak.size} → ${chain.join(' → ')} → ${strong.size} does not (${known})`,
        where,
      );
    }
  }
  return chain.map((size, i) => parseModelSpec({ ...weak, size, ...(weak.family === 'embedding' && { column: size }) }, `${where}[${i}]`));
}

export interface ChainLinkOptions {
  task: Dataset;
  splits: Splits;
  /** This link's model (a size of the chain). */
  spec: ModelSpec;
  backbone: Backbone;
  train: TrainConfig;
  seed: number;
  /** The previous link's soft labels of `transfer` (the weak model's for the first link). */
  targets: Float32Array;
  /** The method's transfer loss config (@w2s/confidence-loss): each link learns as the student does. */
  loss: unknown;
  cache?: ArtifactCache;
  onProgress?: (step: number, totalSteps: number, loss: number) => void;
}

/**
 * One link: the model trained on the previous link's labels of `transfer` (never on ground truth),
 * to the last step, then its soft labels of transfer (for the next link), val and test. Test labels
 * are read only to report the link's accuracy.
 */
export async function trainChainLink(opts: ChainLinkOptions): Promise<WeakLabels> {
  const { task, splits } = opts;
  const { classifier, curve } = await trainClassifier({
    backbone: opts.backbone,
    spec: opts.spec,
    task,
    indices: splits.transfer,
    targets: opts.targets,
    loss: makeLoss(opts.loss),
    train: opts.train,
    seed: opts.seed,
    cache: opts.cache,
    onProgress: opts.onProgress,
  });
  return softLabelsOf(classifier, task, splits, curve);
}
