import * as tf from '@tensorflow/tfjs';
import { isUserError } from '@w2s/core/base';
import { UserError } from './errors.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LOSS_NAMES, LossConfigSchema, lossRegistry, makeLoss } from './registry.js';
import { YA, YK, YR, ZA, ZK, ZR } from './test-utils/cases.js';
import { expectAllClose, useWasmBackend, valueAndGrad } from './test-utils/tf.js';

beforeAll(useWasmBackend);

describe('makeLoss', () => {
  it('builds the manifest example { name: logconf, auxCoef: 0.75, warmup: linear, warmupFrac: 0.2 }', () => {
    // reference/expected.py, case A, linear / prior-quantile at s = 0.1 (c = 0.375).
    const loss = makeLoss({ name: 'logconf', auxCoef: 0.75, warmup: 'linear', warmupFrac: 0.2 });
    const got = valueAndGrad((z) => loss(z, tf.tensor2d(YA), 0.1), ZA);
    expect(Math.abs(got.loss - 0.4721423659)).toBeLessThanOrEqual(2e-6);
    expectAllClose(
      got.grad,
      [[-0.0239851048, 0.0239851048], [-0.0849667995, 0.0849667995], [0.0239851048, -0.0239851048], [0.0458687388, -0.0458687388], [0.0053330034, -0.0053330034]],
      5e-7,
    );
  });

  it('applies the defaults: logconf = step warm-up, auxCoef 0.5, warmupFrac 0.1, prior-quantile', () => {
    // reference/expected.py, case A, step / prior-quantile at s = 0.05 (c = 0.025).
    const got = valueAndGrad((z) => makeLoss({ name: 'logconf' })(z, tf.tensor2d(YA), 0.05), ZA);
    expect(Math.abs(got.loss - 0.5260423659)).toBeLessThanOrEqual(2e-6);
  });

  it('accepts a bare name', () => {
    // reference/expected.py, case A, xent.
    const got = valueAndGrad((z) => makeLoss('xent')(z, tf.tensor2d(YA), 0), ZA);
    expect(Math.abs(got.loss - 0.5298923659)).toBeLessThanOrEqual(2e-6);
  });

  it('gives each rolling loss its own buffer', () => {
    // reference/expected.py, ROLLING: after case A, the 6-example buffer hardens both R rows to class 0
    // (loss 0.6762677647); a fresh loss sees only R and behaves as prior-quantile on R (0.7012677647).
    const a = makeLoss({ name: 'logconf', threshold: 'rolling', bufferSize: 6 });
    const b = makeLoss({ name: 'logconf', threshold: 'rolling', bufferSize: 6 });
    tf.tidy(() => a(tf.tensor2d(ZA), tf.tensor2d(YA), 0.5));
    const afterA = tf.tidy(() => a(tf.tensor2d(ZR), tf.tensor2d(YR), 0.5).dataSync()[0]!);
    const fresh = tf.tidy(() => b(tf.tensor2d(ZR), tf.tensor2d(YR), 0.5).dataSync()[0]!);
    expect(Math.abs(afterA - 0.6762677647)).toBeLessThanOrEqual(2e-6);
    expect(Math.abs(fresh - 0.7012677647)).toBeLessThanOrEqual(2e-6);
  });

  it('computes logconf\'s threshold once over an accumulated batch (beginStep), not per minibatch', () => {
    // 4 rows with P(class 0) = 0.2, 0.4, 0.6, 0.8 (logits [ln(p/(1−p)), 0]), weak labels [0.5, 0.5],
    // c = 0.5 (linear warmup done at s = 0.5). prior-quantile over all 4: τ = quantile(p0, 0.5) = 0.5,
    // ŷ = class 1, 1, 0, 0 → loss 0.5909545211936071 (numpy: −mean Σ t·log p, t = 0.5·y + 0.5·ŷ).
    // Per minibatch of 2, the first half gets τ = 0.3 and hardens 0.4 to class 0 → 0.6923207982206482.
    const p0 = [0.2, 0.4, 0.6, 0.8];
    const logits = p0.map((p) => [Math.log(p / (1 - p)), 0]);
    const weak = p0.map(() => [0.5, 0.5]);
    const options = { name: 'logconf', auxCoef: 0.5, warmup: 'linear', warmupFrac: 0.1 } as const;
    const value = (loss: ReturnType<typeof makeLoss>, rows: number[]) =>
      tf.tidy(() => loss(tf.tensor2d(rows.map((r) => logits[r]!)), tf.tensor2d(rows.map((r) => weak[r]!)), 0.5).dataSync()[0]!);
    const before = tf.memory().numTensors;
    const whole = value(makeLoss(options), [0, 1, 2, 3]);
    expect(Math.abs(whole - 0.5909545211936071)).toBeLessThanOrEqual(2e-6);

    const accumulated = makeLoss(options);
    tf.tidy(() => accumulated.beginStep!(tf.tensor2d(logits), tf.tensor2d(weak)));
    const halves = (value(accumulated, [0, 1]) + value(accumulated, [2, 3])) / 2;
    expect(Math.abs(halves - whole)).toBeLessThanOrEqual(2e-6);

    accumulated.beginStep!(); // a one-minibatch step: back to per-call thresholds
    expect(Math.abs(value(accumulated, [0, 1]) - 0.6923207982206482)).toBeLessThanOrEqual(2e-6);
    expect(tf.memory().numTensors).toBe(before);
    expect(makeLoss('xent').beginStep).toBeUndefined(); // no batch statistics, nothing to do
  });

  it('names the option in binary-only errors raised at call time, under the caller’s path', () => {
    const loss = makeLoss({ name: 'logconf' }, 'cells[3].loss');
    expect(() => tf.tidy(() => loss(tf.tensor2d(ZK), tf.tensor2d(YK), 0.5))).toThrow(
      "cells[3].loss.threshold: 'prior-quantile' is binary-only (K = 2) but got K = 3 classes; use threshold: fixed",
    );
  });
});

