// Gradient checks by finite differences on random inputs. The reference is the loss recomputed in
// float64 JS, L(z) = (1/B) Σ_i m_i · (−Σ_c t_ic · log softmax(z_i)_c), with the target t (and the
// window mask m) frozen at the evaluation point — that is what "stop-grad" means — and
// differentiated by central differences (ε = 1e-6, float64, error ~1e-9). A loss whose target
// leaked a gradient path (e.g. through p in bootstrap or product) fails here.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@w2s/core/base';
import { beforeAll, describe, expect, it } from 'vitest';
import { adaptconfTarget } from './adaptconf.js';
import { bootstrapTarget } from './bootstrap.js';
import { confidenceCoef } from './logconf.js';
import { logconfTarget, type LogconfOptionsInput } from './logconf.js';
import { productTarget } from './product.js';
import { RollingBuffer } from './quantile.js';
import { makeLoss } from './registry.js';
import { expectAllClose, useWasmBackend, valueAndGrad } from './test-utils/tf.js';
import { windowMask } from './window.js';

beforeAll(useWasmBackend);

function logSoftmax64(row: number[]): number[] {
  const max = Math.max(...row);
  const logSum = Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
  return row.map((v) => v - max - logSum);
}

function frozenLoss64(z: number[][], t: number[][], mask: number[]): number {
  let total = 0;
  z.forEach((row, i) => {
    const ls = logSoftmax64(row);
    total += mask[i]! * -ls.reduce((s, l, c) => s + t[i]![c]! * l, 0);
  });
  return total / z.length;
}

function centralDifferences(f: (z: number[][]) => number, z: number[][], eps = 1e-6): number[][] {
  return z.map((row, i) =>
    row.map((_, c) => {
      const plus = z.map((r) => [...r]);
      const minus = z.map((r) => [...r]);
      plus[i]![c]! += eps;
      minus[i]![c]! -= eps;
      return (f(plus) - f(minus)) / (2 * eps);
    }),
  );
}

/** Random logits (float32-representable, so tfjs and the reference see the same point) and label rows. */
function randomBatch(rng: Rng, b: number, k: number, scale: number): { z: number[][]; y: number[][] } {
  const z = Array.from({ length: b }, () => Array.from({ length: k }, () => Math.fround(scale * rng.normal())));
  const y = Array.from({ length: b }, (_, i) => {
    if (i === 0) return Array.from({ length: k }, (_, c) => (c === 0 ? 1 : 0)); // a hard label, with exact 0s
    const raw = Array.from({ length: k }, () => rng.uniform() + 0.01);
    const sum = raw.reduce((s, v) => s + v, 0);
    return raw.map((v) => Math.fround(v / sum));
  });
  return { z, y };
}

type FrozenTarget = (z: tf.Tensor2D, y: tf.Tensor2D, s: number) => { t: tf.Tensor2D; mask?: tf.Tensor1D };

interface GradCase {
  name: string;
  config: Record<string, unknown>;
  k: number;
  frozen: FrozenTarget;
}

const logconfCase = (k: number, options: LogconfOptionsInput): GradCase => ({
  name: `logconf ${JSON.stringify(options)} K=${k}`,
  config: { name: 'logconf', ...options },
  k,
  frozen: (z, y, s) => {
    const buffer = options.threshold === 'rolling' ? new RollingBuffer(options.bufferSize ?? 256) : undefined;
    return { t: logconfTarget(z, y, s, options, buffer) };
  },
});

