import * as tf from '@tensorflow/tfjs';
import { loadWeights, Rng, saveWeights, softCrossEntropy, trainLoop, TrainConfigSchema, type ArtifactCache } from '@w2s/core';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PretrainBudget } from './budget.js';
import { addDense, disposeParams, param, paramsFromTensors, type Params } from './init.js';
import { dense } from './ops.js';

/** Bump when a recipe changes in a way the config does not show: old cached backbones are then ignored. */
export const PRETRAIN_RECIPE_VERSION: number = 1;

/**
 * The cached pretraining stage. Key = hash of (family, size, size config, corpus fingerprint,
 * seed, recipe version). On a miss, `train` builds and pretrains the weights and they are saved
 * (saveWeights) with `meta` into the artifact dir; on a hit they are loaded. Either way the caller
 * owns the returned variables.
 */
export async function cachedPretrain(opts: {
  cache: ArtifactCache;
  keyConfig: Record<string, unknown>;
  train: () => Promise<{ params: Params; meta: Record<string, unknown> }>;
}): Promise<{ key: string; params: Params; meta: Record<string, unknown>; hit: boolean }> {
  const key = opts.cache.key('pretrain', { ...opts.keyConfig, recipe: PRETRAIN_RECIPE_VERSION });
  let fresh: { params: Params; meta: Record<string, unknown> } | undefined;
  const { dir } = await opts.cache.getOrCreate(key, async (tmpDir) => {
    const start = performance.now();
    fresh = await opts.train();
    fresh.meta.seconds = Math.round((performance.now() - start) / 100) / 10;
    const { params, meta } = fresh;
    await disposeOnError(params, async () => {
      await saveWeights(tmpDir, Object.fromEntries(params));
      await writeFile(join(tmpDir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
    });
  });
  // Pretraining is deterministic, so if another process published the same key first, our
  // fresh weights equal theirs and we keep ours.
  if (fresh) return { key, params: fresh.params, meta: fresh.meta, hit: false };
  const tensors = await loadWeights(dir);
  const params = paramsFromTensors(tensors);
  for (const t of Object.values(tensors)) t.dispose();
  const meta = opts.cache.readJson<Record<string, unknown>>(key, 'meta.json');
  return { key, params, meta, hit: true };
}

/** Runs fn; if it throws, frees `params` (a half-trained model nobody will own) and rethrows. */
export async function disposeOnError<T>(params: Params, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    disposeParams(params);
    throw e;
  }
}

/** First and last training loss of a pretraining run (recorded in the artifact's meta.json). */
export interface LossSummary {
  firstLoss: number;
  finalLoss: number;
  steps: number;
}

export function lossSummary(curve: { loss: number }[]): LossSummary {
  return { firstLoss: curve[0]?.loss ?? NaN, finalLoss: curve.at(-1)?.loss ?? NaN, steps: curve.length };
}

/** Reports pretraining progress as "pretrain mlp-l: step 120/600 loss 0.412". */
export function progressReporter(label: string, onProgress?: (msg: string, frac: number) => void) {
  if (!onProgress) return undefined;
  return (step: number, total: number, loss: number) => {
    if (step === total || step % Math.max(1, Math.floor(total / 50)) === 0) {
      onProgress(`pretrain ${label}: step ${step}/${total} loss ${loss.toFixed(3)}`, step / total);
    }
  };
}

/** The training config of a pretraining budget (both recipes: short linear warm-up, cosine). */
function pretrainConfig(budget: PretrainBudget) {
  return TrainConfigSchema.parse({ epochs: budget.epochs, batchSize: budget.batchSize, lr: budget.lr, warmupFrac: 0.05 });
}

/**
 * Supervised pretraining on corpus labels (digit identity): a temporary linear head on the
 * features, trained jointly with the backbone by mean cross-entropy, then thrown away.
 * Returns the first and last training losses.
 */
export async function pretrainSupervised(opts: {
  params: Params;
  featureDim: number;
  numClasses: number;
  numExamples: number;
  labels: Int32Array;
  encode: (params: Params, rows: Int32Array) => tf.Tensor2D;
  budget: PretrainBudget;
  rng: Rng;
  onProgress?: (step: number, total: number, loss: number) => void;
}): Promise<LossSummary> {
  const head: Params = new Map();
  addDense(head, opts.rng.fork('pretrain-head'), 'head', opts.featureDim, opts.numClasses, 1);
  return trainWithTemporaryHead(opts, head, (rows) => {
    const logits = dense(opts.encode(opts.params, rows), param(head, 'head.w'), param(head, 'head.b'));
    const labels = tf.oneHot(tf.tensor1d(Int32Array.from(rows, (r) => opts.labels[r]!), 'int32'), opts.numClasses);
    return softCrossEntropy(logits, labels.toFloat() as tf.Tensor2D);
  });
}

/**
 * The loop both pretraining recipes share: the backbone's params and a temporary head (a
 * classifier or a decoder) trained together on `lossFn`; the head is thrown away afterwards.
 */
async function trainWithTemporaryHead(
  opts: { params: Params; numExamples: number; budget: PretrainBudget; rng: Rng; onProgress?: (step: number, total: number, loss: number) => void },
  head: Params,
  lossFn: (rows: Int32Array) => tf.Scalar,
): Promise<LossSummary> {
  try {
    const result = await trainLoop({
      params: [...opts.params.values(), ...head.values()],
      numExamples: opts.numExamples,
      config: pretrainConfig(opts.budget),
      rng: opts.rng.fork('pretrain-batches'),
      lossFn,
      onProgress: opts.onProgress,
    });
    return lossSummary(result.curve);
  } finally {
    for (const p of head.values()) p.dispose();
  }
}

/**
 * Self-supervised pretraining for vectors without labels: a denoising autoencoder (Vincent et al.
 * 2008). Each input is corrupted (every coordinate zeroed with probability `dropProb`, then
 * N(0, noiseStd²) added), the backbone encodes it, a temporary linear decoder reconstructs the clean
 * input, and the mean squared error is minimized. The decoder is thrown away.
 * `inputs(rows)` returns the clean (already normalized) rows [n, dim] as a JS array.
 */
export async function pretrainDenoising(opts: {
  params: Params;
  featureDim: number;
  dim: number;
  numExamples: number;
  inputs: (rows: Int32Array) => Float32Array;
  encodeInput: (params: Params, x: tf.Tensor2D) => tf.Tensor2D;
  budget: PretrainBudget;
  rng: Rng;
  dropProb?: number;
  noiseStd?: number;
  onProgress?: (step: number, total: number, loss: number) => void;
}): Promise<LossSummary> {
  const dropProb = opts.dropProb ?? 0.25;
  const noiseStd = opts.noiseStd ?? 0.1;
  const decoder: Params = new Map();
  addDense(decoder, opts.rng.fork('pretrain-decoder'), 'dec', opts.featureDim, opts.dim, 1);
  const noiseRng = opts.rng.fork('pretrain-noise');
  return trainWithTemporaryHead(opts, decoder, (rows) => {
    const clean = opts.inputs(rows);
    const noisy = new Float32Array(clean.length);
    for (let i = 0; i < clean.length; i++) {
      noisy[i] = noiseRng.uniform() < dropProb ? 0 : clean[i]! + noiseStd * noiseRng.normal();
    }
    const shape: [number, number] = [rows.length, opts.dim];
    const features = opts.encodeInput(opts.params, tf.tensor2d(noisy, shape));
    const recon = dense(features, param(decoder, 'dec.w'), param(decoder, 'dec.b'));
    return tf.mean(tf.square(tf.sub(recon, tf.tensor2d(clean, shape)))) as tf.Scalar;
  });
}
