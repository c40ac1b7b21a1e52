import * as tf from '@tensorflow/tfjs';
// Registers the wasm backend, so its kernel registry exists before this kernel joins it.
import '@tensorflow/tfjs-backend-wasm';
import { heapOffset, sizeOf, type BlasAddon, type WasmBackend } from './native-addon.js';

/**
 * One Adam/AdamW update of a parameter as a single kernel (`W2sAdam`), where adam.ts's op
 * sequence runs 12 element-wise kernels per parameter per step. Inputs p, m, v, g (float32, one
 * shape); outputs the new [p, m, v]. It is bit-identical to that op sequence on the same
 * backend: every product, sum, quotient and square root is rounded to float32 in the same order
 * as the tfjs kernels do (each of which is correctly rounded on cpu and wasm), and every scalar is
 * first rounded to float32, as tfjs does when it makes a number into a scalar tensor.
 *   cpu: a JS loop on the tensors' Float32Arrays (Math.fround after each operation).
 *   wasm: on the wasm+blas path the native addon's loop (C, no fused multiply-adds), else the same
 *     JS loop on the wasm heap. Other backends do not have the kernel and Adam uses the ops.
 */
export const W2S_ADAM = 'W2sAdam';

/** The update's numbers as adam.ts computes them in double precision (the kernel rounds them). */
export interface AdamKernelAttrs {
  beta1: number;
  beta2: number;
  eps: number;
  lr: number;
  weightDecay: number;
  /** 1 - beta1^t and 1 - beta2^t, the bias corrections of step t. */
  correction1: number;
  correction2: number;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * The update's scalars as float32, in the order the native addon takes them:
 * [b1, 1 - b1, b2, 1 - b2, 1 - lr·wd, 1 - b1^t, 1 - b2^t, eps, lr, useDecay].
 */
function adamConsts(a: AdamKernelAttrs): Float32Array {
  const useDecay = a.weightDecay > 0;
  return Float32Array.of(a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, useDecay ? 1 - a.lr * a.weightDecay : 1, a.correction1, a.correction2, a.eps, a.lr, useDecay ? 1 : 0);
}

/** The update on float32 arrays (outputs distinct from the inputs), rounding as the tfjs op sequence does. */
function adamLoop(p: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, outP: Float32Array, outM: Float32Array, outV: Float32Array, c: Float32Array): void {
  const f = Math.fround;
  const [b1, omb1, b2, omb2, decay, c1, c2, eps, lr, useDecay] = c as unknown as number[];
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    const mi = f(f(m[i]! * b1!) + f(gi * omb1!));
    const vi = f(f(v[i]! * b2!) + f(f(gi * gi) * omb2!));
    const pi = useDecay ? f(p[i]! * decay!) : p[i]!;
    const denominator = f(f(Math.sqrt(f(vi / c2!))) + eps!);
    outM[i] = mi;
    outV[i] = vi;
    outP[i] = f(pi - f(f(f(mi / c1!) / denominator) * lr!));
  }
}

/** Checks the four inputs: float32, one shape. */
function checkInputs(args: KernelArgs): tf.TensorInfo[] {
  const { p, m, v, g } = args.inputs as { p: tf.TensorInfo; m: tf.TensorInfo; v: tf.TensorInfo; g: tf.TensorInfo };
  for (const [name, x] of Object.entries({ p, m, v, g })) {
    if (x === undefined) throw new Error(`${W2S_ADAM}: missing input ${name}`);
    if (x.dtype !== 'float32') throw new Error(`${W2S_ADAM}: ${name} must be float32, got ${x.dtype}`);
    if (x.shape.join() !== p.shape.join()) throw new Error(`${W2S_ADAM}: ${name} has shape [${x.shape}], p has [${p.shape}]`);
  }
  return [p, m, v, g];
}

/** What the cpu kernel sees of the cpu backend. */
interface CpuBackend extends tf.KernelBackend {
  data: { get(dataId: object): { values: tf.backend_util.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

function adamCpu(args: KernelArgs): tf.TensorInfo[] {
  const [p, m, v, g] = checkInputs(args).map((x) => x) as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo];
  const backend = args.backend as CpuBackend;
  const values = (x: tf.TensorInfo) => backend.data.get(x.dataId).values as Float32Array;
  const n = sizeOf(p.shape);
  const [outP, outM, outV] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  adamLoop(values(p), values(m), values(v), values(g), outP, outM, outV, adamConsts(args.attrs as unknown as AdamKernelAttrs));
  return [backend.makeTensorInfo(p.shape, 'float32', outP), backend.makeTensorInfo(p.shape, 'float32', outM), backend.makeTensorInfo(p.shape, 'float32', outV)];
}

function adamWasm(addon: BlasAddon): tf.KernelFunc {
  return (args) => {
    const inputs = checkInputs(args);
    const backend = args.backend as WasmBackend;
    const shape = inputs[0]!.shape;
    const offsets = inputs.map((x, i) => heapOffset(backend, x, ['p', 'm', 'v', 'g'][i]!)) as [number, number, number, number];
    const outs = [backend.makeOutput(shape, 'float32'), backend.makeOutput(shape, 'float32'), backend.makeOutput(shape, 'float32')];
    try {
      const outOffsets = outs.map((x) => heapOffset(backend, x, 'output')) as [number, number, number];
      addon.adamStep(backend.wasm.HEAPU8, sizeOf(shape), ...offsets, ...outOffsets, adamConsts(args.attrs as unknown as AdamKernelAttrs));
    } catch (e) {
      for (const out of outs) backend.disposeData(out.dataId);
      throw e;
    }
    return outs;
  };
}

/** Registers the cpu `W2sAdam` (idempotent); adam.ts does so when it loads. */
export function installFusedAdamKernels(): void {
  if (!tf.getKernel(W2S_ADAM, 'cpu')) tf.registerKernel({ kernelName: W2S_ADAM, backendName: 'cpu', kernelFunc: adamCpu as unknown as tf.KernelFunc });
}

/** The wasm `W2sAdam` of the wasm+blas path, registered and removed with that path's kernels (blas-matmul.ts). */
export function wasmAdamKernel(addon: BlasAddon): tf.KernelConfig {
  return { kernelName: W2S_ADAM, backendName: 'wasm', kernelFunc: adamWasm(addon) };
}

/** The new [p, m, v] of one parameter by the fused kernel, or null where it does not run (Adam then uses the ops). */
export function fusedAdamUpdate(p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, attrs: AdamKernelAttrs): tf.Tensor[] | null {
  if (!tf.getKernel(W2S_ADAM, tf.getBackend())) return null;
  if (g.dtype !== 'float32' || p.dtype !== 'float32' || g.shape.join() !== p.shape.join()) return null;
  return tf.engine().runKernel(W2S_ADAM, { p, m, v, g }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
}
