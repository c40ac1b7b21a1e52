import * as tf from '@tensorflow/tfjs';
// Registers the wasm backend and its kernels, so the stock kernels below exist to be wrapped.
import '@tensorflow/tfjs-backend-wasm';
import { checkPatchedTfjsVersion } from './wasm-version.js';

/**
 * The wasm transposed-matMul fix.
 *
 * Stock tfjs-wasm 4.22 multiplies with a transposed operand 10–60x slower than without
 * (measured on 1024x512 · 512x512: 20 ms plain, 240 ms transposeB, 1100 ms transposeA), and the
 * backward pass of every dense layer needs exactly those products (dW = xᵀ·dy, dx = dy·Wᵀ).
 * `_FusedMatMul` (tf.fused.matMul, tf.layers dense) is just as slow with a transpose flag.
 *
 * The fix wraps both kernels: a transposed operand is first materialized with the wasm
 * `Transpose` kernel (a fast copy), then the stock kernel runs with both flags false, and the
 * temporary copies are freed. Same arithmetic, far better memory access. For BatchMatMul, when
 * it copies less, it computes C = op(A)·op(B) as (op(B)ᵀ·op(A)ᵀ)ᵀ instead: e.g. a linear probe's
 * dW = Xᵀ·dy with X [N, d] and dy [N, 1] then transposes two vectors, not X.
 * The stock configs are kept, so the fix can be switched off again (the benchmark compares both).
 *
 * It also repairs a stock `_FusedMatMul` bug: with a bias, results are wrong whenever a
 * transpose flag is set or the product is batched (see fusedMatMulWithoutTransposes below).
 */

export const PATCHED_KERNELS = [tf.BatchMatMul, tf._FusedMatMul] as const;

/**
 * Marks a config registered by w2s (this fix, or the BLAS kernels of blas-matmul.ts), names
 * which (`w2sPath`), and keeps the stock config it replaced.
 */
export interface PatchedKernelConfig extends tf.KernelConfig {
  w2sStockConfig: tf.KernelConfig;
  w2sPath: 'matmul-fix' | 'blas';
}

export function isPatched(config: tf.KernelConfig | undefined): config is PatchedKernelConfig {
  return config !== undefined && 'w2sStockConfig' in config;
}

/** True when the matMul kernels `names` are w2s's `path` ones. */
export function isPathInstalled(path: PatchedKernelConfig['w2sPath'], names: readonly string[] = PATCHED_KERNELS): boolean {
  return names.every((name) => {
    const config = tf.getKernel(name, 'wasm');
    return isPatched(config) && config.w2sPath === path;
  });
}

/** True when the wasm `BatchMatMul` and `_FusedMatMul` kernels are the fixed ones. */
export function isWasmMatMulFixInstalled(): boolean {
  return isPathInstalled('matmul-fix');
}

/**
 * Replaces the wasm `BatchMatMul` and `_FusedMatMul` kernels by the fixed ones (idempotent; it
 * also replaces the BLAS kernels if those are in).
 */
export function installWasmMatMulFix(): void {
  checkPatchedTfjsVersion();
  restoreStockKernels('blas'); // leave the BLAS path whole (it also replaces Sum), not half
  const transpose = stockKernel(tf.Transpose).kernelFunc;
  for (const name of PATCHED_KERNELS) {
    const config = tf.getKernel(name, 'wasm');
    if (isPatched(config) && config.w2sPath === 'matmul-fix') continue;
    const stock = stockKernel(name);
    const patched: PatchedKernelConfig = {
      // Keeps the stock setupFunc/disposeFunc: if the backend initializes after this
      // registration, the stock setup still binds the wasm function the stock kernelFunc calls.
      ...stock,
      kernelFunc: name === tf.BatchMatMul ? fixedBatchMatMul(stock.kernelFunc, transpose) : fixedFusedMatMul(stock.kernelFunc, transpose),
      w2sStockConfig: stock,
      w2sPath: 'matmul-fix',
    };
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(patched);
  }
}

