import * as tf from '@tensorflow/tfjs';
import { isUserError } from '@w2s/core/base';
import { beforeAll, describe, expect, it } from 'vitest';
import { confidenceCoef, hardenPredictions, logconf, logconfTarget } from './logconf.js';
import { RollingBuffer } from './quantile.js';
import { YA, YK, YR, YT, ZA, ZK, ZR, ZT } from './test-utils/cases.js';
import { expectAllClose, useWasmBackend, valueAndGrad } from './test-utils/tf.js';

beforeAll(useWasmBackend);

// Expected values: printed by reference/expected.py (numpy float64: softmax, np.quantile(method='linear'),
// the reference's `>=` hardening, the two coefficient schedules). Gradients there are the closed form
// (p − t)/B checked against float64 central differences with the target frozen (stop-grad).
// Tolerances: float32 tfjs vs float64 numpy, ~1e-7 relative error, so 2e-6 on the loss, 5e-7 on gradients.
const LOSS_TOL = 2e-6;
const GRAD_TOL = 5e-7;

// Case A (ZA, YA), every schedule × policy at s = 0, warmupFrac/2, warmupFrac, 0.5, 1.
const CASE_A_LOGCONF = [
  { warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, threshold: 'prior-quantile', s: 0.0, c: 0, loss: 0.5298923659, grad: [[-0.0164851048, 0.0164851048], [-0.0699667995, 0.0699667995], [0.0164851048, -0.0164851048], [0.0308687388, -0.0308687388], [-0.0171669966, 0.0171669966]] },
  { warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, threshold: 'prior-quantile', s: 0.05, c: 0.025, loss: 0.5260423659, grad: [[-0.0169851048, 0.0169851048], [-0.0709667995, 0.0709667995], [0.0169851048, -0.0169851048], [0.0318687388, -0.0318687388], [-0.0156669966, 0.0156669966]] },
  { warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, threshold: 'prior-quantile', s: 0.1, c: 0.05, loss: 0.5221923659, grad: [[-0.0174851048, 0.0174851048], [-0.0719667995, 0.0719667995], [0.0174851048, -0.0174851048], [0.0328687388, -0.0328687388], [-0.0141669966, 0.0141669966]] },
  { warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, threshold: 'prior-quantile', s: 0.5, c: 0.5, loss: 0.4528923659, grad: [[-0.0264851048, 0.0264851048], [-0.0899667995, 0.0899667995], [0.0264851048, -0.0264851048], [0.0508687388, -0.0508687388], [0.0128330034, -0.0128330034]] },
  { warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, threshold: 'prior-quantile', s: 1.0, c: 0.5, loss: 0.4528923659, grad: [[-0.0264851048, 0.0264851048], [-0.0899667995, 0.0899667995], [0.0264851048, -0.0264851048], [0.0508687388, -0.0508687388], [0.0128330034, -0.0128330034]] },
  { warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, threshold: 'median', s: 0.0, c: 0, loss: 0.5298923659, grad: [[-0.0164851048, 0.0164851048], [-0.0699667995, 0.0699667995], [0.0164851048, -0.0164851048], [0.0308687388, -0.0308687388], [-0.0171669966, 0.0171669966]] },
  { warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, threshold: 'median', s: 0.05, c: 0.025, loss: 0.5290423659, grad: [[-0.0169851048, 0.0169851048], [-0.0709667995, 0.0709667995], [0.0169851048, -0.0169851048], [0.0268687388, -0.0268687388], [-0.0156669966, 0.0156669966]] },
  { warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, threshold: 'median', s: 0.1, c: 0.05, loss: 0.5281923659, grad: [[-0.0174851048, 0.0174851048], [-0.0719667995, 0.0719667995], [0.0174851048, -0.0174851048], [0.0228687388, -0.0228687388], [-0.0141669966, 0.0141669966]] },
  { warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, threshold: 'median', s: 0.5, c: 0.5, loss: 0.5128923659, grad: [[-0.0264851048, 0.0264851048], [-0.0899667995, 0.0899667995], [0.0264851048, -0.0264851048], [-0.0491312612, 0.0491312612], [0.0128330034, -0.0128330034]] },
  { warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, threshold: 'median', s: 1.0, c: 0.5, loss: 0.5128923659, grad: [[-0.0264851048, 0.0264851048], [-0.0899667995, 0.0899667995], [0.0264851048, -0.0264851048], [-0.0491312612, 0.0491312612], [0.0128330034, -0.0128330034]] },
  { warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, threshold: 'fixed', s: 0.0, c: 0, loss: 0.5298923659, grad: [[-0.0164851048, 0.0164851048], [-0.0699667995, 0.0699667995], [0.0164851048, -0.0164851048], [0.0308687388, -0.0308687388], [-0.0171669966, 0.0171669966]] },
  { warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, threshold: 'fixed', s: 0.05, c: 0.025, loss: 0.5250423659, grad: [[-0.0169851048, 0.0169851048], [-0.0659667995, 0.0659667995], [0.0169851048, -0.0169851048], [0.0318687388, -0.0318687388], [-0.0156669966, 0.0156669966]] },
  { warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, threshold: 'fixed', s: 0.1, c: 0.05, loss: 0.5201923659, grad: [[-0.0174851048, 0.0174851048], [-0.0619667995, 0.0619667995], [0.0174851048, -0.0174851048], [0.0328687388, -0.0328687388], [-0.0141669966, 0.0141669966]] },
  { warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, threshold: 'fixed', s: 0.5, c: 0.5, loss: 0.4328923659, grad: [[-0.0264851048, 0.0264851048], [0.0100332005, -0.0100332005], [0.0264851048, -0.0264851048], [0.0508687388, -0.0508687388], [0.0128330034, -0.0128330034]] },
  { warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, threshold: 'fixed', s: 1.0, c: 0.5, loss: 0.4328923659, grad: [[-0.0264851048, 0.0264851048], [0.0100332005, -0.0100332005], [0.0264851048, -0.0264851048], [0.0508687388, -0.0508687388], [0.0128330034, -0.0128330034]] },
  { warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2, threshold: 'prior-quantile', s: 0.0, c: 0, loss: 0.5298923659, grad: [[-0.0164851048, 0.0164851048], [-0.0699667995, 0.0699667995], [0.0164851048, -0.0164851048], [0.0308687388, -0.0308687388], [-0.0171669966, 0.0171669966]] },
  { warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2, threshold: 'prior-quantile', s: 0.1, c: 0.375, loss: 0.4721423659, grad: [[-0.0239851048, 0.0239851048], [-0.0849667995, 0.0849667995], [0.0239851048, -0.0239851048], [0.0458687388, -0.0458687388], [0.0053330034, -0.0053330034]] },
  { warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2, threshold: 'prior-quantile', s: 0.2, c: 0.75, loss: 0.4143923659, grad: [[-0.0314851048, 0.0314851048], [-0.0999667995, 0.0999667995], [0.0314851048, -0.0314851048], [0.0608687388, -0.0608687388], [0.0278330034, -0.0278330034]] },
  { warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2, threshold: 'prior-quantile', s: 0.5, c: 0.75, loss: 0.4143923659, grad: [[-0.0314851048, 0.0314851048], [-0.0999667995, 0.0999667995], [0.0314851048, -0.0314851048], [0.0608687388, -0.0608687388], [0.0278330034, -0.0278330034]] },
  { warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2, threshold: 'prior-quantile', s: 1.0, c: 0.75, loss: 0.4143923659, grad: [[-0.0314851048, 0.0314851048], [-0.0999667995, 0.0999667995], [0.0314851048, -0.0314851048], [0.0608687388, -0.0608687388], [0.0278330034, -0.0278330034]] },
  { warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2, threshold: 'median', s: 0.0, c: 0, loss: 0.5298923659, grad: [[-0.0164851048, 0.0164851048], [-0.0699667995, 0.0699667995], [0.0164851048, -0.0164851048], [0.0308687388, -0.0308687388], [-0.0171669966, 0.0171669966]] },
  { warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2, threshold: 'median', s: 0.1, c: 0.375, loss: 0.5171423659, grad: [[-0.0239851048, 0.0239851048], [-0.0849667995, 0.0849667995], [0.0239851048, -0.0239851048], [-0.0291312612, 0.0291312612], [0.0053330034, -0.0053330034]] },
  { warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2, threshold: 'median', s: 0.2, c: 0.75, loss: 0.5043923659, grad: [[-0.0314851048, 0.0314851048], [-0.0999667995, 0.0999667995], [0.0314851048, -0.0314851048], [-0.0891312612, 0.0891312612], [0.0278330034, -0.0278330034]] },
  { warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2, threshold: 'median', s: 0.5, c: 0.75, loss: 0.5043923659, grad: [[-0.0314851048, 0.0314851048], [-0.0999667995, 0.0999667995], [0.0314851048, -0.0314851048], [-0.0891312612, 0.0891312612], [0.0278330034, -0.0278330034]] },
  { warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2, threshold: 'median', s: 1.0, c: 0.75, loss: 0.5043923659, grad: [[-0.0314851048, 0.0314851048], [-0.0999667995, 0.0999667995], [0.0314851048, -0.0314851048], [-0.0891312612, 0.0891312612], [0.0278330034, -0.0278330034]] },
  { warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2, threshold: 'fixed', s: 0.0, c: 0, loss: 0.5298923659, grad: [[-0.0164851048, 0.0164851048], [-0.0699667995, 0.0699667995], [0.0164851048, -0.0164851048], [0.0308687388, -0.0308687388], [-0.0171669966, 0.0171669966]] },
  { warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2, threshold: 'fixed', s: 0.1, c: 0.375, loss: 0.4571423659, grad: [[-0.0239851048, 0.0239851048], [-0.0099667995, 0.0099667995], [0.0239851048, -0.0239851048], [0.0458687388, -0.0458687388], [0.0053330034, -0.0053330034]] },
  { warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2, threshold: 'fixed', s: 0.2, c: 0.75, loss: 0.3843923659, grad: [[-0.0314851048, 0.0314851048], [0.0500332005, -0.0500332005], [0.0314851048, -0.0314851048], [0.0608687388, -0.0608687388], [0.0278330034, -0.0278330034]] },
  { warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2, threshold: 'fixed', s: 0.5, c: 0.75, loss: 0.3843923659, grad: [[-0.0314851048, 0.0314851048], [0.0500332005, -0.0500332005], [0.0314851048, -0.0314851048], [0.0608687388, -0.0608687388], [0.0278330034, -0.0278330034]] },
  { warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2, threshold: 'fixed', s: 1.0, c: 0.75, loss: 0.3843923659, grad: [[-0.0314851048, 0.0314851048], [0.0500332005, -0.0500332005], [0.0314851048, -0.0314851048], [0.0608687388, -0.0608687388], [0.0278330034, -0.0278330034]] },
];

