// Each family end to end at a tiny size: pretrain (or load), probe and finetune on a tiny task,
// predictions better than chance, no tensor left behind.
import * as tf from '@tensorflow/tfjs';
import { fileIOHandler, TrainConfigSchema, UserError } from '@w2s/core';
import { makeLoss } from '@w2s/confidence-loss';
import type { Dataset } from '@w2s/tasks';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backbone } from '../backbone.js';
import { trainClassifier } from '../classifier.js';
import { parseModelSpec } from '../registry.js';
import type { ModelSpecInput } from '../spec.js';
import { accuracyOf, embeddingTask, imageCorpus, imageTask, oneHotTargets, range, textCorpus, textTask, unlabelledCorpus } from '../test-utils/data.js';
import { tempCache, useWasm } from '../test-utils/setup.js';
import { loadCnn, type CnnSize } from './cnn.js';
import { loadEmbedding } from './embedding.js';
import { loadMlp, type MlpSize } from './mlp.js';
import { loadText, type TextSize } from './text.js';
import { loadTfjs } from './tfjs.js';

const TINY_MLP: Record<string, MlpSize> = { tiny: { hidden: [8], budget: { examples: 120, epochs: 4, batchSize: 16, lr: 1e-2 } } };
const TINY_CNN: Record<string, CnnSize> = { tiny: { channels: [2, 4], hidden: 8, budget: { examples: 120, epochs: 4, batchSize: 16, lr: 1e-2 } } };
const TINY_TEXT: Record<string, TextSize> = {
  bag: { kind: 'bag', vocab: 40, dim: 8, budget: { examples: 600, epochs: 2, batchSize: 32, lr: 2e-2 } },
  transformer: { kind: 'transformer', vocab: 40, dim: 8, layers: 1, heads: 2, seqLen: 8, maxChunks: 2, budget: { examples: 100, epochs: 2, batchSize: 16, lr: 1e-2 } },
};

const { cache, cleanup } = tempCache();
beforeAll(useWasm);
afterAll(cleanup);

const train = range(0, 40);
const test = range(40, 80);

/** Probe (and optionally finetune) a backbone; returns test accuracies. Checks nothing leaks. */
async function probeAndFinetune(backbone: Backbone, task: Dataset, spec: ModelSpecInput, modes: ('probe' | 'finetune')[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const mode of modes) {
    const before = tf.memory().numTensors;
    const s = parseModelSpec({ ...spec, mode });
    const { classifier, curve } = await trainClassifier({
      backbone, spec: s, task, indices: train, targets: oneHotTargets(task, train), loss: makeLoss({ name: 'xent' }),
      train: TrainConfigSchema.parse({ epochs: 30, batchSize: 16, lr: mode === 'probe' ? 1e-2 : 3e-3 }), seed: 0,
    });
    expect(curve.length).toBeGreaterThan(0);
    out[mode] = accuracyOf(task, test, classifier.predict(task, test));
    classifier.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }
  return out;
}

