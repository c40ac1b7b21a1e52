import * as tf from '@tensorflow/tfjs';
import { Rng, UserError } from '@w2s/core';
import type { Dataset } from '@w2s/tasks';
import type { Backbone, BackboneContext } from '../backbone.js';
import { formatBudget, type PretrainBudget } from '../budget.js';
import { assertDisjoint, vectorCorpusFingerprint, vectorCorpusPrefix, type VectorCorpus } from '../corpus.js';
import type { Family, LadderEntry } from '../family.js';
import { addDense, param, type Params } from '../init.js';
import { conv3x3, dense, im2col3x3, maxPool2 } from '../ops.js';
import { cachedPretrain, disposeOnError, pretrainSupervised, progressReporter } from '../pretrain.js';
import { asVectorCorpus, vectorCorpusFor } from '../pretraining-data.js';
import type { ModelSpec } from '../spec.js';
import { applyNorm, fitNorm, gatherRows, taskMatrix } from '../vectors.js';
import { vectorBackbone } from './mlp.js';

/**
 * A CNN size: one [3×3 conv → ReLU → 2×2 max-pool] block per entry of `channels`, then a dense
 * ReLU layer of width `hidden` (the features), and its pretraining budget.
 */
export interface CnnSize {
  channels: number[];
  hidden: number;
  budget: PretrainBudget;
}

export const CNN_LADDER: Record<string, CnnSize> = {
  xs: { channels: [4], hidden: 16, budget: { examples: 300, epochs: 2, batchSize: 32, lr: 3e-3 } },
  s: { channels: [8, 16], hidden: 32, budget: { examples: 1000, epochs: 4, batchSize: 32, lr: 3e-3 } },
  m: { channels: [8, 16], hidden: 64, budget: { examples: 2000, epochs: 6, batchSize: 64, lr: 2e-3 } },
  l: { channels: [16, 32], hidden: 128, budget: { examples: 4000, epochs: 8, batchSize: 64, lr: 1e-3 } },
  xl: { channels: [24, 48], hidden: 256, budget: { examples: 4000, epochs: 10, batchSize: 64, lr: 1e-3 } },
};

const REFERENCE_SHAPE = [28, 28, 1];

/** Parameter shapes for an input of `shape` [h, w, c]; also the source of the parameter count. */
function cnnShapes(size: CnnSize, shape: number[]): { name: string; inDim: number; outDim: number }[] {
  let [h, w, c] = shape as [number, number, number];
  const layers: { name: string; inDim: number; outDim: number }[] = [];
  size.channels.forEach((out, i) => {
    layers.push({ name: `conv${i}`, inDim: 9 * c, outDim: out });
    c = out;
    h = Math.floor(h / 2);
    w = Math.floor(w / 2);
  });
  if (h < 1 || w < 1) throw new UserError(`images of shape ${shape.join('×')} are too small for ${size.channels.length} pooling blocks`, 'model.size');
  layers.push({ name: 'fc', inDim: h * w * c, outDim: size.hidden });
  return layers;
}

/**
 * Features of n normalized images given as JS rows (HWC order). The first convolution reads
 * patches built in JS (im2col3x3: the input needs no gradient); later ones are conv3x3 on tensors.
 */
export function cnnForward(params: Params, size: CnnSize, shape: number[], rows: Float32Array, n: number): tf.Tensor2D {
  const [height, width, channels] = shape as [number, number, number];
  const patches = tf.tensor2d(im2col3x3(rows, n, height, width, channels), [n * height * width, 9 * channels]);
  const first = dense(patches, param(params, 'conv0.w'), param(params, 'conv0.b'));
  let h = maxPool2(tf.relu(tf.reshape(first, [n, height, width, size.channels[0]!])));
  for (let i = 1; i < size.channels.length; i++) {
    h = maxPool2(tf.relu(conv3x3(h, param(params, `conv${i}.w`), param(params, `conv${i}.b`))));
  }
  const flat = tf.reshape(h, [n, -1]) as tf.Tensor2D;
  return tf.relu(dense(flat, param(params, 'fc.w'), param(params, 'fc.b')));
}

