import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { YA, YK, ZA, ZK } from './test-utils/cases.js';
import { expectAllClose, useWasmBackend, valueAndGrad } from './test-utils/tf.js';
import { adaptconf, AdaptconfOptionsSchema, adaptconfWeights } from './adaptconf.js';
import { makeLoss } from './registry.js';

beforeAll(useWasmBackend);

// Printed by reference/entropy_adaptconf.py (numpy float64), β computed literally as in the
// authors' code — exponentials of the two cross-entropies, not the sigmoid form used here — and the
// loss (1/B) Σ (1 − β)·CE(z, y) + β·CE(z, onehot argmax p); gradient (p − t)/B, t frozen, checked
// there against central differences. Case K row 3 has tied top logits (argmax: the first).
const ADAPTCONF = [
  { case: 'A', temperature: 0.5, warmupFrac: 0.0, s: 0.3, beta: [0.5, 0.4013123399, 0.5, 0.5, 0.5], loss: 0.4360503711, grad: [[-0.0264851048, 0.0264851048], [-0.0057568251, 0.0057568251], [0.0264851048, -0.0264851048], [0.0508687388, -0.0508687388], [0.0128330034, -0.0128330034]] },
  { case: 'A', temperature: 1.0, warmupFrac: 0.0, s: 0.0, beta: [0.5, 0.4501660027, 0.5, 0.5, 0.5], loss: 0.4344870538, grad: [[-0.0264851048, 0.0264851048], [0.002059761, -0.002059761], [0.0264851048, -0.0264851048], [0.0508687388, -0.0508687388], [0.0128330034, -0.0128330034]] },
  { case: 'A', temperature: 0.5, warmupFrac: 0.25, s: 0.1, beta: [0.2, 0.160524936, 0.2, 0.2, 0.2], loss: 0.4923555680, grad: [[-0.0204851048, 0.0204851048], [-0.0442828097, 0.0442828097], [0.0204851048, -0.0204851048], [0.0388687388, -0.0388687388], [-0.0051669966, 0.0051669966]] },
  { case: 'A', temperature: 2.0, warmupFrac: 0.25, s: 0.9, beta: [0.5, 0.4750208125, 0.5, 0.5, 0.5], loss: 0.4336916999, grad: [[-0.0264851048, 0.0264851048], [0.0060365305, -0.0060365305], [0.0264851048, -0.0264851048], [0.0508687388, -0.0508687388], [0.0128330034, -0.0128330034]] },
  { case: 'K', temperature: 0.5, warmupFrac: 0.0, s: 0.3, beta: [0.5, 0.5, 0.5, 0.0024726232], loss: 1.2485243163, grad: [[-0.0536007414, 0.043822598, 0.0097781433], [0.0501524013, 0.0455562484, -0.0957086497], [0.0230443224, -0.0297242093, 0.006679887], [0.0964075476, 0.0970257034, -0.1934332509]] },
  { case: 'K', temperature: 1.0, warmupFrac: 0.0, s: 0.0, beta: [0.5, 0.5, 0.5, 0.0474258732], loss: 1.2215523663, grad: [[-0.0536007414, 0.043822598, 0.0097781433], [0.0501524013, 0.0455562484, -0.0957086497], [0.0230443224, -0.0297242093, 0.006679887], [0.0862930663, 0.0981495346, -0.1844426009]] },
  { case: 'K', temperature: 0.5, warmupFrac: 0.25, s: 0.1, beta: [0.2, 0.2, 0.2, 0.0009890493], loss: 1.2876644606, grad: [[-0.0536007414, 0.043822598, 0.0097781433], [0.0351524013, 0.0230562484, -0.0582086497], [0.0230443224, 0.0002757907, -0.023320113], [0.0967413517, 0.096988614, -0.1937299657]] },
  { case: 'K', temperature: 2.0, warmupFrac: 0.25, s: 0.9, beta: [0.5, 0.5, 0.5, 0.1824255238], loss: 1.1405525759, grad: [[-0.0536007414, 0.043822598, 0.0097781433], [0.0501524013, 0.0455562484, -0.0957086497], [0.0230443224, -0.0297242093, 0.006679887], [0.0559181449, 0.1015245259, -0.1574426708]] },
];

const CASES = { A: { z: ZA, y: YA }, K: { z: ZK, y: YK } } as const;

describe('adaptive confidence distillation (Guo et al. 2024)', () => {
  it.each(ADAPTCONF)('case $case, T = $temperature, warmupFrac $warmupFrac at s = $s', ({ case: name, temperature, warmupFrac, s, beta, loss, grad }) => {
    const { z, y } = CASES[name as keyof typeof CASES];
    const options = { temperature, warmupFrac };
    const weights = tf.tidy(() => Array.from(adaptconfWeights(tf.tensor2d(z), tf.tensor2d(y), s, AdaptconfOptionsSchema.parse(options)).dataSync()));
    expectAllClose(weights, beta, 1e-6);
    const got = valueAndGrad((logits) => adaptconf(logits, tf.tensor2d(y), s, options), z);
    expect(Math.abs(got.loss - loss)).toBeLessThanOrEqual(2e-6);
    expectAllClose(got.grad, grad, 5e-7);
    const viaRegistry = valueAndGrad((logits) => makeLoss({ name: 'adaptconf', ...options })(logits, tf.tensor2d(y), s), z);
    expect(viaRegistry.loss).toBe(got.loss);
  });

  it('by hand: agreeing rows get β = ½; a student sure of the other class follows the teacher', () => {
    // Row 0 agrees (both class 0): β = ½. Row 1: z = [0, ln 3] → p = [¼, ¾], teacher class 0:
    // CE(z, ŝ) = −ln ¾, CE(z, ŵ) = −ln ¼; T = 1: β = (4/3) / (4/3 + 4) = 0.25.
    const beta = tf.tidy(() => Array.from(adaptconfWeights(tf.tensor2d([[1, 0], [0, Math.log(3)]]), tf.tensor2d([[0.9, 0.1], [0.8, 0.2]]), 0.5, AdaptconfOptionsSchema.parse({ temperature: 1 })).dataSync()));
    expectAllClose(beta, [0.5, 0.25], 1e-6);
  });

  it('rejects bad options naming them', () => {
    expect(() => makeLoss({ name: 'adaptconf', temperature: 0 })).toThrow('loss.temperature: must be > 0');
    expect(() => makeLoss({ name: 'adaptconf', warmupFrac: 1.5 })).toThrow('loss.warmupFrac: must be in [0, 1]');
  });
});
