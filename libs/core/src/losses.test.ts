import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoTensorLeak } from './leak-guard.js';
import { installBlasKernels, uninstallBlasKernels } from './kernels/blas-matmul.js';
import { installFusedXentKernels } from './kernels/fused-xent.js';
import { usableAddon } from './kernels/native-addon.js';
import { classIdCrossEntropy, softCrossEntropy, W2S_SOFTMAX_XENT } from './losses.js';
import { Rng } from './rng.js';

const rng = new Rng(17);
const ROWS = 5;
const CLASSES = 7;
// Logits up to ±40: the stable form must stay finite and exact.
const logitValues = Array.from(rng.normalArray(ROWS * CLASSES, 3)).map((v, i) => (i === 3 ? 40 : i === 9 ? -40 : v));
const ids = Int32Array.of(3, 6, 0, 0, 2);

/** −(1/B) Σ log softmax(z_i)[ids_i] and its gradient (softmax − onehot)/B, in float64. */
function float64Reference(): { value: number; grad: number[] } {
  let value = 0;
  const grad: number[] = [];
  for (let r = 0; r < ROWS; r++) {
    const row = logitValues.slice(r * CLASSES, (r + 1) * CLASSES);
    const max = Math.max(...row);
    const sum = row.reduce((s, z) => s + Math.exp(z - max), 0);
    value -= (row[ids[r]!]! - max - Math.log(sum)) / ROWS;
    row.forEach((z, c) => grad.push((Math.exp(z - max) / sum - (c === ids[r] ? 1 : 0)) / ROWS));
  }
  return { value, grad };
}

// Each backend with the op sequence and with the fused kernels (kernels/fused-xent.ts: on wasm,
// those of the wasm+blas path).
describe.each([
  ['wasm', 'ops'],
  ...(usableAddon().addon ? [['wasm', 'fused kernels']] : []),
  ['cpu', 'ops'],
  ['cpu', 'fused kernels'],
])('classIdCrossEntropy on %s, %s', (backend, path) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    installFusedXentKernels();
    if (backend === 'wasm' && path === 'fused kernels') installBlasKernels();
    if (path === 'ops' && tf.getKernel(W2S_SOFTMAX_XENT, backend)) tf.unregisterKernel(W2S_SOFTMAX_XENT, backend);
  });
  afterAll(async () => {
    uninstallBlasKernels();
    installFusedXentKernels();
    await tf.setBackend('wasm');
  });

  it('runs on the path it is named for', async () => {
    const profile = await tf.profile(() => classIdCrossEntropy(tf.tensor2d(logitValues, [ROWS, CLASSES]), ids));
    expect(profile.kernels.some((k) => k.name === W2S_SOFTMAX_XENT)).toBe(path === 'fused kernels');
    tf.dispose(profile.result as tf.Tensor);
  });

  it('gives the float64 value and gradient, and no leaked tensor', async () => {
    const reference = float64Reference();
    const z = tf.variable(tf.tensor2d(logitValues, [ROWS, CLASSES]));
    // Only the value and the gradient may survive.
    const { value, grads } = await expectNoTensorLeak(() => tf.variableGrads(() => classIdCrossEntropy(z, ids), [z]), 2);
    expect(value.dataSync()[0]).toBeCloseTo(reference.value, 5);
    const g = Array.from(grads[z.name]!.dataSync());
    g.forEach((v, i) => expect(v).toBeCloseTo(reference.grad[i]!, 6));
    tf.dispose([value, ...Object.values(grads), z]);
  });

  it('is bit-equal to softCrossEntropy with one-hot targets, with the same gradient to float rounding', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d(logitValues, [ROWS, CLASSES]);
      const oneHot = tf.oneHot(tf.tensor1d(ids, 'int32'), CLASSES).toFloat() as tf.Tensor2D;
      expect(classIdCrossEntropy(logits, ids).dataSync()[0]).toBe(softCrossEntropy(logits, oneHot).dataSync()[0]);
      const ours = tf.grad((z: tf.Tensor) => classIdCrossEntropy(z as tf.Tensor2D, ids))(logits).dataSync();
      const soft = tf.grad((z: tf.Tensor) => softCrossEntropy(z as tf.Tensor2D, oneHot))(logits).dataSync();
      ours.forEach((v, i) => expect(Math.abs(v - soft[i]!)).toBeLessThan(1e-7));
    });
  });

  it('matches central finite differences of its own value', () => {
    tf.tidy(() => {
      const f = (values: number[]) => classIdCrossEntropy(tf.tensor2d(values, [ROWS, CLASSES]), ids).dataSync()[0]!;
      const g = tf.grad((z: tf.Tensor) => classIdCrossEntropy(z as tf.Tensor2D, ids))(tf.tensor2d(logitValues, [ROWS, CLASSES])).dataSync();
      const h = 1e-2;
      for (const i of [0, 3, 8, 20, 34]) {
        const plus = logitValues.slice();
        const minus = logitValues.slice();
        plus[i]! += h;
        minus[i]! -= h;
        expect(g[i]!).toBeCloseTo((f(plus) - f(minus)) / (2 * h), 3);
      }
    });
  });

  it('refuses a class id outside the logits, or a wrong number of ids', () => {
    tf.tidy(() => {
      const logits = tf.zeros([2, 3]) as tf.Tensor2D;
      expect(() => classIdCrossEntropy(logits, Int32Array.of(0, 3))).toThrow(/class id 3 \(row 1\) is outside \[0, 3\)/);
      expect(() => classIdCrossEntropy(logits, Int32Array.of(0))).toThrow(/1 class ids for 2 rows/);
    });
  });
});
