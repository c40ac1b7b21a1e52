// The pretraining stage: cached and reused, and never fed a task example.
import * as tf from '@tensorflow/tfjs';
import { UserError } from '@w2s/core';
import { DIGIT_CONCEPTS, loadTask } from '@w2s/tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertDisjoint, assertTextDisjoint } from './corpus.js';
import { cachedFeatures, featuresKey } from './features.js';
import { hashParts } from './fingerprint.js';
import { digitCorpus, textCorpusFor, vectorCorpusFor } from './pretraining-data.js';
import { getBackbone } from './registry.js';
import { imageCorpus, imageTask, range, textCorpus, textTask } from './test-utils/data.js';
import { tempCache, useWasm } from './test-utils/setup.js';

const { cache, cleanup } = tempCache();
beforeAll(useWasm);
afterAll(cleanup);

function weightsOf(params: Map<string, tf.Variable>): Record<string, number[]> {
  return Object.fromEntries([...params].map(([name, p]) => [name, Array.from(p.dataSync())]));
}

describe('pretraining cache', () => {
  it('pretrains once: a later getBackbone loads the same weights from the cache', async () => {
    const task = loadTask('digits-parity');
    const progress: number[] = [];
    const first = await getBackbone({ family: 'mlp', size: 'xs' }, task, { cache, seed: 7, onProgress: (_m, f) => progress.push(f) });
    expect(first.pretrainedNow).toBe(true);
    expect(progress.at(-1)).toBe(1); // pretraining progress was reported up to the end
    expect(cache.has(first.key)).toBe(true);
    const second = await getBackbone({ family: 'mlp', size: 'xs' }, task, { cache, seed: 7, onProgress: () => expect.fail('no pretraining on a hit') });
    expect(second.pretrainedNow).toBe(false);
    expect(second.key).toBe(first.key);
    expect(weightsOf(second.params)).toEqual(weightsOf(first.params));
    expect(second.pretraining).toEqual(first.pretraining);
    // Another digit task reuses the same pretrained backbone: the task is not part of the key.
    const other = await getBackbone({ family: 'mlp', size: 'xs' }, loadTask('digits-prime'), { cache, seed: 7 });
    expect(other.key).toBe(first.key);
    expect(other.pretrainedNow).toBe(false);
    // Another seed is another stage.
    const reseeded = await getBackbone({ family: 'mlp', size: 'xs' }, task, { cache, seed: 8 });
    expect(reseeded.key).not.toBe(first.key);
    for (const b of [first, second, other, reseeded]) b.dispose();
  });

  it('caches probe features per (backbone, task, split)', async () => {
    const task = loadTask('digits-gt4');
    const backbone = await getBackbone({ family: 'mlp', size: 'xs' }, task, { cache, seed: 7 });
    const split = range(0, 50);
    const key = featuresKey(cache, backbone, task, split);
    expect(cache.has(key)).toBe(false);
    const computed = await cachedFeatures(backbone, task, split, cache);
    expect(cache.has(key)).toBe(true);
    const read = await cachedFeatures(backbone, task, split, cache);
    expect(read).toEqual(computed);
    expect(read.length).toBe(50 * backbone.featureDim);
    expect(featuresKey(cache, backbone, task, range(0, 51))).not.toBe(key);
    expect(featuresKey(cache, backbone, loadTask('digits-parity'), split)).not.toBe(key);
    backbone.dispose();
  });
});

describe('pretraining never touches task splits', () => {
  it('the digit pretraining split shares no example (by id or by pixels) with any digit task', () => {
    const corpus = digitCorpus();
    const rowHash = (x: Float32Array, dim: number, i: number) => hashParts([x.subarray(i * dim, (i + 1) * dim)]);
    const corpusRows = new Set(Array.from({ length: corpus.ids.length }, (_, i) => rowHash(corpus.x, corpus.dim, i)));
    for (const name of Object.keys(DIGIT_CONCEPTS)) {
      const task = loadTask(name);
      expect(vectorCorpusFor(task).name).toBe(corpus.name);
      expect(() => assertDisjoint(corpus.ids, task, corpus.name)).not.toThrow();
      const e = task.examples;
      for (let i = 0; i < e.ids.length; i++) expect(corpusRows.has(rowHash(e.x!, e.dim!, i))).toBe(false);
    }
  });

  it('the text corpora share no document with their task', () => {
    for (const name of ['spam', 'sotu-party']) {
      const task = loadTask(name);
      const corpus = textCorpusFor(task);
      expect(corpus.texts.length).toBeGreaterThan(1000);
      const taskTexts = new Set(task.examples.text);
      expect(corpus.texts.some((t) => taskTexts.has(t))).toBe(false);
    }
  });

  it('a corpus holding a task example is refused before any pretraining', async () => {
    const task = imageTask();
    const leaky = imageCorpus();
    leaky.ids[3] = task.examples.ids[10]!;
    expect(() => assertDisjoint(leaky.ids, task, leaky.name)).toThrow(UserError);
    await expect(getBackbone({ family: 'mlp', size: 'xs' }, task, { cache, seed: 0, pretrainCorpus: leaky })).rejects.toThrow(/contains example "task-10"/);
    const tt = textTask();
    const leakyText = textCorpus();
    leakyText.texts[5] = tt.examples.text![0]!;
    expect(() => assertTextDisjoint(leakyText, tt)).toThrow(/document 5 is an example of task/);
  });

  it('vector tasks without pretraining data are refused with a pointer to the embedding family', () => {
    expect(() => vectorCorpusFor(loadTask('synthetic-linear'))).toThrow(/use the embedding family/);
  });
});
