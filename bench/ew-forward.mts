// A text-l forward over 256 documents on wasm+blas with the native element-wise kernels
// (native-elementwise.ts) and without them (the stock wasm Add/Sub/Multiply/RealDiv/Transpose),
// alternating in one process; prints the minimum wall time of each and checks the outputs are
// bit-identical. The machine is shared, so only a side-by-side minimum means anything.
//   node --conditions=w2s-source --import tsx bench/ew-forward.mts [rounds]
import * as tf from '@tensorflow/tfjs';
import { initBackend, installBlasKernels, setBlasThreads } from '@w2s/core';
import { Rng } from '@w2s/core/base';
import { initText, textForward, TEXT_LADDER } from '@w2s/models';

await initBackend('wasm');
installBlasKernels();
setBlasThreads(1);
const rounds = Number(process.argv[2] ?? 8);
const size = TEXT_LADDER.l!;
const rng = new Rng(3);
const params = initText(size, rng.fork('init'));
const docs = Array.from({ length: 256 }, () => Int32Array.from({ length: 40 + rng.int(220) }, () => 5 + rng.int(3990)));
const ELEMENTWISE = [tf.Add, tf.Sub, tf.Multiply, tf.RealDiv, tf.Transpose];
const blas = new Map(ELEMENTWISE.map((name) => [name, tf.getKernel(name, 'wasm')!]));
const stock = new Map(ELEMENTWISE.map((name) => [name, (blas.get(name) as unknown as { w2sStockConfig: tf.KernelConfig }).w2sStockConfig]));
const use = (configs: Map<string, tf.KernelConfig>) => {
  for (const [name, config] of configs) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(config);
  }
};
const run = () => {
  const t0 = performance.now();
  const out = tf.tidy(() => textForward(params, size, docs));
  const ms = performance.now() - t0;
  const bits = new Uint32Array((out.dataSync() as Float32Array).slice().buffer);
  out.dispose();
  return { ms, bits };
};
run();
let best = { stock: Infinity, native: Infinity };
let same = true;
for (let r = 0; r < rounds; r++) {
  use(stock);
  const s = run();
  use(blas);
  const n = run();
  best = { stock: Math.min(best.stock, s.ms), native: Math.min(best.native, n.ms) };
  same &&= s.bits.length === n.bits.length && s.bits.every((v, i) => v === n.bits[i]);
}
console.log(`text-l forward, 256 documents, 1 thread, min of ${rounds}: stock element-wise ${best.stock.toFixed(0)} ms, native ${best.native.toFixed(0)} ms (${(best.stock / best.native).toFixed(2)}×); outputs bit-identical: ${same}`);
