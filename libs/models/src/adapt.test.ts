import * as tf from '@tensorflow/tfjs';
import { ArtifactCache, initBackend } from '@w2s/core';
import { loadTask, makeSplits, type Dataset } from '@w2s/tasks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { adaptationIndices, adaptBackbone, AdaptConfigSchema, checkAdaptFor, getBackbone, parseModelSpec, type Backbone } from './index.js';

const task = loadTask('digits-parity');
const splits = makeSplits(task, { seed: 0, nDocs: 200, nTest: 100, nVal: 50 });
const seen = adaptationIndices(splits);
const spec = parseModelSpec({ family: 'mlp', size: 'xs' });
const config = AdaptConfigSchema.parse({ epochs: 2 });
const features = (b: Backbone, t: Dataset = task) => tf.tidy(() => Array.from(b.features(t, splits.test.subarray(0, 20)).dataSync()));

/** The task with every val and test input replaced (a copy: built-in tasks are shared). */
function otherValTest(): Dataset {
  const x = Float32Array.from(task.examples.x!);
  for (const i of [...splits.val, ...splits.test]) x.fill(0.5, i * task.examples.dim!, (i + 1) * task.examples.dim!);
  return { ...task, examples: { ...task.examples, x } };
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('adaptBackbone (denoising on unlabelled task inputs)', () => {
  it('reads the inputs of weak-train and transfer, never val or test', () => {
    const inSplit = (name: 'weak-train' | 'transfer' | 'val' | 'test') => new Set(splits[name]);
    expect(seen.length).toBe(splits['weak-train'].length + splits.transfer.length);
    for (const i of seen) {
      expect(inSplit('val').has(i) || inSplit('test').has(i)).toBe(false);
      expect(inSplit('weak-train').has(i) || inSplit('transfer').has(i)).toBe(true);
    }
  });

  it('changes the weights, reads no val/test input, and is cached', async () => {
    const cache = new ArtifactCache(mkdtempSync(join(tmpdir(), 'w2s-adapt-')));
    const base = await getBackbone(spec, task, { cache, seed: 0 });
    const before = tf.memory().numTensors;
    const adapted = await adaptBackbone(base, task, seen, config, { cache, seed: 0 });
    expect(tf.memory().numTensors).toBe(before + adapted.params.size); // its weights only: nothing leaked
    expect(adapted.pretrainedNow).toBe(true);
    expect(adapted.key).not.toBe(base.key);
    expect(features(adapted)).not.toEqual(features(base));
    expect(features(base)).toEqual(features(base)); // the original is untouched

    // Other val and test inputs: a fresh cache trains the same weights (only weak-train and transfer rows are read).
    const other = otherValTest();
    const fresh = new ArtifactCache(mkdtempSync(join(tmpdir(), 'w2s-adapt-')));
    const base2 = await getBackbone(spec, other, { cache: fresh, seed: 0 });
    const adapted2 = await adaptBackbone(base2, other, seen, config, { cache: fresh, seed: 0 });
    expect(adapted2.key).toBe(adapted.key);
    expect(features(adapted2)).toEqual(features(adapted));

    // The same request again is read from the cache; other inputs make another key.
    const again = await adaptBackbone(base, task, seen, config, { cache, seed: 0 });
    expect(again.pretrainedNow).toBe(false);
    expect(features(again)).toEqual(features(adapted));
    const moreRows = await adaptBackbone(base, task, Int32Array.from([...seen, ...splits.val]).sort(), config, { cache, seed: 0 });
    expect(moreRows.key).not.toBe(adapted.key);
    for (const b of [base, adapted, base2, adapted2, again, moreRows]) b.dispose();
  });

  it('refuses families without a self-supervised recipe of their own', () => {
    expect(() => checkAdaptFor({ family: 'embedding' }, 'methods[2].adapt')).toThrow(
      "methods[2].adapt: adaptation continues a family's own self-supervised recipe (mlp: denoising; cnn: denoising; text: CBOW for bag sizes, masked tokens for transformer sizes); the embedding family has none",
    );
    for (const family of ['cnn', 'mlp', 'text'] as const) expect(() => checkAdaptFor({ family })).not.toThrow();
  });
});

describe('adaptBackbone on text (the family\'s own CBOW or masked-token objective)', () => {
  const spam = loadTask('spam');
  const textSplits = makeSplits(spam, { seed: 0, nDocs: 120, nTest: 60, nVal: 30 });
  const textSeen = adaptationIndices(textSplits);
  const textConfig = AdaptConfigSchema.parse({ epochs: 1, lr: 5e-3 });
  const textFeatures = (b: Backbone, t: Dataset = spam) => tf.tidy(() => Array.from(b.features(t, textSplits.test.subarray(0, 10)).dataSync()));

  /** The task with its text array replaced by one that records which documents are read (a copy: built-in tasks are shared). */
  function recording(texts: string[]): { task: Dataset; read: Set<number> } {
    const read = new Set<number>();
    const proxy = new Proxy(texts, {
      get(target, prop) {
        if (typeof prop === 'string' && /^\d+$/.test(prop)) read.add(Number(prop));
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return { task: { ...spam, examples: { ...spam.examples, text: proxy } }, read };
  }

  it('reads the texts of weak-train and transfer only, changes the weights, and is cached', async () => {
    const cache = new ArtifactCache(mkdtempSync(join(tmpdir(), 'w2s-adapt-text-')));
    const base = await getBackbone(parseModelSpec({ family: 'text', size: 'xs' }), spam, { cache, seed: 0 });
    const { task: watched, read } = recording(spam.examples.text!);
    const before = tf.memory().numTensors;
    const adapted = await adaptBackbone(base, watched, textSeen, textConfig, { cache, seed: 0 });
    expect(tf.memory().numTensors).toBe(before + adapted.params.size); // its weights only
    expect([...read].sort((a, b) => a - b)).toEqual(Array.from(textSeen));
    for (const i of [...textSplits.val, ...textSplits.test]) expect(read.has(i)).toBe(false);
    expect(adapted.pretrainedNow).toBe(true);
    expect(adapted.key).not.toBe(base.key);
    expect(adapted.pretraining.adapted).toMatchObject({ objective: 'cbow', documents: textSeen.length, epochs: 1 });
    expect(textFeatures(adapted)).not.toEqual(textFeatures(base));

    // Other val and test texts: the same key and weights (only weak-train and transfer are read).
    const texts = spam.examples.text!.slice();
    for (const i of [...textSplits.val, ...textSplits.test]) texts[i] = 'something else entirely';
    const other: Dataset = { ...spam, examples: { ...spam.examples, text: texts } };
    const fresh = new ArtifactCache(mkdtempSync(join(tmpdir(), 'w2s-adapt-text-')));
    const base2 = await getBackbone(parseModelSpec({ family: 'text', size: 'xs' }), spam, { cache: fresh, seed: 0 });
    const adapted2 = await adaptBackbone(base2, other, textSeen, textConfig, { cache: fresh, seed: 0 });
    expect(adapted2.key).toBe(adapted.key);
    expect(Array.from(adapted2.params.get('emb.w')!.dataSync())).toEqual(Array.from(adapted.params.get('emb.w')!.dataSync()));

    const again = await adaptBackbone(base, spam, textSeen, textConfig, { cache, seed: 0 });
    expect(again.pretrainedNow).toBe(false);
    expect(textFeatures(again)).toEqual(textFeatures(adapted));
    for (const b of [base, adapted, base2, adapted2, again]) b.dispose();
  }, 120_000);
});
