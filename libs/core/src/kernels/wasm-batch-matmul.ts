import * as tf from '@tensorflow/tfjs';
// Registers the wasm backend and its kernels, so the stock kernels below exist to be wrapped.
import '@tensorflow/tfjs-backend-wasm';

/**
 * The wasm transposed-matMul fix.
 *
 * Stock tfjs-wasm 4.22 multiplies with a transposed operand 10–60x slower than without
 * (measured on 1024x512 · 512x512: 20 ms plain, 240 ms transposeB, 1100 ms transposeA), and the
 * backward pass of every dense layer needs exactly those products (dW = xᵀ·dy, dx = dy·Wᵀ).
 * The `_FusedMatMul` kernel (used by tf.fused.matMul and tf.layers dense) is just as slow.
 *
 * The fix wraps both kernels: a transposed operand is first materialized with the wasm
 * `Transpose` kernel (a fast copy), then the stock kernel runs with both flags false, and the
 * temporary copies are freed. Same arithmetic, same result, far better memory access.
 * The stock configs are kept, so the fix can be switched off again (the benchmark compares both).
 *
 * It also repairs a stock `_FusedMatMul` bug: with a bias, results are wrong whenever a
 * transpose flag is set or the product is batched (see fusedMatMul below).
 */

const PATCHED_KERNELS = [tf.BatchMatMul, tf._FusedMatMul] as const;

/** Marks a config registered by this module and keeps the stock config it replaced. */
interface PatchedKernelConfig extends tf.KernelConfig {
  w2sStockConfig: tf.KernelConfig;
}

function isPatched(config: tf.KernelConfig | undefined): config is PatchedKernelConfig {
  return config !== undefined && 'w2sStockConfig' in config;
}

/** True when the wasm `BatchMatMul` and `_FusedMatMul` kernels are the fixed ones. */
export function isWasmMatMulFixInstalled(): boolean {
  return PATCHED_KERNELS.every((name) => isPatched(tf.getKernel(name, 'wasm')));
}

/** Replaces the wasm `BatchMatMul` and `_FusedMatMul` kernels by the fixed ones (idempotent). */
export function installWasmMatMulFix(): void {
  const transpose = stockKernel(tf.Transpose);
  for (const name of PATCHED_KERNELS) {
    const stock = stockKernel(name);
    if (isPatched(tf.getKernel(name, 'wasm'))) continue;
    const patched: PatchedKernelConfig = {
      // Keeps the stock setupFunc/disposeFunc: if the backend initializes after this
      // registration, the stock setup still binds the wasm function the stock kernelFunc calls.
      ...stock,
      kernelFunc: withMaterializedTransposes(stock.kernelFunc, transpose.kernelFunc, name),
      w2sStockConfig: stock,
    };
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(patched);
  }
}

/** Puts the stock wasm kernels back (idempotent). */
export function uninstallWasmMatMulFix(): void {
  for (const name of PATCHED_KERNELS) {
    const config = tf.getKernel(name, 'wasm');
    if (!isPatched(config)) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(config.w2sStockConfig);
  }
}

/** The registered wasm kernel `name` as tfjs-wasm shipped it (unwrapping our fix if installed). */
function stockKernel(name: string): tf.KernelConfig {
  const config = tf.getKernel(name, 'wasm');
  if (config === undefined) throw new Error(`the wasm kernel ${name} is not registered`);
  return isPatched(config) ? config.w2sStockConfig : config;
}

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

interface FusedMatMulAttrs extends MatMulAttrs {
  activation: tf.fused.Activation;
  leakyreluAlpha?: number;
}

type MatMulInputs = { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };

/** Runs the kernel registered as `name` for wasm. */
function runWasmKernel(name: string, args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  return tf.getKernel(name, 'wasm')!.kernelFunc(args) as tf.TensorInfo;
}

/**
 * Turns a BatchMatMul or _FusedMatMul kernelFunc (inputs `a`, `b`; attrs `transposeA`,
 * `transposeB`) into one that materializes transposed operands and calls `stock` with both
 * flags false. The temporaries are freed before returning (or throwing).
 */
function withMaterializedTransposes(
  stock: tf.KernelFunc,
  transpose: tf.KernelFunc,
  kernelName: string,
): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as unknown as MatMulAttrs;
    const { a, b } = inputs as MatMulInputs;
    // A dtype the stock kernel rejects: let it throw as shipped.
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock({ inputs, backend, attrs });
    const temporaries: tf.TensorInfo[] = [];
    const materialize = (x: tf.TensorInfo): tf.TensorInfo => {
      const rank = x.shape.length;
      // Swap the last two axes; batch axes stay in place.
      const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
      const xT = transpose({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
      temporaries.push(xT);
      return xT;
    };
    try {
      const args = {
        inputs: { ...inputs, a: transposeA ? materialize(a) : a, b: transposeB ? materialize(b) : b },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      };
      return kernelName === tf._FusedMatMul ? fusedMatMul(stock, args, temporaries) : stock(args);
    } finally {
      for (const t of temporaries) (backend as tf.KernelBackend).disposeData(t.dataId);
    }
  };
}

/**
 * _FusedMatMul without transposes. Stock tfjs-wasm 4.22 adds the bias wrongly whenever the
 * output has more than one matrix (and whenever a transpose flag is set, which the caller has
 * already removed): it adds bias[min(i, n-1)] to the i-th element of each matrix, so every row
 * after the first gets bias[n-1]. Found by comparing with the cpu backend. Then this runs the
 * product without bias (correct) and adds the bias and the activation with their own kernels.
 * `temporaries` collects intermediates for the caller to free.
 */
function fusedMatMul(
  stock: tf.KernelFunc,
  args: Parameters<tf.KernelFunc>[0],
  temporaries: tf.TensorInfo[],
): tf.TensorInfo {
  const { a, b, bias, preluActivationWeights } = args.inputs as MatMulInputs;
  const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (bias === undefined || batchShape.every((d) => d === 1)) return stock(args) as tf.TensorInfo;

  const { backend } = args;
  const { activation, leakyreluAlpha } = args.attrs as unknown as FusedMatMulAttrs;
  const product = stock({ inputs: { a, b }, backend, attrs: { ...args.attrs, activation: 'linear' } }) as tf.TensorInfo;
  temporaries.push(product);
  const biased = runWasmKernel(tf.Add, { inputs: { a: product, b: bias }, backend, attrs: {} });
  switch (activation) {
    case 'linear':
      return biased;
    case 'prelu':
      temporaries.push(biased);
      return runWasmKernel(tf.Prelu, { inputs: { x: biased, alpha: preluActivationWeights! }, backend, attrs: {} });
    case 'leakyrelu':
      temporaries.push(biased);
      return runWasmKernel(tf.LeakyRelu, { inputs: { x: biased }, backend, attrs: { alpha: leakyreluAlpha ?? 0.2 } });
    default:
      temporaries.push(biased);
      return runWasmKernel(ACTIVATION_KERNELS[activation], { inputs: { x: biased }, backend, attrs: {} });
  }
}

const ACTIVATION_KERNELS: Record<Exclude<tf.fused.Activation, 'linear' | 'prelu' | 'leakyrelu'>, string> = {
  relu: tf.Relu,
  relu6: tf.Relu6,
  elu: tf.Elu,
  sigmoid: tf.Sigmoid,
};
