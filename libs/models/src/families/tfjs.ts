import * as tf from '@tensorflow/tfjs';
import { fileIOHandler, UserError } from '@w2s/core';
import type { Dataset } from '@w2s/tasks';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { frozenBackbone, type Backbone, type BackboneContext } from '../backbone.js';
import type { Family } from '../family.js';
import { hashParts } from '../fingerprint.js';
import type { ModelSpec } from '../spec.js';
import { gatherRows, taskMatrix } from '../vectors.js';

/** Content of the model directory (model.json and weight files), for the cache key. */
export function modelDirFingerprint(dir: string): string {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f === 'model.json' || f.endsWith('.bin')).sort();
  } catch {
    throw new UserError('tfjs model directory not found', dir);
  }
  return hashParts(files.flatMap((f) => [f, readFileSync(join(dir, f))]));
}

/**
 * A user's tfjs LayersModel (a directory with model.json + weights) as a frozen feature extractor:
 * the features are the output of `spec.layer` (default: the model's output), flattened.
 * The task's numeric inputs are reshaped to the model's input shape.
 */
export async function loadTfjs(spec: Pick<ModelSpec, 'family' | 'size' | 'path' | 'layer'>, task: Dataset, ctx: BackboneContext): Promise<Backbone> {
  if (!spec.path) throw new UserError('the tfjs family needs `path`: a directory holding model.json and its weight files', 'model.path');
  const dir = resolve(spec.path);
  const fingerprint = modelDirFingerprint(dir);
  const full = await tf.loadLayersModel(fileIOHandler(dir));
  let model: tf.LayersModel = full;
  if (spec.layer) {
    const names = full.layers.map((l) => l.name);
    if (!names.includes(spec.layer)) {
      full.dispose();
      throw new UserError(`model has no layer "${spec.layer}"; layers: ${names.join(', ')}`, 'model.layer');
    }
    model = tf.model({ inputs: full.inputs, outputs: full.getLayer(spec.layer).output as tf.SymbolicTensor });
  }
  const inputShape = (model.inputs[0]!.shape ?? []).slice(1) as number[];
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  const outShape = (model.outputs[0]!.shape ?? []).slice(1) as number[];
  const featureDim = outShape.reduce((a, b) => a * b, 1);
  const { dim } = taskMatrix(task, 'tfjs');
  if (inputShape.some((d) => d == null) || inputSize !== dim) {
    full.dispose();
    throw new UserError(`model input shape [${inputShape.join(', ')}] does not match task "${task.name}" inputs of ${dim} numbers`, dir);
  }
  const key = ctx.cache.key('tfjs', { model: fingerprint, layer: spec.layer ?? null });
  const features = (t: Dataset, indices: Int32Array) => {
    const { x } = taskMatrix(t, 'tfjs');
    return tf.tidy(() => {
      const input = tf.tensor(gatherRows(x, dim, indices), [indices.length, ...inputShape]);
      const out = model.predict(input) as tf.Tensor;
      return tf.reshape(out, [indices.length, featureDim]) as tf.Tensor2D;
    });
  };
  return frozenBackbone({ key, spec: { family: 'tfjs', size: spec.size }, featureDim, features, dispose: () => full.dispose() });
}

export const tfjsFamily: Family = {
  name: 'tfjs',
  description: "a user's tfjs LayersModel directory (model.json + weights) as a frozen backbone; spec.layer picks a layer's output",
  modalities: ['image', 'vector'],
  sizes: [],
  reference: 'the model',
  ladder: () => [],
  load: loadTfjs,
};
