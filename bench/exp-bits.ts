/**
 * Whether the native softmax cross-entropy kernel (wasm+blas: glibc's expf) gives the same bits
 * as the wasm path's (the tfjs wasm Exp kernel, musl's expf) for every float32 it can be given:
 * the kernel only exponentiates z - rowmax ≤ 0, so every float32 in [-104, -0] (below -103.97
 * both give 0) plus -inf. Each chunk is one row [0, x_1, …, x_n] (its max is 0, so e = exp(x)).
 *
 *   node --conditions=w2s-source --import tsx bench/exp-bits.ts [chunks to skip between those checked]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, installBlasKernels, uninstallBlasKernels } from '@w2s/core';
import { W2S_SOFTMAX_XENT } from '@w2s/core/losses';

await initBackend('wasm');
if (!installBlasKernels()) throw new Error('exp-bits: needs the native addon (wasm+blas)');
const stride = Number(process.argv[2] ?? 1);
const CHUNK = 1 << 20;
const FIRST = 0x80000000; // -0
const LAST = 0xc2d00000; // -104
const bitsIn = new Uint32Array(CHUNK + 1);
const values = new Float32Array(bitsIn.buffer);
const ids = tf.tensor1d([0], 'int32');
let checked = 0;
let differ = 0;
const start = performance.now();
const exps = (use: () => void, z: tf.Tensor) => {
  use();
  const [e, sums, picked] = tf.engine().runKernel(W2S_SOFTMAX_XENT, { logits: z, ids }) as tf.Tensor[];
  const out = new Uint32Array(new Float32Array(e!.dataSync()).buffer);
  tf.dispose([e!, sums!, picked!]);
  return out;
};
for (let lo = FIRST, chunk = 0; lo <= LAST; lo += CHUNK, chunk++) {
  if (chunk % stride !== 0) continue;
  const n = Math.min(CHUNK, LAST - lo + 1);
  values[0] = 0;
  for (let i = 0; i < n; i++) bitsIn[i + 1] = lo + i;
  const z = tf.tensor2d(values.subarray(0, n + 1), [1, n + 1]);
  const native = exps(() => installBlasKernels(), z);
  const wasm = exps(() => uninstallBlasKernels(), z);
  z.dispose();
  for (let i = 0; i <= n; i++) {
    if (native[i] !== wasm[i]) {
      differ++;
      if (differ <= 10) console.log(`x = ${values[i]}: native ${native[i]!.toString(16)}, wasm ${wasm[i]!.toString(16)}`);
    }
  }
  checked += n;
}
// -inf: exp gives 0 on both (a -inf logit; the row max is finite).
const z = tf.tensor2d([0, -Infinity], [1, 2]);
const [a, b] = [exps(() => installBlasKernels(), z), exps(() => uninstallBlasKernels(), z)];
if (a[1] !== b[1]) differ++;
z.dispose();
console.log(`exp-bits: ${checked} float32 values in [-104, -0]${stride > 1 ? ` (every ${stride}th chunk of 2^20)` : ''} and -inf: ${differ} differ (${((performance.now() - start) / 1000).toFixed(0)} s)`);
