import * as tf from '@tensorflow/tfjs';
import { Rng, UserError } from '@w2s/core';
import type { Dataset } from '@w2s/tasks';
import type { Backbone, BackboneContext } from '../backbone.js';
import { formatBudget, type PretrainBudget } from '../budget.js';
import { assertPretrainRows, vectorCorpusFingerprint, vectorCorpusPrefix, type VectorCorpus } from '../corpus.js';
import type { Family, LadderEntry } from '../family.js';
import { addDense, disposeParams, param, type Params } from '../init.js';
import { dense } from '../ops.js';
import { cachedPretrain, disposeOnError, pretrainDenoising, pretrainSupervised, progressReporter } from '../pretrain.js';
import { asVectorCorpus, vectorCorpusFor } from '../pretraining-data.js';
import type { ModelSpec } from '../spec.js';
import { applyNorm, fitNorm, gatherRows, taskMatrix, type InputNorm } from '../vectors.js';

/** An MLP size: hidden widths (the last one is the feature width) and its pretraining budget. */
export interface MlpSize {
  hidden: number[];
  budget: PretrainBudget;
}

/**
 * Capacity and pretraining grow together: xs is a narrow layer that sees a few hundred examples
 * once or twice, xl two wide layers that see the whole pretraining split many times.
 */
export const MLP_LADDER: Record<string, MlpSize> = {
  xs: { hidden: [16], budget: { examples: 300, epochs: 2, batchSize: 32, lr: 3e-3 } },
  s: { hidden: [32], budget: { examples: 1000, epochs: 4, batchSize: 32, lr: 3e-3 } },
  m: { hidden: [128], budget: { examples: 2000, epochs: 6, batchSize: 64, lr: 2e-3 } },
  l: { hidden: [256, 256], budget: { examples: 4000, epochs: 10, batchSize: 64, lr: 1e-3 } },
  xl: { hidden: [512, 512], budget: { examples: 4000, epochs: 16, batchSize: 64, lr: 1e-3 } },
};

/** The reference input of the ladder table: a 28×28 digit. */
const REFERENCE_DIM = 28 * 28;

function mlpParamCount(size: MlpSize, inDim: number): number {
  let n = 0;
  let width = inDim;
  for (const h of size.hidden) {
    n += width * h + h;
    width = h;
  }
  return n;
}

function initMlp(size: MlpSize, inDim: number, rng: Rng): Params {
  const params: Params = new Map();
  let width = inDim;
  size.hidden.forEach((h, i) => {
    addDense(params, rng.fork(`layer${i}`), `layer${i}`, width, h);
    width = h;
  });
  return params;
}

/** Forward pass on normalized inputs: ReLU layers; the last hidden layer is the feature vector. */
export function mlpForward(params: Params, layers: number, x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  for (let i = 0; i < layers; i++) h = tf.relu(dense(h, param(params, `layer${i}.w`), param(params, `layer${i}.b`)));
  return h;
}

function sizeOf(spec: Pick<ModelSpec, 'size'>): MlpSize {
  const size = MLP_LADDER[spec.size];
  if (!size) throw new UserError(`unknown mlp size "${spec.size}"; sizes: ${Object.keys(MLP_LADDER).join(', ')}`, 'model.size');
  return size;
}

/**
 * The pretrained MLP for `task`'s inputs, from `corpus` (exported for tests; getBackbone finds the
 * corpus itself). Supervised on corpus labels if it has them, else a denoising autoencoder.
 */
