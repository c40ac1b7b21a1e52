import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { installWasmMatMulFix, isWasmMatMulFixInstalled, uninstallWasmMatMulFix } from './wasm-batch-matmul.js';

// The fix must reproduce the stock wasm kernel: every result below is computed twice in one
// process, once with the stock kernels and once with the fixed ones, and compared.

const FLAGS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

const rng = new Rng(20240611);

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

/** Runs `f` with the stock kernels and with the fix; returns both results as nested arrays. */
function stockAndFixed(f: () => tf.Tensor): { stock: number[]; fixed: number[]; shape: number[] } {
  const run = () => tf.tidy(f);
  uninstallWasmMatMulFix();
  const stockT = run();
  installWasmMatMulFix();
  const fixedT = run();
  expect(fixedT.shape).toEqual(stockT.shape);
  const out = { stock: Array.from(stockT.dataSync()), fixed: Array.from(fixedT.dataSync()), shape: stockT.shape };
  tf.dispose([stockT, fixedT]);
  return out;
}

/** |actual − expected| ≤ tol · max(1, |expected|): float32 sums in a different order. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5) {
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

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

afterEach(() => {
  uninstallWasmMatMulFix();
});

describe('installWasmMatMulFix / uninstallWasmMatMulFix', () => {
  it('toggles both kernels and restores the exact stock configs', () => {
    const stockBatch = tf.getKernel(tf.BatchMatMul, 'wasm');
    const stockFused = tf.getKernel(tf._FusedMatMul, 'wasm');
    expect(isWasmMatMulFixInstalled()).toBe(false);

    installWasmMatMulFix();
    installWasmMatMulFix(); // idempotent: must not wrap the wrapper
    expect(isWasmMatMulFixInstalled()).toBe(true);
    const fixedBatch = tf.getKernel(tf.BatchMatMul, 'wasm')!;
    expect(fixedBatch.kernelFunc).not.toBe(stockBatch!.kernelFunc);
    expect(tf.getKernel(tf._FusedMatMul, 'wasm')!.kernelFunc).not.toBe(stockFused!.kernelFunc);
    // The stock setup (which binds the wasm function) still runs if the backend initializes later.
    expect(fixedBatch.setupFunc).toBe(stockBatch!.setupFunc);

    uninstallWasmMatMulFix();
    uninstallWasmMatMulFix();
    expect(isWasmMatMulFixInstalled()).toBe(false);
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(stockBatch);
    expect(tf.getKernel(tf._FusedMatMul, 'wasm')).toBe(stockFused);
  });

  it('hands the stock kernel untransposed operands only (the point of the fix)', () => {
    // Put a recording wrapper where the stock kernel is; the fix then wraps the recorder.
    const stock = tf.getKernel(tf.BatchMatMul, 'wasm')!;
    const seen: { flags: [boolean, boolean]; a: number[]; b: number[] }[] = [];
    tf.unregisterKernel(tf.BatchMatMul, 'wasm');
    tf.registerKernel({
      ...stock,
      kernelFunc: (args) => {
        const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
        const inputs = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
        seen.push({ flags: [attrs.transposeA, attrs.transposeB], a: inputs.a.shape, b: inputs.b.shape });
        return stock.kernelFunc(args);
      },
    });
    try {
      installWasmMatMulFix();
      for (const [tA, tB] of FLAGS) {
        const { a, b } = operands([], [], 3, 4, 5, tA, tB);
        tf.dispose([tf.matMul(a, b, tA, tB), a, b]);
      }
      expect(seen.map((s) => s.flags)).toEqual(FLAGS.map(() => [false, false]));

      // A linear probe's weight gradient Xᵀ·dy, X [64, 8], dy [64, 1]: copying X (512 elements)
      // costs more than computing (dyᵀ·X)ᵀ, which copies two vectors (64 + 8 elements).
      seen.length = 0;
      const x = randomTensor([64, 8]);
      const dy = randomTensor([64, 1]);
      const grad = tf.matMul(x, dy, true, false);
      expect(grad.shape).toEqual([8, 1]);
      expect(seen).toEqual([{ flags: [false, false], a: [1, 64], b: [64, 8] }]);
      tf.dispose([grad, x, dy]);
    } finally {
      uninstallWasmMatMulFix();
      tf.unregisterKernel(tf.BatchMatMul, 'wasm');
      tf.registerKernel(stock);
    }
  });
});

describe('fixed BatchMatMul equals the stock kernel', () => {
  it('2-D products, random shapes (including size-1 axes), all four transpose flags', () => {
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [1, 7, 5],
      [6, 1, 4],
      [5, 8, 1],
      [33, 17, 9],
      [2 + rng.int(20), 2 + rng.int(20), 2 + rng.int(20)],
    ];
    for (const [m, k, n] of shapes) {
      for (const [tA, tB] of FLAGS) {
        const { a, b } = operands([], [], m, k, n, tA, tB);
        const r = stockAndFixed(() => tf.matMul(a, b, tA, tB));
        expect(r.shape).toEqual([m, n]);
        expectClose(r.fixed, r.stock);
        tf.dispose([a, b]);
      }
    }
  });

  it('batched products, with and without batch broadcasting', () => {
    const cases: [number[], number[], number[]][] = [
      // [batch of a, batch of b, output batch]
      [[3], [3], [3]],
      [[1], [4], [4]], // [1,m,k] x [b,k,n]
      [[4], [1], [4]],
      [[4], [], [4]], // rank 3 x rank 2
      [[2, 3], [2, 3], [2, 3]],
    ];
    for (const [batchA, batchB, batchOut] of cases) {
      for (const [tA, tB] of FLAGS) {
        const { a, b } = operands(batchA, batchB, 5, 6, 7, tA, tB);
        const r = stockAndFixed(() => tf.matMul(a, b, tA, tB));
        expect(r.shape).toEqual([...batchOut, 5, 7]);
        expectClose(r.fixed, r.stock);
        tf.dispose([a, b]);
      }
    }
  });

  it('also equals the cpu backend (an independent implementation)', async () => {
    for (const [tA, tB] of FLAGS) {
      const aShape = [1, ...(tA ? [6, 5] : [5, 6])];
      const bShape = [3, ...(tB ? [7, 6] : [6, 7])];
      const aData = rng.normalArray(30);
      const bData = rng.normalArray(126);
      const product = () => tf.tidy(() => tf.matMul(tf.tensor(aData, aShape), tf.tensor(bData, bShape), tA, tB).dataSync());
      await tf.setBackend('cpu');
      const onCpu = Array.from(product());
      await tf.setBackend('wasm');
      installWasmMatMulFix();
      expectClose(Array.from(product()), onCpu);
    }
  });
});

describe('fixed _FusedMatMul', () => {
  const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const;
  type Activation = (typeof ACTIVATIONS)[number];

  /** Fixed-length random inputs for one fused product, as plain arrays usable on any backend. */
  function fusedCase(batchA: number[], batchB: number[], tA: boolean, tB: boolean) {
    const [m, k, n] = [4, 5, 6];
    const aShape = [...batchA, ...(tA ? [k, m] : [m, k])];
    const bShape = [...batchB, ...(tB ? [n, k] : [k, n])];
    const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);
    const data = { a: rng.normalArray(size(aShape)), b: rng.normalArray(size(bShape)), bias: rng.normalArray(n), prelu: rng.normalArray(n) };
    return (activation: Activation, withBias: boolean) => () =>
      tf.fused.matMul({
        // Typed 2-D for the API; tf.fused.matMul takes batched operands too.
        a: tf.tensor(data.a, aShape) as tf.Tensor as tf.Tensor2D,
        b: tf.tensor(data.b, bShape) as tf.Tensor as tf.Tensor2D,
        transposeA: tA,
        transposeB: tB,
        bias: withBias ? tf.tensor(data.bias) : undefined,
        activation,
        leakyreluAlpha: 0.3,
        preluActivationWeights: activation === 'prelu' ? tf.tensor(data.prelu) : undefined,
      });
  }

  async function onCpu(f: () => tf.Tensor): Promise<number[]> {
    await tf.setBackend('cpu');
    const out = Array.from(tf.tidy(f).dataSync());
    await tf.setBackend('wasm');
    return out;
  }

  const BATCHES: [number[], number[]][] = [
    [[], []],
    [[3], [3]],
    [[1], [3]],
    [[3], [1]],
  ];

  it('equals the cpu backend: every activation, with and without bias, 2-D and batched, all transpose flags', async () => {
    installWasmMatMulFix();
    for (const [batchA, batchB] of BATCHES) {
      for (const [tA, tB] of FLAGS) {
        const product = fusedCase(batchA, batchB, tA, tB);
        for (const activation of ACTIVATIONS) {
          for (const withBias of [false, true]) {
            const expected = await onCpu(product(activation, withBias));
            const actual = tf.tidy(product(activation, withBias));
            expectClose(actual.dataSync(), expected);
            actual.dispose();
          }
        }
      }
    }
  });

  it('equals the stock kernel wherever the stock kernel is right (no bias)', () => {
    for (const [batchA, batchB] of BATCHES) {
      for (const [tA, tB] of FLAGS) {
        const product = fusedCase(batchA, batchB, tA, tB);
        for (const activation of ['relu', 'prelu'] as const) {
          const r = stockAndFixed(product(activation, false));
          expectClose(r.fixed, r.stock);
        }
      }
    }
  });

  it('stock tfjs-wasm 4.22 adds the bias wrongly with a transpose or a batch (why the fix re-adds it)', async () => {
    // If this fails after a tfjs upgrade, the stock bias bug is fixed and fusedMatMul's
    // bias/activation fallback in wasm-batch-matmul.ts can go.
    for (const [batchA, batchB, tA] of [[[], [], true], [[3], [3], false]] as const) {
      const product = fusedCase([...batchA], [...batchB], tA, false)('linear', true);
      const expected = await onCpu(product);
      uninstallWasmMatMulFix();
      const stock = tf.tidy(product);
      expect(() => expectClose(stock.dataSync(), expected)).toThrow();
      stock.dispose();
    }
  });
});

