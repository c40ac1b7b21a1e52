import { ArtifactCache, expectNoTensorLeak, initBackend, TrainConfigSchema } from '@w2s/core';
import { getBackbone, type Backbone } from '@w2s/models';
import { loadTask, makeSplits } from '@w2s/tasks';
import { trainWeakTeacher } from '@w2s/weak-teacher';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainCeiling, trainStudent, type StudentOptions } from './index.js';

// The analysis curve (test accuracy, agreement with the weak labels at every evaluation) checked
// against accuracies counted here by hand, and shown not to change what training selects.
const task = loadTask({ name: 'synthetic-linear', n: 600, seed: 7 });
const splits = makeSplits(task, { seed: 2, nDocs: 300, nTest: 200, nVal: 60 });
const cache = new ArtifactCache(mkdtempSync(join(tmpdir(), 'w2s-curve-')));
const weakSpec = { family: 'embedding' as const, size: 'weak', column: 'weak', mode: 'probe' as const, head: 'linear' as const };
const strongSpec = { family: 'embedding' as const, size: 'strong', column: 'strong', mode: 'probe' as const, head: 'linear' as const };
// A constant schedule: a shorter run is then exactly a prefix of a longer one.
const trainOf = (epochs: number) => TrainConfigSchema.parse({ epochs, batchSize: 25, lr: 0.05, schedule: 'constant' });
const perEpoch = Math.ceil(150 / 25);

let strong: Backbone;
let weak: { transfer: Float32Array; val: Float32Array };
let common: Omit<StudentOptions, 'targets' | 'loss' | 'train'>;

const argmax = (p: Float32Array, i: number) => (p[2 * i + 1]! > p[2 * i]! ? 1 : 0);
/** Accuracy of 2-class probability rows against labels of `indices`, counted by hand. */
const handAccuracy = (p: Float32Array, indices: Int32Array) => {
  let right = 0;
  indices.forEach((ex, i) => (right += Number(argmax(p, i) === task.examples.labels[ex])));
  return right / indices.length;
};
const handAgreement = (a: Float32Array, b: Float32Array) => {
  let same = 0;
  for (let i = 0; i < a.length / 2; i++) same += Number(argmax(a, i) === argmax(b, i));
  return same / (a.length / 2);
};

beforeAll(async () => {
  await initBackend('wasm');
  const weakBackbone = await getBackbone(weakSpec, task, { cache, seed: 0 });
  strong = await getBackbone(strongSpec, task, { cache, seed: 0 });
  weak = await trainWeakTeacher({ task, splits, spec: weakSpec, backbone: weakBackbone, train: trainOf(10), seed: 0, cache });
  weakBackbone.dispose();
  common = { task, splits, spec: strongSpec, backbone: strong, seed: 3, cache };
});
afterAll(() => strong.dispose());

describe('analysis curve: test accuracy and weak agreement at every evaluation', () => {
  it('records, once per epoch, the test accuracy and weak agreement of the model as trained so far', async () => {
    const long = await expectNoTensorLeak(() => trainStudent({ ...common, train: trainOf(6), targets: weak.transfer, loss: { name: 'xent' } }));
    const evals = long.curve.filter((p) => p.metrics);
    expect(evals.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6].map((e) => e * perEpoch));
    // The last evaluation is the returned model.
    expect(evals.at(-1)!.metrics!.test_acc).toBe(handAccuracy(long.test, splits.test));
    expect(evals.at(-1)!.metrics!.weak_agreement).toBe(handAgreement(long.transfer, weak.transfer));
    // An earlier evaluation is the model of a run stopped there (constant schedule: same prefix).
    const short = await trainStudent({ ...common, train: trainOf(2), targets: weak.transfer, loss: { name: 'xent' } });
    const at2 = long.curve.find((p) => p.step === 2 * perEpoch)!.metrics!;
    expect(at2.test_acc).toBe(handAccuracy(short.test, splits.test));
    expect(at2.weak_agreement).toBe(handAgreement(short.transfer, weak.transfer));
    // The trajectory moves (so the curve is not one value repeated).
    expect(new Set(evals.map((p) => p.metrics!.weak_agreement)).size).toBeGreaterThan(1);
  });

  it('the ceiling records test accuracy and no weak agreement (it never sees weak labels)', async () => {
    const ceiling = await trainCeiling({ ...common, train: trainOf(3) });
    const last = ceiling.curve.at(-1)!.metrics!;
    expect(last.test_acc).toBe(handAccuracy(ceiling.test, splits.test));
    expect(Object.keys(last)).toEqual(['test_acc']);
  });

  it.each(['none', 'weak-val', 'gt-val'] as const)('recording changes nothing training selects (%s)', async (earlyStopping) => {
    const opts = { ...common, train: trainOf(5), targets: weak.transfer, loss: { name: 'logconf', auxCoef: 0.5 }, earlyStopping, weakVal: weak.val, evalsPerEpoch: 2 };
    const recorded = await trainStudent(opts);
    const plain = await trainStudent({ ...opts, recordCurve: false });
    expect(recorded.selectedStep).toBe(plain.selectedStep);
    expect(recorded.test).toEqual(plain.test);
    expect(recorded.transfer).toEqual(plain.transfer);
    expect(recorded.curve.map((p) => [p.step, p.loss, p.metrics?.select])).toEqual(plain.curve.map((p) => [p.step, p.loss, p.metrics?.select]));
    expect(recorded.curve.filter((p) => p.metrics?.test_acc !== undefined)).toHaveLength(10);
    if (earlyStopping !== 'none') {
      // The selected checkpoint is the best by `select`, whatever test accuracy says.
      const selects = recorded.curve.flatMap((p) => (p.metrics?.select !== undefined ? [p.metrics.select] : []));
      expect(recorded.curve.find((p) => p.step === recorded.selectedStep)!.metrics!.select).toBe(Math.max(...selects));
    }
  });
});
