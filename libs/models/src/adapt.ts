// Strong-model adaptation on the task's unlabelled inputs (Burns et al. 2023 §5.2.2, "generative
// finetuning"): before the strong model learns from weak labels, its self-supervised training
// continues on the inputs of the examples it may see without labels (the runner passes weak-train
// and transfer, never val or test): denoising for mlp and cnn, CBOW or masked tokens for text.
import { createHash } from 'node:crypto';
import { Rng, UserError, type ArtifactCache } from '@w2s/core';
import type { Dataset, Splits } from '@w2s/tasks';
import { z } from 'zod';
import type { Backbone } from './backbone.js';
import { vectorBackbone } from './families/mlp.js';
import { adaptText, textObjective } from './families/text.js';
import { cloneParams } from './init.js';
import { cachedPretrain, disposeOnError, pretrainDenoising, progressReporter } from './pretrain.js';
import type { ModelSpec } from './spec.js';
import { gatherRows, taskMatrix } from './vectors.js';

export const AdaptConfigSchema = z.strictObject({
  /** Passes of denoising over the unlabelled inputs. */
  epochs: z.int().min(1).max(100),
  batchSize: z.int().min(1).default(64),
  lr: z.number().positive().default(1e-3),
});
export type AdaptConfig = z.infer<typeof AdaptConfigSchema>;

/** The examples adaptation may read the inputs of: weak-train and transfer (sorted), never val or test. */
export function adaptationIndices(splits: Pick<Splits, 'weak-train' | 'transfer'>): Int32Array {
  return Int32Array.from(new Set([...splits['weak-train'], ...splits.transfer])).sort();
}

/** Families whose own unlabelled recipe can continue here, and what it is. */
const RECIPES: Record<string, string> = {
  mlp: 'denoising',
  cnn: 'denoising',
  text: 'CBOW for bag sizes, masked tokens for transformer sizes',
};

/** Refuses a model adaptation cannot continue (one UserError at `where`; `plan` calls it). */
export function checkAdaptFor(spec: Pick<ModelSpec, 'family'>, where = 'adapt'): void {
  if (!Object.hasOwn(RECIPES, spec.family)) {
    const known = Object.entries(RECIPES).map(([family, recipe]) => `${family}: ${recipe}`).join('; ');
    throw new UserError(`adaptation continues a family's own self-supervised recipe (${known}); the ${spec.family} family has none`, where);
  }
}

/** The self-supervised objective adaptation continues for a model (for reports): `denoising`, `cbow` or `masked-token`. */
export function adaptationObjective(spec: Pick<ModelSpec, 'family' | 'size'>): string {
  return spec.family === 'text' ? (textObjective(spec.size) ?? 'text') : 'denoising';
}

/**
 * A copy of `backbone` whose self-supervised training continued on the inputs of `indices` of
 * `task` (their labels are never read). Text: the family's own objective (families/text.ts,
 * `adaptText`). mlp and cnn: a denoising autoencoder (pretrainDenoising: inputs
 * corrupted, a temporary decoder reconstructs them) for `epochs` passes, starting from the
 * pretrained weights, with the backbone's own input normalization. Cached in `cache` under the
 * backbone's key, the inputs' content, the config and the seed. The caller owns the result (and
 * still owns `backbone`).
 */
export async function adaptBackbone(
  backbone: Backbone,
  task: Dataset,
  indices: Int32Array,
  config: AdaptConfig,
  ctx: { cache: ArtifactCache; seed: number; onProgress?: (msg: string, frac: number) => void },
): Promise<Backbone> {
  checkAdaptFor(backbone.spec);
  if (backbone.spec.family === 'text') return adaptText(backbone, task, indices, config, ctx);
  const input = backbone.vectorInput;
  if (!input) throw new Error(`adaptBackbone: the ${backbone.spec.family} backbone exposes no vector input`);
  const { x, dim } = taskMatrix(task, backbone.spec.family);
  const raw = gatherRows(x, dim, indices);
  const label = `adapt ${backbone.spec.family}-${backbone.spec.size}`;
  const { key, params, meta, hit } = await cachedPretrain({
    cache: ctx.cache,
    keyConfig: { adaptOf: backbone.key, inputs: createHash('sha256').update(new Uint8Array(raw.buffer)).digest('hex'), config, seed: ctx.seed },
    train: async () => {
      const params = cloneParams(backbone.params);
      const rng = new Rng(ctx.seed).fork(label);
      const losses = await disposeOnError(params, () =>
        pretrainDenoising({
          params,
          featureDim: backbone.featureDim,
          dim,
          numExamples: indices.length,
          inputs: (rows) => input.normalize(gatherRows(raw, dim, rows)),
          encodeInput: (p, noisy) => input.forward(p, noisy.dataSync() as Float32Array, noisy.shape[0]),
          budget: { examples: indices.length, epochs: config.epochs, batchSize: config.batchSize, lr: config.lr },
          rng,
          onProgress: progressReporter(label, ctx.onProgress),
        }),
      );
      return { params, meta: { ...backbone.pretraining, adapted: { examples: indices.length, ...config, ...losses } } };
    },
  });
  return vectorBackbone({ key, spec: backbone.spec, family: backbone.spec.family, params, meta, featureDim: backbone.featureDim, pretrainedNow: !hit, inputDim: dim, forward: input.forward });
}
