import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { installBlasKernels, isBlasInstalled, planGemm, uninstallBlasKernels } from './blas-matmul.js';
import { nativeBlasStatus, setBlasThreads } from './native-addon.js';
import { installWasmKernels, wasmKernelsInUse } from './index.js';
import { installWasmMatMulFix, isWasmMatMulFixInstalled, uninstallWasmMatMulFix } from './wasm-batch-matmul.js';

// The BLAS kernels must reproduce the wasm path: every product below is computed with the wasm
// fix (itself tested against the stock kernel and the cpu backend) and with BLAS, in one process.
// Where the wasm kernels are wrong or throw (an empty inner dimension, zero-size batches, batch
// axes that broadcast both ways), the reference is the cpu backend or a result derived by hand.

const native = nativeBlasStatus();
// CI installs OpenBLAS and sets W2S_EXPECT_NATIVE=1: there, a missing addon is a failure, not a skip.
const expectNative = process.env.W2S_EXPECT_NATIVE === '1';

const FLAGS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

const rng = new Rng(20251126);

function randomTensor(shape: number[]): tf.Tensor {
  return tf.tensor(rng.normalArray(shape.reduce((p, d) => p * d, 1)), shape);
}

/** Operand shapes for a product [..batchA, m, k] x [..batchB, k, n] with the given flags. */
function operands(batchA: number[], batchB: number[], m: number, k: number, n: number, tA: boolean, tB: boolean) {
  return {
    a: randomTensor([...batchA, ...(tA ? [k, m] : [m, k])]),
    b: randomTensor([...batchB, ...(tB ? [n, k] : [k, n])]),
  };
}

/** Runs `f` on the wasm fix and on BLAS; returns both results. */
function fixAndBlas(f: () => tf.Tensor): { fix: number[]; blas: number[]; shape: number[] } {
  installWasmMatMulFix();
  const fixT = tf.tidy(f);
  expect(installBlasKernels()).toBe(true);
  const blasT = tf.tidy(f);
  expect(blasT.shape).toEqual(fixT.shape);
  const out = { fix: Array.from(fixT.dataSync()), blas: Array.from(blasT.dataSync()), shape: blasT.shape };
  tf.dispose([fixT, blasT]);
  return out;
}