// Ties at τ: level mean(y1) = 0.25 → τ = x_(1) = 0.5 exactly, shared by rows 2 and 3, which both go to class 0.
// auxCoef 1, s = 1 (step) → c = 1, so the target is ŷ itself.
const TIES = {
  auxCoef1: { loss: 0.4601122088, grad: [[0.0537882843, -0.0537882843], [-0.0755081338, 0.0755081338], [-0.1, 0.1], [-0.1, 0.1], [-0.0238405844, 0.0238405844]] },
};

// Case K (3 classes): only `fixed` applies. Step schedule, auxCoef 0.5, warmupFrac 0.1.
const CASE_K_LOGCONF = [
  { s: 0.0, loss: 1.3137578902, grad: [[-0.0536007414, 0.043822598, 0.0097781433], [0.0251524013, 0.0080562484, -0.0332086497], [0.0230443224, 0.0202757907, -0.043320113], [0.0969638878, 0.0969638878, -0.1939277756]] },
  { s: 0.05, loss: 1.2955703902, grad: [[-0.0536007414, 0.043822598, 0.0097781433], [0.0264024013, 0.0099312484, -0.0363336497], [0.0230443224, 0.0177757907, -0.040820113], [0.0913388878, 0.0975888878, -0.1889277756]] },
  { s: 0.1, loss: 1.2773828902, grad: [[-0.0536007414, 0.043822598, 0.0097781433], [0.0276524013, 0.0118062484, -0.0394586497], [0.0230443224, 0.0152757907, -0.038320113], [0.0857138878, 0.0982138878, -0.1839277756]] },
  { s: 1.0, loss: 0.9500078902, grad: [[-0.0536007414, 0.043822598, 0.0097781433], [0.0501524013, 0.0455562484, -0.0957086497], [0.0230443224, -0.0297242093, 0.006679887], [-0.0155361122, 0.1094638878, -0.0939277756]] },
];