function checkImageShape(shape: number[], task: Dataset): void {
  if (shape.length !== 3) {
    throw new UserError(`task "${task.name}" has inputs of shape [${shape.join(', ')}], not images [h, w, c]; use the mlp family`, 'model.family');
  }
}

export async function loadCnn(
  spec: Pick<ModelSpec, 'family' | 'size'>,
  task: Dataset,
  corpus: VectorCorpus,
  ctx: BackboneContext,
  ladder: Record<string, CnnSize> = CNN_LADDER,
): Promise<Backbone> {
  const size = ladder[spec.size];
  if (!size) throw new UserError(`unknown cnn size "${spec.size}"; sizes: ${Object.keys(ladder).join(', ')}`, 'model.size');
  const { dim, shape } = taskMatrix(task, 'cnn');
  checkImageShape(shape, task);
  if (corpus.shape.join('x') !== shape.join('x')) {
    throw new UserError(`task "${task.name}" has images ${shape.join('×')} but pretraining corpus "${corpus.name}" has ${corpus.shape.join('×')}`, 'model');
  }
  if (!corpus.labels || !corpus.numClasses) {
    throw new UserError(`the cnn family pretrains on labelled images; corpus "${corpus.name}" has no labels (use the mlp family)`, 'model.family');
  }
  assertDisjoint(corpus.ids, task, corpus.name);
  const used = vectorCorpusPrefix(corpus, size.budget.examples);
  const label = `cnn-${spec.size}`;
  const layers = cnnShapes(size, shape);
  const { key, params, meta, hit } = await cachedPretrain({
    cache: ctx.cache,
    keyConfig: { family: 'cnn', size: spec.size, arch: size, corpus: vectorCorpusFingerprint(used), seed: ctx.seed },
    train: async () => {
      const rng = new Rng(ctx.seed).fork(label);
      const norm = fitNorm(used.x, dim, false);
      const params: Params = new Map();
      for (const l of layers) addDense(params, rng.fork(`init-${l.name}`), l.name, l.inDim, l.outDim);
      const losses = await disposeOnError(params, () => pretrainSupervised({
        params,
        featureDim: size.hidden,
        numClasses: used.numClasses!,
        labels: used.labels!,
        numExamples: used.ids.length,
        encode: (p, rows) => cnnForward(p, size, shape, applyNorm(gatherRows(used.x, dim, rows), dim, norm), rows.length),
        budget: size.budget,
        rng,
        onProgress: progressReporter(label, ctx.onProgress),
      }));
      return { params, meta: { family: 'cnn', size: spec.size, corpus: used.name, examples: used.ids.length, norm, ...losses, objective: 'supervised' } };
    },
  });
  return vectorBackbone({
    key,
    spec,
    family: 'cnn',
    params,
    meta,
    featureDim: size.hidden,
    inputDim: dim,
    pretrainedNow: !hit,
    forward: (p, rows, n) => cnnForward(p, size, shape, rows, n),
  });
}

export const cnnFamily: Family = {
  name: 'cnn',
  description: 'small convolutional network for images (3×3 convs as patches × matrix); pretrained on the pretraining split labels (digit identity)',
  modalities: ['image'],
  sizes: Object.keys(CNN_LADDER),
  reference: 'a 28×28×1 digit',
  ladder: (): LadderEntry[] =>
    Object.entries(CNN_LADDER).map(([size, s]) => ({
      size,
      params: cnnShapes(s, REFERENCE_SHAPE).reduce((n, l) => n + l.inDim * l.outDim + l.outDim, 0),
      pretrainBudget: formatBudget(s.budget),
      arch: `conv ${s.channels.join('→')} → fc ${s.hidden}`,
    })),
  load: async (spec, task, ctx) => loadCnn(spec, task, ctx.pretrainCorpus ? asVectorCorpus(ctx.pretrainCorpus) : vectorCorpusFor(task), ctx),
};
