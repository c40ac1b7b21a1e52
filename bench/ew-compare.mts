// Element-wise kernels on wasm+blas, native (native-elementwise.ts) against the stock wasm
// kernels, side by side in one process: each round times every op both ways, alternating, and
// the minimum over rounds is printed (the machine is shared; the load varies between runs).
//   node --conditions=w2s-source --import tsx bench/ew-compare.mts [rounds]
import * as tf from '@tensorflow/tfjs';
import { initBackend, installBlasKernels, setBlasThreads, uninstallBlasKernels } from '@w2s/core';

await initBackend('wasm');
setBlasThreads(1);
const rounds = Number(process.argv[2] ?? 5);
const x = tf.randomNormal([45440, 192]);
const y = tf.randomNormal([45440, 192]);
const b = tf.randomNormal([192]);
const half = tf.scalar(0.5);
const x4 = tf.reshape(x, [710, 64, 4, 48]);
const x3 = tf.reshape(x, [710, 64, 192]);
const n = 45440 * 192;
// The model's other broadcasts: layer norm (x − mean, one value per row) and an attention mask.
const rowMean = tf.randomNormal([45440, 1]);
const scores = tf.randomNormal([710, 4, 64, 48]);
const mask = tf.randomNormal([710, 1, 1, 48]);
const ops: [string, () => tf.Tensor][] = [
  ['add same shape', () => tf.add(x, y)],
  ['add bias row', () => tf.add(x, b)],
  ['mul same shape', () => tf.mul(x, y)],
  ['mul scalar', () => tf.mul(x, half)],
  ['sub same', () => tf.sub(x, y)],
  ['div same', () => tf.div(x, y)],
  ['sub row mean [.., 192]-[.., 1]', () => tf.sub(x, rowMean)],
  ['add mask [710,4,64,48]+[710,1,1,48]', () => tf.add(scores, mask)],
  ['transpose [45440,192]', () => tf.transpose(x)],
  ['transpose 0213 [710,64,4,48]', () => tf.transpose(x4, [0, 2, 1, 3])],
  ['transpose 021 [710,64,192]', () => tf.transpose(x3, [0, 2, 1])],
  ['exp', () => tf.exp(x)],
  ['sigmoid', () => tf.sigmoid(x)],
  ['softmax [.., 192]', () => tf.softmax(x)],
  ['mean axis -1', () => tf.mean(x, -1, true)],
  ['square', () => tf.square(x)],
];
const time = (f: () => tf.Tensor) => {
  f().dispose();
  const reps = 10;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) f().dispose();
  return (performance.now() - t0) / reps;
};
const best = new Map<string, { stock: number; native: number }>();
for (let r = 0; r < rounds; r++) {
  for (const [label, f] of ops) {
    uninstallBlasKernels();
    const stock = time(f);
    installBlasKernels();
    const native = time(f);
    const e = best.get(label) ?? { stock: Infinity, native: Infinity };
    best.set(label, { stock: Math.min(e.stock, stock), native: Math.min(e.native, native) });
  }
}
console.log(`[45440, 192] float32 (the mask: as many values), 1 thread, min over ${rounds} rounds of 10 calls`);
console.log('op'.padEnd(36), 'stock ms  Gelem/s   native ms  Gelem/s   speed-up');
for (const [label, { stock, native }] of best) {
  const g = (ms: number) => (n / ms / 1e6).toFixed(2).padStart(6);
  console.log(label.padEnd(36), stock.toFixed(2).padStart(8), g(stock), '  ', native.toFixed(2).padStart(8), g(native), '  ', (stock / native).toFixed(1).padStart(6) + '×');
}
