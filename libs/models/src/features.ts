import type { ArtifactCache } from '@w2s/core';
import type { Dataset } from '@w2s/tasks';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backbone } from './backbone.js';
import { datasetInputsFingerprint, indicesFingerprint } from './fingerprint.js';

/** Examples per forward pass when computing features (bounded memory). */
export const FEATURE_BATCH = 256;
const FEATURES_FILE = 'features.f32';

/** Features of `indices` with the backbone's own weights, [n × featureDim] row-major, in batches. */
export function computeFeatures(backbone: Backbone, task: Dataset, indices: Int32Array): Float32Array {
  const out = new Float32Array(indices.length * backbone.featureDim);
  for (let start = 0; start < indices.length; start += FEATURE_BATCH) {
    const batch = indices.subarray(start, start + FEATURE_BATCH);
    const f = backbone.features(task, batch);
    try {
      out.set(f.dataSync(), start * backbone.featureDim);
    } finally {
      f.dispose();
    }
  }
  return out;
}

/** Cache key of the probe features of (backbone, task inputs, split indices). */
export function featuresKey(cache: ArtifactCache, backbone: Backbone, task: Dataset, indices: Int32Array): string {
  return cache.key('features', { task: task.name, inputs: datasetInputsFingerprint(task), indices: indicesFingerprint(indices) }, [backbone.key]);
}

/**
 * Probe features, computed once per (backbone, task, split) and cached as raw float32 in the
 * artifact cache; later calls (other heads, other losses, other experiments) read the file.
 */
export async function cachedFeatures(backbone: Backbone, task: Dataset, indices: Int32Array, cache: ArtifactCache): Promise<Float32Array> {
  const key = featuresKey(cache, backbone, task, indices);
  let fresh: Float32Array | undefined;
  const { dir } = await cache.getOrCreate(key, async (tmp) => {
    fresh = computeFeatures(backbone, task, indices);
    await writeFile(join(tmp, FEATURES_FILE), new Uint8Array(fresh.buffer, fresh.byteOffset, fresh.byteLength));
    await writeFile(join(tmp, 'meta.json'), `${JSON.stringify({ rows: indices.length, dim: backbone.featureDim, backbone: backbone.key, task: task.name })}\n`);
  });
  return fresh ?? readFeatures(dir, indices.length, backbone.featureDim);
}

/** The cached features if present (synchronous, for Classifier.predict), else undefined. */
export function cachedFeaturesSync(backbone: Backbone, task: Dataset, indices: Int32Array, cache: ArtifactCache): Float32Array | undefined {
  const key = featuresKey(cache, backbone, task, indices);
  return cache.has(key) ? readFeatures(cache.dir(key), indices.length, backbone.featureDim) : undefined;
}

function readFeatures(dir: string, rows: number, dim: number): Float32Array {
  const bytes = readFileSync(join(dir, FEATURES_FILE));
  if (bytes.byteLength !== rows * dim * 4) {
    throw new Error(`cached features in ${dir} hold ${bytes.byteLength} bytes, expected ${rows} × ${dim} float32`);
  }
  // Copy into a fresh, aligned buffer (a Buffer may share a pool at any offset).
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

