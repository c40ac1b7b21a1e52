import * as tf from '@tensorflow/tfjs';
// Registers the wasm backend and its kernels, so the stock kernels below exist to be replaced.
import '@tensorflow/tfjs-backend-wasm';
import {
  addBiasAndActivation,
  isPathInstalled,
  restoreStockKernels,
  stockKernel,
  withTemporaries,
  type FusedMatMulAttrs,
  type KernelArgs,
  type MatMulInputs,
  type PatchedKernelConfig,
} from './wasm-batch-matmul.js';
import { heapOffset, sizeOf, usableAddon, type BlasAddon, type WasmBackend } from './native-addon.js';
import { leadingAxesSum, nativeMaxPoolGrad, nativeSlice } from './native-kernels.js';
import { W2S_ADAM, wasmAdamKernel } from './fused-adam.js';
import { W2S_SOFTMAX_XENT, W2S_SOFTMAX_XENT_GRAD, wasmXentKernels } from './fused-xent.js';
import { elementwiseAddon, nativeBinary, nativeTranspose } from './native-elementwise.js';
import { checkPatchedTfjsVersion } from './wasm-version.js';

/**
 * The wasm+blas kernels: `BatchMatMul` and `_FusedMatMul` for the tfjs wasm backend computed by
 * `cblas_sgemm` (OpenBLAS) in the optional native addon `@w2s/native` (see native-addon.ts), and
 * the ops that dominate next: `Sum` over leading axes, `MaxPoolGrad` and `Slice` (native-kernels.ts).
 *
 * The addon multiplies in place on the wasm heap: operands are read at their tensors'
 * `memoryOffset`s, transposes are sgemm flags (no copies), and the output is a tensor made by
 * `backend.makeOutput`, written directly. On the benchmark's MLP step this is about 4× faster
 * than the wasm transposed-matMul fix and on a par with PyTorch (`npm run bench`). Before calling into C, every operand is
 * checked here (float32, a live tensor whose stored size matches its shape) and again in C
 * (every matrix inside the heap, no overlap with the output), since a wrong offset would write
 * into the wasm heap. The heap view is read afresh on every call: wasm memory grows.
 *
 * Where the addon is absent or disabled (W2S_NATIVE=0), `installBlasKernels()` returns false
 * and the wasm fix stays in use.
 */

/**
 * The kernels of the BLAS path. Once products are fast, other ops dominate a train step:
 * `Sum` over leading axes, i.e. every bias gradient (dy [batch, units] summed over the batch,
 * which the wasm kernel does by transposing dy first: 9 of 47 ms in the benchmark step), then
 * in the CNN family `MaxPoolGrad` (30 % of its step) and, after that, `Slice` (31 %). These are
 * native loops (native-kernels.ts). In the text family the element-wise ops come next (Add,
 * Sub, Multiply, RealDiv, Transpose: native-elementwise.ts).
 */
const BLAS_KERNELS = [tf.BatchMatMul, tf._FusedMatMul, tf.Sum, tf.MaxPoolGrad, tf.Slice, tf.Add, tf.Sub, tf.Multiply, tf.RealDiv, tf.Transpose] as const;

/** True when the wasm kernels of the BLAS path (BatchMatMul, _FusedMatMul, Sum, MaxPoolGrad, Slice) are in. */
export function isBlasInstalled(): boolean {
  return isPathInstalled('blas', BLAS_KERNELS);
}

/**
 * Replaces the wasm `BatchMatMul`, `_FusedMatMul`, `Sum`, `MaxPoolGrad` and `Slice` kernels by the BLAS path's (in place
 * of the stock kernels or the fix; idempotent). Returns false, changing nothing, when the addon
 * cannot be used (see nativeBlasStatus()).
 */
