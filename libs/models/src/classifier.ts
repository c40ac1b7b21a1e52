import * as tf from '@tensorflow/tfjs';
import { Rng, UserError, trainLoop, type ArtifactCache, type CurvePoint, type EarlyStopping, type LossFn, type TrainConfig } from '@w2s/core';
import type { Dataset } from '@w2s/tasks';
import type { Backbone } from './backbone.js';
import { cachedFeatures, cachedFeaturesSync, computeFeatures, FEATURE_BATCH } from './features.js';
import { headForward, initHead } from './head.js';
import { cloneParams, disposeParams, type Params } from './init.js';
import { parseModelSpec } from './registry.js';
import type { ModelSpec } from './spec.js';
import { gatherRows } from './vectors.js';

/** A trained classifier: class probabilities for examples of a task. */
export interface Classifier {
  readonly spec: ModelSpec;
  readonly numClasses: number;
  /** Probability rows [n × K] (row-major) for `indices` of `task`. */
  predict(task: Dataset, indices: Int32Array): Float32Array;
  /** Frees the head (and the finetuned weights); the backbone stays the caller's. */
  dispose(): void;
}

/** What onEval sees: the loop position and the current model's predictions. */
export interface EvalContext {
  step: number;
  epoch: number;
  stepFrac: number;
  /** Predictions of the model as trained so far. */
  predict: (indices: Int32Array) => Float32Array;
  /** predict(evalIndices), when evalIndices were given. */
  evalProbs?: Float32Array;
}

export interface TrainClassifierOptions {
  backbone: Backbone;
  spec: ModelSpec;
  task: Dataset;
  /** Training examples (indices into task.examples). */
  indices: Int32Array;
  /** Soft labels: indices.length × numClasses probability rows (row-major); × `teachers` rows side by side. */
  targets: Float32Array;
  /**
   * How many label rows each example has (default 1): with M > 1, row i of the loss's targets is
   * M probability rows side by side, [M·K] (several teachers' labels, for a loss that picks per example).
   */
  teachers?: number;
  loss: LossFn;
  train: TrainConfig;
  seed: number;
  /** Probe mode: where the backbone's features of (task, indices) are cached. */
  cache?: ArtifactCache;
  onEval?: (ctx: EvalContext) => Record<string, number> | void;
  evalEvery?: number;
  earlyStopping?: EarlyStopping;
  evalIndices?: Int32Array;
  /**
   * Other examples the caller predicts while training (e.g. test, for analysis curves): a probe
   * computes their features once, up front, instead of at every evaluation.
   */
  alsoPredicted?: Int32Array[];
  onProgress?: (step: number, totalSteps: number, loss: number) => void;
}

/** Per-feature standardization fitted on the training features, so one head lr suits every backbone. */
interface FeatureNorm {
  mean: Float32Array;
  invStd: Float32Array;
}

function fitFeatureNorm(features: Float32Array, dim: number): FeatureNorm {
  const n = features.length / dim;
  const mean = new Float32Array(dim);
  const invStd = new Float32Array(dim);
  for (let j = 0; j < dim; j++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = features[i * dim + j]!;
      s += v;
      s2 += v * v;
    }
    const m = s / n;
    const variance = Math.max(s2 / n - m * m, 0);
    mean[j] = m;
    invStd[j] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 1; // a dead feature stays 0 after centring
  }
  return { mean, invStd };
}

function checkTargets(task: Dataset, indices: Int32Array, targets: Float32Array, teachers: number): void {
  const k = task.numClasses;
  if (targets.length !== indices.length * teachers * k) {
    const rows = teachers === 1 ? '' : ` × ${teachers} teachers`;
    throw new UserError(`targets hold ${targets.length} numbers, expected ${indices.length} examples${rows} × ${k} classes`, 'trainClassifier.targets');
  }
  for (let i = 0; i < indices.length * teachers; i++) {
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const p = targets[i * k + c]!;
      if (!(p >= 0 && p <= 1)) throw new UserError(`row ${i} has probability ${p} outside [0, 1]`, 'trainClassifier.targets');
      sum += p;
    }
    if (Math.abs(sum - 1) > 1e-3) throw new UserError(`row ${i} sums to ${sum}, not 1`, 'trainClassifier.targets');
  }
}

/**
 * Trains a classifier on soft labels with any transfer loss.
 * - probe: the backbone is frozen; its features of `indices` are computed once (and cached when
 *   `cache` is given) and a linear or MLP head is trained on them;
 * - finetune: a copy of the backbone's weights is trained together with the head (the cached
 *   backbone is never changed).
 * Features are standardized with statistics of the training examples (constants of the model).
 * Every tensor made here is freed; the classifier's weights are freed by its dispose().
 */
