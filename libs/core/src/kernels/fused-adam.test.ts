import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, describe, expect, it } from 'vitest';
import { Adam } from '../adam.js';
import { expectNoTensorLeak } from '../leak-guard.js';
import { Rng } from '../rng.js';
import { installFusedAdamKernels, W2S_ADAM } from './fused-adam.js';
import { installBlasKernels, isBlasInstalled, uninstallBlasKernels } from './blas-matmul.js';
import { usableAddon } from './native-addon.js';

// The fused Adam kernel must give exactly the bits of adam.ts's op sequence (which Adam runs where
// the kernel is not registered) on cpu and on wasm+blas (the only wasm path with it), over several steps.

const hasAddon = usableAddon().addon !== null;

afterEach(() => {
  uninstallBlasKernels();
  installFusedAdamKernels();
});

const SHAPES = [[37, 29], [13], []];
const STEPS = 5;

/** Gradients of every magnitude from 1e-6 to 1e2 (so that every rounding matters), one null on step 2. */
function gradientValues(seed: number): (number[] | null)[][] {
  const rng = new Rng(seed);
  return Array.from({ length: STEPS }, (_, step) =>
    SHAPES.map((shape, i) => {
      if (step === 2 && i === 1) return null;
      const n = shape.reduce((p, d) => p * d, 1);
      return Array.from(rng.normalArray(n), (x) => x * 10 ** (rng.uniform() * 8 - 6));
    }),
  );
}

interface Run {
  p: number[][];
  m: number[][];
  v: number[][];
  kernels: string[];
}

/** Adam over STEPS steps from fixed parameters; the final p, m, v as float32 bits and the kernels run. */
async function runAdam(weightDecay: number): Promise<Run> {
  const rng = new Rng(7);
  const params = tf.tidy(() => SHAPES.map((shape) => tf.variable(tf.tensor(Array.from(rng.normalArray(shape.reduce((p, d) => p * d, 1))), shape))));
  const adam = new Adam(params, { weightDecay, beta2: 0.99 });
  const kernels = new Set<string>();
  for (const [step, values] of gradientValues(11).entries()) {
    const grads = values.map((g, i) => (g === null ? null : tf.tensor(g, SHAPES[i])));
    const profile = await tf.profile(() => adam.step(grads, 0.01 * (step + 1)));
    for (const k of profile.kernels) kernels.add(k.name);
    tf.dispose(grads.filter((g) => g !== null));
  }
  const state = adam as unknown as { m: tf.Variable[]; v: tf.Variable[] };
  const bits = (ts: tf.Tensor[]) => ts.map((t) => Array.from(new Uint32Array(new Float32Array(t.dataSync()).buffer)));
  const run = { p: bits(params), m: bits(state.m), v: bits(state.v), kernels: [...kernels] };
  adam.dispose();
  tf.dispose(params);
  return run;
}

/** The same run with the ops (kernel unregistered) and fused; both checked for leaks. */
async function opsAndFused(backend: 'cpu' | 'wasm', weightDecay: number): Promise<{ ops: Run; fused: Run }> {
  await tf.setBackend(backend);
  const blas = backend === 'wasm' && isBlasInstalled();
  if (tf.getKernel(W2S_ADAM, backend)) tf.unregisterKernel(W2S_ADAM, backend);
  const ops = await expectNoTensorLeak(() => runAdam(weightDecay));
  if (blas) installBlasKernels(); // registers the wasm kernel again
  else installFusedAdamKernels();
  const fused = await expectNoTensorLeak(() => runAdam(weightDecay));
  return { ops, fused };
}

const paths = [
  { name: 'cpu', backend: 'cpu', blas: false },
  ...(hasAddon ? [{ name: 'wasm+blas, native addon', backend: 'wasm', blas: true }] : []),
] as const;

describe.each(paths)('fused Adam on $name', ({ backend, blas }) => {
  it.each([0, 0.05])('is bit-identical to the op sequence over several steps (weight decay %s)', async (weightDecay) => {
    if (blas) expect(installBlasKernels()).toBe(true);
    const { ops, fused } = await opsAndFused(backend as 'cpu' | 'wasm', weightDecay);
    expect(ops.kernels).toContain('Multiply');
    expect(ops.kernels).not.toContain(W2S_ADAM);
    expect(fused.kernels).toEqual([W2S_ADAM]);
    expect(fused.p).toEqual(ops.p);
    expect(fused.m).toEqual(ops.m);
    expect(fused.v).toEqual(ops.v);
    // the update moved every parameter (the comparison is not between two untouched copies)
    expect(fused.m.flat().every((b) => b !== 0)).toBe(true);
  });
});

describe('fused Adam kernel', () => {
  it('is not used on wasm without the BLAS path (the op sequence is faster there)', async () => {
    await tf.setBackend('wasm');
    uninstallBlasKernels();
    expect(tf.getKernel(W2S_ADAM, 'wasm')).toBeUndefined();
    const { fused } = await opsAndFused('wasm', 0);
    expect(fused.kernels).not.toContain(W2S_ADAM);
    expect(fused.kernels).toContain('Multiply');
  });

  it('refuses inputs of different shapes or dtypes', async () => {
    await tf.setBackend('cpu');
    const p = tf.zeros([3]);
    const g = tf.zeros([4]);
    const attrs = { beta1: 0.9, beta2: 0.999, eps: 1e-8, lr: 0.1, weightDecay: 0, correction1: 0.1, correction2: 0.001 };
    expect(() => tf.engine().runKernel(W2S_ADAM, { p, m: p, v: p, g }, attrs)).toThrow(/g has shape \[4\], p has \[3\]/);
    const gi = tf.zeros([3], 'int32');
    expect(() => tf.engine().runKernel(W2S_ADAM, { p, m: p, v: p, g: gi }, attrs)).toThrow(/g must be float32/);
    tf.dispose([p, g, gi]);
  });
});
