import * as tf from '@tensorflow/tfjs';
// Registers the wasm backend, so its kernel registry exists before these kernels join it.
import '@tensorflow/tfjs-backend-wasm';
import { heapOffset, sizeOf, type WasmBackend } from './native-addon.js';

/**
 * Row gathers and their gradient on the wasm backend, as plain JS loops on the wasm heap (they
 * read inputs where they lie and write the output tensor in place). Same kernels on every wasm
 * path (with or without the native addon).
 *   UnsortedSegmentSum: out[s] = Σ_{i: ids[i] = s} x[i] over x's leading axis, ids outside
 *     [0, numSegments) dropped (as the cpu kernel does). wasm has none in tfjs 4.22; it is the
 *     gradient of a row gather (an embedding lookup), which the text family had written as a
 *     product with a [tokens, vocabulary] one-hot matrix: that product, the one-hot, its cast
 *     and a transpose were most of a transformer train step (2048 tokens × 4000 words).
 *   GatherV2 along axis 0: the stock wasm kernel computes every element's source index
 *     separately (9 ms for 2048 rows of 64 floats; this loop: 0.5 ms). Any other gather (another
 *     axis, batch dims, an index out of range, a dtype other than float32/int32) goes to it.
 */

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Float32 or int32 view of `count` elements of the heap at byte `offset` (made afresh: memory grows). */
function view(backend: WasmBackend, dtype: tf.DataType, offset: number, count: number): Float32Array | Int32Array {
  const buffer = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  return dtype === 'float32' ? new Float32Array(buffer, offset, count) : new Int32Array(buffer, offset, count);
}

function unsortedSegmentSum(args: KernelArgs): tf.TensorInfo {
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const backend = args.backend as WasmBackend;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum (wasm): x must be float32 or int32, got ${x.dtype}`);
  if (segmentIds.dtype !== 'int32') throw new Error(`UnsortedSegmentSum (wasm): segmentIds must be int32, got ${segmentIds.dtype}`);
  // tf.unsortedSegmentSum checks this too; a kernel called directly is checked here.
  if (segmentIds.shape.length !== 1 || x.shape.length < 1 || segmentIds.shape[0] !== x.shape[0]) {
    throw new Error(`UnsortedSegmentSum (wasm): segmentIds [${segmentIds.shape}] must be 1-D with x's first dimension (x [${x.shape}])`);
  }
  if (!Number.isInteger(numSegments) || numSegments < 0) throw new Error(`UnsortedSegmentSum (wasm): numSegments must be a non-negative integer, got ${numSegments}`);
  const rows = x.shape[0]!;
  const width = sizeOf(x.shape.slice(1));
  const xOffset = heapOffset(backend, x, 'x', ['float32', 'int32']);
  const idsOffset = heapOffset(backend, segmentIds, 'segmentIds', ['int32']);
  const out = backend.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype);
  const outOffset = heapOffset(backend, out, 'output', ['float32', 'int32']);
  const xs = view(backend, x.dtype, xOffset, rows * width);
  const ids = view(backend, 'int32', idsOffset, rows);
  const result = view(backend, x.dtype, outOffset, numSegments * width);
  result.fill(0); // makeOutput's memory is not cleared
  for (let i = 0; i < rows; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const from = i * width;
    const to = s * width;
    for (let j = 0; j < width; j++) result[to + j] += xs[from + j]!;
  }
  return out;
}

/** GatherV2 along axis 0 as row copies; anything else (see above) to the stock kernel. */
function gatherRowsKernel(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
    const backend = args.backend as WasmBackend;
    const rowsAxis = x.shape.length > 0 && tf.util.parseAxisParam(axis, x.shape)[0] === 0 && !batchDims;
    if (!rowsAxis || (x.dtype !== 'float32' && x.dtype !== 'int32') || indices.dtype !== 'int32') return stock(args) as tf.TensorInfo;
    const rows = x.shape[0]!;
    const width = sizeOf(x.shape.slice(1));
    const count = sizeOf(indices.shape);
    const idsOffset = heapOffset(backend, indices, 'indices', ['int32']);
    const ids = view(backend, 'int32', idsOffset, count);
    for (let i = 0; i < count; i++) if (!(ids[i]! >= 0 && ids[i]! < rows)) return stock(args) as tf.TensorInfo;
    const xOffset = heapOffset(backend, x, 'x', ['float32', 'int32']);
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    const outOffset = heapOffset(backend, out, 'output', ['float32', 'int32']);
    const xs = view(backend, x.dtype, xOffset, rows * width);
    const idsNow = view(backend, 'int32', idsOffset, count);
    const result = view(backend, x.dtype, outOffset, count * width);
    for (let i = 0; i < count; i++) result.set(xs.subarray(idsNow[i]! * width, (idsNow[i]! + 1) * width), i * width);
    return out;
  };
}

interface RowsKernelConfig extends tf.KernelConfig {
  w2sRows?: true;
}

/**
 * Registers the wasm `UnsortedSegmentSum` kernel and the row-copy `GatherV2` (idempotent; the
 * stock GatherV2 stays inside it for the cases it does not take).
 */
export function installWasmRowKernels(): void {
  if (!tf.getKernel(tf.UnsortedSegmentSum, 'wasm')) {
    tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSum as tf.KernelFunc });
  }
  const gather = tf.getKernel(tf.GatherV2, 'wasm') as RowsKernelConfig | undefined;
  if (!gather || gather.w2sRows) return;
  tf.unregisterKernel(tf.GatherV2, 'wasm');
  // The stock setupFunc is kept: it binds the wasm function the stock kernelFunc calls.
  tf.registerKernel({ ...gather, kernelFunc: gatherRowsKernel(gather.kernelFunc), w2sRows: true } as RowsKernelConfig);
}
