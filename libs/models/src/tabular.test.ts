// A user's numeric task with no pretraining data of its own: the mlp family pretrains on the
// task's weak-train and transfer inputs, labels removed, never on val or test rows; a file's
// unlabeled: rows come first; `pretrain: none` trains from random weights.
import * as tf from '@tensorflow/tfjs';
import { isUserError } from '@w2s/core';
import { makeSplits, type Dataset } from '@w2s/tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPretrainRows } from './corpus.js';
import { pretrainingDataOf, pretrainsOnTaskInputs, vectorCorpusFor } from './pretraining-data.js';
import { formatLadderTable } from './ladder.js';
import { checkModelFor, families, getBackbone, parseModelSpec } from './registry.js';
import { imageTask, unlabelledCorpus } from './test-utils/data.js';
import { tempCache, useWasm } from './test-utils/setup.js';

const { cache, cleanup } = tempCache();
beforeAll(useWasm);
afterAll(cleanup);

const task = imageTask(120, 2, 'vector');
const splits = makeSplits(task, { nDocs: 60, nTest: 40, nVal: 10, seed: 3 });
const idsOf = (rows: Int32Array) => Array.from(rows, (r) => task.examples.ids[r]!);

describe('pretraining data of a numeric task', () => {
  it('is the weak-train and transfer inputs only, without labels, in a seeded order', () => {
    expect(pretrainsOnTaskInputs(task)).toBe(true);
    const corpus = vectorCorpusFor(task, splits, 5);
    const allowed = new Set([...idsOf(splits['weak-train']), ...idsOf(splits.transfer)]);
    expect(corpus.ids.length).toBe(splits['weak-train'].length + splits.transfer.length);
    expect(new Set(corpus.ids)).toEqual(allowed);
    for (const id of [...idsOf(splits.val), ...idsOf(splits.test)]) expect(corpus.ids).not.toContain(id);
    expect(corpus.labels).toBeUndefined();
    expect(corpus.numClasses).toBeUndefined();
    // Each row is the task's input of that example.
    const dim = task.examples.dim!;
    corpus.ids.forEach((id, i) => {
      const row = task.examples.ids.indexOf(id);
      expect(Array.from(corpus.x.subarray(i * dim, (i + 1) * dim))).toEqual(Array.from(task.examples.x!.subarray(row * dim, (row + 1) * dim)));
    });
    // Shuffled (a budget takes a prefix), the same for the same seed, another order for another.
    expect(corpus.ids).not.toEqual([...allowed]);
    expect(vectorCorpusFor(task, splits, 5).ids).toEqual(corpus.ids);
    expect(vectorCorpusFor(task, splits, 6).ids).not.toEqual(corpus.ids);
  });

  it('without splits there is none: one message that names the ways to give some', () => {
    let message = '';
    try {
      vectorCorpusFor(task);
    } catch (e) {
      expect(isUserError(e)).toBe(true);
      message = (e as Error).message;
    }
    expect(message).toMatch(/no pretraining data for task "tiny-vector-task".*unlabeled: rows.*weak-train and transfer inputs/);
  });

  it('prefers a file task\'s unlabeled rows, which do not depend on the splits', () => {
    const rows = unlabelledCorpus(50, 9);
    const withRows: Dataset = { ...task, unlabeled: { name: 'extra.csv', ids: rows.ids, x: rows.x, dim: rows.dim } };
    expect(pretrainsOnTaskInputs(withRows)).toBe(false);
    const corpus = vectorCorpusFor(withRows, splits);
    expect(corpus.name).toBe('unlabeled:extra.csv');
    expect(corpus.ids).toEqual(rows.ids);
    expect(pretrainingDataOf({ family: 'mlp' }, withRows)).toBe('unlabeled rows: extra.csv');
    expect(pretrainingDataOf({ family: 'mlp' }, task)).toBe("the task's own weak-train + transfer inputs, labels removed (per seed)");
    expect(pretrainingDataOf({ family: 'mlp', pretrain: 'none' }, task)).toBe('none (random initial weights)');
  });

  it('a task with no pretraining data is refused by checkModelFor (what `w2s plan` runs), naming the manifest path', () => {
    expect(() => checkModelFor(parseModelSpec({ family: 'mlp', size: 'xs' }), imageTask(), 'ladders.image.weak')).toThrow(
      /^ladders\.image\.weak: no pretraining data for task "tiny-image-task" \(image, shape 8×8×1\)/,
    );
    expect(() => checkModelFor(parseModelSpec({ family: 'mlp', size: 'xs' }), task, 'ladders.vector.weak')).not.toThrow();
  });

  it('w2s models shows the mlp ladder at a numeric task\'s real input width', () => {
    // By hand: a dense layer has in·out weights + out biases. 30 inputs: xs = 30·16 + 16 = 496;
    // l = (30·256 + 256) + (256·256 + 256) = 7,936 + 65,792 = 73,728.
    const at30 = families.mlp!.ladder(30);
    expect(at30.find((e) => e.size === 'xs')).toMatchObject({ params: 496, arch: '30→16' });
    expect(at30.find((e) => e.size === 'l')).toMatchObject({ params: 73_728, arch: '30→256→256' });
    const cancer: Dataset = { ...task, name: 'cancer', examples: { ...task.examples, dim: 30 } };
    expect(formatLadderTable([cancer])).toMatch(/ {2}xs +496 +30→16\n[\s\S]*\(parameter counts for task "cancer", 30 inputs\)/);
  });

  it('refuses a corpus holding a val or test row of the cell', () => {
    const corpus = vectorCorpusFor(task, splits, 5);
    expect(() => assertPretrainRows(corpus, task, splits)).not.toThrow();
    const leaky = { ...corpus, ids: [...corpus.ids.slice(1), task.examples.ids[splits.test[0]!]!] };
    expect(() => assertPretrainRows(leaky, task, splits)).toThrow(/holds example "task-\d+", which is not in weak-train or transfer of this cell/);
  });

  it('getBackbone pretrains an mlp on them (denoising), per seed of the splits; pretrain: none skips training', async () => {
    const before = tf.memory().numTensors;
    const a = await getBackbone({ family: 'mlp', size: 'xs' }, task, { cache, seed: 0, splits });
    expect(a.pretraining).toMatchObject({ objective: 'denoising', corpus: 'tiny-vector-task/inputs-of-weak-train+transfer' });
    const otherSplits = makeSplits(task, { nDocs: 60, nTest: 40, nVal: 10, seed: 4 });
    const b = await getBackbone({ family: 'mlp', size: 'xs' }, task, { cache, seed: 0, splits: otherSplits });
    expect(b.key).not.toBe(a.key);
    const scratch = await getBackbone({ family: 'mlp', size: 'xs', pretrain: 'none' }, task, { cache, seed: 0, splits });
    expect(scratch.key).not.toBe(a.key);
    expect(scratch.pretraining).toMatchObject({ objective: 'none (random initial weights)' });
    expect(scratch.pretraining.firstLoss).toBeUndefined();
    await expect(getBackbone({ family: 'mlp', size: 'xs' }, task, { cache, seed: 0 })).rejects.toThrow(/no pretraining data/);
    await expect(getBackbone({ family: 'cnn', size: 'xs', pretrain: 'none' }, imageTask(), { cache, seed: 0 })).rejects.toThrow(/pretrain: none is for the mlp family/);
    for (const backbone of [a, b, scratch]) backbone.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