describe('bad configs end with one clear UserError', () => {
  const names = LOSS_NAMES.join(', ');
  const cases: [unknown, string][] = [
    [{ name: 'logconf', auxCoef: -0.5 }, 'loss.auxCoef: must be ≥ 0'],
    [{ name: 'logconf', auxCoef: 1.5 }, 'loss.auxCoef: must be ≤ 1'],
    [{ name: 'logconf', auxCoef: '0.5' }, 'loss.auxCoef: must be a finite number'],
    [{ name: 'logconf', auxCoef: Number.NaN }, 'loss.auxCoef: must be a finite number'],
    [{ name: 'logconf', warmupFrac: 0 }, 'loss.warmupFrac: must be in (0, 1]'],
    [{ name: 'logconf', warmupFrac: -0.1 }, 'loss.warmupFrac: must be in (0, 1]'],
    [{ name: 'logconf', warmupFrac: 1.01 }, 'loss.warmupFrac: must be in (0, 1]'],
    [{ name: 'logconf', warmup: 'cosine' }, 'loss.warmup: must be one of: step, linear'],
    [{ name: 'logconf', threshold: 'mean' }, 'loss.threshold: must be one of: prior-quantile, median, fixed, rolling'],
    [{ name: 'logconf', bufferSize: 0 }, 'loss.bufferSize: must be ≥ 1'],
    [{ name: 'logconf', bufferSize: 2.5 }, 'loss.bufferSize: must be an integer'],
    [
      { name: 'logconf', auxcoef: 0.5 },
      'loss.auxcoef: unknown option (expected one of: auxCoef, warmupFrac, warmup, threshold, bufferSize)',
    ],
    [{ name: 'xent', alpha: 1 }, 'loss.alpha: unknown option (this loss takes no options)'],
    [{ name: 'product', alpha: -1 }, 'loss.alpha: must be ≥ 0'],
    [{ name: 'product', beta: -0.1 }, 'loss.beta: must be ≥ 0'],
    [{ name: 'bootstrap', beta: 1.2 }, 'loss.beta: must be ≤ 1'],
    [{ name: 'bootstrap', mode: 'medium' }, 'loss.mode: must be one of: soft, hard'],
    [{ name: 'window', radius: 0.7 }, 'loss.radius: must be ≤ 0.5'],
    [{ name: 'window', radius: -0.1 }, 'loss.radius: must be ≥ 0'],
    [{ name: 'nope' }, `loss.name: unknown loss "nope" (expected one of: ${names})`],
    ['Xent', `loss.name: unknown loss "Xent" (expected one of: ${names})`],
    [{ name: 'toString' }, `loss.name: unknown loss "toString" (expected one of: ${names})`],
    [{ auxCoef: 0.5 }, `loss.name: missing (expected one of: ${names})`],
    [{ name: 3 }, `loss.name: unknown loss 3 (expected one of: ${names})`],
    [42, "loss: must be a loss name or an object like { name: 'xent' }"],
    [null, "loss: must be a loss name or an object like { name: 'xent' }"],
    [['xent'], "loss: must be a loss name or an object like { name: 'xent' }"],
  ];
  it.each(cases)('%j → %s', (config, message) => {
    let error: unknown;
    try {
      makeLoss(config);
    } catch (e) {
      error = e;
    }
    // This lib's own UserError (no @w2s/core import at run time), recognised by core's isUserError.
    expect(error).toBeInstanceOf(UserError);
    expect(isUserError(error)).toBe(true);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as Error).message).toBe(message);
  });

  it('prefixes messages with the caller’s path', () => {
    expect(() => makeLoss({ name: 'logconf', auxCoef: -1 }, 'experiments.small.loss')).toThrow(
      'experiments.small.loss.auxCoef: must be ≥ 0',
    );
  });

  it('accepts the boundaries: auxCoef 0 and 1, warmupFrac 1, radius 0 and 0.5, α = β = 0', () => {
    for (const config of [
      { name: 'logconf', auxCoef: 0 },
      { name: 'logconf', auxCoef: 1, warmupFrac: 1 },
      { name: 'window', radius: 0 },
      { name: 'window', radius: 0.5 },
      { name: 'product', alpha: 0, beta: 0 },
      { name: 'bootstrap', mode: 'hard', beta: 0 },
    ]) {
      expect(typeof makeLoss(config)).toBe('function');
    }
  });
});

