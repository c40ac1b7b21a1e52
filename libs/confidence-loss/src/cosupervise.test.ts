import * as tf from '@tensorflow/tfjs';
import { Rng } from '@w2s/core/base';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosupervise, cosuperviseAssignment, type CosuperviseOptionsInput } from './cosupervise.js';
import { makeLoss } from './registry.js';
import { expectAllClose, expectNoLeak, useWasmBackend, valueAndGrad } from './test-utils/tf.js';

beforeAll(useWasmBackend);

// Inputs and expected numbers from reference/cosupervise.py (numpy float64, written from the formula).
const ZB = [[1.2, -0.3], [0.4, 0.6], [-0.7, 0.8], [0.3, 0.9], [-1.5, -0.2], [2.0, 0.1]];
const YB = [
  [0.9, 0.1, 0.3, 0.7],
  [0.2, 0.8, 0.6, 0.4],
  [0.7, 0.3, 0.8, 0.2],
  [0.5, 0.5, 0.1, 0.9],
  [0.4, 0.6, 0.45, 0.55],
  [0.2, 0.8, 0.35, 0.65],
];
const ZK = [[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [-0.5, 1.5, 0.4], [1.0, 1.2, -2.0], [0.0, -1.0, 1.0]];
const YK = [
  [1, 0, 0, 0.2, 0.5, 0.3, 0, 0, 1],
  [0.2, 0.3, 0.5, 0.6, 0.2, 0.2, 0.1, 0.8, 0.1],
  [0, 0.6, 0.4, 0.3, 0.3, 0.4, 0.9, 0.05, 0.05],
  [0.1, 0.1, 0.8, 0.7, 0.2, 0.1, 0.2, 0.3, 0.5],
  [0.1, 0.8, 0.1, 0.2, 0.7, 0.1, 0.3, 0.6, 0.1],
];
const CASES = { B: { z: ZB, y: YB }, K: { z: ZK, y: YK } } as const;

/** The assignment of plain arrays (cosuperviseAssignment returns plain arrays; the inputs are freed here). */
function assignmentOf(z: number[][], y: number[][], s: number, options: CosuperviseOptionsInput) {
  const [logits, targets] = [tf.tensor2d(z), tf.tensor2d(y)];
  try {
    return cosuperviseAssignment(logits, targets, s, options);
  } finally {
    tf.dispose([logits, targets]);
  }
}

const COSUPERVISE = [
  { case: 'B', warmupFrac: 0.2, denoiseTopK: 1, s: 0.1, teacher: [-1, -1, -1, -1, -1, -1], keep: [1, 1, 1, 1, 1, 1], loss: 0.9556414313, grad: [[0.0362624127, -0.0362624127], [0.0083610004, -0.0083610004], [-0.094595746, 0.094595746], [0.0090572823, -0.0090572823], [-0.0351391638, 0.0351391638], [0.0991485876, -0.0991485876]] },
  { case: 'B', warmupFrac: 0.2, denoiseTopK: 1, s: 0.5, teacher: [0, 0, 0, 1, 0, 1], keep: [1, 1, 0, 1, 1, 0], loss: 0.5620121379, grad: [[-0.020606381, 0.020606381], [0.0625415007, -0.0625415007], [-0.0, 0.0], [0.0635859234, -0.0635859234], [-0.0464587458, 0.0464587458], [0.0, -0.0]] },
  { case: 'B', warmupFrac: 0.0, denoiseTopK: 0, s: 0.0, teacher: [0, 0, 0, 1, 0, 1], keep: [1, 1, 1, 1, 1, 1], loss: 0.8123080980, grad: [[-0.0137375873, 0.0137375873], [0.0416943338, -0.0416943338], [-0.0862624127, 0.0862624127], [0.0423906156, -0.0423906156], [-0.0309724972, 0.0309724972], [0.0866485876, -0.0866485876]] },
  { case: 'B', warmupFrac: 0.0, denoiseTopK: 2, s: 1.0, teacher: [0, 0, 0, 1, 0, 1], keep: [1, 1, 1, 1, 1, 1], loss: 0.8123080980, grad: [[-0.0137375873, 0.0137375873], [0.0416943338, -0.0416943338], [-0.0862624127, 0.0862624127], [0.0423906156, -0.0423906156], [-0.0309724972, 0.0309724972], [0.0866485876, -0.0866485876]] },
  { case: 'K', warmupFrac: 0.2, denoiseTopK: 1, s: 0.1, teacher: [-1, -1, -1, -1, -1], keep: [1, 1, 1, 1, 1], loss: 1.7160410907, grad: [[0.0771194069, 0.0017247451, -0.078844152], [0.0001219211, -0.020221668, 0.0200997469], [-0.0615645421, 0.0728872992, -0.0113227571], [0.0213929035, 0.0675562019, -0.0889491055], [0.0089456942, -0.1219938854, 0.1130481912]] },
  { case: 'K', warmupFrac: 0.2, denoiseTopK: 1, s: 0.5, teacher: [0, 0, 0, 1, 2], keep: [1, 0, 1, 1, 0], loss: 0.7152188802, grad: [[-0.0714676551, 0.0584301307, 0.0130375244], [0.0, 0.0, -0.0], [0.0307257631, 0.0270343876, -0.0577601507], [-0.086567383, 0.1125936699, -0.0260262869], [-0.0, -0.0, 0.0]] },
  { case: 'K', warmupFrac: 0.0, denoiseTopK: 0, s: 0.0, teacher: [0, 0, 0, 1, 2], keep: [1, 1, 1, 1, 1], loss: 1.0250410907, grad: [[-0.0428805931, 0.0350580784, 0.0078225147], [0.0201219211, 0.0064449987, -0.0265669198], [0.0184354579, 0.0162206325, -0.0346560904], [-0.0519404298, 0.0675562019, -0.0156157722], [-0.0110543058, -0.1019938854, 0.1130481912]] },
  { case: 'K', warmupFrac: 0.0, denoiseTopK: 2, s: 1.0, teacher: [0, 0, 0, 1, 2], keep: [1, 1, 1, 1, 0], loss: 0.8043998722, grad: [[-0.0536007414, 0.043822598, 0.0097781433], [0.0251524013, 0.0080562484, -0.0332086497], [0.0230443224, 0.0202757907, -0.043320113], [-0.0649255372, 0.0844452524, -0.0195197152], [-0.0, -0.0, 0.0]] },
];

describe('cosupervise (Liu & Alahi 2024)', () => {
  it.each(COSUPERVISE)('case $case, warmupFrac $warmupFrac, top-$denoiseTopK at s = $s', ({ case: name, warmupFrac, denoiseTopK, s, teacher, keep, loss, grad }) => {
    const { z, y } = CASES[name as keyof typeof CASES];
    const options = { warmupFrac, denoiseTopK };
    const got = valueAndGrad((logits) => cosupervise(logits, tf.tensor2d(y), s, options), z);
    expect(Math.abs(got.loss - loss)).toBeLessThanOrEqual(2e-6);
    expectAllClose(got.grad, grad, 5e-7);
    const assignment = assignmentOf(z, y, s, options);
    expect(Array.from(assignment.teacher)).toEqual(teacher);
    expect(Array.from(assignment.keep)).toEqual(keep);
    const viaRegistry = valueAndGrad((logits) => makeLoss({ name: 'cosupervise', ...options })(logits, tf.tensor2d(y), s), z);
    expect(viaRegistry.loss).toBe(got.loss);
  });

  it('by hand: one teacher and no noise reduction is cross-entropy on its labels', () => {
    const z = [[0.3, -0.2], [1, 2]];
    const y = [[0.6, 0.4], [0.1, 0.9]];
    const got = valueAndGrad((logits) => cosupervise(logits, tf.tensor2d(y), 1, { denoiseTopK: 0 }), z);
    const ce = (row: number[], t: number[]) => -t.reduce((s, tc, c) => s + tc * (row[c]! - Math.log(Math.exp(row[0]!) + Math.exp(row[1]!))), 0);
    expect(Math.abs(got.loss - (ce(z[0]!, y[0]!) + ce(z[1]!, y[1]!)) / 2)).toBeLessThanOrEqual(1e-6);
  });

  it('the student picks the teacher that agrees with it, re-picking as its prediction changes', () => {
    // Teacher 0 says class 0, teacher 1 says class 1.
    const pick = (z: number[]) => assignmentOf([z], [[0.9, 0.1, 0.2, 0.8]], 1, { warmupFrac: 0 }).teacher[0];
    expect(pick([2, 0])).toBe(0);
    expect(pick([0, 2])).toBe(1);
  });

  it('gradients match float64 central differences with the assignment frozen (random batches)', () => {
    const rng = new Rng(2402).fork('cosupervise');
    for (const [k, m] of [[2, 2], [3, 4]] as const) {
      for (let trial = 0; trial < 3; trial++) {
        const z = Array.from({ length: 7 }, () => Array.from({ length: k }, () => Math.fround(1.5 * rng.normal())));
        const y = z.map(() => Array.from({ length: m }, () => {
          const raw = Array.from({ length: k }, () => rng.uniform() + 0.01);
          const sum = raw.reduce((s, v) => s + v, 0);
          return raw.map((v) => Math.fround(v / sum));
        }).flat());
        const s = 0.5 + 0.5 * rng.uniform();
        const got = valueAndGrad((logits) => cosupervise(logits, tf.tensor2d(y), s, { denoiseTopK: 1 }), z);
        const { target, keep } = assignmentOf(z, y, s, { denoiseTopK: 1 });
        const reference = (zz: number[][]) => {
          let total = 0;
          zz.forEach((row, i) => {
            const max = Math.max(...row);
            const logSum = Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0));
            total += keep[i]! * -row.reduce((a, v, c) => a + target[i]![c]! * (v - max - logSum), 0);
          });
          return total / Math.max(1, keep.reduce((a, v) => a + v, 0));
        };
        const eps = 1e-6;
        const fd = z.map((row, i) => row.map((_, c) => {
          const plus = z.map((r) => [...r]);
          const minus = z.map((r) => [...r]);
          plus[i]![c]! += eps;
          minus[i]![c]! -= eps;
          return (reference(plus) - reference(minus)) / (2 * eps);
        }));
        expect(Math.abs(got.loss - reference(z))).toBeLessThanOrEqual(1e-5);
        expectAllClose(got.grad, fd, 1e-6);
      }
    }
  });

  it('leaves no tensors behind', () => {
    const z = tf.tensor2d(ZK);
    const y = tf.tensor2d(YK);
    expectNoLeak(() => {
      cosupervise(z, y, 0.7).dispose();
      const { value, grad } = tf.valueAndGrad((logits: tf.Tensor2D) => cosupervise(logits, y, 0.7))(z);
      tf.dispose([value, grad]);
    });
    tf.dispose([z, y]);
  });

  it('refuses targets that are not one row per teacher, and bad options, naming them', () => {
    const z = tf.tensor2d(ZB);
    expect(() => makeLoss({ name: 'cosupervise' })(z, tf.tensor2d([[1, 0, 0]]), 0.5)).toThrow(/loss: targets \[1,3\] must hold each example's labels from every teacher/);
    expect(() => makeLoss({ name: 'cosupervise', denoiseTopK: -1 })).toThrow('loss.denoiseTopK: must be ≥ 0');
    expect(() => makeLoss({ name: 'cosupervise', warmupFrac: 2 })).toThrow('loss.warmupFrac: must be in [0, 1]');
    z.dispose();
  });
});
