import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam } from './adam.js';
import { expectNoTensorLeak } from './leak-guard.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

/** Runs Adam on a scalar parameter with the given gradient sequence; returns the parameter after each step. */
function run(grads: number[], opts: { lr: number; weightDecay?: number }): number[] {
  const p = tf.variable(tf.scalar(1));
  const adam = new Adam([p], { weightDecay: opts.weightDecay });
  const out: number[] = [];
  for (const g of grads) {
    const gt = tf.scalar(g);
    adam.step([gt], opts.lr);
    gt.dispose();
    out.push(p.dataSync()[0]!);
  }
  adam.dispose();
  p.dispose();
  return out;
}

describe('Adam', () => {
  it('matches hand-computed bias-corrected updates', () => {
    // p0 = 1, lr 0.1, betas 0.9 / 0.999, eps 1e-8, gradients 0.5 then -1.
    // Step 1: m = 0.05, v = 0.00025, mHat = 0.5, vHat = 0.25 -> p = 1 - 0.1 * 0.5 / 0.5 = 0.9.
    // Step 2: m = 0.045 - 0.1 = -0.055, v = 0.00024975 + 0.001 = 0.00124975,
    //   mHat = -0.055 / 0.19 = -0.2894737, vHat = 0.00124975 / 0.001999 = 0.6251876,
    //   p = 0.9 + 0.1 * 0.2894737 / 0.7906881 = 0.9366104.
    const [p1, p2] = run([0.5, -1], { lr: 0.1 });
    expect(p1).toBeCloseTo(0.9, 6);
    expect(p2).toBeCloseTo(0.9366104, 6);
  });

  it('applies decoupled weight decay before the Adam step', () => {
    // weightDecay 0.01: each step first scales p by (1 - 0.1 * 0.01) = 0.999.
    // Step 1: 0.999 - 0.1 = 0.899. Step 2: 0.899 * 0.999 + 0.0366104 = 0.9347114.
    const [p1, p2] = run([0.5, -1], { lr: 0.1, weightDecay: 0.01 });
    expect(p1).toBeCloseTo(0.899, 6);
    expect(p2).toBeCloseTo(0.9347114, 6);
  });

  it('skips parameters without a gradient and frees its moments', async () => {
    const a = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.tensor1d([3]));
    await expectNoTensorLeak(() => {
      const adam = new Adam([a, b], { weightDecay: 0.5 });
      const g = tf.tensor1d([1, -1]);
      adam.step([g, null], 0.1);
      g.dispose();
      adam.dispose();
    });
    // first step moves each coordinate by lr against its gradient's sign (after decay 1 - 0.05)
    expect(Array.from(a.dataSync())[0]).toBeCloseTo(1 * 0.95 - 0.1, 6);
    expect(Array.from(a.dataSync())[1]).toBeCloseTo(2 * 0.95 + 0.1, 6);
    expect(Array.from(b.dataSync())).toEqual([3]);
    a.dispose();
    b.dispose();
  });
});
