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

  it('refuses families without the denoising recipe', () => {
    expect(() => checkAdaptFor({ family: 'text' }, 'methods[2].adapt')).toThrow(
      'methods[2].adapt: adaptation continues the denoising recipe of the mlp and cnn families; the text family has none here yet',
    );
    expect(() => checkAdaptFor({ family: 'cnn' })).not.toThrow();
  });
});
