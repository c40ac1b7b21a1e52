import * as tf from '@tensorflow/tfjs';
// Registers the wasm backend, so its kernel registry exists before these kernels join it.
import '@tensorflow/tfjs-backend-wasm';
import { W2S_SOFTMAX_XENT, W2S_SOFTMAX_XENT_GRAD } from '../losses.js';
import { blasAddonInUse } from './blas-matmul.js';
import { heapOffset, type WasmBackend } from './native-addon.js';

/**
 * The softmax cross-entropy with class ids (losses.ts classIdCrossEntropy) as two kernels, in
 * place of max, sub, exp, sum and gather forward and div, sub, mul and a [rows, classes] one-hot
 * built in JS backward, over the whole [rows, classes] logits (text-l MLM: ~300 × 4000 a step).
 *   W2sSoftmaxXent (logits float32 [rows, classes], ids int32 [rows]) → [e, sums, picked]:
 *     e = exp(z - rowmax) [rows, classes], sums = Σ_j e [rows, 1], picked = z[id] - rowmax [rows].
 *   W2sSoftmaxXentGrad (e, sums, ids, scale float32 scalar) → (e / sums - onehot(ids)) · scale.
 * Both give the bits of that op sequence on their backend, as each backend computes it:
 *   cpu: exp in double rounded to float32 (Math.exp), row sums added in double (tfjs's cpu Sum).
 *   wasm: z - rowmax, then the stock wasm Exp kernel itself (musl's expf), then row sums added in
 *     float32 from j = 0 (tfjs's wasm Sum); the loops around Exp are C on wasm+blas, JS otherwise.
 *     A native expf is not used: glibc 2.36's (its FMA variant) gave other bits for 1 of the
 *     1.12e9 float32 inputs in [-104, 0] (checked exhaustively, commit f2b75e6 bench/exp-bits.ts).
 *   The gradient rounds e / s, - 1 and · scale to float32 in turn, as the div, sub, mul kernels do.
 * Other backends do not have them; classIdCrossEntropy uses the ops there.
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
 * Per row: e = z - max, then e = exp(e) unless `exp` is null (the caller runs the Exp kernel), and
 * picked = z[id] - max. Every value stored is rounded to float32, as tfjs's Sub and Exp store them.
 */
function softmaxRows(z: Float32Array, ids: Int32Array, e: Float32Array, picked: Float32Array, classes: number, exp: ((x: number) => number) | null): void {
  for (let i = 0; i < ids.length; i++) {
    const row = i * classes;
    let max = z[row]!;
    for (let j = 1; j < classes; j++) if (z[row + j]! > max) max = z[row + j]!;
    for (let j = 0; j < classes; j++) e[row + j] = z[row + j]! - max; // stored as float32: tfjs's Sub
    picked[i] = e[row + ids[i]!]!;
    if (exp) for (let j = 0; j < classes; j++) e[row + j] = exp(e[row + j]!);
  }
}

/** Row sums of e: in double like tfjs's cpu Sum (`inDouble`), else in float32 from j = 0 like its wasm Sum. */
function rowSums(e: Float32Array, sums: Float32Array, classes: number, inDouble: boolean): void {
  const f = inDouble ? (x: number) => x : Math.fround;
  for (let i = 0; i < sums.length; i++) {
    let sum = 0;
    for (let j = i * classes; j < (i + 1) * classes; j++) sum = f(sum + e[j]!);
    sums[i] = sum;
  }
}

/** out = (e / s - onehot) · scale, each operation rounded to float32. */
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
  softmaxRows(backend.data.get(logits.dataId).values as Float32Array, idValues, e, picked, classes, Math.exp);
  rowSums(e, sums, classes, true);
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

/** Float32 or int32 view of `count` elements of the heap at byte `offset` (made afresh: memory grows). */
function view(backend: WasmBackend, offset: number, count: number, dtype: 'float32' | 'int32' = 'float32'): Float32Array | Int32Array {
  const buffer = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  return dtype === 'float32' ? new Float32Array(buffer, offset, count) : new Int32Array(buffer, offset, count);
}

