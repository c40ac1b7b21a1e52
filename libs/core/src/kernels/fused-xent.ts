import * as tf from '@tensorflow/tfjs';
// Registers the wasm backend, so its kernel registry exists before these kernels join it.
import '@tensorflow/tfjs-backend-wasm';
import { W2S_SOFTMAX_XENT, W2S_SOFTMAX_XENT_GRAD } from '../losses.js';
import { heapOffset, type BlasAddon, type WasmBackend } from './native-addon.js';

/**
 * The softmax cross-entropy with class ids (losses.ts classIdCrossEntropy) as two kernels, in
 * place of max, sub, exp, sum and gather forward and div, sub, mul and a [rows, classes] one-hot
 * built in JS backward, over the whole [rows, classes] logits (text-l MLM: ~300 × 4000 a step).
 *   W2sSoftmaxXent (logits float32 [rows, classes], ids int32 [rows]) → [e, sums, picked]:
 *     e = exp(z - rowmax) [rows, classes], sums = Σ_j e [rows, 1], picked = z[id] - rowmax [rows].
 *   W2sSoftmaxXentGrad (e, sums, ids, scale float32 scalar) → (e / sums - onehot(ids)) · scale.
 * Both give the bits of that op sequence on their backend, as each backend computes it:
 *   cpu: exp in double rounded to float32 (Math.exp), row sums added in double (tfjs's cpu Sum).
 *   wasm+blas (registered with that path): z - rowmax in C, then the stock wasm Exp kernel itself
 *     (musl's expf), then row sums in C added in float32 from j = 0 (tfjs's wasm Sum).
 *     A native expf is not used: glibc 2.36's (its FMA variant) gave other bits for 1 of the
 *     1.12e9 float32 inputs in [-104, 0] (checked exhaustively, commit f2b75e6 bench/exp-bits.ts).
 *   The gradient rounds e / s, - 1 and · scale to float32 in turn, as the div, sub, mul kernels do.
 * Elsewhere classIdCrossEntropy uses the ops: on other backends, and on wasm without the BLAS path,
 * where JS loops around the Exp kernel took 37 ms for [300, 4000] (value and gradient) against
 * 27 ms for the ops.
 */
export { W2S_SOFTMAX_XENT, W2S_SOFTMAX_XENT_GRAD };

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Checks the kernels' inputs; returns [rows, classes]. */
function checkShapes(name: string, matrix: tf.TensorInfo, ids: tf.TensorInfo, sums?: tf.TensorInfo): [number, number] {
  if (matrix.dtype !== 'float32' || matrix.shape.length !== 2) throw new Error(`${name}: expected a float32 matrix, got ${matrix.dtype} [${matrix.shape}]`);
  const [rows, classes] = matrix.shape as [number, number];
  if (ids.dtype !== 'int32' || ids.shape.join() !== String(rows)) throw new Error(`${name}: ids must be int32 [${rows}], got ${ids.dtype} [${ids.shape}]`);
  if (sums && (sums.dtype !== 'float32' || sums.shape.join() !== [rows, 1].join())) throw new Error(`${name}: sums must be float32 [${rows}, 1], got ${sums.dtype} [${sums.shape}]`);
  return [rows, classes];
}

function checkIds(name: string, ids: Int32Array, classes: number): void {
  for (let i = 0; i < ids.length; i++) {
    if (!(ids[i]! >= 0 && ids[i]! < classes)) throw new Error(`${name}: class id ${ids[i]} (row ${i}) is outside [0, ${classes})`);
  }
}

/**
 * Per row: e = exp(z - max) and picked = z[id] - max, every value stored rounded to float32 as
 * tfjs's cpu Sub and Exp (Math.exp) store them.
 */
function softmaxRows(z: Float32Array, ids: Int32Array, e: Float32Array, picked: Float32Array, classes: number): void {
  for (let i = 0; i < ids.length; i++) {
    const row = i * classes;
    let max = z[row]!;
    for (let j = 1; j < classes; j++) if (z[row + j]! > max) max = z[row + j]!;
    for (let j = 0; j < classes; j++) e[row + j] = z[row + j]! - max; // stored as float32: tfjs's Sub
    picked[i] = e[row + ids[i]!]!;
    for (let j = 0; j < classes; j++) e[row + j] = Math.exp(e[row + j]!);
  }
}

/** Row sums of e added in double, as tfjs's cpu Sum adds (and rounded to float32 when stored). */
function rowSums(e: Float32Array, sums: Float32Array, classes: number): void {
  for (let i = 0; i < sums.length; i++) {
    let sum = 0;
    for (let j = i * classes; j < (i + 1) * classes; j++) sum += e[j]!;
    sums[i] = sum;
  }
}

/** out = (e / s - onehot) · scale, each operation rounded to float32 (as the cpu div, sub, mul kernels store them). */
function gradRows(e: Float32Array, sums: Float32Array, ids: Int32Array, scale: number, out: Float32Array, classes: number): void {
  const f = Math.fround;
  for (let i = 0; i < ids.length; i++) {
    const s = sums[i]!;
    for (let j = i * classes; j < (i + 1) * classes; j++) out[j] = f(f(e[j]! / s) * scale);
    const k = i * classes + ids[i]!;
    out[k] = f(f(f(e[k]! / s) - 1) * scale);
  }
}

