import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { installBlasKernels, uninstallBlasKernels } from './blas-matmul.js';
import { usableAddon } from './native-addon.js';
import { elementwiseAddon, nativeBinary, nativeTranspose, repeatsAlong, stridedPlan, type BinaryKernelName } from './native-elementwise.js';
import { stockKernel } from './wasm-batch-matmul.js';

// The native element-wise kernels must give the stock wasm kernels' bits exactly (one IEEE
// operation per value; a transpose moves bits), and the cpu backend's too (its float64
// arithmetic rounded to float32 is exact for + − × ÷ of float32 values). Each kernel is also
// called directly with a stock kernel that records its calls, to show which path ran.

const addon = usableAddon().addon;
const ew = addon && elementwiseAddon(addon);
const expectNative = process.env.W2S_EXPECT_NATIVE === '1';
const rng = new Rng(20261204);

type Backend = tf.KernelBackend & { wasm: { HEAPU8: Uint8Array }; numDataIds(): number };
const wasmBackend = () => tf.backend() as Backend;

/** Random normal values with the awkward ones mixed in: ±0, ±∞, NaN, subnormals, extremes. */
function values(n: number): Float32Array {
  const special = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-40, 3.4e38, -3.4e38, 1, -1, 2 ** -126];
  const v = Float32Array.from(rng.normalArray(n));
  for (let i = 0; i < n; i += 3) v[i] = special[rng.int(special.length)]!;
  return v;
}

const tensor = (shape: number[]) => tf.tensor(values(shape.reduce((p, d) => p * d, 1)), shape);
/** A tensor's values as bits (float32, int32), else as values (bool). */
function bits(t: tf.Tensor): number[] {
  const data = t.dataSync();
  return data instanceof Float32Array || data instanceof Int32Array ? Array.from(new Uint32Array(data.slice().buffer)) : Array.from(data);
}

async function onCpu<T>(f: () => T): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return f();
  } finally {
    await tf.setBackend('wasm');
  }
}

