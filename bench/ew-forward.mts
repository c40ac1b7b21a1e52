// A text-l forward over 256 documents, then the benchmark's train steps (bench/text-step.ts), on
// wasm+blas with the native element-wise kernels (native-elementwise.ts) and without them (the
// stock wasm Add/Sub/Multiply/RealDiv/Transpose), alternating in one process; prints the minimum
// wall time of each and checks that the forward's outputs are bit-identical. The machine is
// shared, so only a side-by-side minimum means anything.
//   node --conditions=w2s-source --import tsx bench/ew-forward.mts [rounds]
import * as tf from '@tensorflow/tfjs';
import { initBackend, installBlasKernels, setBlasThreads } from '@w2s/core';
import { Rng } from '@w2s/core/base';
import { initText, textForward, TEXT_LADDER } from '@w2s/models';
import { makeTextStepper } from './text-step.js';

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

for (const [size, kind] of [['m', 'cbow'], ['l', 'mlm'], ['l', 'finetune']] as const) {
  const stepper = makeTextStepper(size, kind);
  stepper.step();
  const time = () => {
    const t0 = performance.now();
    stepper.step();
    return performance.now() - t0;
  };
  let steps = { stock: Infinity, native: Infinity };
  for (let r = 0; r < rounds; r++) {
    use(stock);
    const s = time();
    use(blas);
    const n = time();
    steps = { stock: Math.min(steps.stock, s), native: Math.min(steps.native, n) };
  }
  console.log(`text-${size} ${kind} train step, 1 thread, min of ${rounds}: stock element-wise ${steps.stock.toFixed(1)} ms, native ${steps.native.toFixed(1)} ms (${(steps.stock / steps.native).toFixed(2)}×)`);
}