/** Puts the stock wasm kernels back, in place of the fix or the BLAS kernels (idempotent). */
export function uninstallWasmMatMulFix(): void {
  restoreStockKernels();
}

/** Puts back the stock config of every wasm kernel w2s replaced by `path`'s (by any path's if omitted). */
export function restoreStockKernels(path?: PatchedKernelConfig['w2sPath']): void {
  for (const config of tf.getKernelsForBackend('wasm')) {
    if (!isPatched(config) || (path !== undefined && config.w2sPath !== path)) continue;
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config.w2sStockConfig);
  }
}

/** The registered wasm kernel `name` as tfjs-wasm shipped it (unwrapping our fix if installed). */
export function stockKernel(name: string): tf.KernelConfig {
  const config = tf.getKernel(name, 'wasm');
  if (config === undefined) throw new Error(`the wasm kernel ${name} is not registered`);
  return isPatched(config) ? config.w2sStockConfig : config;
}

export type KernelArgs = Parameters<tf.KernelFunc>[0];
export type MatMulInputs = { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };
export interface FusedMatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation: tf.fused.Activation;
  leakyreluAlpha?: number;
}

/**
 * Runs `body` with helpers for wasm intermediates: `swapLastAxes(x)` materializes x with its
 * last two axes swapped (batch axes stay), `temporary(x)` marks x to be freed when body returns
 * or throws. The kernel's result must not be marked.
 */