describe('mlp family', () => {
  it('pretrains on corpus labels, then probes and finetunes a task on the learned features', async () => {
    const task = imageTask();
    const backbone = await loadMlp({ family: 'mlp', size: 'tiny' }, task, imageCorpus(), { cache, seed: 0 }, TINY_MLP);
    expect(backbone.pretrainedNow).toBe(true);
    expect(backbone.featureDim).toBe(8);
    expect(backbone.pretraining.objective).toBe('supervised');
    expect(backbone.pretraining.finalLoss as number).toBeLessThan(backbone.pretraining.firstLoss as number);
    const acc = await probeAndFinetune(backbone, task, { family: 'mlp', size: 'tiny' }, ['probe', 'finetune']);
    expect(acc.probe).toBeGreaterThanOrEqual(0.85);
    expect(acc.finetune).toBeGreaterThanOrEqual(0.85);
    const n = tf.memory().numTensors;
    backbone.dispose();
    expect(tf.memory().numTensors).toBe(n - 2); // one weight and one bias
  });

  it('pretrains as a denoising autoencoder when the corpus has no labels', async () => {
    const task = imageTask(80, 2, 'vector');
    const backbone = await loadMlp({ family: 'mlp', size: 'tiny' }, task, unlabelledCorpus(), { cache, seed: 0 }, TINY_MLP);
    expect(backbone.pretraining.objective).toBe('denoising');
    // Reconstruction error falls well below its starting value (measured: 1.92 → 1.20).
    expect(backbone.pretraining.finalLoss as number).toBeLessThan(0.8 * (backbone.pretraining.firstLoss as number));
    const acc = await probeAndFinetune(backbone, task, { family: 'mlp', size: 'tiny' }, ['probe', 'finetune']);
    expect(acc.probe).toBeGreaterThan(0.5);
    expect(acc.finetune).toBeGreaterThanOrEqual(0.85);
    backbone.dispose();
  });

  it('a diverging pretraining run fails with a user error, publishes nothing and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const artifacts = () => (existsSync(cache.root) ? readdirSync(cache.root).filter((d) => d.startsWith('pretrain-')).length : 0);
    const published = artifacts();
    const exploding = { tiny: { hidden: [8], budget: { examples: 120, epochs: 4, batchSize: 16, lr: 1e30 } } };
    await expect(loadMlp({ family: 'mlp', size: 'tiny' }, imageTask(), imageCorpus(), { cache, seed: 0 }, exploding)).rejects.toThrow(/training diverged/);
    expect(tf.memory().numTensors).toBe(before);
    expect(artifacts()).toBe(published);
  });

  it('refuses a corpus whose input width differs from the task', async () => {
    const task = embeddingTask();
    await expect(loadMlp({ family: 'mlp', size: 'tiny' }, task, imageCorpus(), { cache, seed: 0 }, TINY_MLP)).rejects.toThrow(/has 4 inputs but pretraining corpus/);
  });
});

describe('cnn family', () => {
  it('pretrains convolutions on corpus labels and probes/finetunes a task', async () => {
    const task = imageTask();
    const backbone = await loadCnn({ family: 'cnn', size: 'tiny' }, task, imageCorpus(), { cache, seed: 0 }, TINY_CNN);
    expect(backbone.featureDim).toBe(8);
    expect(backbone.pretraining.finalLoss as number).toBeLessThan(backbone.pretraining.firstLoss as number);
    const acc = await probeAndFinetune(backbone, task, { family: 'cnn', size: 'tiny' }, ['probe', 'finetune']);
    expect(acc.probe).toBeGreaterThanOrEqual(0.85);
    expect(acc.finetune).toBeGreaterThanOrEqual(0.85);
    backbone.dispose();
  });

  it('refuses inputs that are not images', async () => {
    await expect(loadCnn({ family: 'cnn', size: 'tiny' }, imageTask(80, 2, 'vector'), imageCorpus(), { cache, seed: 0 }, TINY_CNN)).rejects.toThrow(UserError);
  });
});

describe('text family', () => {
  for (const size of ['bag', 'transformer']) {
    it(`${size}: builds a tokenizer from the corpus, pretrains self-supervised, probes and finetunes`, async () => {
      const task = textTask();
      const backbone = await loadText({ family: 'text', size }, task, textCorpus(), { cache, seed: 0 }, TINY_TEXT);
      expect(backbone.pretraining.objective).toBe(size === 'bag' ? 'cbow' : 'masked-token');
      expect((backbone.pretraining.vocab as string[]).length).toBeLessThanOrEqual(40);
      expect(backbone.pretraining.finalLoss as number).toBeLessThan(backbone.pretraining.firstLoss as number);
      const acc = await probeAndFinetune(backbone, task, { family: 'text', size }, ['probe', 'finetune']);
      expect(acc.probe).toBeGreaterThanOrEqual(0.75);
      expect(acc.finetune).toBeGreaterThanOrEqual(0.75);
      const n = tf.memory().numTensors;
      const weights = backbone.params.size;
      expect(weights).toBeGreaterThan(0);
      backbone.dispose();
      expect(tf.memory().numTensors).toBe(n - weights); // every weight freed, nothing else held
    });
  }

  it('reads long documents in chunks: features of a text repeated beyond one chunk stay finite and differ from its first chunk', () =>
    loadText({ family: 'text', size: 'transformer' }, textTask(), textCorpus(), { cache, seed: 0 }, TINY_TEXT).then((backbone) => {
      const long: Dataset = { ...textTask(), examples: { ids: ['a', 'b'], labels: Int32Array.of(0, 1), text: ['good day', 'good day. bad awful sad poor ugly awful sad bad poor'] } };
      const f = backbone.features(long, Int32Array.of(0, 1));
      const data = f.dataSync();
      f.dispose();
      backbone.dispose();
      expect(data.every(Number.isFinite)).toBe(true);
      expect(data.slice(0, 8)).not.toEqual(data.slice(8));
    }));
});