describe('gradients through the fix', () => {
  it('a small dense net has the same loss and gradients as with the stock kernels', () => {
    const x = randomTensor([16, 8]);
    const y = tf.tensor(Array.from({ length: 16 }, () => rng.int(2)), [16, 1]);
    const params = [randomTensor([8, 12]), randomTensor([12]), randomTensor([12, 1]), randomTensor([1])];
    // Layer 1 uses the fused kernel (as tf.layers dense does), layer 2 the plain matMul.
    const loss = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) => {
      const h = tf.fused.matMul({ a: x as tf.Tensor2D, b: w1 as tf.Tensor2D, bias: b1, activation: 'relu' });
      const logits = tf.add(tf.matMul(h, w2), b2);
      return tf.losses.sigmoidCrossEntropy(y, logits);
    };
    const lossAndGrads = () =>
      tf.tidy(() => {
        const grads = tf.grads((w1, b1, w2, b2) => loss(w1!, b1!, w2!, b2!))(params);
        return tf.concat([loss(params[0]!, params[1]!, params[2]!, params[3]!).reshape([1]), ...grads.map((g) => g.flatten())]);
      });
    const r = stockAndFixed(lossAndGrads);
    expect(r.shape).toEqual([1 + 8 * 12 + 12 + 12 + 1]);
    expect(r.stock.some((v) => Math.abs(v) > 1e-3)).toBe(true); // non-trivial gradients
    expectClose(r.fixed, r.stock);
    tf.dispose([x, y, ...params]);
  });
});