export function withTemporaries(
  { backend }: KernelArgs,
  transpose: tf.KernelFunc,
  body: (swapLastAxes: (x: tf.TensorInfo) => tf.TensorInfo, temporary: (x: tf.TensorInfo) => tf.TensorInfo) => tf.TensorInfo,
): tf.TensorInfo {
  const temporaries: tf.TensorInfo[] = [];
  const swapLastAxes = (x: tf.TensorInfo): tf.TensorInfo => {
    const rank = x.shape.length;
    const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
    return transpose({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
  };
  const temporary = (x: tf.TensorInfo): tf.TensorInfo => {
    temporaries.push(x);
    return x;
  };
  try {
    return body(swapLastAxes, temporary);
  } finally {
    for (const t of temporaries) (backend as tf.KernelBackend).disposeData(t.dataId);
  }
}

const size = (x: tf.TensorInfo) => x.shape.reduce((p, d) => p * d, 1);
const matrixSize = (x: tf.TensorInfo) => x.shape.at(-2)! * x.shape.at(-1)!;

/** BatchMatMul that hands the stock kernel untransposed operands only. */
function fixedBatchMatMul(stock: tf.KernelFunc, transpose: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as MatMulInputs;
    const { transposeA: tA, transposeB: tB } = args.attrs as unknown as FusedMatMulAttrs;
    // Nothing to fix, or a dtype the stock kernel rejects: run (or throw) as shipped.
    if ((!tA && !tB) || a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args) as tf.TensorInfo;
    const product = (x: tf.TensorInfo, y: tf.TensorInfo) =>
      stock({ ...args, inputs: { a: x, b: y }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as tf.TensorInfo;

    // Elements copied: directly, the transposed operands; via Cᵀ = op(B)ᵀ·op(A)ᵀ, the operands
    // that were NOT transposed, plus C itself ([batch, m, n]; the wasm kernel broadcasts a batch of 1).
    const [m, n] = [tA ? a.shape.at(-1)! : a.shape.at(-2)!, tB ? b.shape.at(-2)! : b.shape.at(-1)!];
    const batch = Math.max(size(a) / matrixSize(a), size(b) / matrixSize(b));
    const directCopies = (tA ? size(a) : 0) + (tB ? size(b) : 0);
    const swappedCopies = (tA ? 0 : size(a)) + (tB ? 0 : size(b)) + batch * m * n;

    return withTemporaries(args, transpose, (swapLastAxes, temporary) => {
      if (swappedCopies < directCopies) {
        const opBT = tB ? b : temporary(swapLastAxes(b));
        const opAT = tA ? a : temporary(swapLastAxes(a));
        return swapLastAxes(temporary(product(opBT, opAT)));
      }
      return product(tA ? temporary(swapLastAxes(a)) : a, tB ? temporary(swapLastAxes(b)) : b);
    });
  };
}

/** _FusedMatMul that hands the stock kernel untransposed operands only, and adds bias correctly. */
function fixedFusedMatMul(stock: tf.KernelFunc, transpose: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as MatMulInputs;
    const { transposeA: tA, transposeB: tB } = args.attrs as unknown as FusedMatMulAttrs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args) as tf.TensorInfo;
    return withTemporaries(args, transpose, (swapLastAxes, temporary) =>
      fusedMatMulWithoutTransposes(
        stock,
        {
          ...args,
          inputs: { ...args.inputs, a: tA ? temporary(swapLastAxes(a)) : a, b: tB ? temporary(swapLastAxes(b)) : b },
          attrs: { ...args.attrs, transposeA: false, transposeB: false },
        },
        temporary,
      ),
    );
  };
}

/**
 * _FusedMatMul without transposes. Stock tfjs-wasm 4.22 adds the bias wrongly whenever the
 * output has more than one matrix (and whenever a transpose flag is set, which the caller has
 * already removed): it adds bias[min(i, n-1)] to the i-th element of each matrix, so every row
 * after the first gets bias[n-1]. Found by comparing with the cpu backend. Then this runs the
 * product without bias (correct) and adds the bias and the activation with their own kernels.
 */
function fusedMatMulWithoutTransposes(
  stock: tf.KernelFunc,
  args: KernelArgs,
  temporary: (x: tf.TensorInfo) => tf.TensorInfo,
): tf.TensorInfo {
  const { a, b, bias } = args.inputs as MatMulInputs;
  const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (bias === undefined || batchShape.every((d) => d === 1)) return stock(args) as tf.TensorInfo;

  const { backend } = args;
  const product = stock({ inputs: { a, b }, backend, attrs: { ...args.attrs, activation: 'linear' } }) as tf.TensorInfo;
  return addBiasAndActivation(args, product, temporary);
}

/**
 * The rest of a fused matMul after its product: + bias (if any), then the activation, each with
 * its own wasm kernel. Intermediates (including `product` unless it is returned) are marked
 * `temporary`.
 */
export function addBiasAndActivation(
  args: KernelArgs,
  product: tf.TensorInfo,
  temporary: (x: tf.TensorInfo) => tf.TensorInfo,
): tf.TensorInfo {
  const { backend } = args;
  const { bias, preluActivationWeights } = args.inputs as MatMulInputs;
  const { activation, leakyreluAlpha } = args.attrs as unknown as FusedMatMulAttrs;
  const run = (kernel: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}) =>
    tf.getKernel(kernel, 'wasm')!.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
  const biased = bias === undefined ? product : run(tf.Add, { a: temporary(product), b: bias });
  if (activation === undefined || activation === 'linear') return biased;
  temporary(biased);
  if (activation === 'prelu') return run(tf.Prelu, { x: biased, alpha: preluActivationWeights! });
  if (activation === 'leakyrelu') return run(tf.LeakyRelu, { x: biased }, { alpha: leakyreluAlpha ?? 0.2 });
  return run(ACTIVATION_KERNELS[activation], { x: biased });
}

const ACTIVATION_KERNELS: Record<Exclude<tf.fused.Activation, 'linear' | 'prelu' | 'leakyrelu'>, string> = {
  relu: tf.Relu,
  relu6: tf.Relu6,
  elu: tf.Elu,
  sigmoid: tf.Sigmoid,
};
