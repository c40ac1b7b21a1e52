import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@w2s/core';
import { addDense, param, zerosParam, type Params } from './init.js';
import { dense } from './ops.js';

/** Hidden width of the `mlp` head. */
export const MLP_HEAD_HIDDEN = 64;

/**
 * A classification head on features: `linear` (logistic regression) or `mlp` (one ReLU layer).
 * The output layer starts at zero (uniform predictions, as logistic regression does), so the first
 * steps move straight toward the labels instead of undoing a random start.
 */
export function initHead(kind: 'linear' | 'mlp', inDim: number, numClasses: number, rng: Rng): Params {
  const params: Params = new Map();
  let width = inDim;
  if (kind === 'mlp') {
    addDense(params, rng.fork('head.hidden'), 'head.hidden', inDim, MLP_HEAD_HIDDEN);
    width = MLP_HEAD_HIDDEN;
  }
  params.set('head.out.w', zerosParam([width, numClasses]));
  params.set('head.out.b', zerosParam([numClasses]));
  return params;
}

/** Logits [n, K] from features [n, d]. */
export function headForward(params: Params, kind: 'linear' | 'mlp', features: tf.Tensor2D): tf.Tensor2D {
  const h = kind === 'linear' ? features : tf.relu(dense(features, param(params, 'head.hidden.w'), param(params, 'head.hidden.b')));
  return dense(h, param(params, 'head.out.w'), param(params, 'head.out.b'));
}