/** |actual − expected| ≤ tol · max(1, |expected|): float32 sums in a different order. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const diff = Math.abs(actual[i]! - e);
    if (!(diff <= tol * Math.max(1, Math.abs(e)))) {
      throw new Error(`element ${i}: ${actual[i]} vs expected ${e} (diff ${diff})`);
    }
  }
}

function wasmBackend() {
  return tf.backend() as tf.KernelBackend & { wasm: { HEAPU8: Uint8Array } };
}

async function onCpu<T>(f: () => T): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return f();
  } finally {
    await tf.setBackend('wasm');
  }
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

const savedNative = process.env.W2S_NATIVE;

afterEach(() => {
  if (savedNative === undefined) delete process.env.W2S_NATIVE;
  else process.env.W2S_NATIVE = savedNative;
  uninstallWasmMatMulFix(); // back to stock, whichever path a test installed
});

describe('planGemm (batch broadcasting, derived by hand)', () => {
  it('2-D products are one matrix pair, with the flags deciding m, n, k', () => {
    const p = planGemm([5, 3], [4, 5], true, true); // op(A) = Aᵀ [3, 5], op(B) = Bᵀ [5, 4]
    expect([p.m, p.n, p.k, p.aCount, p.bCount, p.outShape]).toEqual([3, 4, 5, 1, 1, [3, 4]]);
    expect([...p.aIndex, ...p.bIndex]).toEqual([0, 0]);
  });

  it('broadcasts batch axes as numpy does: [2,1] x [1,3] and rank 4 x rank 2', () => {
    const p = planGemm([2, 1, 4, 5], [1, 3, 5, 6], false, false);
    expect(p.outShape).toEqual([2, 3, 4, 6]);
    // Output batch (i, j) for i < 2, j < 3 takes A[i] and B[j].
    expect(Array.from(p.aIndex)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(p.bIndex)).toEqual([0, 1, 2, 0, 1, 2]);

    const q = planGemm([2, 3, 4, 5], [5, 6], false, false);
    expect(Array.from(q.aIndex)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(q.bIndex)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('rejects mismatched inner sizes, batch axes that do not broadcast, and rank 1', () => {
    expect(() => planGemm([2, 3], [4, 5], false, false)).toThrow(/inner shapes \(3\) and \(4\)/);
    expect(() => planGemm([2, 4, 5], [3, 5, 6], false, false)).toThrow(/broadcast/i);
    expect(() => planGemm([3], [3, 2], false, false)).toThrow(/rank ≥ 2/);
  });
});

describe('fallback to the wasm path', () => {
  it('W2S_NATIVE=0 disables the addon: the fix is installed and the path says wasm+matmul-fix', () => {
    process.env.W2S_NATIVE = '0';
    expect(nativeBlasStatus()).toEqual({ available: false, reason: 'disabled by W2S_NATIVE=0' });
    expect(installBlasKernels()).toBe(false);
    expect(isBlasInstalled()).toBe(false);
    installWasmKernels();
    expect(isWasmMatMulFixInstalled()).toBe(true);
    expect(wasmKernelsInUse()).toBe('wasm+matmul-fix');
    expect(setBlasThreads(2)).toBe(1); // no addon: BLAS threads are moot

    // and it computes: a transposed product still equals the cpu reference
    const { a, b } = operands([], [], 6, 5, 4, true, false);
    const product = tf.matMul(a, b, true, false);
    const expected = tf.tidy(() => tf.sum(tf.mul(tf.expandDims(tf.transpose(a), 2), tf.expandDims(b, 0)), 1));
    expectClose(product.dataSync(), expected.dataSync(), 1e-5);
    tf.dispose([a, b, product, expected]);
  });
});

describe('availability', () => {
  it.runIf(expectNative)('the addon is built and loads (W2S_EXPECT_NATIVE=1, as in CI with OpenBLAS)', () => {
    expect(native).toMatchObject({ available: true });
  });
});

describe.runIf(native.available)('BLAS kernels', () => {
  it('install/uninstall toggle the native kernels, switch with the fix, and name the path', () => {
    const stockBatch = tf.getKernel(tf.BatchMatMul, 'wasm');
    const stockFused = tf.getKernel(tf._FusedMatMul, 'wasm');
    const stockSum = tf.getKernel(tf.Sum, 'wasm');
    const stockPoolGrad = tf.getKernel(tf.MaxPoolGrad, 'wasm');
    const stockSlice = tf.getKernel(tf.Slice, 'wasm');
    expect(installBlasKernels()).toBe(true);
    expect(installBlasKernels()).toBe(true); // idempotent
    expect(tf.getKernel(tf.Sum, 'wasm')).not.toBe(stockSum);
    expect(isBlasInstalled()).toBe(true);
    expect(isWasmMatMulFixInstalled()).toBe(false);
    expect(wasmKernelsInUse()).toBe('wasm+blas');
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')!.setupFunc).toBe(stockBatch!.setupFunc);

    installWasmMatMulFix(); // the fix replaces the whole BLAS path, Sum included
    expect(isBlasInstalled()).toBe(false);
    expect(tf.getKernel(tf.Sum, 'wasm')).toBe(stockSum);
    expect(wasmKernelsInUse()).toBe('wasm+matmul-fix');
    installBlasKernels(); // and back
    expect(wasmKernelsInUse()).toBe('wasm+blas');

    uninstallBlasKernels();
    uninstallBlasKernels();
    expect(wasmKernelsInUse()).toBe('wasm');
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(stockBatch);
    expect(tf.getKernel(tf._FusedMatMul, 'wasm')).toBe(stockFused);
    expect(tf.getKernel(tf.Sum, 'wasm')).toBe(stockSum);
    expect(tf.getKernel(tf.MaxPoolGrad, 'wasm')).toBe(stockPoolGrad);
    expect(tf.getKernel(tf.Slice, 'wasm')).toBe(stockSlice);

    installWasmKernels(); // what initBackend('wasm') does: BLAS when available
    expect(wasmKernelsInUse()).toBe('wasm+blas');
  });

  it('2-D products equal the wasm path: random shapes, size-1 axes, all four transpose flags', () => {
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [1, 7, 5],
      [6, 1, 4],
      [5, 8, 1],
      [33, 17, 9],
      [64, 48, 80],
      [1 + rng.int(40), 1 + rng.int(40), 1 + rng.int(40)],
      [1 + rng.int(40), 1 + rng.int(40), 1 + rng.int(40)],
    ];
    for (const [m, k, n] of shapes) {
      for (const [tA, tB] of FLAGS) {
        const { a, b } = operands([], [], m, k, n, tA, tB);
        const r = fixAndBlas(() => tf.matMul(a, b, tA, tB));
        expect(r.shape).toEqual([m, n]);
        expectClose(r.blas, r.fix);
        tf.dispose([a, b]);
      }
    }
  });

  it('batched products equal the wasm path, with and without batch broadcasting', () => {
    const cases: [number[], number[], number[]][] = [
      // [batch of a, batch of b, output batch]
      [[3], [3], [3]],
      [[1], [4], [4]],
      [[4], [1], [4]],
      [[4], [], [4]], // rank 3 x rank 2 (BLAS: one product over all stacked rows when untransposed)
      [[], [4], [4]],
      [[2, 3], [2, 3], [2, 3]],
      [[2, 3], [3], [2, 3]],
    ];
    for (const [batchA, batchB, batchOut] of cases) {
      for (const [tA, tB] of FLAGS) {
        const { a, b } = operands(batchA, batchB, 5, 6, 7, tA, tB);
        const r = fixAndBlas(() => tf.matMul(a, b, tA, tB));
        expect(r.shape).toEqual([...batchOut, 5, 7]);
        expectClose(r.blas, r.fix);
        tf.dispose([a, b]);
      }
    }
  });

  it('batch axes that broadcast both ways ([2,1] x [1,3]) equal products of explicitly broadcast operands', () => {
    for (const [tA, tB] of FLAGS) {
      const { a, b } = operands([2, 1], [1, 3], 4, 5, 6, tA, tB);
      installBlasKernels();
      const product = tf.matMul(a, b, tA, tB);
      expect(product.shape).toEqual([2, 3, 4, 6]);
      // Reference: tile both operands to [2, 3, ...] (no broadcasting left), then the same product
      // on the wasm fix (which is right without broadcasting).
      installWasmMatMulFix();
      const expected = tf.tidy(() => tf.matMul(tf.tile(a, [1, 3, 1, 1]), tf.tile(b, [2, 1, 1, 1]), tA, tB));
      expectClose(product.dataSync(), expected.dataSync());
      tf.dispose([a, b, product, expected]);
    }
  });

  it('zero-size dimensions: empty outputs, and an empty inner dimension gives zeros (as on cpu)', async () => {
    expect(installBlasKernels()).toBe(true);
    const cases: [number[], number[], number[]][] = [
      [[0, 4], [4, 3], [0, 3]],
      [[2, 4], [4, 0], [2, 0]],
      [[2, 0], [0, 3], [2, 3]], // k = 0: stock wasm returns uninitialized memory here
      [[0, 2, 4], [4, 3], [0, 2, 3]], // stock wasm throws 'remainder by zero' here
      [[3, 2, 0], [3, 0, 5], [3, 2, 5]],
    ];
    for (const [aShape, bShape, outShape] of cases) {
      for (const [tA, tB] of FLAGS) {
        const swap = (s: number[], t: boolean) => (t ? [...s.slice(0, -2), s.at(-1)!, s.at(-2)!] : s);
        const [aS, bS] = [swap(aShape, tA), swap(bShape, tB)];
        const product = tf.tidy(() => tf.matMul(tf.ones(aS), tf.ones(bS), tA, tB));
        expect(product.shape).toEqual(outShape);
        const expected = await onCpu(() => (outShape.includes(0) ? [] : Array.from(tf.tidy(() => tf.matMul(tf.ones(aS), tf.ones(bS), tA, tB)).dataSync())));
        expect(Array.from(product.dataSync())).toEqual(expected);
        product.dispose();
      }
    }
  });

  it('also equals the cpu backend (an independent implementation)', async () => {
    for (const [tA, tB] of FLAGS) {
      // [2, 3] x [3]: a batch broadcast that the cpu kernel gets right (see the [2,1] x [1,3] test).
      const aShape = [2, 3, ...(tA ? [9, 7] : [7, 9])];
      const bShape = [3, ...(tB ? [8, 9] : [9, 8])];
      const aData = rng.normalArray(6 * 63);
      const bData = rng.normalArray(3 * 72);
      const product = () => tf.tidy(() => Array.from(tf.matMul(tf.tensor(aData, aShape), tf.tensor(bData, bShape), tA, tB).dataSync()));
      const cpu = await onCpu(product);
      installBlasKernels();
      expectClose(product(), cpu, 1e-5);
    }
  });

  it('_FusedMatMul equals the cpu backend: every activation, with and without bias, 2-D and batched, all flags', async () => {
    const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const;
    const BATCHES: [number[], number[]][] = [
      [[], []],
      [[3], [3]],
      [[1], [3]],
      [[3], []],
    ];
    const [m, k, n] = [4, 5, 6];
    for (const [batchA, batchB] of BATCHES) {
      for (const [tA, tB] of FLAGS) {
        const aShape = [...batchA, ...(tA ? [k, m] : [m, k])];
        const bShape = [...batchB, ...(tB ? [n, k] : [k, n])];
        const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);
        const data = { a: rng.normalArray(size(aShape)), b: rng.normalArray(size(bShape)), bias: rng.normalArray(n), prelu: rng.normalArray(n) };
        for (const activation of ACTIVATIONS) {
          for (const withBias of [false, true]) {
            const fused = () =>
              tf.tidy(() =>
                Array.from(
                  tf.fused
                    .matMul({
                      a: tf.tensor(data.a, aShape) as tf.Tensor as tf.Tensor2D,
                      b: tf.tensor(data.b, bShape) as tf.Tensor as tf.Tensor2D,
                      transposeA: tA,
                      transposeB: tB,
                      bias: withBias ? tf.tensor(data.bias) : undefined,
                      activation,
                      leakyreluAlpha: 0.3,
                      preluActivationWeights: activation === 'prelu' ? tf.tensor(data.prelu) : undefined,
                    })
                    .dataSync(),
                ),
              );
            const cpu = await onCpu(fused);
            installBlasKernels();
            expectClose(fused(), cpu, 1e-5);
          }
        }
      }
    }
  });

  it('Sum over leading axes equals the cpu backend; other reductions still work (stock kernel)', async () => {
    const cases: [number[], number | number[], boolean][] = [
      [[64, 48], 0, false], // a bias gradient
      [[64, 48], 0, true],
      [[64, 1], 0, false],
      [[2, 3, 4], [0, 1], false],
      [[2, 3, 4], [1, 0], true],
      [[2, 3, 4], -3, false],
      [[0, 5], 0, false], // no rows: zeros
      [[5, 0], 0, false], // no columns: empty
      [[2, 3, 4], 1, false], // not leading: stock
      [[2, 3, 4], [0, 1, 2], false], // everything: stock
      [[7, 5], 1, true], // innermost: stock
    ];
    for (const [shape, axis, keepDims] of cases) {
      const data = rng.normalArray(shape.reduce((p, d) => p * d, 1));
      const sum = () => tf.tidy(() => tf.sum(tf.tensor(data, shape), axis, keepDims));
      const expected = await onCpu(() => {
        const t = sum();
        const out = { shape: t.shape, values: Array.from(t.dataSync()) };
        t.dispose();
        return out;
      });
      installBlasKernels();
      const actual = sum();
      expect(actual.shape).toEqual(expected.shape);
      expectClose(actual.dataSync(), expected.values, 1e-5);
      actual.dispose();
    }
    const ints = tf.tensor([[1, 2], [3, 4]], [2, 2], 'int32'); // int32: the stock kernel
    const intSum = tf.sum(ints, 0);
    expect([intSum.dtype, ...intSum.dataSync()]).toEqual(['int32', 4, 6]);
    tf.dispose([ints, intSum]);
  });

  it('MaxPoolGrad equals the cpu backend (ties, negative values), and the stock wasm kernel where that one is right', async () => {
    // [shape, filter, stride, pad]
    const cases: [[number, number, number, number], number, number, 'valid' | 'same'][] = [
      [[2, 8, 8, 3], 2, 2, 'valid'],
      [[2, 7, 9, 4], 2, 2, 'valid'], // odd sizes: the last row/column is dropped
      [[1, 7, 7, 2], 3, 2, 'same'], // padding
      [[1, 6, 5, 3], 3, 1, 'same'], // overlapping windows: a position can collect several dy
      [[3, 4, 4, 1], 2, 2, 'valid'],
    ];
    for (const [shape, filter, stride, pad] of cases) {
      const outShape = tf.tidy(() => tf.maxPool(tf.zeros(shape) as tf.Tensor4D, filter, stride, pad).shape);
      const dyData = rng.normalArray(outShape.reduce((p, d) => p * d, 1));
      const size = shape.reduce((p, d) => p * d, 1);
      // Positive continuous values (no ties: the stock kernel is right there), values of both
      // signs, and small integers after ReLU (tied windows: the gradient goes to the window's
      // first maximum, as in tfjs's cpu kernel).
      for (const kind of ['positive', 'signed', 'ties'] as const) {
        const xData =
          kind === 'ties'
            ? Array.from({ length: size }, () => Math.max(0, rng.int(5) - 2))
            : rng.normalArray(size).map((v) => (kind === 'positive' ? Math.abs(v) + 1e-3 : v));
        const grad = () =>
          tf.tidy(() => {
            const g = tf.grad((x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, filter, stride, pad))(tf.tensor(xData, shape), tf.tensor(dyData, outShape));
            return Array.from(g.dataSync());
          });
        const cpu = await onCpu(grad);
        uninstallWasmMatMulFix(); // stock wasm kernels
        const stock = grad();
        installBlasKernels();
        const native = grad();
        expectClose(native, cpu, 1e-6);
        if (kind === 'positive') expectClose(native, stock, 1e-6);
        expect(native.some((v) => v !== 0)).toBe(true);
      }
    }
  });

  it('stock tfjs-wasm 4.22 MaxPoolGrad routes tied and negative maxima wrongly (why the native kernel follows the cpu one)', () => {
    // 2×2 pooling of a 4×4 image with ties in every window. By hand, first maximum per window:
    // window (0,0) all 0 → x[0]; (0,1) has 1 at x[2], x[3], x[6] → x[2]; (1,0) has 2 at x[8], x[9],
    // x[12] → x[8]; (1,1) all 0 → x[10]. dy = [1, 2, 3, 4] goes there.
    const x = tf.tensor4d([0, 0, 1, 1, 0, 0, 1, 0, 2, 2, 0, 0, 2, 0, 0, 0], [1, 4, 4, 1]);
    const dy = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const expected = [1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0];
    const grad = () => tf.tidy(() => Array.from(tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'))(x, dy).dataSync()));
    installBlasKernels();
    expect(grad()).toEqual(expected);
    // A window of negative values: the maximum is -0.1 at x[3] (the stock kernel picks x[0]).
    const negative = () =>
      tf.tidy(() => Array.from(tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'))(tf.tensor4d([-0.5, -1, -2, -0.1], [1, 2, 2, 1]), tf.tensor4d([10], [1, 1, 1, 1])).dataSync()));
    expect(negative()).toEqual([0, 0, 0, 10]);
    // If these fail after a tfjs upgrade, the stock kernel is fixed: compare with it everywhere.
    uninstallWasmMatMulFix();
    expect(grad()).not.toEqual(expected);
    expect(negative()).toEqual([10, 0, 0, 0]);
    tf.dispose([x, dy]);
  });

  it('Slice equals the cpu backend: ranks 1–5, whole and cut axes, -1 sizes, empty slices, int32; bool goes to stock', async () => {
    const cases: [number[], number[], number[]][] = [
      [[10], [3], [4]],
      [[6, 7], [1, 2], [4, 5]],
      [[6, 7], [2, 0], [3, 7]], // whole rows: one contiguous copy
      [[4, 5, 6], [1, 0, 2], [2, 5, 3]],
      [[64, 16, 16, 8], [0, 1, 1, 0], [64, 14, 14, 8]], // the CNN family's shifted views
      [[2, 3, 4, 5, 6], [1, 1, 0, 2, 3], [1, 2, 4, -1, 2]],
      [[5, 6], [2, 3], [0, 2]], // empty
      [[5, 6], [5, 0], [0, -1]],
    ];
    for (const [shape, begin, size] of cases) {
      for (const dtype of ['float32', 'int32'] as const) {
        const data = Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rng.int(1000) - 500);
        const slice = () =>
          tf.tidy(() => {
            const t = tf.slice(tf.tensor(data, shape, dtype), begin, size);
            return { shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) };
          });
        const cpu = await onCpu(slice);
        installBlasKernels();
        expect(slice()).toEqual(cpu);
      }
    }
    const bools = tf.tensor([true, false, true, true], [2, 2], 'bool');
    const cut = tf.slice(bools, [1, 0], [1, 2]);
    expect([cut.dtype, ...cut.dataSync()]).toEqual(['bool', 1, 1]);
    tf.dispose([bools, cut]);
  });

  it('a small dense net has the same loss and gradients as on the wasm path', () => {
    const x = randomTensor([16, 8]);
    const y = tf.tensor(Array.from({ length: 16 }, () => rng.int(2)), [16, 1]);
    const params = [randomTensor([8, 12]), randomTensor([12]), randomTensor([12, 1]), randomTensor([1])];
    // Layer 1 uses the fused kernel (as tf.layers dense does), layer 2 the plain matMul.
    const loss = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) => {
      const h = tf.fused.matMul({ a: x as tf.Tensor2D, b: w1 as tf.Tensor2D, bias: b1, activation: 'relu' });
      return tf.losses.sigmoidCrossEntropy(y, tf.add(tf.matMul(h, w2), b2));
    };
    const lossAndGrads = () =>
      tf.tidy(() => {
        const grads = tf.grads((w1, b1, w2, b2) => loss(w1!, b1!, w2!, b2!))(params);
        return tf.concat([loss(params[0]!, params[1]!, params[2]!, params[3]!).reshape([1]), ...grads.map((g) => g.flatten())]);
      });
    const r = fixAndBlas(lossAndGrads);
    expect(r.blas.some((v) => Math.abs(v) > 1e-3)).toBe(true); // non-trivial gradients
    expectClose(r.blas, r.fix, 1e-5);
    tf.dispose([x, y, ...params]);
  });

  it('a full small training run reaches the same accuracy (to 1e-3) and loss on both paths', () => {
    // 256 points in 10-D labelled by a random linear rule with a margin-free boundary; a
    // 10→32→1 MLP trained by Adam for 60 full-batch steps. Same data and initial weights.
    const data = new Rng(5);
    const [N, D, H] = [256, 10, 32];
    const xs = data.normalArray(N * D);
    const rule = data.normalArray(D);
    const labels = Array.from({ length: N }, (_, r) => (xs.slice(r * D, r * D + D).reduce((s, v, c) => s + v * rule[c]!, 0) > 0 ? 1 : 0));
    const init = [data.normalArray(D * H, Math.sqrt(2 / D)), data.normalArray(H * 1, Math.sqrt(2 / H))];
    const train = () => {
      const x = tf.tensor2d(xs, [N, D]);
      const y = tf.tensor2d(labels, [N, 1]);
      const w1 = tf.variable(tf.tensor2d(init[0]!, [D, H]));
      const b1 = tf.variable(tf.zeros([H]));
      const w2 = tf.variable(tf.tensor2d(init[1]!, [H, 1]));
      const b2 = tf.variable(tf.zeros([1]));
      const logits = () => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2);
      const optimizer = tf.train.adam(0.02);
      for (let step = 0; step < 60; step++) {
        optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(y, logits()) as tf.Scalar);
      }
      const [accuracy, loss] = tf.tidy(() => {
        const z = logits();
        const acc = tf.mean(tf.cast(tf.equal(tf.cast(tf.greater(z, 0), 'float32'), y), 'float32'));
        return [acc.dataSync()[0]!, tf.losses.sigmoidCrossEntropy(y, z).dataSync()[0]!];
      });
      optimizer.dispose();
      tf.dispose([x, y, w1, b1, w2, b2]);
      return { accuracy, loss };
    };
    installWasmMatMulFix();
    const onFix = train();
    installBlasKernels();
    const onBlas = train();
    expect(onFix.accuracy).toBeGreaterThan(0.9); // it did learn
    expect(Math.abs(onBlas.accuracy - onFix.accuracy)).toBeLessThanOrEqual(1e-3);
    expect(Math.abs(onBlas.loss - onFix.loss)).toBeLessThanOrEqual(1e-3);
  });
});

describe.runIf(native.available)('BLAS kernels: safety and memory', () => {
  it('leaves no tensors, wasm buffers or heap growth behind over 1,000 calls', () => {
    installBlasKernels();
    const { a, b } = operands([2], [2], 24, 20, 16, false, false);
    const aT = tf.transpose(a, [0, 2, 1]);
    const bT = tf.transpose(b, [0, 2, 1]);
    const bias = randomTensor([16]);
    const pool = randomTensor([2, 8, 8, 3]);
    const poolDy = randomTensor([2, 4, 4, 3]);
    const products = [
      () => tf.matMul(a, b),
      () => tf.matMul(aT, b, true, false),
      () => tf.matMul(a, bT, false, true),
      () => tf.matMul(aT, bT, true, true),
      () => tf.fused.matMul({ a: aT, b: bT, transposeA: true, transposeB: true, bias, activation: 'relu' }),
      () => tf.sum(a, 0),
      () => tf.grad((x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'))(pool, poolDy),
      () => tf.slice(pool, [0, 1, 1, 0], [2, 6, 6, 3]),
    ];
    for (const p of products) tf.dispose(p()); // warm-up: lets the wasm heap reach its working size
    const backend = wasmBackend();
    const snapshot = () => ({
      tensors: tf.memory().numTensors,
      bytes: tf.memory().numBytes,
      dataIds: backend.numDataIds(),
      heap: backend.wasm.HEAPU8.byteLength,
    });
    const before = snapshot();
    for (let i = 0; i < 1000; i++) tf.dispose(products[i % products.length]!());
    expect(snapshot()).toEqual(before);
    tf.dispose([a, b, aT, bT, bias, pool, poolDy]);
  });

  it('keeps working after the wasm memory grows (the heap view is re-read on every call)', () => {
    installBlasKernels();
    const { a, b } = operands([], [], 8, 9, 10, false, true);
    const before = tf.matMul(a, b, false, true);
    const heapBefore = wasmBackend().wasm.HEAPU8.byteLength;
    // Grow the heap past its current size; the old ArrayBuffer is detached by the growth.
    const big = tf.zeros([Math.ceil(heapBefore / 4) + 1024]);
    expect(wasmBackend().wasm.HEAPU8.byteLength).toBeGreaterThan(heapBefore);
    const after = tf.matMul(a, b, false, true);
    expectClose(after.dataSync(), before.dataSync(), 0);
    tf.dispose([a, b, before, after, big]);
  });

  it('checks operands before calling into C: a disposed operand throws and leaves nothing behind', () => {
    installBlasKernels();
    const kernel = tf.getKernel(tf.BatchMatMul, 'wasm')!.kernelFunc;
    const { a, b } = operands([], [], 3, 4, 5, false, false);
    const backend = wasmBackend();
    const info = (t: tf.Tensor): tf.TensorInfo => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
    const [aInfo, bInfo] = [info(a), info(b)];
    b.dispose();
    const dataIds = backend.numDataIds();
    expect(() => kernel({ inputs: { a: aInfo, b: bInfo }, backend, attrs: { transposeA: false, transposeB: false } })).toThrow(/operand b has no data/);
    // A shape whose size differs from the stored data is refused too (it would read past it).
    const wrongShape = { ...aInfo, shape: [4, 4] };
    const c = randomTensor([4, 2]);
    expect(() => kernel({ inputs: { a: wrongShape, b: info(c) }, backend, attrs: { transposeA: false, transposeB: false } })).toThrow(
      /shape \[4,4\] but its data holds 12 values/,
    );
    expect(backend.numDataIds()).toBe(dataIds + 1); // only c
    tf.dispose([a, c]);
  });

  // libs/native/README.md: with OpenBLAS's SkylakeX kernels a product does not depend on the
  // thread count (its Haswell kernels' does), so a run in worker processes (1 thread each) and
  // one in-process (all cores) agree. Shapes of the text and MLP steps, and their gradients.
  it.runIf(nativeBlasStatus().core === 'SkylakeX')('products are bit-identical with 1 and 2 BLAS threads (SkylakeX kernels)', () => {
    installBlasKernels();
    const cases: [number[], number[], boolean, boolean][] = [
      [[512, 64], [64, 192], false, false],
      [[96, 64], [64, 4000], false, false],
      [[96, 4000], [64, 4000], false, true],
      [[512, 64], [512, 192], true, false],
      [[256, 256], [256, 512], false, false],
      [[32, 64, 16], [32, 64, 16], false, true],
    ];
    for (const [aShape, bShape, tA, tB] of cases) {
      const a = randomTensor(aShape);
      const b = randomTensor(bShape);
      const product = () => tf.tidy(() => Array.from(tf.matMul(a, b, tA, tB).dataSync()));
      setBlasThreads(1);
      const one = product();
      setBlasThreads(2);
      const two = product();
      setBlasThreads(1);
      expect(Buffer.from(Float32Array.from(two).buffer).equals(Buffer.from(Float32Array.from(one).buffer)), `[${aShape}]·[${bShape}] ${tA} ${tB}`).toBe(true);
      tf.dispose([a, b]);
    }
  });

  it('setBlasThreads sets the BLAS thread count', () => {
    expect(setBlasThreads(2)).toBe(2);
    expect(nativeBlasStatus().threads).toBe(2);
    expect(setBlasThreads(1)).toBe(1);
    expect(() => setBlasThreads(0)).toThrow(/positive integer/);
  });
});
