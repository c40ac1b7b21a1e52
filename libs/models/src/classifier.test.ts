import * as tf from '@tensorflow/tfjs';
import { TrainConfigSchema, UserError } from '@w2s/core';
import { makeLoss } from '@w2s/confidence-loss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainClassifier } from './classifier.js';
import { featuresKey } from './features.js';
import { loadEmbedding } from './families/embedding.js';
import { loadMlp } from './families/mlp.js';
import { parseModelSpec } from './registry.js';
import { accuracyOf, embeddingTask, imageCorpus, imageTask, oneHotTargets, range } from './test-utils/data.js';
import { tempCache, useWasm } from './test-utils/setup.js';

const { cache, cleanup } = tempCache();
beforeAll(useWasm);
afterAll(cleanup);

const task = embeddingTask(120);
const train = range(0, 60);
const test = range(60, 120);
const spec = parseModelSpec({ family: 'embedding', size: 'strong' });
const config = TrainConfigSchema.parse({ epochs: 20, batchSize: 16, lr: 1e-2 });

/** Soft labels: 0.8 on the true class, 0.2 on the other. */
function softTargets(indices: Int32Array): Float32Array {
  return oneHotTargets(task, indices).map((p) => 0.2 + 0.6 * p);
}

describe('trainClassifier', () => {
  it('learns from soft labels, returns a falling curve and probability rows, and frees every tensor', async () => {
    const backbone = await loadEmbedding(spec, task, { cache, seed: 0 });
    const before = tf.memory().numTensors;
    const { classifier, curve } = await trainClassifier({ backbone, spec, task, indices: train, targets: softTargets(train), loss: makeLoss({ name: 'xent' }), train: config, seed: 0 });
    expect(curve.length).toBe(20 * 4); // 20 epochs × ceil(60 / 16) steps
    expect(curve.at(-1)!.loss).toBeLessThan(curve[0]!.loss);
    const probs = classifier.predict(task, test);
    expect(probs.length).toBe(60 * 2);
    for (let i = 0; i < 60; i++) expect(probs[2 * i]! + probs[2 * i + 1]!).toBeCloseTo(1, 5);
    expect(accuracyOf(task, test, probs)).toBeGreaterThan(0.85);
    classifier.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => classifier.predict(task, test)).toThrow(/after dispose/);
  });

  it('is deterministic for a seed', async () => {
    const backbone = await loadEmbedding(spec, task, { cache, seed: 0 });
    const run = async () => {
      const { classifier } = await trainClassifier({ backbone, spec, task, indices: train, targets: softTargets(train), loss: makeLoss({ name: 'xent' }), train: config, seed: 3 });
      const p = classifier.predict(task, test);
      classifier.dispose();
      return p;
    };
    expect(await run()).toEqual(await run());
  });

  it('with gradient accumulation, computes logconf\'s threshold once per batch: 2 × 8 trains like 1 × 16', async () => {
    // The threshold τ (prior-quantile) depends on the whole batch. Per minibatch (the old
    // behaviour) it differs between the halves, so accumulation over 2 × 8 would train differently
    // from one batch of 16; computed once per step over both (beginStep), the runs agree to float
    // rounding. Soft targets with varied confidence make the per-half quantiles differ.
    const backbone = await loadEmbedding(spec, task, { cache, seed: 0 });
    const confidence = (i: number) => 0.55 + (0.4 * ((i * 7) % 10)) / 10; // 0.55 … 0.91, varied
    const targets = oneHotTargets(task, train).map((hot, j) => (hot ? confidence(j >> 1) : 1 - confidence(j >> 1)));
    const logconfLoss = { name: 'logconf', auxCoef: 0.75, warmupFrac: 0.05, warmup: 'linear' } as const;
    const run = async (batchSize: number, gradAccumSteps: number) => {
      const before = tf.memory().numTensors;
      const train16 = TrainConfigSchema.parse({ epochs: 4, batchSize, gradAccumSteps, lr: 1e-2 });
      const { classifier, curve } = await trainClassifier({ backbone, spec, task, indices: train, targets, loss: makeLoss(logconfLoss), train: train16, seed: 5 });
      const p = classifier.predict(task, test);
      classifier.dispose();
      expect(tf.memory().numTensors).toBe(before);
      return { p, losses: curve.map((c) => c.loss) };
    };
    const one = await run(16, 1);
    const accumulated = await run(8, 2);
    expect(accumulated.losses).toHaveLength(one.losses.length);
    // Measured: 1.2e-7 (losses) and 6e-8 (test probabilities) apart; per-minibatch τ: 9e-3, 7.5e-3.
    accumulated.losses.forEach((l, i) => expect(Math.abs(l - one.losses[i]!)).toBeLessThan(1e-6));
    accumulated.p.forEach((v, i) => expect(Math.abs(v - one.p[i]!)).toBeLessThan(1e-6));
  });

  it('accepts any transfer loss, e.g. the auxiliary confidence loss', async () => {
    const backbone = await loadEmbedding(spec, task, { cache, seed: 0 });
    const { classifier, curve } = await trainClassifier({ backbone, spec, task, indices: train, targets: softTargets(train), loss: makeLoss({ name: 'logconf' }), train: config, seed: 0 });
    expect(curve.every((p) => Number.isFinite(p.loss))).toBe(true);
    expect(accuracyOf(task, test, classifier.predict(task, test))).toBeGreaterThan(0.85);
    classifier.dispose();
  });

  it('evaluates during training and stops early on the eval metric', async () => {
    const backbone = await loadEmbedding(spec, task, { cache, seed: 0 });
    const seen: number[] = [];
    const { classifier, curve } = await trainClassifier({
      backbone, spec, task, indices: train, targets: softTargets(train), loss: makeLoss({ name: 'xent' }), train: config, seed: 0,
      evalIndices: test,
      onEval: (ctx) => {
        seen.push(ctx.step);
        expect(ctx.evalProbs!.length).toBe(test.length * 2);
        return { acc: accuracyOf(task, test, ctx.evalProbs!) };
      },
      earlyStopping: { metric: 'acc', mode: 'max', patience: 2, restoreBest: true },
    });
    expect(seen[0]).toBe(4); // once per epoch
    expect(curve.filter((p) => p.metrics).length).toBe(seen.length);
    expect(seen.length).toBeLessThan(20); // the accuracy plateaus within a few epochs
    classifier.dispose();
  });

  it('caches probe features and predicts the same from the cache', async () => {
    const imgTask = imageTask();
    const backbone = await loadMlp({ family: 'mlp', size: 'tiny' }, imgTask, imageCorpus(), { cache, seed: 0 }, { tiny: { hidden: [8], budget: { examples: 60, epochs: 1, batchSize: 16, lr: 1e-2 } } });
    const s = parseModelSpec({ family: 'mlp', size: 'tiny' });
    const trainIdx = range(0, 40);
    const args = { backbone, spec: s, task: imgTask, indices: trainIdx, targets: oneHotTargets(imgTask, trainIdx), loss: makeLoss({ name: 'xent' }), train: config, seed: 0 };
    const cached = await trainClassifier({ ...args, cache });
    expect(cache.has(featuresKey(cache, backbone, imgTask, trainIdx))).toBe(true);
    const uncached = await trainClassifier(args);
    // predict on the training split reads cached features; the uncached classifier computes them.
    const a = cached.classifier.predict(imgTask, trainIdx);
    const b = uncached.classifier.predict(imgTask, trainIdx);
    expect(Array.from(a)).toEqual(Array.from(b).map((v) => expect.closeTo(v, 5)));
    cached.classifier.dispose();
    uncached.classifier.dispose();
    backbone.dispose();
  });

  it('finetunes a copy: the backbone keeps its pretrained weights', async () => {
    const imgTask = imageTask();
    const backbone = await loadMlp({ family: 'mlp', size: 'tiny' }, imgTask, imageCorpus(), { cache, seed: 0 }, { tiny: { hidden: [8], budget: { examples: 60, epochs: 1, batchSize: 16, lr: 1e-2 } } });
    const before = Array.from(backbone.params.get('layer0.w')!.dataSync());
    const s = parseModelSpec({ family: 'mlp', size: 'tiny', mode: 'finetune' });
    const trainIdx = range(0, 40);
    const { classifier, curve } = await trainClassifier({ backbone, spec: s, task: imgTask, indices: trainIdx, targets: oneHotTargets(imgTask, trainIdx), loss: makeLoss({ name: 'xent' }), train: config, seed: 0 });
    expect(curve.at(-1)!.loss).toBeLessThan(curve[0]!.loss);
    expect(Array.from(backbone.params.get('layer0.w')!.dataSync())).toEqual(before);
    classifier.dispose();
    backbone.dispose();
  });

  it('refuses targets of the wrong size or that are not probability rows', async () => {
    const backbone = await loadEmbedding(spec, task, { cache, seed: 0 });
    const base = { backbone, spec, task, indices: train, loss: makeLoss({ name: 'xent' }), train: config, seed: 0 };
    await expect(trainClassifier({ ...base, targets: new Float32Array(10) })).rejects.toThrow(/expected 60 examples × 2 classes/);
    const bad = softTargets(train);
    bad[7] = 0.9; // row 3 now sums to 1.7
    await expect(trainClassifier({ ...base, targets: bad })).rejects.toThrow(UserError);
    await expect(trainClassifier({ ...base, targets: bad })).rejects.toThrow(/row 3 sums to/);
  });
});
