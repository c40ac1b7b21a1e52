import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { YA, YK, ZA, ZK } from './test-utils/cases.js';
import { expectAllClose, useWasmBackend, valueAndGrad } from './test-utils/tf.js';
import { entropyLoss } from './entropy.js';
import { makeLoss } from './registry.js';

beforeAll(useWasmBackend);

// Printed by reference/entropy_adaptconf.py (numpy float64): L = (1 − c)·CE(z, y) + c·mean H(p),
// gradient through p in closed form, checked there against central differences.
const ENTROPY = [
  { case: 'A', warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, s: 0.05, c: 0.0250000000, loss: 0.5306840185, grad: [[-0.0171915755, 0.0171915755], [-0.0679701129, 0.0679701129], [0.0171915755, -0.0171915755], [0.030783373, -0.030783373], [-0.0156438823, 0.0156438823]] },
  { case: 'A', warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, s: 0.5, c: 0.5000000000, loss: 0.5457254170, grad: [[-0.0306145202, 0.0306145202], [-0.0300330683, 0.0300330683], [0.0306145202, -0.0306145202], [0.0291614238, -0.0291614238], [0.0132952888, -0.0132952888]] },
  { case: 'A', warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2, s: 0.1, c: 0.3750000000, loss: 0.5417671542, grad: [[-0.0270821663, 0.0270821663], [-0.0400165011, 0.0400165011], [0.0270821663, -0.0270821663], [0.0295882525, -0.0295882525], [0.0056797175, -0.0056797175]] },
  { case: 'A', warmup: 'linear', auxCoef: 1.0, warmupFrac: 0.2, s: 1.0, c: 1.0000000000, loss: 0.5615584680, grad: [[-0.0447439356, 0.0447439356], [0.0099006629, -0.0099006629], [0.0447439356, -0.0447439356], [0.0274541089, -0.0274541089], [0.0437575742, -0.0437575742]] },
  { case: 'K', warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, s: 0.05, c: 0.0250000000, loss: 1.3016968308, grad: [[-0.0541278577, 0.0439537664, 0.0101740913], [0.0247239769, 0.0078686619, -0.0325926387], [0.0233705458, 0.0179224845, -0.0412930303], [0.094317613, 0.094317613, -0.1886352259]] },
  { case: 'K', warmup: 'step', auxCoef: 0.5, warmupFrac: 0.1, s: 0.5, c: 0.5000000000, loss: 1.0725367031, grad: [[-0.0641430686, 0.0464459654, 0.0176971032], [0.0165839121, 0.0043045179, -0.0208884301], [0.0295687913, -0.0267903332, -0.0027784581], [0.0440383913, 0.0440383913, -0.0880767826]] },
  { case: 'K', warmup: 'linear', auxCoef: 0.75, warmupFrac: 0.2, s: 0.1, c: 0.3750000000, loss: 1.1328419999, grad: [[-0.0615074868, 0.0457901235, 0.0157173632], [0.0187260344, 0.0052424505, -0.023968485], [0.027937674, -0.0150238022, -0.0129138718], [0.0572697654, 0.0572697654, -0.1145395309]] },
  { case: 'K', warmup: 'linear', auxCoef: 1.0, warmupFrac: 0.2, s: 1.0, c: 1.0000000000, loss: 0.8313155160, grad: [[-0.0746853958, 0.0490693327, 0.025616063], [0.0080154229, 0.0005527875, -0.0085682104], [0.0360932602, -0.073856457, 0.0377631968], [-0.0088871052, -0.0088871052, 0.0177742103]] },
];

const CASES = { A: { z: ZA, y: YA }, K: { z: ZK, y: YK } } as const;

describe('entropy minimization', () => {
  it.each(ENTROPY)('case $case, $warmup c = $c at s = $s', ({ case: name, warmup, auxCoef, warmupFrac, s, loss, grad }) => {
    const { z, y } = CASES[name as keyof typeof CASES];
    const options = { warmup: warmup as 'step' | 'linear', auxCoef, warmupFrac };
    const got = valueAndGrad((logits) => entropyLoss(logits, tf.tensor2d(y), s, options), z);
    expect(Math.abs(got.loss - loss)).toBeLessThanOrEqual(2e-6);
    expectAllClose(got.grad, grad, 5e-7);
    // The registry builds the same loss.
    const viaRegistry = valueAndGrad((logits) => makeLoss({ name: 'entropy', ...options })(logits, tf.tensor2d(y), s), z);
    expect(viaRegistry.loss).toBe(got.loss);
  });

  it('by hand: c = 1 and a uniform prediction gives log K; a confident one almost 0', () => {
    const uniform = tf.tidy(() => entropyLoss(tf.tensor2d([[0, 0, 0]]), tf.tensor2d([[1, 0, 0]]), 1, { auxCoef: 1, warmup: 'linear' }).dataSync()[0]!);
    expect(Math.abs(uniform - Math.log(3))).toBeLessThanOrEqual(1e-6);
    const sure = tf.tidy(() => entropyLoss(tf.tensor2d([[30, 0]]), tf.tensor2d([[0, 1]]), 1, { auxCoef: 1, warmup: 'linear' }).dataSync()[0]!);
    expect(sure).toBeLessThan(1e-10);
  });

  it('rejects bad options naming them', () => {
    expect(() => makeLoss({ name: 'entropy', auxCoef: 2 })).toThrow('loss.auxCoef: must be ≤ 1');
    expect(() => makeLoss({ name: 'entropy', threshold: 'fixed' })).toThrow(/loss\.threshold: unknown option \(expected one of: auxCoef, warmupFrac, warmup\)/);
  });
});
