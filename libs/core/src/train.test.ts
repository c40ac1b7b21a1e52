import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUserError } from './errors.js';
import { accumulateGradients } from './grad-accum.js';
import { expectNoTensorLeak } from './leak-guard.js';
import { Rng } from './rng.js';
import { learningRate, TrainConfigSchema } from './schedule.js';
import { trainLoop, type TrainLoopOptions } from './train.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

/**
 * A toy problem: n points in 4-d drawn from Rng(dataSeed), label = [x0 + x1 - x2 > 0],
 * and a 4-8-1 tanh MLP initialised from Rng(initSeed). The loss is the mean logistic loss.
 */
class Toy {
  readonly x: tf.Tensor2D;
  readonly y: tf.Tensor2D;
  readonly params: tf.Variable[];

  constructor(readonly n: number, initSeed: number, dataSeed = 99) {
    const data = new Rng(dataSeed);
    const xs = data.normalArray(n * 4);
    const ys = new Float32Array(n);
    for (let i = 0; i < n; i++) ys[i] = xs[4 * i]! + xs[4 * i + 1]! - xs[4 * i + 2]! > 0 ? 1 : 0;
    this.x = tf.tensor2d(xs, [n, 4]);
    this.y = tf.tensor2d(ys, [n, 1]);
    const init = new Rng(initSeed);
    this.params = [
      tf.variable(tf.tensor2d(init.normalArray(32, 0.5), [4, 8])),
      tf.variable(tf.zeros([8])),
      tf.variable(tf.tensor2d(init.normalArray(8, 0.5), [8, 1])),
      tf.variable(tf.zeros([1])),
    ];
  }

  /** Mean logistic loss of the given examples: mean(softplus(z) - y z). */
  loss = (indices: Int32Array): tf.Scalar =>
    tf.tidy(() => {
      const idx = tf.tensor1d(indices, 'int32');
      const [w1, b1, w2, b2] = this.params as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
      const z = tf.gather(this.x, idx).matMul(w1).add(b1).tanh().matMul(w2).add(b2);
      return tf.mean(tf.softplus(z).sub(tf.gather(this.y, idx).mul(z))) as tf.Scalar;
    });

  allIndices(): Int32Array {
    return Int32Array.from({ length: this.n }, (_, i) => i);
  }

  fullLoss(): number {
    return tf.tidy(() => this.loss(this.allIndices()).dataSync()[0]!);
  }

  values(): number[][] {
    return this.params.map((p) => Array.from(p.dataSync()));
  }

  dispose(): void {
    tf.dispose([this.x, this.y, ...this.params]);
  }
}

const cfg = (over: Record<string, unknown> = {}) => TrainConfigSchema.parse({ epochs: 3, batchSize: 8, lr: 0.05, ...over });

function opts(toy: Toy, seed: number, over: Partial<TrainLoopOptions> = {}): TrainLoopOptions {
  return { params: toy.params, numExamples: toy.n, config: cfg(), rng: new Rng(seed), lossFn: toy.loss, ...over };
}

