import * as tf from '@tensorflow/tfjs';
import { heapOffset, sizeOf, type BlasAddon, type WasmBackend } from './native-addon.js';

/**
 * Native element-wise kernels of the wasm+blas path (libs/native/src/elementwise.c). Once
 * products run in OpenBLAS, a text-model step spends more in the wasm backend's Add, Multiply,
 * Sub, RealDiv and Transpose than in its products: they run at 0.3–1 Gelem/s there (a 2-D
 * transpose at 0.3), about memory speed in C.
 *
 * The binary ops are one IEEE float operation per output value (exactly rounded), so the results
 * are bit-identical to the wasm kernels'; a transpose only moves bits. Anything outside the cases
 * handled here goes to the stock kernel.
 */

/** The addon's element-wise functions (see libs/native/src/elementwise.c). */
export interface ElementwiseAddon {
  binary(heap: Uint8Array, op: number, aOffset: number, aCount: number, bOffset: number, bCount: number, outOffset: number, outCount: number): void;
  transpose(heap: Uint8Array, xOffset: number, outOffset: number, xShape: Int32Array, perm: Int32Array): void;
}

/** The element-wise functions of `addon`, or null for an addon built before they existed. */
export function elementwiseAddon(addon: BlasAddon): ElementwiseAddon | null {
  const a = addon as Partial<ElementwiseAddon>;
  return typeof a.binary === 'function' && typeof a.transpose === 'function' ? (a as ElementwiseAddon) : null;
}

/** The op codes of the addon's `binary`. */
export const BINARY_OPS = { [tf.Add]: 0, [tf.Sub]: 1, [tf.Multiply]: 2, [tf.RealDiv]: 3 } as const;
export type BinaryKernelName = keyof typeof BINARY_OPS;

/**
 * Whether an operand of shape `shape` repeats along an output of shape `out`: its shape, without
 * leading 1s, is a trailing part of the output's (the same shape, a scalar, [D] against [.., D]).
 * Then output value i uses operand value i mod size(shape).
 */
export function repeatsAlong(shape: number[], out: number[]): boolean {
  let start = 0;
  while (start < shape.length && shape[start] === 1) start++;
  const kept = shape.slice(start);
  if (kept.length > out.length) return false;
  const tail = out.slice(out.length - kept.length);
  return kept.every((d, i) => d === tail[i]);
}

/**
 * Add, Sub, Multiply or RealDiv of two float32 tensors in C, when each operand is the output's
 * shape or repeats along it (see repeatsAlong); other broadcasts and dtypes: the stock kernel.
 */
export function nativeBinary(addon: ElementwiseAddon, name: BinaryKernelName, stock: tf.KernelFunc): tf.KernelFunc {
  const op = BINARY_OPS[name];
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args) as tf.TensorInfo;
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (!repeatsAlong(a.shape, outShape) || !repeatsAlong(b.shape, outShape)) return stock(args) as tf.TensorInfo;
    const n = sizeOf(outShape);
    if (n === 0) return stock(args) as tf.TensorInfo;
    const backend = args.backend as WasmBackend;
    const aOffset = heapOffset(backend, a, 'a');
    const bOffset = heapOffset(backend, b, 'b');
    const out = backend.makeOutput(outShape, 'float32');
    try {
      // HEAPU8 is read after makeOutput, which may have grown the wasm memory.
      addon.binary(backend.wasm.HEAPU8, op, aOffset, sizeOf(a.shape), bOffset, sizeOf(b.shape), heapOffset(backend, out, 'output'), n);
    } catch (e) {
      backend.disposeData(out.dataId);
      throw e;
    }
    return out;
  };
}

/**
 * Transpose of a float32 or int32 tensor of rank 1–6 in C (tiled where the innermost axis
 * moves); an identity permutation (the stock kernel shares the data), other dtypes and ranks go
 * to the stock kernel.
 */
export function nativeTranspose(addon: ElementwiseAddon, stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { perm } = args.attrs as unknown as tf.TransposeAttrs;
    const rank = x.shape.length;
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || rank < 1 || rank > 6 || perm.length !== rank) return stock(args) as tf.TensorInfo;
    // The stock kernel answers a permutation that moves no axis of size > 1 by sharing x's data.
    const moved = perm.filter((p) => x.shape[p] !== 1);
    if (moved.every((p, i) => i === 0 || p > moved[i - 1]!)) return stock(args) as tf.TensorInfo;
    const backend = args.backend as WasmBackend;
    const dtypes = ['float32', 'int32'] as const;
    const xOffset = heapOffset(backend, x, 'x', dtypes);
    const out = backend.makeOutput(
      perm.map((p) => x.shape[p]!),
      x.dtype,
    );
    try {
      addon.transpose(backend.wasm.HEAPU8, xOffset, heapOffset(backend, out, 'output', dtypes), Int32Array.from(x.shape), Int32Array.from(perm));
    } catch (e) {
      backend.disposeData(out.dataId);
      throw e;
    }
    return out;
  };
}
