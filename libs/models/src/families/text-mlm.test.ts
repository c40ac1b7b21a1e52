// The masked-token pretraining step of the text transformers: its fast formulation (row gathers,
// class-id cross-entropy, wasm row kernels) must follow the loss trajectory of the one-hot
// formulation it replaced, computed on the tfjs cpu backend.
import * as tf from '@tensorflow/tfjs';
import { Adam, expectNoTensorLeak, Rng, softCrossEntropy } from '@w2s/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeParams, param, type Params } from '../init.js';
import { dense } from '../ops.js';
import { useWasm } from '../test-utils/setup.js';
import { MASK } from '../tokenizer.js';
import { initPretrainOutput, initText, maskedTokenLoss, TEXT_LADDER, transformerHidden, type TextSize } from './text.js';

beforeAll(useWasm);

const SIZE: TextSize = TEXT_LADDER.l!; // the real text-l shapes: vocab 4000, d 64, 4 heads, T 64
const BATCH = 6; // fewer sequences than pretraining's 32, so the cpu reference stays quick
const STEPS = 3;

/** Sequences of random words, one of them shorter than T (padded). */
function sequences(): Int32Array[] {
  const rng = new Rng(5);
  return Array.from({ length: BATCH }, (_, i) => Int32Array.from({ length: i === 0 ? 40 : SIZE.seqLen! }, () => 4 + rng.int(SIZE.vocab - 4)));
}

/** The embedding lookup as written before (issue 17): onehot(ids) · E, with matMul's gradient. */
const oneHotEmbed = (table: tf.Tensor2D, ids: Int32Array) => tf.matMul(tf.oneHot(tf.tensor1d(ids, 'int32'), table.shape[0]).toFloat() as tf.Tensor2D, table) as tf.Tensor2D;

/**
 * The masked-token loss as written before (issue 17): one-hot embedding products, masked rows
 * picked by a 0/1 selection matrix, targets as one-hot rows, softCrossEntropy. Same masking
 * draws as maskedTokenLoss.
 */
function oneHotMaskedTokenLoss(params: Params, out: Params, batch: Int32Array[], maskRng: Rng): tf.Scalar {
  const t = SIZE.seqLen!;
  const ids = new Int32Array(batch.length * t);
  const mask = new Float32Array(batch.length * t);
  batch.forEach((s, i) => s.forEach((id, j) => ((ids[i * t + j] = id), (mask[i * t + j] = 1))));
  const masked: number[] = [];
  for (let i = 0; i < ids.length; i++) if (mask[i] === 1 && maskRng.uniform() < 0.15) masked.push(i);
  const input = ids.slice();
  for (const i of masked) input[i] = MASK;
  const hidden = transformerHidden(params, SIZE, input, tf.tensor2d(mask, [batch.length, t]), oneHotEmbed);
  const select = tf.oneHot(tf.tensor1d(masked, 'int32'), ids.length).toFloat() as tf.Tensor2D;
  const picked = tf.matMul(select, tf.reshape(hidden, [ids.length, SIZE.dim]) as tf.Tensor2D) as tf.Tensor2D;
  const logits = dense(picked, param(out, 'out.w'), param(out, 'out.b'));
  const targets = tf.oneHot(tf.tensor1d(masked.map((i) => ids[i]!), 'int32'), SIZE.vocab).toFloat() as tf.Tensor2D;
  return softCrossEntropy(logits, targets);
}

/** STEPS Adam steps (pretraining's lr) from the same seeded weights and masks; the losses. */
function trajectory(lossOf: (params: Params, out: Params, batch: Int32Array[], maskRng: Rng) => tf.Scalar): number[] {
  const rng = new Rng(11);
  const params = initText(SIZE, rng.fork('init'));
  const out = initPretrainOutput(SIZE, rng);
  const all = [...params.values(), ...out.values()];
  const adam = new Adam(all);
  const maskRng = rng.fork('masks');
  const batch = sequences();
  const losses: number[] = [];
  for (let s = 0; s < STEPS; s++) {
    const { value, grads } = tf.variableGrads(() => lossOf(params, out, batch, maskRng), all);
    adam.step(all.map((p) => grads[p.name]), SIZE.budget.lr);
    losses.push(value.dataSync()[0]!);
    tf.dispose([value, ...Object.values(grads)]);
  }
  adam.dispose();
  disposeParams(params);
  disposeParams(out);
  return losses;
}

describe('text-l masked-token pretraining', () => {
  it('follows the one-hot formulation computed on the cpu backend, step by step, without leaking tensors', async () => {
    await tf.setBackend('cpu');
    let reference: number[];
    try {
      reference = trajectory(oneHotMaskedTokenLoss);
    } finally {
      await tf.setBackend('wasm');
    }
    const fast = await expectNoTensorLeak(() => trajectory((p, o, b, r) => maskedTokenLoss(p, o, SIZE, b, r)));
    expect(reference[0]).toBeGreaterThan(Math.log(SIZE.vocab) - 0.5); // near-uniform predictions at the start
    expect(reference[STEPS - 1]).toBeLessThan(reference[0]!); // and it learns: the check is not of a flat line
    fast.forEach((loss, i) => expect(Math.abs(loss - reference[i]!) / reference[i]!).toBeLessThan(2e-5));
  });
});
