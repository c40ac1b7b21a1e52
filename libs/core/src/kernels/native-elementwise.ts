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
  binaryStrided(
    heap: Uint8Array,
    op: number,
    aOffset: number,
    aCount: number,
    bOffset: number,
    bCount: number,
    outOffset: number,
    outShape: Int32Array,
    aStrides: Int32Array,
    bStrides: Int32Array,
  ): void;
  transpose(heap: Uint8Array, xOffset: number, outOffset: number, xShape: Int32Array, perm: Int32Array): void;
}

/** The element-wise functions of `addon`, or null for an addon built before they existed. */
export function elementwiseAddon(addon: BlasAddon): ElementwiseAddon | null {
  const a = addon as Partial<ElementwiseAddon>;
  return typeof a.binary === 'function' && typeof a.binaryStrided === 'function' && typeof a.transpose === 'function' ? (a as ElementwiseAddon) : null;
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

/** A broadcast as strides over the output: the output's shape and each operand's strides (0 where it broadcasts). */
export interface StridedPlan {
  shape: number[];
  aStrides: number[];
  bStrides: number[];
}

/**
 * Any numpy broadcast of `aShape` and `bShape` as strides over `outShape`, with axes of size 1
 * dropped and adjacent axes merged where both operands run through them contiguously (or both
 * broadcast along them): [710, 64, 64] − [710, 64, 1] is [45440, 64] with strides [64, 1] and
 * [1, 0]. At least one axis.
 */
export function stridedPlan(aShape: number[], bShape: number[], outShape: number[]): StridedPlan {
  const stridesOf = (shape: number[]) => {
    const strides = new Array<number>(outShape.length).fill(0);
    const offset = outShape.length - shape.length;
    for (let axis = shape.length - 1, stride = 1; axis >= 0; axis--) {
      if (shape[axis]! !== 1) strides[axis + offset] = stride;
      stride *= shape[axis]!;
    }
    return strides;
  };
  const [as, bs] = [stridesOf(aShape), stridesOf(bShape)];
  const plan: StridedPlan = { shape: [], aStrides: [], bStrides: [] };
  for (let axis = 0; axis < outShape.length; axis++) {
    const d = outShape[axis]!;
    if (d === 1) continue;
    const k = plan.shape.length - 1;
    // Merge into the previous axis when stepping that axis is d steps of this one, for both operands.
    if (k >= 0 && plan.aStrides[k] === as[axis]! * d && plan.bStrides[k] === bs[axis]! * d) {
      plan.shape[k]! *= d;
      plan.aStrides[k] = as[axis]!;
      plan.bStrides[k] = bs[axis]!;
    } else {
      plan.shape.push(d);
      plan.aStrides.push(as[axis]!);
      plan.bStrides.push(bs[axis]!);
    }
  }
  if (plan.shape.length === 0) return { shape: [1], aStrides: [0], bStrides: [0] };
  return plan;
}

/**
 * Add, Sub, Multiply or RealDiv of two float32 tensors in C: one pass when each operand is the
 * output's shape or repeats along it (see repeatsAlong), else row by row over the broadcast's
 * strides (stridedPlan) up to rank 6; other dtypes and ranks: the stock kernel.
 */
export function nativeBinary(addon: ElementwiseAddon, name: BinaryKernelName, stock: tf.KernelFunc): tf.KernelFunc {
  const op = BINARY_OPS[name];
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args) as tf.TensorInfo;
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const n = sizeOf(outShape);
    if (n === 0) return stock(args) as tf.TensorInfo;
    const repeats = repeatsAlong(a.shape, outShape) && repeatsAlong(b.shape, outShape);
    const plan = repeats ? undefined : stridedPlan(a.shape, b.shape, outShape);
    if (plan && plan.shape.length > 6) return stock(args) as tf.TensorInfo;
    const backend = args.backend as WasmBackend;
    const aOffset = heapOffset(backend, a, 'a');
    const bOffset = heapOffset(backend, b, 'b');
    const out = backend.makeOutput(outShape, 'float32');
    try {
      // HEAPU8 is read after makeOutput, which may have grown the wasm memory.
      const [heap, outOffset] = [backend.wasm.HEAPU8, heapOffset(backend, out, 'output')];
      if (plan) {
        const i32 = (v: number[]) => Int32Array.from(v);
        addon.binaryStrided(heap, op, aOffset, sizeOf(a.shape), bOffset, sizeOf(b.shape), outOffset, i32(plan.shape), i32(plan.aStrides), i32(plan.bStrides));
      } else {
        addon.binary(heap, op, aOffset, sizeOf(a.shape), bOffset, sizeOf(b.shape), outOffset, n);
      }
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
