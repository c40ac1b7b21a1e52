import { ArtifactCache, expectNoTensorLeak, initBackend, TrainConfigSchema } from '@w2s/core';
import { getBackbone } from '@w2s/models';
import { loadTask, makeSplits } from '@w2s/tasks';
import { trainWeakTeacher } from '@w2s/weak-teacher';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sideBySide, trainCeiling, trainStudent } from './index.js';

const task = loadTask({ name: 'synthetic-linear', n: 800, seed: 5 });
const splits = makeSplits(task, { seed: 1, nDocs: 400, nTest: 250, nVal: 80 });
const cache = new ArtifactCache(mkdtempSync(join(tmpdir(), 'w2s-student-')));
const weakSpec = { family: 'embedding' as const, size: 'weak', column: 'weak', mode: 'probe' as const, head: 'linear' as const };
const strongSpec = { family: 'embedding' as const, size: 'strong', column: 'strong', mode: 'probe' as const, head: 'linear' as const };
const train = TrainConfigSchema.parse({ epochs: 15, batchSize: 32, lr: 0.05 });

beforeAll(async () => {
  await initBackend('wasm');
});

describe('ceiling and transfer', () => {
  it('the ceiling (GT of transfer) beats the weak teacher, and a student learns from weak labels', async () => {
    const weakBackbone = await getBackbone(weakSpec, task, { cache, seed: 0 });
    const strongBackbone = await getBackbone(strongSpec, task, { cache, seed: 0 });
    const weak = await trainWeakTeacher({ task, splits, spec: weakSpec, backbone: weakBackbone, train, seed: 0, cache });
    const common = { task, splits, spec: strongSpec, backbone: strongBackbone, train, seed: 0, cache };
    const ceiling = await expectNoTensorLeak(() => trainCeiling(common));
    const student = await expectNoTensorLeak(() => trainStudent({ ...common, targets: weak.transfer, loss: { name: 'xent' } }));
    expect(ceiling.testAcc).toBeGreaterThan(weak.testAcc + 0.05);
    expect(ceiling.usesGtForSelection).toBe(false);
    expect(student.test).toHaveLength(250 * 2);
    expect(student.transfer).toHaveLength(splits.transfer.length * 2);
    // A student trained on weak labels agrees with its teacher far more than chance.
    let agree = 0;
    for (let i = 0; i < 250; i++) agree += Number((student.test[2 * i + 1]! > 0.5) === (weak.test[2 * i + 1]! > 0.5));
    expect(agree / 250).toBeGreaterThan(0.7);

    // weak-val selects by agreement with weak labels (no GT); gt-val is flagged.
    const selected = await trainStudent({ ...common, targets: weak.transfer, loss: { name: 'xent' }, earlyStopping: 'weak-val', weakVal: weak.val, evalsPerEpoch: 2 });
    expect(selected.usesGtForSelection).toBe(false);
    expect(selected.curve.some((p) => p.metrics?.select !== undefined)).toBe(true);
    const oracle = await trainStudent({ ...common, targets: weak.transfer, loss: { name: 'xent' }, earlyStopping: 'gt-val' });
    expect(oracle.usesGtForSelection).toBe(true);
    const bestGt = Math.max(...oracle.curve.flatMap((p) => (p.metrics?.select !== undefined ? [p.metrics.select] : [])));
    expect(oracle.curve.find((p) => p.step === oracle.selectedStep)!.metrics!.select).toBe(bestGt);
    weakBackbone.dispose();
    strongBackbone.dispose();
  });

  it('asks for a val split and weak val labels with a clear message', async () => {
    const noVal = makeSplits(task, { seed: 1, nDocs: 400, nTest: 250 });
    const backbone = await getBackbone(strongSpec, task, { cache, seed: 0 });
    const common = { task, spec: strongSpec, backbone, train, seed: 0, targets: new Float32Array(200 * 2).fill(0.5), loss: { name: 'xent' } };
    await expect(trainStudent({ ...common, splits: noVal, earlyStopping: 'weak-val' })).rejects.toThrow(/needs a val split/);
    await expect(trainStudent({ ...common, splits, earlyStopping: 'weak-val' })).rejects.toThrow(/weak labels of the val split/);
    backbone.dispose();
  });
});

describe('co-supervision targets', () => {
  it('sideBySide puts each example\'s teacher rows next to each other, in teacher order', () => {
    const a = Float32Array.from([0.1, 0.9, 0.2, 0.8]);
    const b = Float32Array.from([0.3, 0.7, 0.4, 0.6]);
    expect(Array.from(sideBySide([a, b], 2, 2))).toEqual(Array.from(Float32Array.from([0.1, 0.9, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6])));
    expect(() => sideBySide([a, Float32Array.from([1, 0])], 2, 2)).toThrow('teacherTargets: teacher 1 has 2 numbers, expected 2 examples × 2 classes');
  });

  it('two identical teachers without noise reduction train the student as cross-entropy on their labels does', async () => {
    const weakBackbone = await getBackbone(weakSpec, task, { cache, seed: 0 });
    const strongBackbone = await getBackbone(strongSpec, task, { cache, seed: 0 });
    const weak = await trainWeakTeacher({ task, splits, spec: weakSpec, backbone: weakBackbone, train, seed: 0, cache });
    const common = { task, splits, spec: strongSpec, backbone: strongBackbone, train: { ...train, epochs: 3 }, seed: 0, cache, targets: weak.transfer };
    const xent = await trainStudent({ ...common, loss: { name: 'xent' } });
    const cos = await expectNoTensorLeak(() => trainStudent({ ...common, teacherTargets: [weak.transfer, weak.transfer], loss: { name: 'cosupervise', warmupFrac: 0, denoiseTopK: 0 } }));
    for (let i = 0; i < cos.test.length; i++) expect(Math.abs(cos.test[i]! - xent.test[i]!)).toBeLessThan(1e-4);
    // A loss that takes one label row per example refuses several teachers' rows.
    await expect(trainStudent({ ...common, teacherTargets: [weak.transfer, weak.transfer], loss: { name: 'xent' } })).rejects.toThrow(/must have the same shape/);
    weakBackbone.dispose();
    strongBackbone.dispose();
  });
});
