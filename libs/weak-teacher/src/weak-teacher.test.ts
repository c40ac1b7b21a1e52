import { ArtifactCache, expectNoTensorLeak, initBackend, TrainConfigSchema } from '@w2s/core';
import { getBackbone } from '@w2s/models';
import { loadTask, makeSplits } from '@w2s/tasks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { labelsOf, oneHotRows, trainWeakTeacher } from './index.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('oneHotRows / labelsOf', () => {
  it('turn labels of the chosen examples into probability rows', () => {
    const labels = Int32Array.from([1, 0, 2, 1]);
    expect(Array.from(oneHotRows(labels, Int32Array.from([2, 0]), 3))).toEqual([0, 0, 1, 0, 1, 0]);
    expect(Array.from(labelsOf(labels, Int32Array.from([3, 1])))).toEqual([1, 0]);
  });
});

describe('trainWeakTeacher', () => {
  it('learns from weak-train ground truth and labels transfer/val/test with probability rows', async () => {
    const task = loadTask({ name: 'synthetic-linear', n: 600, seed: 3 });
    const splits = makeSplits(task, { seed: 0, nDocs: 300, nTest: 200, nVal: 50 });
    const cache = new ArtifactCache(mkdtempSync(join(tmpdir(), 'w2s-weak-')));
    const spec = { family: 'embedding' as const, size: 'strong', column: 'strong', mode: 'probe' as const, head: 'linear' as const };
    const backbone = await getBackbone(spec, task, { cache, seed: 0 });
    const train = TrainConfigSchema.parse({ epochs: 20, batchSize: 32, lr: 0.05 });
    const weak = await expectNoTensorLeak(() => trainWeakTeacher({ task, splits, spec, backbone, train, seed: 0, cache }));
    backbone.dispose();
    expect(weak.transfer).toHaveLength(splits.transfer.length * 2);
    expect(weak.val).toHaveLength(50 * 2);
    expect(weak.test).toHaveLength(200 * 2);
    for (let i = 0; i < weak.test.length; i += 2) expect(weak.test[i]! + weak.test[i + 1]!).toBeCloseTo(1, 5);
    // Any model can be the teacher; with the strong embedding (the label is linear in it) it learns well.
    expect(weak.testAcc).toBeGreaterThan(0.8);
    expect(weak.curve.length).toBeGreaterThan(0);
    expect(weak.curve.at(-1)!.loss).toBeLessThan(weak.curve[0]!.loss);
  });
});
