import * as tf from '@tensorflow/tfjs';
import { heapOffset, sizeOf, type BlasAddon, type WasmBackend } from './native-addon.js';

/**
 * Native kernels for the ops that dominate a train step once matrix products are fast (profiled
 * with tf.profile, see libs/native/README.md): the stock wasm kernels for these are 10–40× slower
 * than a plain loop. Each handles the common case and hands anything else to the stock kernel.
 *   Sum over leading axes: every bias gradient (dy [batch, units] summed over the batch).
 *   MaxPoolGrad: the CNN family's pooling layers.
 *   Slice: the CNN family's convolutions (nine shifted views of the padded input per layer); the
 *   wasm kernel copies strided slices in JS, one typed-array call per innermost row.
 */

/**
 * Sum whose reduced axes are the leading ones (0..r-1 of a rank > r float32 tensor) as one pass
 * over contiguous rows in C; any other reduction goes to the stock kernel, which is fast when the
 * reduced axes are the innermost.
 */
export function leadingAxesSum(addon: BlasAddon, stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const r = axes.length;
    const leading = r > 0 && r < x.shape.length && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32') return stock(args) as tf.TensorInfo;
    const backend = args.backend as WasmBackend;
    const rows = sizeOf(x.shape.slice(0, r));
    const kept = x.shape.slice(r);
    const xOffset = heapOffset(backend, x, 'x');
    const out = backend.makeOutput(keepDims ? [...new Array<number>(r).fill(1), ...kept] : kept, 'float32');
    try {
      addon.sumRows(backend.wasm.HEAPU8, xOffset, rows, sizeOf(kept), heapOffset(backend, out, 'output'));
    } catch (e) {
      backend.disposeData(out.dataId);
      throw e;
    }
    return out;
  };
}

/**
 * MaxPoolGrad (the gradient of tf.maxPool: each dy value goes to its window's first maximum, as
 * in tfjs's cpu kernel) in one pass in C: 1 ms on [64, 28, 28, 32] where the wasm kernel takes
 * 32 ms. The wasm kernel is also wrong where a window's maximum is negative or tied (see the tests).
 */
export function nativeMaxPoolGrad(addon: BlasAddon, stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
    if (input.dtype !== 'float32' || dy.dtype !== 'float32' || input.shape.length !== 4) return stock(args) as tf.TensorInfo;
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    // The C loop keeps offsets within a window as int32 (so it vectorizes); absurdly wide images go to stock.
    if ((info.effectiveFilterHeight + 1) * info.inWidth * info.inChannels >= 2 ** 31) return stock(args) as tf.TensorInfo;
    const expectedDy = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
    if (dy.shape.join() !== expectedDy.join()) {
      throw new Error(`MaxPoolGrad: dy has shape [${dy.shape}] but pooling [${input.shape}] gives [${expectedDy}]`);
    }
    const backend = args.backend as WasmBackend;
    const xOffset = heapOffset(backend, input, 'input');
    const dyOffset = heapOffset(backend, dy, 'dy');
    const dx = backend.makeOutput(input.shape, 'float32');
    try {
      addon.maxPoolGrad(
        backend.wasm.HEAPU8,
        xOffset,
        dyOffset,
        heapOffset(backend, dx, 'output'),
        info.batchSize,
        info.inChannels,
        info.inHeight,
        info.inWidth,
        info.outHeight,
        info.outWidth,
        info.strideHeight,
        info.strideWidth,
        info.effectiveFilterHeight,
        info.effectiveFilterWidth,
        info.padInfo.top,
        info.padInfo.left,
      );
    } catch (e) {
      backend.disposeData(dx.dataId);
      throw e;
    }
    return dx;
  };
}

/** Slice of a float32 or int32 tensor as one native strided copy (other dtypes: the stock kernel). */
export function nativeSlice(addon: BlasAddon, stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || x.shape.length < 1 || x.shape.length > 8) return stock(args) as tf.TensorInfo;
    const [begin_, size_] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    const backend = args.backend as WasmBackend;
    const xOffset = heapOffset(backend, x, 'x', ['float32', 'int32']);
    const out = backend.makeOutput(size_, x.dtype);
    try {
      addon.slice(backend.wasm.HEAPU8, xOffset, heapOffset(backend, out, 'output', ['float32', 'int32']), Int32Array.from(x.shape), Int32Array.from(begin_), Int32Array.from(size_));
    } catch (e) {
      backend.disposeData(out.dataId);
      throw e;
    }
    return out;
  };
}
