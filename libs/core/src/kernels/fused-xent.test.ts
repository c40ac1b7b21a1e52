import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, describe, expect, it } from 'vitest';
import { expectNoTensorLeak } from '../leak-guard.js';
import { classIdCrossEntropy } from '../losses.js';
import { Rng } from '../rng.js';
import { installFusedXentKernels, W2S_SOFTMAX_XENT, W2S_SOFTMAX_XENT_GRAD } from './fused-xent.js';
import { installBlasKernels, uninstallBlasKernels } from './blas-matmul.js';
import { usableAddon } from './native-addon.js';

// The fused class-id cross-entropy kernels must give the bits of losses.ts's op sequence (which
// classIdCrossEntropy runs where they are not registered), value and gradient, on cpu and on
// wasm+blas (the only wasm path with them; the wasm fix keeps the ops). Value, finite differences and refusals: losses.test.ts (both paths).

const hasAddon = usableAddon().addon !== null;

afterEach(() => {
  uninstallBlasKernels();
  installFusedXentKernels();
});

const bits = (t: tf.Tensor) => Array.from(new Uint32Array(new Float32Array(t.dataSync()).buffer));

/** Value and gradient (as float32 bits) of the loss on random logits, with the kernels run. */
async function lossAndGrad(rows: number, classes: number, seed: number): Promise<{ value: number[]; grad: number[]; kernels: string[] }> {
  const rng = new Rng(seed);
  // Logits of every scale (the exp spans its whole range), a tied row maximum in row 0, upstream gradient 0.7.
  const values = Array.from(rng.normalArray(rows * classes), (x) => x * 10 ** (rng.uniform() * 2 - 1));
  if (classes > 1) values[1] = values[0] = Math.max(...values.slice(0, classes)) + 1;
  const ids = Int32Array.from({ length: rows }, () => rng.int(classes));
  const z = tf.tidy(() => tf.variable(tf.tensor2d(values, [rows, classes])));
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => tf.mul(classIdCrossEntropy(z, ids), 0.7) as tf.Scalar, [z]);
    return [value, grads[z.name]!];
  });
  const [value, grad] = profile.result as tf.Tensor[];
  const out = { value: bits(value!), grad: bits(grad!), kernels: profile.kernels.map((k) => k.name) };
  tf.dispose([value!, grad!, z]);
  return out;
}

const paths = [
  { name: 'cpu', backend: 'cpu', blas: false },
  ...(hasAddon ? [{ name: 'wasm+blas, native addon', backend: 'wasm', blas: true }] : []),
] as const;

it('is not registered on wasm without the BLAS path', () => {
  uninstallBlasKernels();
  expect(tf.getKernel(W2S_SOFTMAX_XENT, 'wasm')).toBeUndefined();
  expect(tf.getKernel(W2S_SOFTMAX_XENT_GRAD, 'wasm')).toBeUndefined();
});

describe.each(paths)('fused class-id cross-entropy on $name', ({ backend, blas }) => {
  it.each([
    [37, 101],
    [3, 4000],
    [2, 20000],
    [1, 1],
  ])('gives the bits of the op sequence, value and gradient ([%i, %i])', async (rows, classes) => {
    if (blas) expect(installBlasKernels()).toBe(true);
    installFusedXentKernels();
    await tf.setBackend(backend);
    tf.unregisterKernel(W2S_SOFTMAX_XENT, backend);
    const ops = await expectNoTensorLeak(() => lossAndGrad(rows, classes, rows + classes));
    if (blas) installBlasKernels(); // registers the wasm kernel again
    else installFusedXentKernels();
    const fused = await expectNoTensorLeak(() => lossAndGrad(rows, classes, rows + classes));
    expect(ops.kernels).toContain('Exp');
    expect(fused.kernels).toContain(W2S_SOFTMAX_XENT);
    expect(fused.kernels).toContain(W2S_SOFTMAX_XENT_GRAD);
    expect(fused.kernels).not.toContain('Max');
    expect(fused.value).toEqual(ops.value);
    expect(fused.grad).toEqual(ops.grad);
  });

  it('refuses a class id out of range when called directly', async () => {
    await tf.setBackend(backend);
    if (blas) expect(installBlasKernels()).toBe(true);
    installFusedXentKernels();
    const z = tf.zeros([2, 3]);
    const ids = tf.tensor1d([0, 3], 'int32');
    expect(() => tf.engine().runKernel(W2S_SOFTMAX_XENT, { logits: z, ids })).toThrow(/class id 3 \(row 1\) is outside \[0, 3\)/);
    const sums = tf.ones([2, 1]);
    expect(() => tf.engine().runKernel(W2S_SOFTMAX_XENT_GRAD, { e: z, sums, ids, scale: tf.scalar(1) })).toThrow(/class id 3 \(row 1\) is outside \[0, 3\)/);
    tf.dispose([z, ids, sums]);
  });
});