describe('LossConfigSchema and lossRegistry', () => {
  it('lists every loss once, in the registry and in the schema', () => {
    expect(LOSS_NAMES).toEqual(['xent', 'logconf', 'product', 'bootstrap', 'window', 'entropy', 'adaptconf', 'cosupervise']);
    for (const name of LOSS_NAMES) {
      expect(LossConfigSchema.safeParse({ name }).success).toBe(true);
      expect(lossRegistry[name].description.length).toBeGreaterThan(10);
    }
  });

  it('fills defaults the same way makeLoss does', () => {
    expect(LossConfigSchema.parse({ name: 'logconf' })).toEqual({
      name: 'logconf',
      auxCoef: 0.5,
      warmupFrac: 0.1,
      warmup: 'step',
      threshold: 'prior-quantile',
      bufferSize: 256,
    });
    expect(LossConfigSchema.parse({ name: 'product' })).toEqual({ name: 'product', alpha: 1, beta: 1 });
    expect(LossConfigSchema.parse({ name: 'bootstrap' })).toEqual({ name: 'bootstrap', mode: 'soft' });
    expect(LossConfigSchema.parse({ name: 'window' })).toEqual({ name: 'window', radius: 0.1 });
    expect(LossConfigSchema.parse({ name: 'entropy' })).toEqual({ name: 'entropy', auxCoef: 0.5, warmupFrac: 0.1, warmup: 'step' });
    expect(LossConfigSchema.parse({ name: 'adaptconf' })).toEqual({ name: 'adaptconf', temperature: 0.5, warmupFrac: 0 });
    expect(LossConfigSchema.parse({ name: 'cosupervise' })).toEqual({ name: 'cosupervise', warmupFrac: 0.2, denoiseTopK: 1 });
    // A parsed config is itself a valid makeLoss input.
    expect(typeof makeLoss(LossConfigSchema.parse({ name: 'logconf', warmup: 'linear' }))).toBe('function');
  });

  it('rejects unknown options and exports as JSON Schema (for manifest editors)', () => {
    expect(LossConfigSchema.safeParse({ name: 'logconf', auxcoef: 1 }).success).toBe(false);
    const schema = z.toJSONSchema(LossConfigSchema, { io: 'input' }) as { oneOf?: unknown[]; anyOf?: unknown[] };
    expect((schema.oneOf ?? schema.anyOf)?.length).toBe(8);
  });
});

describe('inside a tfjs training step', () => {
  it('works with optimizer.minimize and tf.variableGrads, and lowers the loss', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor2d(ZA);
    const y = tf.tensor2d(YA);
    const w = tf.tidy(() => tf.variable(tf.eye(2)));
    const loss = makeLoss({ name: 'logconf', warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2 });
    const f = () => loss(tf.matMul(x, w) as tf.Tensor2D, y, 1);

    const { value, grads } = tf.variableGrads(f, [w]);
    const g = grads[w.name]!.arraySync() as number[][];
    expect(g.flat().every(Number.isFinite)).toBe(true);
    expect(g.flat().some((v) => v !== 0)).toBe(true);
    const first = value.dataSync()[0]!;
    tf.dispose([value, grads]);

    const optimizer = tf.train.sgd(0.5);
    for (let i = 0; i < 20; i++) optimizer.minimize(f);
    const last = tf.tidy(() => f().dataSync()[0]!);
    expect(last).toBeLessThan(first);

    optimizer.dispose();
    tf.dispose([x, y, w]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