/** What these kernels see of the cpu backend. */
interface CpuBackend extends tf.KernelBackend {
  data: { get(dataId: object): { values: tf.backend_util.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

function xentCpu(args: KernelArgs): tf.TensorInfo[] {
  const { logits, ids } = args.inputs as { logits: tf.TensorInfo; ids: tf.TensorInfo };
  const [rows, classes] = checkShapes(W2S_SOFTMAX_XENT, logits, ids);
  const backend = args.backend as CpuBackend;
  const idValues = backend.data.get(ids.dataId).values as Int32Array;
  checkIds(W2S_SOFTMAX_XENT, idValues, classes);
  const [e, sums, picked] = [new Float32Array(rows * classes), new Float32Array(rows), new Float32Array(rows)];
  softmaxRows(backend.data.get(logits.dataId).values as Float32Array, idValues, e, picked, classes);
  rowSums(e, sums, classes);
  return [backend.makeTensorInfo([rows, classes], 'float32', e), backend.makeTensorInfo([rows, 1], 'float32', sums), backend.makeTensorInfo([rows], 'float32', picked)];
}

function xentGradCpu(args: KernelArgs): tf.TensorInfo {
  const { e, sums, ids, scale } = args.inputs as { e: tf.TensorInfo; sums: tf.TensorInfo; ids: tf.TensorInfo; scale: tf.TensorInfo };
  const [rows, classes] = checkShapes(W2S_SOFTMAX_XENT_GRAD, e, ids, sums);
  const backend = args.backend as CpuBackend;
  const values = (x: tf.TensorInfo) => backend.data.get(x.dataId).values;
  const idValues = values(ids) as Int32Array;
  checkIds(W2S_SOFTMAX_XENT_GRAD, idValues, classes);
  const out = new Float32Array(rows * classes);
  gradRows(values(e) as Float32Array, values(sums) as Float32Array, idValues, (values(scale) as Float32Array)[0]!, out, classes);
  return backend.makeTensorInfo([rows, classes], 'float32', out);
}

function xentWasm(addon: BlasAddon, stockExp: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { logits, ids } = args.inputs as { logits: tf.TensorInfo; ids: tf.TensorInfo };
    const [rows, classes] = checkShapes(W2S_SOFTMAX_XENT, logits, ids);
    const backend = args.backend as WasmBackend;
    const zOffset = heapOffset(backend, logits, 'logits');
    const idsOffset = heapOffset(backend, ids, 'ids', ['int32']);
    const made: tf.TensorInfo[] = [];
    const make = (shape: number[]) => {
      const t = backend.makeOutput(shape, 'float32');
      made.push(t);
      return t;
    };
    try {
      const sums = make([rows, 1]);
      const picked = make([rows]);
      const shifted = make([rows, classes]);
      addon.shiftRows(backend.wasm.HEAPU8, rows, classes, zOffset, idsOffset, heapOffset(backend, shifted, 'shifted'), heapOffset(backend, picked, 'picked'));
      const e = stockExp({ inputs: { x: shifted }, backend, attrs: {} }) as tf.TensorInfo;
      made.push(e);
      addon.sumInnerRows(backend.wasm.HEAPU8, rows, classes, heapOffset(backend, e, 'e'), heapOffset(backend, sums, 'sums'));
      backend.disposeData(shifted.dataId);
      return [e, sums, picked];
    } catch (err) {
      for (const t of made) backend.disposeData(t.dataId);
      throw err;
    }
  };
}

function xentGradWasm(addon: BlasAddon): tf.KernelFunc {
  return (args) => {
    const { e, sums, ids, scale } = args.inputs as { e: tf.TensorInfo; sums: tf.TensorInfo; ids: tf.TensorInfo; scale: tf.TensorInfo };
    const [rows, classes] = checkShapes(W2S_SOFTMAX_XENT_GRAD, e, ids, sums);
    if (scale.dtype !== 'float32' || scale.shape.length !== 0) throw new Error(`${W2S_SOFTMAX_XENT_GRAD}: scale must be a float32 scalar`);
    const backend = args.backend as WasmBackend;
    const [eOffset, sumsOffset, idsOffset] = [heapOffset(backend, e, 'e'), heapOffset(backend, sums, 'sums'), heapOffset(backend, ids, 'ids', ['int32'])];
    const s = new Float32Array(backend.wasm.HEAPU8.buffer, heapOffset(backend, scale, 'scale'), 1)[0]!;
    const out = backend.makeOutput([rows, classes], 'float32');
    try {
      addon.softmaxXentGrad(backend.wasm.HEAPU8, rows, classes, eOffset, sumsOffset, idsOffset, s, heapOffset(backend, out, 'output'));
    } catch (err) {
      backend.disposeData(out.dataId);
      throw err;
    }
    return out;
  };
}

/** Registers both kernels for cpu (idempotent); @w2s/core's main entry does so when it loads. */
export function installFusedXentKernels(): void {
  for (const [kernelName, kernelFunc] of [
    [W2S_SOFTMAX_XENT, xentCpu],
    [W2S_SOFTMAX_XENT_GRAD, xentGradCpu],
  ] as const) {
    if (!tf.getKernel(kernelName, 'cpu')) tf.registerKernel({ kernelName, backendName: 'cpu', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
}

/** The wasm kernels of the wasm+blas path, registered and removed with that path's kernels (blas-matmul.ts). */
export function wasmXentKernels(addon: BlasAddon, stockExp: tf.KernelFunc): tf.KernelConfig[] {
  return [
    { kernelName: W2S_SOFTMAX_XENT, backendName: 'wasm', kernelFunc: xentWasm(addon, stockExp) },
    { kernelName: W2S_SOFTMAX_XENT_GRAD, backendName: 'wasm', kernelFunc: xentGradWasm(addon) },
  ];
}
