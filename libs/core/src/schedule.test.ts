import { describe, expect, it } from 'vitest';
import { learningRate, stepsPerEpoch, totalSteps, TrainConfigSchema } from './schedule.js';

const config = (over: Record<string, unknown>) => TrainConfigSchema.parse({ epochs: 1, batchSize: 1, lr: 1, ...over });

describe('TrainConfigSchema', () => {
  it('fills defaults and rejects bad values', () => {
    expect(TrainConfigSchema.parse({ epochs: 2, batchSize: 8, lr: 0.01 })).toEqual({
      epochs: 2, batchSize: 8, lr: 0.01, schedule: 'cosine', warmupFrac: 0, weightDecay: 0, gradAccumSteps: 1,
    });
    expect(TrainConfigSchema.safeParse({ epochs: 0, batchSize: 8, lr: 0.01 }).success).toBe(false);
    expect(TrainConfigSchema.safeParse({ epochs: 1, batchSize: 8, lr: 0.01, warmupFrac: 1.5 }).success).toBe(false);
  });
});

describe('step counts', () => {
  it('is epochs * ceil(ceil(n / batchSize) / gradAccumSteps)', () => {
    // n = 10, batch 3 -> 4 minibatches (3,3,3,1); accumulating 3 -> 2 optimizer steps per epoch.
    expect(stepsPerEpoch(10, { batchSize: 3, gradAccumSteps: 3 })).toBe(2);
    expect(totalSteps(10, { epochs: 5, batchSize: 3, gradAccumSteps: 3 })).toBe(10);
    expect(totalSteps(12, { epochs: 2, batchSize: 4, gradAccumSteps: 1 })).toBe(6);
  });
});

describe('learningRate', () => {
  it('is flat for the constant schedule', () => {
    const c = config({ lr: 0.3, schedule: 'constant' });
    expect([0, 1, 2, 3].map((s) => learningRate(c, s, 4))).toEqual([0.3, 0.3, 0.3, 0.3]);
  });

  it('follows a half cosine that would reach 0 one step past the end', () => {
    // By hand: (1 + cos(pi * s / 4)) / 2 for s = 0..3 -> 1, (1 + 0.70710678) / 2, 1/2, (1 - 0.70710678) / 2.
    const c = config({ lr: 1, schedule: 'cosine' });
    const lrs = [0, 1, 2, 3].map((s) => learningRate(c, s, 4));
    [1, 0.85355339, 0.5, 0.14644661].forEach((want, i) => expect(lrs[i]).toBeCloseTo(want, 7));
  });

  it('warms up linearly, then decays over the remaining steps', () => {
    // T = 10, warmupFrac 0.2 -> W = 2 warm-up steps: 0.1 * 1/2, 0.1 * 2/2; then cosine over R = 8 steps:
    // step 2 -> progress 0 -> 0.1; step 6 -> 4/8 -> 0.05; step 9 -> 7/8 -> 0.1 * (1 + cos(7pi/8)) / 2
    // = 0.1 * (1 - 0.92387953) / 2 = 0.0038060234.
    const c = config({ lr: 0.1, schedule: 'cosine', warmupFrac: 0.2 });
    expect(learningRate(c, 0, 10)).toBeCloseTo(0.05, 10);
    expect(learningRate(c, 1, 10)).toBeCloseTo(0.1, 10);
    expect(learningRate(c, 2, 10)).toBeCloseTo(0.1, 10);
    expect(learningRate(c, 6, 10)).toBeCloseTo(0.05, 10);
    expect(learningRate(c, 9, 10)).toBeCloseTo(0.0038060234, 9);

    // constant with W = round(0.3 * 10) = 3: 1/3, 2/3, 1, then 1.
    const k = config({ lr: 1, schedule: 'constant', warmupFrac: 0.3 });
    [1 / 3, 2 / 3, 1, 1, 1].forEach((want, s) => expect(learningRate(k, s, 10)).toBeCloseTo(want, 10));
  });

  it('handles the edges: all warm-up, a single step, steps out of range', () => {
    const all = config({ lr: 1, warmupFrac: 1 });
    expect([0, 1, 2, 3].map((s) => learningRate(all, s, 4))).toEqual([0.25, 0.5, 0.75, 1]);
    expect(learningRate(config({ lr: 0.5 }), 0, 1)).toBe(0.5); // one cosine step: progress 0
    // warmupFrac so small that it rounds to no warm-up at all
    expect(learningRate(config({ lr: 1, warmupFrac: 0.01, schedule: 'constant' }), 0, 10)).toBe(1);
    expect(() => learningRate(config({}), 4, 4)).toThrow(/outside/);
    expect(() => learningRate(config({}), -1, 4)).toThrow(/outside/);
  });
});
