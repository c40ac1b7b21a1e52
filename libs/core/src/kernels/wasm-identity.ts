import * as tf from '@tensorflow/tfjs';
// Registers the wasm backend, so its kernel registry exists before this kernel replaces its Identity.
import '@tensorflow/tfjs-backend-wasm';
import type { WasmBackend } from './native-addon.js';

/**
 * `Identity` on wasm that shares its input's data (one more reference) instead of copying it, as
 * tfjs's cpu Identity and the wasm Reshape already do. tfjs runs Identity for every tensor a
 * kernel saves for its gradient (engine.clone), ~110 a text-l train step, among them [rows, 4000]
 * softmax outputs: the stock kernel copies each (6–8 % of the step). Sharing is safe because no
 * kernel writes into its inputs (every output is a fresh makeOutput) and a variable's assign
 * replaces its data instead of writing into it. Strings go to the stock kernel.
 */
interface IdentityConfig extends tf.KernelConfig {
  w2sShared?: true;
}

interface RefCountedBackend extends WasmBackend {
  incRef(dataId: object): void;
}

/** Replaces the wasm Identity by the sharing one (idempotent; the stock one stays inside it for strings). */
export function installWasmIdentity(): void {
  const stock = tf.getKernel(tf.Identity, 'wasm') as IdentityConfig | undefined;
  if (!stock || stock.w2sShared) return;
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return stock.kernelFunc(args);
    (args.backend as RefCountedBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel({ ...stock, kernelFunc, w2sShared: true } as IdentityConfig);
}