describe('trainLoop', () => {
  const toys: Toy[] = [];
  const toy = (n: number, initSeed: number) => {
    const t = new Toy(n, initSeed);
    toys.push(t);
    return t;
  };
  afterAll(() => toys.forEach((t) => t.dispose()));

  it('lowers the loss and leaves no tensors behind', async () => {
    const t = toy(64, 1);
    const before = t.fullLoss();
    const result = await expectNoTensorLeak(() => trainLoop(opts(t, 5, { config: cfg({ epochs: 15, lr: 0.03 }) })));
    const after = t.fullLoss();
    expect(after).toBeLessThan(0.6 * before);
    expect(result.totalSteps).toBe(15 * 8);
    expect(result.stepsRun).toBe(15 * 8);
    expect(result.curve).toHaveLength(15 * 8);
    const meanLoss = (pts: typeof result.curve) => pts.reduce((s, p) => s + p.loss, 0) / pts.length;
    expect(meanLoss(result.curve.slice(-8))).toBeLessThan(meanLoss(result.curve.slice(0, 8)));
  });

  it('is bit-identical for the same seed and differs for another', async () => {
    const trained = async (initSeed: number, shuffleSeed: number) => {
      const t = new Toy(40, initSeed);
      await trainLoop(opts(t, shuffleSeed, { config: cfg({ weightDecay: 0.01, warmupFrac: 0.2, gradAccumSteps: 2 }) }));
      const values = t.values();
      t.dispose();
      return values;
    };
    const a = await trained(1, 7);
    const b = await trained(1, 7);
    a.forEach((pa, i) => pa.forEach((v, j) => expect(Object.is(v, b[i]![j])).toBe(true)));
    expect(await trained(1, 8)).not.toEqual(a); // other shuffle order
    expect(await trained(2, 7)).not.toEqual(a); // other init
  });

  it('passes stepFrac = step / totalSteps, evaluates once per epoch and at the end, records the schedule', async () => {
    // n = 10, batch 3 -> minibatches of 3,3,3,1; gradAccumSteps 2 -> 2 optimizer steps per epoch;
    // 2 epochs -> T = 4 steps; lossFn runs twice per step.
    const t = toy(10, 3);
    const config = cfg({ epochs: 2, batchSize: 3, gradAccumSteps: 2, warmupFrac: 0.25 });
    const calls: { frac: number; indices: number[] }[] = [];
    const evals: { step: number; epoch: number; stepFrac: number }[] = [];
    const progress: number[] = [];
    const result = await trainLoop({
      ...opts(t, 4, { config }),
      lossFn: (indices, frac) => {
        calls.push({ frac, indices: [...indices] });
        return t.loss(indices);
      },
      onEval: (ctx) => {
        evals.push(ctx);
        return { evalNo: evals.length };
      },
      onProgress: (step, total) => progress.push(step / total),
    });
    expect(calls.map((c) => c.frac)).toEqual([0, 0, 0.25, 0.25, 0.5, 0.5, 0.75, 0.75]);
    expect(calls.map((c) => c.indices.length)).toEqual([3, 3, 3, 1, 3, 3, 3, 1]);
    for (const epoch of [calls.slice(0, 4), calls.slice(4)]) {
      expect(epoch.flatMap((c) => c.indices).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    expect(evals).toEqual([
      { step: 2, epoch: 0, stepFrac: 0.5 },
      { step: 4, epoch: 1, stepFrac: 1 },
    ]);
    expect(progress).toEqual([0.25, 0.5, 0.75, 1]);
    expect(result.curve.map((p) => [p.step, p.epoch])).toEqual([[1, 0], [2, 0], [3, 1], [4, 1]]);
    expect(result.curve.map((p) => p.lr)).toEqual([0, 1, 2, 3].map((s) => learningRate(config, s, 4)));
    expect(result.curve.map((p) => p.metrics)).toEqual([undefined, { evalNo: 1 }, undefined, { evalNo: 2 }]);
  });

  it('evaluates every evalEvery steps and once more at the end', async () => {
    const t = toy(20, 3);
    const steps: number[] = [];
    // 20 / 4 = 5 steps per epoch, 2 epochs -> 10 steps; evalEvery 4 -> after 4, 8 and the last (10).
    await trainLoop(opts(t, 1, { config: cfg({ epochs: 2, batchSize: 4 }), evalEvery: 4, onEval: ({ step }) => void steps.push(step) }));
    expect(steps).toEqual([4, 8, 10]);
  });

  it('decays weights by (1 - lr * weightDecay) per step when the loss has zero gradient', async () => {
    // A loss of 0 * sum(w) gives zero gradients, so Adam's step is 0 / (0 + eps) = 0 and only the
    // decoupled decay acts: after T = 5 constant-lr steps, w = 2 * (1 - 0.1 * 0.5)^5 = 2 * 0.95^5 = 1.5475619.
    const w = tf.variable(tf.tensor1d([2, -2]));
    await trainLoop({
      params: [w],
      numExamples: 5,
      config: cfg({ epochs: 5, batchSize: 5, lr: 0.1, schedule: 'constant', weightDecay: 0.5 }),
      rng: new Rng(1),
      lossFn: () => tf.sum(w).mul(0) as tf.Scalar,
    });
    const [a, b] = Array.from(w.dataSync());
    expect(a).toBeCloseTo(1.5475619, 6);
    expect(b).toBeCloseTo(-1.5475619, 6);
    w.dispose();
  });

  it('stops early, restores the best parameters and frees the snapshots', async () => {
    const t = toy(16, 4);
    // Scripted metric per evaluation (one per epoch): the best is the 2nd (0.9); with patience 2,
    // the 3rd and 4th do not improve, so training stops after epoch 4 of 10.
    const script = [0.5, 0.9, 0.9, 0.7, 0.95, 0.99];
    const snapshots: number[][][] = [];
    const result = await expectNoTensorLeak(() =>
      trainLoop(
        opts(t, 2, {
          config: cfg({ epochs: 10, batchSize: 4 }),
          onEval: () => {
            snapshots.push(t.values());
            return { acc: script[snapshots.length - 1]! };
          },
          earlyStopping: { metric: 'acc', mode: 'max', patience: 2, restoreBest: true },
        }),
      ),
    );
    expect(snapshots).toHaveLength(4);
    expect(result.stepsRun).toBe(16);
    expect(result.totalSteps).toBe(40);
    expect(result.bestStep).toBe(8);
    expect(result.bestMetric).toBe(0.9);
    expect(t.values()).toEqual(snapshots[1]);
    expect(t.values()).not.toEqual(snapshots[3]);
  });

  it('tracks the minimum without stopping when patience is unset, and keeps the last params without restoreBest', async () => {
    const t = toy(8, 5);
    const script = [3, 1, 2, 2];
    let evals = 0;
    let last: number[][] = [];
    const result = await trainLoop(
      opts(t, 2, {
        config: cfg({ epochs: 4, batchSize: 4 }),
        onEval: () => {
          last = t.values();
          return { loss: script[evals++]! };
        },
        earlyStopping: { metric: 'loss', mode: 'min', restoreBest: false },
      }),
    );
    expect(result.stepsRun).toBe(8);
    expect(result.bestStep).toBe(4);
    expect(result.bestMetric).toBe(1);
    expect(t.values()).toEqual(last);
  });

  it('rejects an empty training set and an unknown early-stopping metric, without leaking', async () => {
    const t = toy(8, 6);
    const err = await trainLoop(opts(t, 1, { numExamples: 0 })).catch((e) => e);
    expect(isUserError(err)).toBe(true);
    expect(String(err.message)).toMatch(/empty/);
    const before = tf.memory().numTensors;
    const err2 = await trainLoop(
      opts(t, 1, { onEval: () => ({ acc: 1 }), earlyStopping: { metric: 'auroc', mode: 'max', restoreBest: true } }),
    ).catch((e) => e);
    expect(isUserError(err2)).toBe(true);
    expect(String(err2.message)).toMatch(/earlyStopping\.metric.*auroc.*acc/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('gradient accumulation', () => {
  it('gives the loss and gradient of the union batch, short last batch included', async () => {
    const t = new Toy(11, 8);
    const batches = [Int32Array.from([0, 1, 2, 3]), Int32Array.from([4, 5, 6, 7]), Int32Array.from([8, 9, 10])];
    await expectNoTensorLeak(() => {
      const acc = accumulateGradients(t.params, batches, t.loss);
      const full = tf.variableGrads(() => t.loss(t.allIndices()), t.params);
      expect(acc.loss.dataSync()[0]).toBeCloseTo(full.value.dataSync()[0]!, 6);
      t.params.forEach((p, i) => {
        const a = acc.grads[i]!.dataSync();
        const f = full.grads[p.name]!.dataSync();
        f.forEach((v, j) => expect(Math.abs(a[j]! - v)).toBeLessThan(1e-6));
      });
      tf.dispose([acc.loss, ...acc.grads.filter((g) => g !== null), full.value, ...Object.values(full.grads)]);
    });
    t.dispose();
  });

  it('k accumulated minibatches of b train like one minibatch of k*b', async () => {
    const run = async (batchSize: number, gradAccumSteps: number) => {
      const t = new Toy(48, 9);
      const result = await trainLoop(opts(t, 3, { config: cfg({ epochs: 3, batchSize, gradAccumSteps }) }));
      const values = t.values();
      t.dispose();
      return { values, result };
    };
    const accumulated = await run(4, 3);
    const big = await run(12, 1);
    expect(accumulated.result.totalSteps).toBe(12);
    expect(big.result.totalSteps).toBe(12);
    accumulated.result.curve.forEach((p, i) => expect(Math.abs(p.loss - big.result.curve[i]!.loss)).toBeLessThan(1e-6));
    accumulated.values.forEach((pv, i) => pv.forEach((v, j) => expect(Math.abs(v - big.values[i]![j]!)).toBeLessThan(1e-6)));
    // and it is not a no-op: a different batch size trains differently
    const small = await run(4, 1);
    expect(Math.max(...small.values[0]!.map((v, j) => Math.abs(v - big.values[0]![j]!)))).toBeGreaterThan(1e-3);
  });
});