function xentWasm(stockExp: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { logits, ids } = args.inputs as { logits: tf.TensorInfo; ids: tf.TensorInfo };
    const [rows, classes] = checkShapes(W2S_SOFTMAX_XENT, logits, ids);
    const backend = args.backend as WasmBackend;
    const zOffset = heapOffset(backend, logits, 'logits');
    const idsOffset = heapOffset(backend, ids, 'ids', ['int32']);
    checkIds(W2S_SOFTMAX_XENT, view(backend, idsOffset, rows, 'int32') as Int32Array, classes);
    const addon = blasAddonInUse();
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
      // Offsets and views are taken after every allocation: one may grow (replace) the wasm memory.
      const [shiftedOffset, pickedOffset] = [heapOffset(backend, shifted, 'shifted'), heapOffset(backend, picked, 'picked')];
      if (addon) addon.shiftRows(backend.wasm.HEAPU8, rows, classes, zOffset, idsOffset, shiftedOffset, pickedOffset);
      else {
        const z = view(backend, zOffset, rows * classes) as Float32Array;
        softmaxRows(z, view(backend, idsOffset, rows, 'int32') as Int32Array, view(backend, shiftedOffset, rows * classes) as Float32Array, view(backend, pickedOffset, rows) as Float32Array, classes, null);
      }
      const e = stockExp({ inputs: { x: shifted }, backend, attrs: {} }) as tf.TensorInfo;
      made.push(e);
      const [eOffset, sumsOffset] = [heapOffset(backend, e, 'e'), heapOffset(backend, sums, 'sums')];
      if (addon) addon.sumInnerRows(backend.wasm.HEAPU8, rows, classes, eOffset, sumsOffset);
      else rowSums(view(backend, eOffset, rows * classes) as Float32Array, view(backend, sumsOffset, rows) as Float32Array, classes, false);
      backend.disposeData(shifted.dataId);
      return [e, sums, picked];
    } catch (err) {
      for (const t of made) backend.disposeData(t.dataId);
      throw err;
    }
  };
}

function xentGradWasm(args: KernelArgs): tf.TensorInfo {
  const { e, sums, ids, scale } = args.inputs as { e: tf.TensorInfo; sums: tf.TensorInfo; ids: tf.TensorInfo; scale: tf.TensorInfo };
  const [rows, classes] = checkShapes(W2S_SOFTMAX_XENT_GRAD, e, ids, sums);
  if (scale.dtype !== 'float32' || scale.shape.length !== 0) throw new Error(`${W2S_SOFTMAX_XENT_GRAD}: scale must be a float32 scalar`);
  const backend = args.backend as WasmBackend;
  const eOffset = heapOffset(backend, e, 'e');
  const sumsOffset = heapOffset(backend, sums, 'sums');
  const idsOffset = heapOffset(backend, ids, 'ids', ['int32']);
  const s = view(backend, heapOffset(backend, scale, 'scale'), 1)[0]!;
  checkIds(W2S_SOFTMAX_XENT_GRAD, view(backend, idsOffset, rows, 'int32') as Int32Array, classes);
  const out = backend.makeOutput([rows, classes], 'float32');
  try {
    const outOffset = heapOffset(backend, out, 'output');
    const addon = blasAddonInUse();
    if (addon) addon.softmaxXentGrad(backend.wasm.HEAPU8, rows, classes, eOffset, sumsOffset, idsOffset, s, outOffset);
    else {
      gradRows(
        view(backend, eOffset, rows * classes) as Float32Array,
        view(backend, sumsOffset, rows) as Float32Array,
        view(backend, idsOffset, rows, 'int32') as Int32Array,
        s,
        view(backend, outOffset, rows * classes) as Float32Array,
        classes,
      );
    }
  } catch (err) {
    backend.disposeData(out.dataId);
    throw err;
  }
  return out;
}

/** Registers both kernels for cpu and wasm (idempotent); losses.ts does so when it loads. */
export function installFusedXentKernels(): void {
  const register = (name: string, backendName: string, kernelFunc: tf.KernelFunc) => {
    if (!tf.getKernel(name, backendName)) tf.registerKernel({ kernelName: name, backendName, kernelFunc });
  };
  register(W2S_SOFTMAX_XENT, 'cpu', xentCpu as unknown as tf.KernelFunc);
  register(W2S_SOFTMAX_XENT_GRAD, 'cpu', xentGradCpu);
  const stockExp = tf.getKernel(tf.Exp, 'wasm');
  if (stockExp) register(W2S_SOFTMAX_XENT, 'wasm', xentWasm(stockExp.kernelFunc));
  register(W2S_SOFTMAX_XENT_GRAD, 'wasm', xentGradWasm);
}