export async function loadMlp(
  spec: Pick<ModelSpec, 'family' | 'size' | 'pretrain'>,
  task: Dataset,
  corpus: VectorCorpus,
  ctx: BackboneContext,
  ladder: Record<string, MlpSize> = MLP_LADDER,
): Promise<Backbone> {
  const size = ladder[spec.size] ?? sizeOf(spec);
  const { dim } = taskMatrix(task, 'mlp');
  if (corpus.dim !== dim) {
    throw new UserError(`task "${task.name}" has ${dim} inputs but pretraining corpus "${corpus.name}" has ${corpus.dim}`, 'model');
  }
  assertPretrainRows(corpus, task, ctx.splits);
  const used = vectorCorpusPrefix(corpus, size.budget.examples);
  const perCoordinate = task.modality !== 'image';
  const label = `mlp-${spec.size}`;
  const untrained = spec.pretrain === 'none';
  const { key, params, meta, hit } = await cachedPretrain({
    cache: ctx.cache,
    keyConfig: { family: 'mlp', size: spec.size, arch: size, corpus: vectorCorpusFingerprint(used), seed: ctx.seed, ...(untrained && { pretrain: 'none' }) },
    train: async () => {
      const rng = new Rng(ctx.seed).fork(label);
      // Inputs are standardized with statistics of the pretraining rows only (never val/test rows).
      const norm = fitNorm(used.x, dim, perCoordinate);
      const params = initMlp(size, dim, rng.fork('init'));
      if (untrained) return { params, meta: { family: 'mlp', size: spec.size, corpus: used.name, examples: used.ids.length, norm, objective: 'none (random initial weights)' } };
      const inputs = (rows: Int32Array) => applyNorm(gatherRows(used.x, dim, rows), dim, norm);
      const encodeInput = (p: Params, x: tf.Tensor2D) => mlpForward(p, size.hidden.length, x);
      const common = {
        params,
        featureDim: size.hidden.at(-1)!,
        numExamples: used.ids.length,
        budget: size.budget,
        rng,
        onProgress: progressReporter(label, ctx.onProgress),
      };
      const losses = await disposeOnError(params, () =>
        used.labels && used.numClasses
          ? pretrainSupervised({
              ...common,
              numClasses: used.numClasses,
              labels: used.labels,
              encode: (p, rows) => encodeInput(p, tf.tensor2d(inputs(rows), [rows.length, dim])),
            })
          : pretrainDenoising({ ...common, dim, inputs, encodeInput }),
      );
      return { params, meta: { family: 'mlp', size: spec.size, corpus: used.name, examples: used.ids.length, norm, ...losses, objective: used.labels ? 'supervised' : 'denoising' } };
    },
  });
  return vectorBackbone({ key, spec, params, meta, featureDim: size.hidden.at(-1)!, pretrainedNow: !hit, family: 'mlp', inputDim: dim,
    forward: (p, rows, n) => mlpForward(p, size.hidden.length, tf.tensor2d(rows, [n, dim])) });
}

/** A backbone over a task's numeric inputs: gather rows, normalize in JS, run `forward`. */
export function vectorBackbone(opts: {
  key: string;
  spec: Pick<ModelSpec, 'family' | 'size'>;
  family: string;
  params: Params;
  /** Pretraining meta; holds the input normalization `norm`. */
  meta: Record<string, unknown>;
  featureDim: number;
  pretrainedNow: boolean;
  /** Features of normalized input rows (n × dim, JS). */
  forward: (params: Params, rows: Float32Array, n: number) => tf.Tensor2D;
  /** Width of an input row. */
  inputDim: number;
}): Backbone {
  const norm = opts.meta.norm as InputNorm;
  const encode = (p: Params, task: Dataset, indices: Int32Array) => {
    const { x, dim } = taskMatrix(task, opts.family);
    const rows = applyNorm(gatherRows(x, dim, indices), dim, norm);
    return tf.tidy(() => opts.forward(p, rows, indices.length));
  };
  return {
    key: opts.key,
    spec: { family: opts.spec.family, size: opts.spec.size },
    featureDim: opts.featureDim,
    params: opts.params,
    finetunable: true,
    pretrainedNow: opts.pretrainedNow,
    pretraining: opts.meta,
    vectorInput: { dim: opts.inputDim, forward: opts.forward, normalize: (rows) => applyNorm(rows, opts.inputDim, norm) },
    encode,
    features: (task, indices) => encode(opts.params, task, indices),
    dispose: () => disposeParams(opts.params),
  };
}

export const mlpFamily: Family = {
  name: 'mlp',
  description: 'multilayer perceptron on numeric inputs (images flattened); pretrained on the pretraining split labels (digit identity), or as a denoising autoencoder when it has none',
  modalities: ['image', 'vector'],
  sizes: Object.keys(MLP_LADDER),
  reference: 'a 28×28 digit, 784 inputs',
  ladder: (inputDim = REFERENCE_DIM): LadderEntry[] =>
    Object.entries(MLP_LADDER).map(([size, s]) => ({
      size,
      params: mlpParamCount(s, inputDim),
      pretrainBudget: formatBudget(s.budget),
      arch: `${inputDim}→${s.hidden.join('→')}`,
    })),
  load: async (spec, task, ctx) => loadMlp(spec, task, ctx.pretrainCorpus ? asVectorCorpus(ctx.pretrainCorpus) : vectorCorpusFor(task, ctx.splits, ctx.seed), ctx),
};