/** Runs kernel `f` directly on tensors; returns its output's bits and disposes it. */
function runKernel(f: tf.KernelFunc, inputs: Record<string, tf.Tensor>, attrs: object = {}): number[] {
  const backend = wasmBackend();
  const out = f({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
  const t = tf.engine().makeTensorFromTensorInfo(out);
  const result = bits(t);
  t.dispose();
  return result;
}

/** A stock kernel that counts its calls. */
function counted(name: string) {
  const stock = stockKernel(name).kernelFunc;
  const spy: { calls: number; kernel: tf.KernelFunc } = {
    calls: 0,
    kernel: (args) => {
      spy.calls++;
      return stock(args);
    },
  };
  return spy;
}

const OPS: [BinaryKernelName, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
  [tf.Add, tf.add],
  [tf.Sub, tf.sub],
  [tf.Multiply, tf.mul],
  [tf.RealDiv, tf.div],
];

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

afterEach(() => uninstallBlasKernels());

describe('repeatsAlong (which broadcasts the native kernel takes)', () => {
  it('the same shape, a scalar, trailing axes; not a broadcast inside the shape', () => {
    expect(repeatsAlong([3, 5], [3, 5])).toBe(true);
    expect(repeatsAlong([], [3, 5])).toBe(true);
    expect(repeatsAlong([1, 1], [3, 5])).toBe(true);
    expect(repeatsAlong([5], [3, 5])).toBe(true);
    expect(repeatsAlong([1, 4, 5], [3, 4, 5])).toBe(true);
    expect(repeatsAlong([3, 1], [3, 5])).toBe(false);
    expect(repeatsAlong([3, 1, 5], [3, 4, 5])).toBe(false);
    expect(repeatsAlong([4, 5], [3, 5])).toBe(false);
  });
});

describe('stridedPlan (any broadcast as strides; derived by hand)', () => {
  it('merges axes both operands run through contiguously, drops size-1 axes, keeps broadcasts as stride 0', () => {
    // Layer norm: [710, 64, 64] − [710, 64, 1] is rows of 64 against one value per row.
    expect(stridedPlan([710, 64, 64], [710, 64, 1], [710, 64, 64])).toEqual({ shape: [45440, 64], aStrides: [64, 1], bStrides: [1, 0] });
    // An attention mask: [B, H, T, T] + [B, 1, 1, T]; the H and T axes merge (b broadcasts along both).
    expect(stridedPlan([7, 4, 6, 6], [7, 1, 1, 6], [7, 4, 6, 6])).toEqual({ shape: [7, 24, 6], aStrides: [144, 6, 1], bStrides: [6, 0, 1] });
    // [4, 1] with [1, 7]: an outer product's layout.
    expect(stridedPlan([4, 1], [1, 7], [4, 7])).toEqual({ shape: [4, 7], aStrides: [1, 0], bStrides: [0, 1] });
    expect(stridedPlan([1, 1], [1], [1, 1])).toEqual({ shape: [1], aStrides: [0], bStrides: [0] });
  });
});

describe.runIf(ew !== null || expectNative)('native element-wise kernels (wasm+blas)', () => {
  // [a shape, b shape, handled natively]
  const SHAPES: [number[], number[], boolean][] = [
    [[7, 13], [7, 13], true], // same shape (odd sizes: vector loop tails)
    [[37], [37], true],
    [[3, 5, 7], [], true], // b a scalar
    [[], [3, 5, 7], true], // a a scalar
    [[1], [2, 9], true],
    [[3, 5, 7], [7], true], // [.., D] with [D]: a bias
    [[7], [3, 5, 7], true],
    [[3, 5, 7], [5, 7], true],
    [[1, 5, 7], [3, 5, 7], true],
    [[4, 1], [1, 7], true], // other broadcasts: by strides
    [[3, 1, 7], [3, 5, 7], true],
    [[3, 5, 1], [3, 5, 7], true], // layer norm: x − mean
    [[3, 5, 7], [3, 5, 1], true],
    [[2, 3, 5, 5], [2, 1, 1, 5], true], // an attention mask
    [[2, 1, 3, 1, 2], [1, 4, 3, 5, 1], true],
    [[0, 7], [7], false], // empty: stock
  ];
  // Outputs of ≥ 2^19 values are written with streaming stores (a separate loop in C).
  const LARGE: [number[], number[], boolean][] = [
    [[1031, 509], [1031, 509], true],
    [[1031, 509], [], true],
    [[], [1031, 509], true],
  ];

  it('Add, Sub, Multiply, RealDiv: the stock wasm kernel’s bits, native for every broadcast up to rank 6, stock otherwise', () => {
    for (const [aShape, bShape, native] of [...SHAPES, ...LARGE]) {
      const [a, b] = [tensor(aShape), tensor(bShape)];
      for (const [name] of OPS) {
        const stock = counted(name);
        const result = runKernel(nativeBinary(ew!, name, stock.kernel), { a, b });
        expect(stock.calls, `${name} [${aShape}] [${bShape}]`).toBe(native ? 0 : 1);
        const expected = runKernel(stockKernel(name).kernelFunc, { a, b });
        // The first difference (a plain loop: deep equality of 2^19 values takes seconds).
        expect(result.length).toBe(expected.length);
        expect(
          result.findIndex((v, i) => v !== expected[i]),
          `${name} [${aShape}] [${bShape}]`,
        ).toBe(-1);
      }
      tf.dispose([a, b]);
    }
  });

  it('a broadcast of rank 7 after merging goes to the stock kernel', () => {
    // Only the routing is checked: tfjs-wasm 4.22's kernel fails in XNNPACK there and returns
    // uninitialised memory (not compared).
    const a = tensor([2, 1, 2, 1, 2, 1, 2]);
    const b = tensor([1, 2, 1, 2, 1, 2, 1]);
    const stock = counted(tf.Add);
    runKernel(nativeBinary(ew!, tf.Add, stock.kernel), { a, b });
    expect(stock.calls).toBe(1);
    tf.dispose([a, b]);
  });

  it('int32 operands go to the stock kernel', () => {
    for (const [name] of OPS) {
      const a = tf.tensor([7, -8, 9, 100], [2, 2], 'int32');
      const b = tf.tensor([2, 3, -4, 7], [2, 2], 'int32');
      const stock = counted(name);
      expect(runKernel(nativeBinary(ew!, name, stock.kernel), { a, b })).toEqual(runKernel(stockKernel(name).kernelFunc, { a, b }));
      expect(stock.calls).toBe(1);
      tf.dispose([a, b]);
    }
  });

  it('through tf ops once installed: the bits of the stock kernels and of the cpu backend (NaN as NaN)', async () => {
    for (const [name, op] of OPS) {
      for (const [aShape, bShape] of SHAPES) {
        const av = values(aShape.reduce((p, d) => p * d, 1));
        const bv = values(bShape.reduce((p, d) => p * d, 1));
        const f = () => op(tf.tensor(av, aShape), tf.tensor(bv, bShape));
        const stock = tf.tidy(f);
        expect(installBlasKernels()).toBe(true);
        const native = tf.tidy(f);
        uninstallBlasKernels();
        expect(native.shape).toEqual(stock.shape);
        expect(bits(native), `${name} [${aShape}] [${bShape}]`).toEqual(bits(stock));
        // The cpu backend's NaNs need not carry the same payload; every other value has the same bits.
        const cpu = await onCpu(() => Array.from(tf.tidy(f).dataSync()));
        const nat = Array.from(native.dataSync());
        expect(nat.map((v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v))).toEqual(cpu.map((v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v)));
        tf.dispose([stock, native]);
      }
    }
  });

  // [shape, perm]
  const PERMS: [number[], number[]][] = [
    [[5, 7], [1, 0]],
    [[37, 19], [1, 0]], // more than one tile each way, ragged edges
    [[3, 5, 7], [0, 2, 1]],
    [[3, 5, 7], [2, 1, 0]],
    [[3, 5, 7], [1, 0, 2]], // the innermost axis stays: row copies
    [[3, 5, 7], [2, 0, 1]],
    [[2, 3, 4, 5], [0, 2, 1, 3]], // attention heads
    [[2, 3, 4, 5], [0, 2, 3, 1]],
    [[2, 3, 4, 5], [3, 1, 2, 0]],
    [[2, 1, 4, 5], [0, 2, 1, 3]], // only a size-1 axis moves: a no-op (the stock kernel shares the data)
    [[2, 1, 4, 5], [3, 1, 0, 2]],
    [[2, 3, 1, 2, 3, 2], [5, 4, 3, 2, 1, 0]], // rank 6
    [[2, 3, 2, 2, 3, 2], [1, 0, 3, 2, 5, 4]],
    [[2, 0, 3], [2, 1, 0]], // empty
  ];

  it('Transpose: the stock kernel’s bits for every permutation kind, ranks 2–6, float32 and int32', () => {
    for (const dtype of ['float32', 'int32'] as const) {
      for (const [shape, perm] of PERMS) {
        const n = shape.reduce((p, d) => p * d, 1);
        const x = dtype === 'float32' ? tensor(shape) : tf.tensor(Int32Array.from({ length: n }, (_, i) => i * 7 - 50), shape, 'int32');
        const stock = counted(tf.Transpose);
        const native = runKernel(nativeTranspose(ew!, stock.kernel), { x }, { perm });
        const label = `${dtype} [${shape}] by [${perm}]`;
        // The stock kernel shares the data of a permutation that moves no axis of size > 1.
        const noOp = shape.join() === '2,1,4,5' && perm.join() === '0,2,1,3';
        expect(stock.calls, label).toBe(noOp ? 1 : 0);
        expect(native, label).toEqual(runKernel(stockKernel(tf.Transpose).kernelFunc, { x }, { perm }));
        tf.dispose(x);
      }
    }
  });

  it('Transpose through tf.transpose equals the cpu backend; bool goes to the stock kernel', async () => {
    installBlasKernels();
    for (const [shape, perm] of PERMS) {
      const v = values(shape.reduce((p, d) => p * d, 1));
      const f = () => tf.transpose(tf.tensor(v, shape), perm);
      const native = tf.tidy(f);
      const cpu = await onCpu(() => tf.tidy(f));
      expect(native.shape).toEqual(cpu.shape);
      expect(bits(native)).toEqual(bits(cpu));
      tf.dispose([native, cpu]);
    }
    const stock = counted(tf.Transpose);
    const b = tf.tensor([true, false, false, true, true, false], [2, 3], 'bool');
    expect(runKernel(nativeTranspose(ew!, stock.kernel), { x: b }, { perm: [1, 0] })).toEqual(runKernel(stockKernel(tf.Transpose).kernelFunc, { x: b }, { perm: [1, 0] }));
    expect(stock.calls).toBe(1);
    b.dispose();
  });

  it('gradients (made of these ops) are bit-identical to the stock kernels’', () => {
    const x = tensor([4, 3, 6]);
    const w = tensor([6]);
    const s = tf.randomNormal([3, 6]).abs().add(1);
    // Attention-like: a transpose, a bias, a product, a quotient, a difference.
    const loss = (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.div(tf.sub(tf.mul(tf.transpose(tf.add(x, w), [1, 0, 2]), w), 0.5), s.reshape([3, 1, 6])));
    const clean = tf.tidy(() => tf.where(tf.isFinite(x), x, tf.zerosLike(x))); // finite gradients
    const cleanW = tf.tidy(() => tf.where(tf.isFinite(w), w, tf.onesLike(w)));
    const grads = () => tf.grads(loss)([clean, cleanW]);
    const stock = grads();
    installBlasKernels();
    const native = grads();
    for (let i = 0; i < 2; i++) expect(bits(native[i]!)).toEqual(bits(stock[i]!));
    tf.dispose([x, w, s, clean, cleanW, ...stock, ...native]);
  });

  it('leaves no tensor or heap data behind, and throws (freeing its output) on a disposed operand', () => {
    installBlasKernels();
    const a = tensor([5, 7]);
    const b = tensor([7]);
    const x = tensor([2, 3, 4, 5]);
    const ops = [() => tf.add(a, b), () => tf.sub(a, 2), () => tf.mul(a, a), () => tf.div(3, a), () => tf.transpose(x, [0, 2, 3, 1]), () => tf.transpose(a)];
    for (const op of ops) tf.dispose(op());
    const backend = wasmBackend();
    const snapshot = () => ({ tensors: tf.memory().numTensors, dataIds: backend.numDataIds() });
    const before = snapshot();
    for (let i = 0; i < 300; i++) tf.dispose(ops[i % ops.length]!());
    expect(snapshot()).toEqual(before);
    const kernel = tf.getKernel(tf.Add, 'wasm')!.kernelFunc;
    const gone = tensor([7]);
    const info: tf.TensorInfo = { dataId: gone.dataId, shape: gone.shape, dtype: gone.dtype };
    gone.dispose();
    const dataIds = backend.numDataIds();
    expect(() => kernel({ inputs: { a, b: info }, backend, attrs: {} })).toThrow(/operand b has no data/);
    expect(backend.numDataIds()).toBe(dataIds);
    tf.dispose([a, b, x]);
  });
});
