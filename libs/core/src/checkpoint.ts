import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from './atomic.js';
import { UserError } from './errors.js';

/**
 * Checkpoints on the local file system without tfjs-node.
 * A LayersModel dir is the standard tfjs layout: model.json (topology + weightsManifest) and the
 * binary weight files it lists (we write one, weights.bin; tfjs converters write
 * group1-shard1ofN.bin etc., which load too). A plain weights dir (saveWeights) holds
 * tensors.json (manifest) + tensors.bin. Each file is written atomically, binary first and
 * manifest last, so whoever finds a manifest finds its weights complete.
 */
export const MODEL_JSON = 'model.json';
export const MODEL_WEIGHTS = 'weights.bin';
export const TENSORS_JSON = 'tensors.json';
export const TENSORS_BIN = 'tensors.bin';

/**
 * A tf.io.IOHandler for a directory: `model.save(fileIOHandler(dir))` and
 * `tf.loadLayersModel(fileIOHandler(dir))`.
 */
export function fileIOHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('fileIOHandler: binary (GraphDef) topologies are not supported; save a LayersModel');
      }
      const weightData = artifacts.weightData ? tf.io.concatenateArrayBuffers(artifacts.weightData) : new ArrayBuffer(0);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [MODEL_WEIGHTS], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig != null && { trainingConfig: artifacts.trainingConfig }),
        ...(artifacts.signature != null && { signature: artifacts.signature }),
        ...(artifacts.userDefinedMetadata != null && { userDefinedMetadata: artifacts.userDefinedMetadata }),
        ...(artifacts.modelInitializer != null && { modelInitializer: artifacts.modelInitializer }),
        ...(artifacts.initializerSignature != null && { initializerSignature: artifacts.initializerSignature }),
      };
      await writeFileAtomic(join(dir, MODEL_WEIGHTS), new Uint8Array(weightData));
      await writeJsonAtomic(join(dir, MODEL_JSON), modelJson);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = join(dir, MODEL_JSON);
      const modelJson = await readJsonFile<tf.io.ModelJSON>(jsonPath, 'no tfjs model here (model.json not found)');
      if (typeof modelJson !== 'object' || modelJson === null || modelJson.modelTopology == null) {
        throw new UserError('not a tfjs LayersModel: model.json has no modelTopology', jsonPath);
      }
      return tf.io.getModelArtifactsForJSON(modelJson, (manifest) => readWeightFiles(dir, manifest, jsonPath));
    },
  };
}

/** Saves named tensors (e.g. a model's parameters, no optimizer state) to `dir`. */
export async function saveWeights(dir: string, tensors: tf.NamedTensorMap): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  const manifest = { format: 'w2s-tensors', weightsManifest: [{ paths: [TENSORS_BIN], weights: specs }] };
  await writeFileAtomic(join(dir, TENSORS_BIN), new Uint8Array(data));
  await writeJsonAtomic(join(dir, TENSORS_JSON), manifest);
}

/** Loads what saveWeights wrote; the caller owns (and disposes) the returned tensors. */
export async function loadWeights(dir: string): Promise<tf.NamedTensorMap> {
  const jsonPath = join(dir, TENSORS_JSON);
  const json = await readJsonFile<{ weightsManifest?: tf.io.WeightsManifestConfig }>(jsonPath, 'no saved weights here (tensors.json not found)');
  if (!Array.isArray(json?.weightsManifest)) throw new UserError('tensors.json has no weightsManifest', jsonPath);
  const [specs, data] = await readWeightFiles(dir, json.weightsManifest, jsonPath);
  return tf.io.decodeWeights(data, specs);
}

async function readJsonFile<T>(path: string, missing: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UserError(missing, path);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new UserError(`corrupt JSON (${(e as Error).message})`, path);
  }
}

/** Reads every file of a weights manifest in order and checks the total size against the specs. */
async function readWeightFiles(
  dir: string,
  manifest: tf.io.WeightsManifestConfig,
  manifestPath: string,
): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const root = resolve(dir);
  const buffers: Uint8Array[] = [];
  for (const group of manifest) {
    for (const rel of group.paths ?? []) {
      const path = resolve(root, rel);
      if (!path.startsWith(root + sep)) throw new UserError(`weight path "${rel}" points outside the directory`, manifestPath);
      try {
        buffers.push(await readFile(path));
      } catch {
        throw new UserError(`weight file listed in ${manifestPath} is missing`, path);
      }
    }
  }
  const specs = tf.io.getWeightSpecs(manifest);
  const joined = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const b of buffers) {
    joined.set(b, offset);
    offset += b.byteLength;
  }
  const expected = expectedBytes(specs);
  if (expected !== null && expected !== joined.byteLength) {
    throw new UserError(`corrupt weights: manifest describes ${expected} bytes, files hold ${joined.byteLength}`, dir);
  }
  return [specs, joined.buffer];
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Bytes the specs occupy, or null when that cannot be known upfront (string tensors). */
function expectedBytes(specs: tf.io.WeightsManifestEntry[]): number | null {
  let total = 0;
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const bytes = BYTES_PER_ELEMENT[dtype];
    if (bytes === undefined) return null;
    total += spec.shape.reduce((n, d) => n * d, 1) * bytes;
  }
  return total;
}
