import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@w2s/core';

/**
 * Named parameters of a model. Names are ours (used as file keys when saving weights);
 * the tf.Variables get tfjs' own unique names, so two models never clash in the engine registry.
 */
export type Params = Map<string, tf.Variable>;

/** A variable of `shape` with N(0, std²) entries drawn from `rng` (deterministic init). */
export function normalParam(rng: Rng, shape: number[], std: number): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tidy(() => tf.variable(tf.tensor(rng.normalArray(size, std), shape)));
}

export function zerosParam(shape: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zeros(shape)));
}

export function onesParam(shape: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.ones(shape)));
}

/** A dense layer's weight (He init, for ReLU-like activations) and zero bias, added to `params`. */
export function addDense(params: Params, rng: Rng, name: string, inDim: number, outDim: number, gain = 2): void {
  params.set(`${name}.w`, normalParam(rng, [inDim, outDim], Math.sqrt(gain / inDim)));
  params.set(`${name}.b`, zerosParam([outDim]));
}

/** The parameter `name`, or an error naming it (a programming error, not a user one). */
export function param(params: Params, name: string): tf.Variable {
  const p = params.get(name);
  if (!p) throw new Error(`missing parameter "${name}"`);
  return p;
}

/** Fresh variables with the same values (finetuning trains a copy, never the cached backbone). */
export function cloneParams(params: Params): Params {
  const out: Params = new Map();
  for (const [name, p] of params) out.set(name, tf.tidy(() => tf.variable(p.clone())));
  return out;
}

/** Variables holding the given tensors (values are copied; the tensors stay the caller's). */
export function paramsFromTensors(tensors: Record<string, tf.Tensor>): Params {
  const out: Params = new Map();
  for (const name of Object.keys(tensors).sort()) out.set(name, tf.tidy(() => tf.variable(tensors[name]!.clone())));
  return out;
}

export function disposeParams(params: Params): void {
  for (const p of params.values()) p.dispose();
  params.clear();
}