export function installBlasKernels(): boolean {
  checkPatchedTfjsVersion();
  const { addon } = usableAddon();
  if (!addon) return false;
  installFusedKernels(addon);
  if (isBlasInstalled()) return true;
  const batchMatMul = blasBatchMatMul(addon, stockKernel(tf.BatchMatMul).kernelFunc);
  const transpose = stockKernel(tf.Transpose).kernelFunc;
  // An addon built before the element-wise kernels existed keeps the stock ones for those.
  const ew = elementwiseAddon(addon);
  const kernelFuncs: Record<(typeof BLAS_KERNELS)[number], (stock: tf.KernelFunc) => tf.KernelFunc> = {
    [tf.BatchMatMul]: () => batchMatMul,
    [tf._FusedMatMul]: (stock) => blasFusedMatMul(batchMatMul, stock, transpose),
    [tf.Sum]: (stock) => leadingAxesSum(addon, stock),
    [tf.MaxPoolGrad]: (stock) => nativeMaxPoolGrad(addon, stock),
    [tf.Slice]: (stock) => nativeSlice(addon, stock),
    [tf.Add]: (stock) => (ew ? nativeBinary(ew, tf.Add, stock) : stock),
    [tf.Sub]: (stock) => (ew ? nativeBinary(ew, tf.Sub, stock) : stock),
    [tf.Multiply]: (stock) => (ew ? nativeBinary(ew, tf.Multiply, stock) : stock),
    [tf.RealDiv]: (stock) => (ew ? nativeBinary(ew, tf.RealDiv, stock) : stock),
    [tf.Transpose]: (stock) => (ew ? nativeTranspose(ew, stock) : stock),
  };
  for (const name of BLAS_KERNELS) {
    const stock = stockKernel(name);
    const config: PatchedKernelConfig = {
      ...stock, // keeps the stock setupFunc, as the fix does
      kernelFunc: kernelFuncs[name](stock.kernelFunc),
      w2sStockConfig: stock,
      w2sPath: 'blas',
    };
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(config);
  }
  return true;
}

/** Puts the stock wasm kernels back if the BLAS ones are in (idempotent), and removes the fused ones. */
export function uninstallBlasKernels(): void {
  restoreStockKernels('blas');
  for (const name of FUSED_KERNELS) if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
}

/**
 * Kernels wasm does not have, which only the BLAS path adds: fused Adam and the fused class-id
 * cross-entropy (native loops; bit-identical to the op sequences they replace, which the other
 * wasm paths keep running since those are faster there than loops in JS).
 */
const FUSED_KERNELS = [W2S_ADAM, W2S_SOFTMAX_XENT, W2S_SOFTMAX_XENT_GRAD] as const;

function installFusedKernels(addon: BlasAddon): void {
  const stockExp = tf.getKernel(tf.Exp, 'wasm');
  if (!stockExp) throw new Error('the wasm backend has no Exp kernel');
  for (const config of [wasmAdamKernel(addon), ...wasmXentKernels(addon, stockExp.kernelFunc)]) {
    if (!tf.getKernel(config.kernelName, 'wasm')) tf.registerKernel(config);
  }
}

/** One product as sgemm sees it: sizes, how many matrices each operand holds, and which pairs. */
export interface GemmPlan {
  outShape: number[];
  m: number;
  n: number;
  k: number;
  aCount: number;
  bCount: number;
  /** Output matrix i = op(A[aIndex[i]]) · op(B[bIndex[i]]). */
  aIndex: Int32Array;
  bIndex: Int32Array;
}

const SINGLE = new Int32Array([0]);

/**
 * Plans C = op(A)·op(B) for A [...batchA, rows, cols] and B [...batchB, rows, cols], with the
 * batch axes broadcast as numpy does (tfjs's rule wherever its kernels are right). Throws on
 * rank < 2, mismatched inner sizes or batch axes that do not broadcast.
 */
