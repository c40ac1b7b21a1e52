import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bootstrap, bootstrapTarget } from './bootstrap.js';
import { YA, YK, ZA, ZK } from './test-utils/cases.js';
import { expectAllClose, useWasmBackend, valueAndGrad } from './test-utils/tf.js';

beforeAll(useWasmBackend);

// Expected values printed by reference/expected.py: numpy float64, soft t = β·y + (1 − β)·p,
// hard t = β·y + (1 − β)·eye[argmax p] (numpy argmax: first index on ties, as row 3 of case K has),
// loss CE(z, t), gradient (p − t)/B (t frozen).
const BOOTSTRAP_K = [
  { mode: 'soft', beta: 0.95, loss: 1.2896357715, grad: [[-0.0509207043, 0.0416314681, 0.0092892362], [0.0238947813, 0.007653436, -0.0315482172], [0.0218921062, 0.0192620011, -0.0411541074], [0.0921156934, 0.0921156934, -0.1842313868]] },
  { mode: 'hard', beta: 0.95, loss: 1.2773828902, grad: [[-0.0536007414, 0.043822598, 0.0097781433], [0.0276524013, 0.0118062484, -0.0394586497], [0.0230443224, 0.0152757907, -0.038320113], [0.0857138878, 0.0982138878, -0.1839277756]] },
  { mode: 'soft', beta: 0.8, loss: 1.2172694154, grad: [[-0.0428805931, 0.0350580784, 0.0078225147], [0.0201219211, 0.0064449987, -0.0265669198], [0.0184354579, 0.0162206325, -0.0346560904], [0.0775711102, 0.0775711102, -0.1551422205]] },
  { mode: 'hard', beta: 0.8, loss: 1.1682578902, grad: [[-0.0536007414, 0.043822598, 0.0097781433], [0.0351524013, 0.0230562484, -0.0582086497], [0.0230443224, 0.0002757907, -0.023320113], [0.0519638878, 0.1019638878, -0.1539277756]] },
  { mode: 'soft', beta: 0.3, loss: 0.9760482282, grad: [[-0.0160802224, 0.0131467794, 0.002933443], [0.0075457204, 0.0024168745, -0.0099625949], [0.0069132967, 0.0060827372, -0.0129960339], [0.0290891663, 0.0290891663, -0.0581783327]] },
  { mode: 'hard', beta: 0.3, loss: 0.8045078902, grad: [[-0.0536007414, 0.043822598, 0.0097781433], [0.0601524013, 0.0605562484, -0.1207086497], [0.0230443224, -0.0497242093, 0.026679887], [-0.0605361122, 0.1144638878, -0.0539277756]] },
];
const BOOTSTRAP_A = [
  { mode: 'soft', beta: 0.95, loss: 0.5314756710, grad: [[-0.0156608495, 0.0156608495], [-0.0664684595, 0.0664684595], [0.0156608495, -0.0156608495], [0.0293253018, -0.0293253018], [-0.0163086468, 0.0163086468]] },
  { mode: 'hard', beta: 0.8, loss: 0.4910923659, grad: [[-0.0204851048, 0.0204851048], [-0.0379667995, 0.0379667995], [0.0204851048, -0.0204851048], [0.0388687388, -0.0388687388], [-0.0051669966, 0.0051669966]] },
];

describe('bootstrap', () => {
  it.each(BOOTSTRAP_K)('3 classes, $mode, β = $beta', ({ mode, beta, loss, grad }) => {
    const got = valueAndGrad((z) => bootstrap(z, tf.tensor2d(YK), 0.5, { mode: mode as 'soft' | 'hard', beta }), ZK);
    expect(Math.abs(got.loss - loss)).toBeLessThanOrEqual(2e-6);
    expectAllClose(got.grad, grad, 5e-7);
  });

  it.each(BOOTSTRAP_A)('binary case A, $mode with its default β = $beta', ({ mode, loss, grad }) => {
    // No beta given: soft defaults to 0.95, hard to 0.8 (Reed et al. 2015).
    const got = valueAndGrad((z) => bootstrap(z, tf.tensor2d(YA), 0.5, { mode: mode as 'soft' | 'hard' }), ZA);
    expect(Math.abs(got.loss - loss)).toBeLessThanOrEqual(2e-6);
    expectAllClose(got.grad, grad, 5e-7);
  });

  it('targets by hand: p = [0.2, 0.8], y = [1, 0], β = 0.5', () => {
    const z = [[Math.log(0.2), Math.log(0.8)]];
    const soft = tf.tidy(() => bootstrapTarget(tf.tensor2d(z), tf.tensor2d([[1, 0]]), { beta: 0.5 }).arraySync());
    const hard = tf.tidy(() => bootstrapTarget(tf.tensor2d(z), tf.tensor2d([[1, 0]]), { mode: 'hard', beta: 0.5 }).arraySync());
    expectAllClose(soft, [[0.6, 0.4]], 1e-6);
    expectAllClose(hard, [[0.5, 0.5]], 1e-6);
  });
});