describe('memory', () => {
  it('leaves no tensors and no wasm buffers behind over many calls', () => {
    installWasmMatMulFix();
    const { a, b } = operands([2], [2], 48, 40, 32, false, false);
    const aT = tf.transpose(a, [0, 2, 1]);
    const bT = tf.transpose(b, [0, 2, 1]);
    const bias = randomTensor([32]);
    const allProducts = () => {
      tf.dispose(tf.matMul(a, b));
      tf.dispose(tf.matMul(aT, b, true, false));
      tf.dispose(tf.matMul(a, bT, false, true));
      tf.dispose(tf.matMul(aT, bT, true, true));
      tf.dispose(tf.fused.matMul({ a: aT, b: bT, transposeA: true, transposeB: true, bias, activation: 'relu' }));
    };
    allProducts(); // warm-up: lets the wasm heap reach its working size
    const backend = wasmBackend();
    const before = {
      tensors: tf.memory().numTensors,
      bytes: tf.memory().numBytes,
      dataIds: backend.numDataIds(),
      heap: backend.wasm.HEAPU8.byteLength,
    };
    for (let i = 0; i < 100; i++) allProducts();
    expect({
      tensors: tf.memory().numTensors,
      bytes: tf.memory().numBytes,
      dataIds: backend.numDataIds(),
      heap: backend.wasm.HEAPU8.byteLength,
    }).toEqual(before);
    tf.dispose([a, b, aT, bT, bias]);
  });

  it('frees its temporaries when the stock kernel throws', () => {
    installWasmMatMulFix();
    const a = randomTensor([4, 3]); // transposed, so copied before the stock kernel runs
    const b = randomTensor([5, 6]); // inner sizes 4 vs 5 do not match
    const dataIds = wasmBackend().numDataIds();
    expect(() => tf.matMul(a, b, true, false)).toThrow(/inner shapes/);
    expect(wasmBackend().numDataIds()).toBe(dataIds);
    tf.dispose([a, b]);
  });
});