// Rolling: a buffer of 6 after case A (5 rows) then batch R (2 rows) holds A rows 1..4 and R;
// level = mean y1 over the buffer = 0.7, τ = 0.48757 → both R rows class 0. prior-quantile on R alone
// (level 0.8, τ = 0.54486) sends row 1 to class 1. Step schedule, defaults, s = 0.5 → c = 0.5.
const ROLLING = {
  secondBatch: { loss: 0.6762677647, grad: [[-0.0750830013, 0.0750830013], [0.0124895937, -0.0124895937]] },
  secondBatchPriorQuantile: { loss: 0.7012677647, grad: [[-0.0750830013, 0.0750830013], [0.2624895937, -0.2624895937]] },
};

describe('confidenceCoef', () => {
  // Hand-computed from the two formulas.
  it('step schedule (reference code): c = auxCoef · (s ≤ warmupFrac ? s : 1)', () => {
    const o = { auxCoef: 0.5, warmupFrac: 0.1, warmup: 'step' } as const;
    expect(confidenceCoef(0, o)).toBe(0);
    expect(confidenceCoef(0.05, o)).toBeCloseTo(0.025, 15);
    expect(confidenceCoef(0.1, o)).toBeCloseTo(0.05, 15); // s = warmupFrac: still the ramp
    expect(confidenceCoef(0.1000001, o)).toBe(0.5); // just after: the jump to auxCoef
    expect(confidenceCoef(1, o)).toBe(0.5);
  });
  it('linear schedule (paper): c = auxCoef · min(1, s / warmupFrac)', () => {
    const o = { auxCoef: 0.75, warmupFrac: 0.2, warmup: 'linear' } as const;
    expect(confidenceCoef(0, o)).toBe(0);
    expect(confidenceCoef(0.1, o)).toBeCloseTo(0.375, 15);
    expect(confidenceCoef(0.2, o)).toBe(0.75);
    expect(confidenceCoef(1, o)).toBe(0.75);
    expect(confidenceCoef(0.5, { ...o, warmupFrac: 1 })).toBe(0.375);
  });
});

