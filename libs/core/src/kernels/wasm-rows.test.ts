import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoTensorLeak } from '../leak-guard.js';
import { Rng } from '../rng.js';
import { installWasmRowKernels } from './wasm-rows.js';

// The row kernels (wasm-rows.ts) must give what the tfjs cpu backend gives, forward and as the
// gradient of tf.gather (tfjs's gather gradient is an UnsortedSegmentSum).

const rng = new Rng(20261204);

interface Case {
  shape: number[];
  values: number[];
  dtype: 'float32' | 'int32';
}

function randomCase(shape: number[], dtype: 'float32' | 'int32' = 'float32'): Case {
  const n = shape.reduce((p, d) => p * d, 1);
  const values = dtype === 'float32' ? Array.from(rng.normalArray(n)) : Array.from({ length: n }, () => rng.int(200) - 100);
  return { shape, values, dtype };
}

/** Runs `f` on the cpu backend and on wasm (row kernels installed); their results as plain arrays. */
async function cpuAndWasm(f: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: number[][]; wasm: number[][] }> {
  const run = () => {
    const out = tf.tidy(f);
    const list = Array.isArray(out) ? out : [out];
    const values = list.map((t) => Array.from(t.dataSync()));
    tf.dispose(list);
    return values;
  };
  await tf.setBackend('cpu');
  const cpu = run();
  await tf.setBackend('wasm');
  const wasm = await expectNoTensorLeak(run);
  return { cpu, wasm };
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  installWasmRowKernels();
});

describe('UnsortedSegmentSum on wasm', () => {
  it('sums rows into segments as the cpu kernel does (repeated, unused and out-of-range ids; float32 and int32)', async () => {
    const ids = [3, 0, 3, 7, -1, 1, 3, 9]; // 7 and 9 ≥ numSegments and -1: dropped
    for (const x of [randomCase([8, 5]), randomCase([8, 2, 3]), randomCase([8, 4], 'int32'), randomCase([8])]) {
      const { cpu, wasm } = await cpuAndWasm(() => tf.unsortedSegmentSum(tf.tensor(x.values, x.shape, x.dtype), tf.tensor1d(ids, 'int32'), 6));
      expect(wasm[0]!.length).toBe(6 * (x.values.length / 8));
      expect(wasm[0]).toEqual(cpu[0]!.map((v) => expect.closeTo(v, 5)));
    }
  });

  it('writes zeros into segments no row reaches, even on reused heap memory', async () => {
    // Fill the heap with non-zero garbage first, then free it: the output is allocated over it.
    tf.dispose(tf.fill([4096], 7));
    const out = tf.unsortedSegmentSum(tf.ones([2, 3]), tf.tensor1d([1, 1], 'int32'), 4);
    expect(out.arraySync()).toEqual([[0, 0, 0], [2, 2, 2], [0, 0, 0], [0, 0, 0]]);
    out.dispose();
  });

  it('refuses segment ids that are not int32 or not one per row', () => {
    const x = tf.ones([3, 2]);
    const badDtype = tf.tensor1d([0, 1, 2], 'float32');
    const badLength = tf.tensor1d([0, 1], 'int32');
    const run = (ids: tf.Tensor) => tf.engine().runKernel(tf.UnsortedSegmentSum, { x, segmentIds: ids }, { numSegments: 3 });
    expect(() => run(badDtype)).toThrow(/segmentIds must be int32/);
    expect(() => run(badLength)).toThrow(/must be 1-D with x's first dimension/);
    tf.dispose([x, badDtype, badLength]);
  });
});

describe('GatherV2 on wasm', () => {
  it('gathers rows (axis 0) as the cpu kernel does, for float32 and int32 and index tensors of any rank', async () => {
    for (const x of [randomCase([7, 4]), randomCase([7, 2, 3]), randomCase([7, 5], 'int32'), randomCase([7])]) {
      for (const [ids, idsShape] of [[[6, 0, 6, 2], [4]], [[1, 2, 3, 4, 5, 0], [2, 3]], [[], [0]]] as [number[], number[]][]) {
        const { cpu, wasm } = await cpuAndWasm(() => tf.gather(tf.tensor(x.values, x.shape, x.dtype), tf.tensor(ids, idsShape, 'int32')));
        expect(wasm[0]).toEqual(cpu[0]);
      }
    }
  });

  it('leaves gathers along another axis to the stock kernel (same values as cpu)', async () => {
    // (Batch dims also go to the stock kernel; it is wrong there in tfjs-wasm 4.22, nothing here uses them.)
    const x = randomCase([3, 5, 2]);
    const { cpu, wasm } = await cpuAndWasm(() => tf.gather(tf.tensor(x.values, x.shape), tf.tensor1d([4, 0, 4], 'int32'), 1));
    expect(wasm).toEqual(cpu);
  });

  it('gives tf.gather the cpu gradient on wasm (an UnsortedSegmentSum of dy over the rows read)', async () => {
    const table = randomCase([6, 3]);
    const weights = randomCase([5, 3]);
    const ids = [5, 1, 5, 0, 5];
    const { cpu, wasm } = await cpuAndWasm(() =>
      tf.grad((e: tf.Tensor) => tf.sum(tf.mul(tf.gather(e, tf.tensor1d(ids, 'int32')), tf.tensor(weights.values, weights.shape))))(tf.tensor(table.values, table.shape)),
    );
    expect(wasm[0]).toEqual(cpu[0]!.map((v) => expect.closeTo(v, 5)));
    // Row 5 was read three times: its gradient is the sum of those three weight rows.
    expect(wasm[0]!.slice(15, 18)).toEqual([0, 1, 2].map((j) => expect.closeTo(weights.values[j]! + weights.values[6 + j]! + weights.values[12 + j]!, 5)));
  });
});