export function planGemm(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean): GemmPlan {
  if (aShape.length < 2 || bShape.length < 2) {
    throw new Error(`BLAS matMul: both operands need rank ≥ 2, got shapes [${aShape}] and [${bShape}]`);
  }
  const [aRows, aCols] = aShape.slice(-2) as [number, number];
  const [bRows, bCols] = bShape.slice(-2) as [number, number];
  const [m, k] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const [kB, n] = transposeB ? [bCols, bRows] : [bRows, bCols];
  if (k !== kB) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${aShape} and ${bShape} and ` +
        `transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const batchA = aShape.slice(0, -2);
  const batchB = bShape.slice(0, -2);
  const batchOut = tf.broadcast_util.assertAndGetBroadcastShape(batchA, batchB);
  const aCount = sizeOf(batchA);
  const bCount = sizeOf(batchB);
  const batch = sizeOf(batchOut);
  const plan = { outShape: [...batchOut, m, n], m, n, k, aCount, bCount };
  if (batch === 1) return { ...plan, aIndex: SINGLE, bIndex: SINGLE };
  return { ...plan, aIndex: broadcastIndex(batchA, batchOut), bIndex: broadcastIndex(batchB, batchOut) };
}

/** For each output batch position (row-major over `outBatch`), the matrix of an operand with batch axes `batch`. */
function broadcastIndex(batch: number[], outBatch: number[]): Int32Array {
  const total = sizeOf(outBatch);
  const index = new Int32Array(total);
  // Align axes on the right; an operand axis of size 1 (or a missing axis) does not advance.
  const offset = outBatch.length - batch.length;
  const strides = new Array<number>(outBatch.length).fill(0);
  for (let axis = batch.length - 1, stride = 1; axis >= 0; axis--) {
    if (batch[axis]! !== 1) strides[axis + offset] = stride;
    stride *= batch[axis]!;
  }
  const coord = new Array<number>(outBatch.length).fill(0);
  for (let i = 0; i < total; i++) {
    let at = 0;
    for (let axis = 0; axis < outBatch.length; axis++) at += coord[axis]! * strides[axis]!;
    index[i] = at;
    for (let axis = outBatch.length - 1; axis >= 0; axis--) {
      if (++coord[axis]! < outBatch[axis]!) break;
      coord[axis] = 0;
    }
  }
  return index;
}

/** BatchMatMul by sgemm on the wasm heap; non-float32 operands go to the stock kernel (which rejects them). */
function blasBatchMatMul(addon: BlasAddon, stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as MatMulInputs;
    const { transposeA: tA, transposeB: tB } = args.attrs as unknown as FusedMatMulAttrs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args) as tf.TensorInfo;
    const backend = args.backend as WasmBackend;
    const plan = planGemm(a.shape, b.shape, tA, tB);
    const aOffset = heapOffset(backend, a, 'a');
    const bOffset = heapOffset(backend, b, 'b');
    let { m, aCount, aIndex } = plan;
    // A stack of untransposed A matrices against one B is a single product of all their rows.
    const stacked = !tA && plan.bCount === 1 && aCount > 1 && aCount === aIndex.length && m * aCount < 2 ** 31;
    if (stacked && aIndex.every((v, i) => v === i)) {
      [m, aCount, aIndex] = [m * aCount, 1, SINGLE];
    }
    const bIndex = aIndex === SINGLE ? SINGLE : plan.bIndex;
    const out = backend.makeOutput(plan.outShape, 'float32');
    try {
      const cOffset = heapOffset(backend, out, 'output');
      // HEAPU8 is re-read on every call: makeOutput may just have grown the wasm memory.
      addon.sgemm(backend.wasm.HEAPU8, tA, tB, m, plan.n, plan.k, aOffset, aCount, bOffset, plan.bCount, cOffset, aIndex, bIndex);
    } catch (e) {
      backend.disposeData(out.dataId);
      throw e;
    }
    return out;
  };
}

/** _FusedMatMul = the BLAS product, then bias and activation with the fix's helper (its own kernels). */
function blasFusedMatMul(batchMatMul: tf.KernelFunc, stock: tf.KernelFunc, transpose: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { a, b } = args.inputs as MatMulInputs;
    const { transposeA, transposeB } = args.attrs as unknown as FusedMatMulAttrs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args) as tf.TensorInfo;
    const product = batchMatMul({ inputs: { a, b }, backend: args.backend, attrs: { transposeA, transposeB } }) as tf.TensorInfo;
    // addBiasAndActivation marks `product` temporary before any kernel that could throw runs.
    return withTemporaries(args, transpose, (_swapLastAxes, temporary) => addBiasAndActivation(args, product, temporary));
  };
}