describe('hardenPredictions', () => {
  function classes(policy: 'prior-quantile' | 'median' | 'fixed', z: number[][], y: number[][]): number[] {
    return tf.tidy(() => {
      const hard = hardenPredictions(tf.softmax(tf.tensor2d(z)) as tf.Tensor2D, tf.tensor2d(y), policy);
      return Array.from(tf.argMax(hard, 1).dataSync());
    });
  }
  // Class-0 rows from reference/expected.py: prior-quantile τ = 0.36968 → {0, 1}; median τ = 0.35434 = p_3,0 → {0, 1, 3}
  // (a tie at τ goes to class 0); fixed (argmax) → {0}.
  it('prior-quantile, median and fixed pick the reference classes on case A', () => {
    expect(classes('prior-quantile', ZA, YA)).toEqual([0, 0, 1, 1, 1]);
    expect(classes('median', ZA, YA)).toEqual([0, 0, 1, 0, 1]);
    expect(classes('fixed', ZA, YA)).toEqual([0, 1, 1, 1, 1]);
  });
  it('ties at τ go to class 0', () => {
    expect(classes('prior-quantile', ZT, YT)).toEqual([1, 0, 0, 0, 0]);
  });
  it('level 0 sends every row to class 0; level 1 keeps class 0 only for the largest p0 (np.quantile at 0 and 1)', () => {
    const allClass0 = ZA.map(() => [1, 0]);
    const allClass1 = ZA.map(() => [0, 1]);
    expect(classes('prior-quantile', ZA, allClass0)).toEqual([0, 0, 0, 0, 0]);
    expect(classes('prior-quantile', ZA, allClass1)).toEqual([0, 1, 1, 1, 1]);
  });
  it('fixed breaks an argmax tie toward the lowest class index', () => {
    expect(classes('fixed', [[0, 0], [1, 1]], [[1, 0], [0, 1]])).toEqual([0, 0]);
  });
});

describe('logconf values and gradients', () => {
  it.each(CASE_A_LOGCONF)('$warmup / $threshold at s = $s (c = $c)', ({ warmup, auxCoef, warmupFrac, threshold, s, loss, grad }) => {
    const options = { auxCoef, warmupFrac, warmup: warmup as 'step' | 'linear', threshold: threshold as 'prior-quantile' | 'median' | 'fixed' };
    const got = valueAndGrad((z) => logconf(z, tf.tensor2d(YA), s, options), ZA);
    expect(Math.abs(got.loss - loss)).toBeLessThanOrEqual(LOSS_TOL);
    expectAllClose(got.grad, grad, GRAD_TOL);
  });

  it('ties at τ (prior-quantile)', () => {
    const got = valueAndGrad((z) => logconf(z, tf.tensor2d(YT), 1, { auxCoef: 1 }), ZT);
    expect(Math.abs(got.loss - TIES.auxCoef1.loss)).toBeLessThanOrEqual(LOSS_TOL);
    expectAllClose(got.grad, TIES.auxCoef1.grad, GRAD_TOL);
  });

  it.each(CASE_K_LOGCONF)('3 classes, fixed threshold at s = $s', ({ s, loss, grad }) => {
    const got = valueAndGrad((z) => logconf(z, tf.tensor2d(YK), s, { threshold: 'fixed' }), ZK);
    expect(Math.abs(got.loss - loss)).toBeLessThanOrEqual(LOSS_TOL);
    expectAllClose(got.grad, grad, GRAD_TOL);
  });

  it('the target is (1 − c)·y + c·ŷ and holds no gradient path', () => {
    // c = 0.05 at s = 0.1 (step, defaults); ŷ rows from the prior-quantile classes above.
    const target = tf.tidy(() => logconfTarget(tf.tensor2d(ZA), tf.tensor2d(YA), 0.1).arraySync());
    const yhat = [[1, 0], [1, 0], [0, 1], [0, 1], [0, 1]];
    expectAllClose(target, YA.map((row, i) => row.map((v, c) => 0.95 * v + 0.05 * yhat[i]![c]!)), 1e-7);
  });
});