export async function trainClassifier(opts: TrainClassifierOptions): Promise<{ classifier: Classifier; curve: CurvePoint[] }> {
  const { backbone, task, indices, targets, loss, train } = opts;
  const spec = parseModelSpec(opts.spec);
  const k = task.numClasses;
  const teachers = opts.teachers ?? 1;
  checkTargets(task, indices, targets, teachers);
  if (spec.family !== backbone.spec.family || spec.size !== backbone.spec.size) {
    throw new UserError(`spec ${spec.family}-${spec.size} does not match the backbone ${backbone.spec.family}-${backbone.spec.size}`, 'trainClassifier.spec');
  }
  if (spec.mode === 'finetune' && !backbone.finetunable) {
    throw new UserError(`the ${spec.family} family is a frozen backbone: use mode "probe"`, 'model.mode');
  }
  const rng = new Rng(opts.seed).fork(`classifier/${spec.family}-${spec.size}/${spec.mode}`);
  const dim = backbone.featureDim;
  const probe = spec.mode === 'probe';
  const featuresOf = (idx: Int32Array) => (probe && opts.cache ? cachedFeatures(backbone, task, idx, opts.cache) : Promise.resolve(computeFeatures(backbone, task, idx)));
  const trainFeatures = await featuresOf(indices);
  // A frozen backbone's features never change: keep those of the training and eval splits at hand.
  const known = new Map<Int32Array, Float32Array>();
  if (probe) {
    known.set(indices, trainFeatures);
    if (opts.evalIndices) known.set(opts.evalIndices, await featuresOf(opts.evalIndices));
    for (const idx of opts.alsoPredicted ?? []) if (!known.has(idx)) known.set(idx, await featuresOf(idx));
  }
  const norm = fitFeatureNorm(trainFeatures, dim);
  const normMean = tf.tensor1d(norm.mean);
  const normScale = tf.tensor1d(norm.invStd);
  const head = initHead(spec.head, dim, k, rng.fork('head'));
  const tuned: Params | null = spec.mode === 'finetune' ? cloneParams(backbone.params) : null;
  const standardize = (f: tf.Tensor2D) => tf.mul(tf.sub(f, normMean), normScale) as tf.Tensor2D;

  const logitsFromFeatures = (f: tf.Tensor2D) => headForward(head, spec.head, standardize(f));
  const classifier = makeClassifier({
    spec,
    numClasses: k,
    featureDim: dim,
    features: (t, idx) => (tuned ? backbone.encode(tuned, t, idx) : backbone.features(t, idx)),
    cachedFeatures: probe ? (t, idx) => (t === task ? known.get(idx) : undefined) ?? (opts.cache ? cachedFeaturesSync(backbone, t, idx, opts.cache) : undefined) : undefined,
    logitsFromFeatures,
    free: () => {
      disposeParams(head);
      if (tuned) disposeParams(tuned);
      normMean.dispose();
      normScale.dispose();
    },
  });

  /** Logits and weak-label rows of these training rows (positions in `indices`). */
  const batchOf = (rows: Int32Array) => {
    const y = tf.tensor2d(gatherRows(targets, teachers * k, rows), [rows.length, teachers * k]);
    const f = tuned
      ? backbone.encode(tuned, task, Int32Array.from(rows, (r) => indices[r]!))
      : tf.tensor2d(gatherRows(trainFeatures, dim, rows), [rows.length, dim]);
    return { logits: logitsFromFeatures(f), y };
  };

  try {
    const result = await trainLoop({
      params: [...(tuned ? tuned.values() : []), ...head.values()],
      numExamples: indices.length,
      config: train,
      rng: rng.fork('batches'),
      lossFn: (rows, stepFrac) => {
        const { logits, y } = batchOf(rows);
        return loss(logits, y, stepFrac);
      },
      // A loss with batch statistics (logconf's threshold) computes them once over the whole
      // accumulated batch, as without accumulation; a one-minibatch step needs no extra forward pass.
      beginStep: loss.beginStep
        ? (batches) => {
            if (batches.length === 1) return loss.beginStep!();
            const rows = Int32Array.from(batches.flatMap((b) => [...b]));
            tf.tidy(() => {
              const { logits, y } = batchOf(rows);
              loss.beginStep!(logits, y);
            });
          }
        : undefined,
      onEval: opts.onEval
        ? (ctx) =>
            opts.onEval!({
              ...ctx,
              predict: (idx) => classifier.predict(task, idx),
              evalProbs: opts.evalIndices ? classifier.predict(task, opts.evalIndices) : undefined,
            })
        : undefined,
      evalEvery: opts.evalEvery,
      earlyStopping: opts.earlyStopping,
      onProgress: opts.onProgress,
    });
    return { classifier, curve: result.curve };
  } catch (e) {
    classifier.dispose();
    throw e;
  }
}

/**
 * The predicting half of a classifier: features (a probe's known or cached features of exactly
 * these indices when there are, else computed) → head → softmax, in batches.
 */
function makeClassifier(opts: {
  spec: ModelSpec;
  numClasses: number;
  featureDim: number;
  features: (task: Dataset, indices: Int32Array) => tf.Tensor2D;
  cachedFeatures?: (task: Dataset, indices: Int32Array) => Float32Array | undefined;
  logitsFromFeatures: (f: tf.Tensor2D) => tf.Tensor2D;
  free: () => void;
}): Classifier {
  const { spec, numClasses, featureDim: dim } = opts;
  let disposed = false;
  return {
    spec,
    numClasses,
    predict(task, indices) {
      if (disposed) throw new Error('Classifier.predict after dispose()');
      const out = new Float32Array(indices.length * numClasses);
      const cached = opts.cachedFeatures?.(task, indices);
      for (let start = 0; start < indices.length; start += FEATURE_BATCH) {
        const batch = indices.subarray(start, start + FEATURE_BATCH);
        const probs = tf.tidy(() => {
          const f = cached ? tf.tensor2d(cached.subarray(start * dim, (start + batch.length) * dim), [batch.length, dim]) : opts.features(task, batch);
          return tf.softmax(opts.logitsFromFeatures(f));
        });
        out.set(probs.dataSync(), start * numClasses);
        probs.dispose();
      }
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      opts.free();
    },
  };
}