describe('embedding family', () => {
  it('is a column of the task: features are the column, the larger column probes better', async () => {
    const task = embeddingTask(200);
    const weak = await loadEmbedding({ family: 'embedding', size: 'weak' }, task, { cache, seed: 0 });
    const strong = await loadEmbedding({ family: 'embedding', size: 'strong' }, task, { cache, seed: 0 });
    expect([weak.featureDim, strong.featureDim]).toEqual([2, 4]);
    const f = strong.features(task, Int32Array.of(3));
    expect(Array.from(f.dataSync())).toEqual(Array.from(task.examples.embeddings!.strong!.values.slice(12, 16)));
    f.dispose();
    const w = await probeAndFinetune(weak, task, { family: 'embedding', size: 'weak' }, ['probe']);
    const s = await probeAndFinetune(strong, task, { family: 'embedding', size: 'strong' }, ['probe']);
    expect(s.probe).toBeGreaterThan(w.probe!);
    await expect(
      trainClassifier({
        backbone: strong, spec: parseModelSpec({ family: 'embedding', size: 'strong', mode: 'finetune' }), task, indices: train, targets: oneHotTargets(task, train),
        loss: makeLoss({ name: 'xent' }), train: TrainConfigSchema.parse({ epochs: 1, batchSize: 8, lr: 1e-2 }), seed: 0,
      }),
    ).rejects.toThrow(/use mode "probe"/);
  });

  it('names the known columns when one is missing', async () => {
    await expect(loadEmbedding({ family: 'embedding', size: 'xl', column: 'gpt-xl' }, embeddingTask(), { cache, seed: 0 })).rejects.toThrow(/no embedding column "gpt-xl"; columns: weak, strong/);
  });
});

describe('tfjs family', () => {
  const dir = mkdtempSync(join(tmpdir(), 'w2s-tfjs-model-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loads a user's LayersModel as a frozen backbone, optionally a named layer's output", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu', name: 'hidden', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) }),
        tf.layers.dense({ units: 2, name: 'out', kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }),
      ],
    });
    await model.save(fileIOHandler(dir));
    const task = embeddingTask(); // x: 4 numbers per example
    const rows = Int32Array.of(0, 1, 2);
    const x = tf.tensor2d(task.examples.x!.slice(0, 12), [3, 4]);
    const hiddenRef = (model.getLayer('hidden').apply(x) as tf.Tensor).arraySync();
    const outRef = (model.predict(x) as tf.Tensor).arraySync();
    x.dispose();
    model.dispose();

    const before = tf.memory().numTensors;
    const hidden = await loadTfjs({ family: 'tfjs', size: 'user', path: dir, layer: 'hidden' }, task, { cache, seed: 0 });
    const out = await loadTfjs({ family: 'tfjs', size: 'user', path: dir }, task, { cache, seed: 0 });
    expect([hidden.featureDim, out.featureDim, hidden.finetunable]).toEqual([3, 2, false]);
    expect(hidden.key).not.toBe(out.key);
    const fh = hidden.features(task, rows);
    const fo = out.features(task, rows);
    expect(fh.arraySync()).toEqual((hiddenRef as number[][]).map((r) => r.map((v) => expect.closeTo(v, 5))));
    expect(fo.arraySync()).toEqual((outRef as number[][]).map((r) => r.map((v) => expect.closeTo(v, 5))));
    fh.dispose();
    fo.dispose();
    const acc = await probeAndFinetune(hidden, task, { family: 'tfjs', size: 'user' }, ['probe']);
    expect(acc.probe).toBeGreaterThan(0);
    hidden.dispose();
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the layers when the asked one is missing, and checks the input width', async () => {
    await expect(loadTfjs({ family: 'tfjs', size: 'user', path: dir, layer: 'nope' }, embeddingTask(), { cache, seed: 0 })).rejects.toThrow(/no layer "nope"; layers: hidden, out/);
    await expect(loadTfjs({ family: 'tfjs', size: 'user', path: dir }, imageTask(), { cache, seed: 0 })).rejects.toThrow(/does not match task/);
    await expect(loadTfjs({ family: 'tfjs', size: 'user', path: join(dir, 'missing') }, embeddingTask(), { cache, seed: 0 })).rejects.toThrow(UserError);
  });
});
