import * as tf from '@tensorflow/tfjs';
import { expectNoTensorLeak, Rng, softCrossEntropy } from '@w2s/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv3x3, embedLookup, gatherRows, gelu, im2col3x3, layerNorm, meanEmbeddingBag, selfAttention } from './ops.js';
import { useWasm } from './test-utils/setup.js';

/**
 * The reference bag: a dense [n, vocab] matrix of token counts (scaled by 1/length for a mean), so
 * a bag is counts @ E — how text bags were computed before meanEmbeddingBag (issue 17).
 */
function countMatrix(rows: ArrayLike<number>[], vocab: number, normalize: 'sum' | 'mean' = 'mean'): tf.Tensor2D {
  const data = new Float32Array(rows.length * vocab);
  rows.forEach((ids, r) => {
    const scale = normalize === 'mean' && ids.length > 0 ? 1 / ids.length : 1;
    for (let j = 0; j < ids.length; j++) data[r * vocab + ids[j]!]! += scale;
  });
  return tf.tensor2d(data, [rows.length, vocab]);
}

beforeAll(useWasm);

const rand = (rng: Rng, shape: number[]) => tf.tensor(rng.normalArray(shape.reduce((a, b) => a * b, 1)), shape);

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('conv3x3', () => {
  it("equals tf.conv2d 'same' with the same filter (the reference kernel)", async () => {
    await expectNoTensorLeak(() =>
      tf.tidy(() => {
        const rng = new Rng(1);
        const x = rand(rng, [2, 5, 6, 3]) as tf.Tensor4D;
        const w = rand(rng, [27, 4]);
        const b = rand(rng, [4]);
        // Our W rows are offset-major (dy, dx, channel): exactly a [3, 3, inC, outC] filter flattened.
        const reference = tf.add(tf.conv2d(x, tf.reshape(w, [3, 3, 3, 4]) as tf.Tensor4D, 1, 'same'), b);
        expect(maxAbsDiff(conv3x3(x, w, b), reference)).toBeLessThan(1e-4);
      }),
    );
  });

  it('im2col3x3 patches × W equal conv3x3 (first-layer path)', () => {
    tf.tidy(() => {
      const rng = new Rng(2);
      const rows = rng.normalArray(2 * 4 * 5 * 2);
      const w = rand(rng, [18, 3]);
      const b = rand(rng, [3]);
      const viaPatches = tf.add(tf.matMul(tf.tensor2d(im2col3x3(rows, 2, 4, 5, 2), [40, 18]), w as tf.Tensor2D), b);
      const viaConv = tf.reshape(conv3x3(tf.tensor4d(rows, [2, 4, 5, 2]), w, b), [40, 3]);
      expect(maxAbsDiff(viaPatches, viaConv)).toBeLessThan(1e-5);
    });
  });

  it('has the finite-difference gradient in the filter and the input', () => {
    tf.tidy(() => {
      const rng = new Rng(3);
      const x = rand(rng, [1, 4, 4, 2]) as tf.Tensor4D;
      const w = rand(rng, [18, 2]);
      const b = rand(rng, [2]);
      const r = rand(rng, [1, 4, 4, 2]);
      // The loss is linear in w and in x, so central differences are exact up to float rounding.
      const loss = (xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(conv3x3(xx as tf.Tensor4D, ww, b), r));
      const [gx, gw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => loss(xx, ww))([x, w]);
      const eps = 1e-2;
      const wData = w.dataSync();
      for (const i of [0, 5, 17, 30, 35]) {
        const plus = wData.slice();
        const minus = wData.slice();
        plus[i] += eps;
        minus[i] -= eps;
        const fd = (loss(x, tf.tensor(plus, w.shape)).dataSync()[0]! - loss(x, tf.tensor(minus, w.shape)).dataSync()[0]!) / (2 * eps);
        expect(gw!.dataSync()[i]).toBeCloseTo(fd, 2);
      }
      const xData = x.dataSync();
      for (const i of [0, 9, 31]) {
        const plus = xData.slice();
        const minus = xData.slice();
        plus[i] += eps;
        minus[i] -= eps;
        const fd = (loss(tf.tensor(plus, x.shape), w).dataSync()[0]! - loss(tf.tensor(minus, x.shape), w).dataSync()[0]!) / (2 * eps);
        expect(gx!.dataSync()[i]).toBeCloseTo(fd, 2);
      }
    });
  });
});