describe('logconf rolling threshold', () => {
  it('first batch: the buffer holds only this batch, so it equals prior-quantile', () => {
    const buffer = new RollingBuffer(6);
    const rolling = valueAndGrad((z) => logconf(z, tf.tensor2d(YA), 0.5, { threshold: 'rolling' }, buffer), ZA);
    const expected = CASE_A_LOGCONF.find((r) => r.warmup === 'step' && r.threshold === 'prior-quantile' && r.s === 0.5)!;
    expect(Math.abs(rolling.loss - expected.loss)).toBeLessThanOrEqual(LOSS_TOL);
    expectAllClose(rolling.grad, expected.grad, GRAD_TOL);
    expect(buffer.size).toBe(5);
  });

  it('second batch: τ comes from the last 6 examples, not from the batch alone', () => {
    const buffer = new RollingBuffer(6);
    tf.dispose(logconf(tf.tensor2d(ZA), tf.tensor2d(YA), 0.5, { threshold: 'rolling' }, buffer));
    const rolling = valueAndGrad((z) => logconf(z, tf.tensor2d(YR), 0.5, { threshold: 'rolling' }, buffer), ZR);
    expect(buffer.size).toBe(6);
    expect(Math.abs(rolling.loss - ROLLING.secondBatch.loss)).toBeLessThanOrEqual(LOSS_TOL);
    expectAllClose(rolling.grad, ROLLING.secondBatch.grad, GRAD_TOL);

    const alone = valueAndGrad((z) => logconf(z, tf.tensor2d(YR), 0.5), ZR);
    expect(Math.abs(alone.loss - ROLLING.secondBatchPriorQuantile.loss)).toBeLessThanOrEqual(LOSS_TOL);
    expectAllClose(alone.grad, ROLLING.secondBatchPriorQuantile.grad, GRAD_TOL);
  });

  it('the pure function asks for a buffer instead of silently using one batch', () => {
    expect(() => logconf(tf.tensor2d(ZA), tf.tensor2d(YA), 0.5, { threshold: 'rolling' })).toThrow(
      /^loss\.threshold: 'rolling' keeps a buffer across steps/,
    );
  });
});

describe('logconf errors', () => {
  it.each(['prior-quantile', 'median', 'rolling'] as const)('%s on K = 3 is a UserError naming loss.threshold', (threshold) => {
    let error: unknown;
    try {
      tf.tidy(() => logconf(tf.tensor2d(ZK), tf.tensor2d(YK), 0.5, { threshold }, new RollingBuffer(8)));
    } catch (e) {
      error = e;
    }
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe(
      `loss.threshold: '${threshold}' is binary-only (K = 2) but got K = 3 classes; use threshold: fixed`,
    );
  });

  it('option and input errors name what is wrong', () => {
    const z = tf.tensor2d(ZA);
    const y = tf.tensor2d(YA);
    expect(() => logconf(z, y, 0.5, { auxCoef: -0.1 })).toThrow('loss.auxCoef: must be ≥ 0');
    expect(() => logconf(z, y, 0.5, { warmupFrac: 0 })).toThrow('loss.warmupFrac: must be in (0, 1]');
    expect(() => logconf(z, y, 1.5)).toThrow('loss: stepFrac must be in [0, 1] (step / total steps), got 1.5');
    expect(() => logconf(z, tf.tensor2d(YK), 0.5)).toThrow('loss: logits [5,2] and targets [4,3] must have the same shape');
    tf.dispose([z, y]);
  });
});