const CASES: GradCase[] = [
  { name: 'xent K=2', config: { name: 'xent' }, k: 2, frozen: (_z, y) => ({ t: y.clone() }) },
  { name: 'xent K=4', config: { name: 'xent' }, k: 4, frozen: (_z, y) => ({ t: y.clone() }) },
  ...(['step', 'linear'] as const).flatMap((warmup) =>
    (['prior-quantile', 'median', 'fixed', 'rolling'] as const).map((threshold) =>
      logconfCase(2, { warmup, threshold, auxCoef: 0.75, warmupFrac: 0.2 }),
    ),
  ),
  logconfCase(3, { threshold: 'fixed' }),
  ...[{}, { alpha: 2, beta: 0.5 }, { alpha: 0, beta: 1 }].flatMap((o) =>
    [2, 3].map((k) => ({
      name: `product ${JSON.stringify(o)} K=${k}`,
      config: { name: 'product', ...o },
      k,
      frozen: ((z, y) => ({ t: productTarget(z, y, o) })) as FrozenTarget,
    })),
  ),
  ...(['soft', 'hard'] as const).flatMap((mode) =>
    [2, 3].map((k) => ({
      name: `bootstrap ${mode} K=${k}`,
      config: { name: 'bootstrap', mode },
      k,
      frozen: ((z, y) => ({ t: bootstrapTarget(z, y, { mode }) })) as FrozenTarget,
    })),
  ),
  ...[2, 3].map((k) => ({
    name: `window radius 0.25 K=${k}`,
    config: { name: 'window', radius: 0.25 },
    k,
    frozen: ((z, y) => ({ t: y.clone(), mask: windowMask(z, { radius: 0.25 }) })) as FrozenTarget,
  })),
  ...[{}, { temperature: 2, warmupFrac: 0.5 }].flatMap((o) =>
    [2, 3].map((k) => ({
      name: `adaptconf ${JSON.stringify(o)} K=${k}`,
      config: { name: 'adaptconf', ...o },
      k,
      frozen: ((z, y, s) => ({ t: adaptconfTarget(z, y, s, o) })) as FrozenTarget,
    })),
  ),
];

describe('gradients match float64 finite differences of the frozen-target loss', () => {
  it.each(CASES)('$name', ({ config, k, frozen }) => {
    const rng = new Rng(20231214).fork(JSON.stringify(config) + k);
    for (let trial = 0; trial < 3; trial++) {
      const { z, y } = randomBatch(rng, 6, k, 1.5);
      const s = rng.uniform();
      const loss = makeLoss(config);
      const got = valueAndGrad((logits) => loss(logits, tf.tensor2d(y), s), z);

      const { t, mask } = tf.tidy(() => {
        const out = frozen(tf.tensor2d(z), tf.tensor2d(y), s);
        return { t: out.t.arraySync(), mask: out.mask ? Array.from(out.mask.dataSync()) : z.map(() => 1) };
      });
      const reference = (zz: number[][]) => frozenLoss64(zz, t, mask);
      expect(Math.abs(got.loss - reference(z))).toBeLessThanOrEqual(1e-5);
      expectAllClose(got.grad, centralDifferences(reference, z), 1e-6);
    }
  });

  // entropy: the gradient flows through p, so the reference is the whole loss, nothing frozen:
  // L(z) = (1 − c)·mean CE(z, y) + c·mean H(softmax z) in float64.
  it.each([
    { k: 2, options: { auxCoef: 0.5, warmup: 'step', warmupFrac: 0.1 } },
    { k: 3, options: { auxCoef: 1, warmup: 'linear', warmupFrac: 0.2 } },
  ] as const)('entropy $options K=$k', ({ k, options }) => {
    const rng = new Rng(20231214).fork(`entropy${k}`);
    for (let trial = 0; trial < 3; trial++) {
      const { z, y } = randomBatch(rng, 6, k, 1.5);
      const s = rng.uniform();
      const got = valueAndGrad((logits) => makeLoss({ name: 'entropy', ...options })(logits, tf.tensor2d(y), s), z);
      const c = confidenceCoef(s, options);
      const reference = (zz: number[][]) => {
        const entropy = zz.reduce((sum, row) => sum - logSoftmax64(row).reduce((h, l) => h + Math.exp(l) * l, 0), 0) / zz.length;
        return (1 - c) * frozenLoss64(zz, y, zz.map(() => 1)) + c * entropy;
      };
      expect(Math.abs(got.loss - reference(z))).toBeLessThanOrEqual(1e-5);
      expectAllClose(got.grad, centralDifferences(reference, z), 1e-6);
    }
  });

  it('the window cases put some examples inside and some outside the window', () => {
    // Guard against a vacuous window check: with these seeds both mask values occur.
    const rng = new Rng(5);
    const { z } = randomBatch(rng, 50, 2, 1.5);
    const mask = tf.tidy(() => Array.from(windowMask(tf.tensor2d(z), { radius: 0.25 }).dataSync()));
    expect(mask).toContain(0);
    expect(mask).toContain(1);
  });
});