describe('text ops', () => {
  it('embedLookup gathers rows and has the one-hot product gradient (repeated ids accumulate)', () => {
    tf.tidy(() => {
      const rng = new Rng(6);
      const table = rand(rng, [5, 3]) as tf.Tensor2D;
      const ids = Int32Array.of(4, 0, 4, 2);
      const r = rand(rng, [4, 3]);
      const rows = embedLookup(table, ids).arraySync();
      const tableRows = table.arraySync();
      expect(rows).toEqual(Array.from(ids, (i) => tableRows[i]));
      // Reference: the same lookup as onehot(ids) @ E, whose gradient is stock matMul's.
      const ours = tf.grad((e: tf.Tensor) => tf.sum(tf.mul(embedLookup(e as tf.Tensor2D, ids), r)))(table);
      const reference = tf.grad((e: tf.Tensor) => tf.sum(tf.mul(tf.matMul(tf.oneHot(tf.tensor1d(ids, 'int32'), 5).toFloat(), e as tf.Tensor2D), r)))(table);
      expect(maxAbsDiff(ours, reference)).toBeLessThan(1e-5);
      // Row 4 was looked up twice: its gradient is r[0] + r[2]; row 1 was never used: zero.
      const g = ours.arraySync() as number[][];
      const rr = r.arraySync() as number[][];
      expect(g[4]).toEqual(rr[0]!.map((v, j) => expect.closeTo(v + rr[2]![j]!, 5)));
      expect(g[1]).toEqual([0, 0, 0]);
    });
  });

  it('meanEmbeddingBag equals countMatrix(mean) @ E, value and gradient (repeated ids, an empty row), without leaks', async () => {
    await expectNoTensorLeak(() =>
      tf.tidy(() => {
        const rng = new Rng(8);
        const table = rand(rng, [6, 4]) as tf.Tensor2D;
        const rows = [Int32Array.of(5, 1, 5), Int32Array.of(), Int32Array.of(0), Int32Array.of(2, 3, 4, 2, 2)];
        const r = rand(rng, [4, 4]);
        const reference = (e: tf.Tensor2D) => tf.matMul(countMatrix(rows, 6, 'mean'), e);
        expect(maxAbsDiff(meanEmbeddingBag(table, rows), reference(table))).toBeLessThan(1e-6);
        expect(meanEmbeddingBag(table, rows).arraySync()[1]).toEqual([0, 0, 0, 0]);
        const ours = tf.grad((e: tf.Tensor) => tf.sum(tf.mul(meanEmbeddingBag(e as tf.Tensor2D, rows), r)))(table);
        const theirs = tf.grad((e: tf.Tensor) => tf.sum(tf.mul(reference(e as tf.Tensor2D), r)))(table);
        expect(maxAbsDiff(ours, theirs)).toBeLessThan(1e-6);
        // Row 5 is 2 of the first bag's 3 words and in no other bag: its gradient is (2/3)·r[0].
        expect((ours.arraySync() as number[][])[5]).toEqual((r.arraySync() as number[][])[0]!.map((v) => expect.closeTo((2 / 3) * v, 5)));
      }),
    );
  });

  it('gatherRows picks rows of a matrix with the gradient of the one-hot selection product, on wasm and cpu alike', async () => {
    const rng = new Rng(9);
    const xValues = rng.normalArray(7 * 3);
    const wValues = rng.normalArray(5 * 3);
    const ids = Int32Array.of(6, 0, 6, 2, 6);
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor2d(xValues, [7, 3]);
        const w = tf.tensor2d(wValues, [5, 3]);
        const ours = tf.grad((m: tf.Tensor) => tf.sum(tf.mul(gatherRows(m as tf.Tensor2D, ids), w)))(x);
        const select = tf.oneHot(tf.tensor1d(ids, 'int32'), 7).toFloat() as tf.Tensor2D;
        const reference = tf.grad((m: tf.Tensor) => tf.sum(tf.mul(tf.matMul(select, m as tf.Tensor2D), w)))(x);
        return { value: Array.from(gatherRows(x, ids).dataSync()), grad: Array.from(ours.dataSync()), refGrad: Array.from(reference.dataSync()) };
      });
    const wasm = await expectNoTensorLeak(run);
    await tf.setBackend('cpu');
    const cpu = run();
    await tf.setBackend('wasm');
    expect(wasm.value).toEqual(Array.from(ids).flatMap((i) => Array.from(xValues.subarray(i * 3, i * 3 + 3))));
    expect(wasm.grad).toEqual(wasm.refGrad.map((v) => expect.closeTo(v, 5)));
    expect(wasm.grad).toEqual(cpu.grad.map((v) => expect.closeTo(v, 5)));
  });

  it('countMatrix builds mean and sum bags', () => {
    tf.tidy(() => {
      const mean = countMatrix([Int32Array.of(1, 1, 3), Int32Array.of()], 4, 'mean').arraySync();
      expect(mean[0]).toEqual([0, 2 / 3, 0, 1 / 3].map((v) => expect.closeTo(v, 6)));
      expect(mean[1]).toEqual([0, 0, 0, 0]);
      expect(countMatrix([Int32Array.of(2, 2)], 3, 'sum').arraySync()).toEqual([[0, 0, 2]]);
    });
  });

  it('selfAttention ignores padded keys', () => {
    tf.tidy(() => {
      const rng = new Rng(4);
      const d = 4;
      const wQkv = rand(rng, [d, 3 * d]);
      const bQkv = rand(rng, [3 * d]);
      const wOut = rand(rng, [d, d]);
      const bOut = rand(rng, [d]);
      const mask = tf.tensor2d([[1, 1, 0]]);
      const real = rng.normalArray(2 * d);
      const a = tf.tensor3d([...real, ...rng.normalArray(d)], [1, 3, d]);
      const b = tf.tensor3d([...real, ...rng.normalArray(d)], [1, 3, d]); // different padding content
      const outA = tf.slice(selfAttention(a, mask, wQkv, bQkv, wOut, bOut, 2), [0, 0, 0], [1, 2, d]);
      const outB = tf.slice(selfAttention(b, mask, wQkv, bQkv, wOut, bOut, 2), [0, 0, 0], [1, 2, d]);
      expect(maxAbsDiff(outA, outB)).toBeLessThan(1e-5);
    });
  });

  it('selfAttention has the finite-difference gradient in its weights', () => {
    tf.tidy(() => {
      const rng = new Rng(5);
      const d = 4;
      const x = rand(rng, [2, 3, d]) as tf.Tensor3D;
      const mask = tf.tensor2d([[1, 1, 1], [1, 1, 0]]);
      const bQkv = rand(rng, [3 * d]);
      const wOut = rand(rng, [d, d]);
      const bOut = rand(rng, [d]);
      const r = rand(rng, [2, 3, d]);
      const wQkv = rand(rng, [d, 3 * d]).mul(0.5);
      const loss = (w: tf.Tensor) => tf.sum(tf.mul(selfAttention(x, mask, w, bQkv, wOut, bOut, 2), r));
      const g = tf.grad(loss)(wQkv).dataSync();
      const data = wQkv.dataSync();
      const eps = 1e-2;
      for (const i of [0, 7, 20, 47]) {
        const plus = data.slice();
        const minus = data.slice();
        plus[i] += eps;
        minus[i] -= eps;
        const fd = (loss(tf.tensor(plus, wQkv.shape)).dataSync()[0]! - loss(tf.tensor(minus, wQkv.shape)).dataSync()[0]!) / (2 * eps);
        expect(Math.abs(g[i]! - fd)).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
      }
    });
  });
});

describe('pointwise ops', () => {
  it('softCrossEntropy, layerNorm and gelu give hand-derived values', () => {
    tf.tidy(() => {
      // targets [.25, .75], logits [0, ln 3] → p = [.25, .75]: CE = entropy = 0.5623351446.
      const ce = softCrossEntropy(tf.tensor2d([[0, Math.log(3)]]), tf.tensor2d([[0.25, 0.75]]));
      expect(ce.dataSync()[0]).toBeCloseTo(0.5623351446, 5);
      // [1, 2, 3]: mean 2, variance 2/3 → ±1/sqrt(2/3 + 1e-5) = ±1.2247357.
      const ln = layerNorm(tf.tensor1d([1, 2, 3]), tf.ones([3]), tf.zeros([3])).dataSync();
      expect(ln[0]).toBeCloseTo(-1.2247357, 5);
      expect(ln[1]).toBeCloseTo(0, 6);
      expect(ln[2]).toBeCloseTo(1.2247357, 5);
      // gelu(1) = σ(1.702) = 0.8457957659.
      expect(gelu(tf.scalar(1)).dataSync()[0]).toBeCloseTo(0.8457957659, 5);
    });
  });
});
