import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fileIOHandler, loadWeights, saveWeights } from './checkpoint.js';
import { isUserError } from './errors.js';
import { expectNoTensorLeak } from './leak-guard.js';
import { Rng } from './rng.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'w2s-ckpt-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function smallModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [3], units: 5, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  return model;
}

const input = () => tf.tensor2d(new Rng(1).normalArray(12), [4, 3]);

async function predict(model: tf.LayersModel): Promise<number[]> {
  const x = input();
  const y = model.predict(x) as tf.Tensor;
  const values = Array.from(await y.data());
  tf.dispose([x, y]);
  return values;
}

async function expectUserError(p: Promise<unknown>, ...mentions: string[]): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isUserError(err)).toBe(true);
  for (const m of mentions) expect((err as Error).message).toContain(m);
}

describe('fileIOHandler', () => {
  it('saves a LayersModel in the standard tfjs layout and loads it back with identical predictions', async () => {
    const dir = join(root, 'model');
    const model = smallModel();
    const before = await predict(model);
    await model.save(fileIOHandler(dir));
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    // 3*5 + 5 + 5*2 + 2 = 32 float32 weights
    expect(readFileSync(join(dir, 'weights.bin')).byteLength).toBe(32 * 4);

    const loaded = await tf.loadLayersModel(fileIOHandler(dir));
    expect(await predict(loaded)).toEqual(before);
    model.dispose();
    loaded.dispose();
  });

  it('loads a converter-style dir whose weights are split over several shard files', async () => {
    const dir = join(root, 'model');
    const model = smallModel();
    const before = await predict(model);
    await model.save(fileIOHandler(dir));
    // rewrite it the way tensorflowjs_converter shards weights: group1-shard{1,2}of2.bin
    const bin = readFileSync(join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'group1-shard1of2.bin'), bin.subarray(0, 50));
    writeFileSync(join(dir, 'group1-shard2of2.bin'), bin.subarray(50));
    unlinkSync(join(dir, 'weights.bin'));
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    const loaded = await tf.loadLayersModel(fileIOHandler(dir));
    expect(await predict(loaded)).toEqual(before);
    model.dispose();
    loaded.dispose();
  });

  it('names the path when the model dir is missing or corrupt', async () => {
    const missing = join(root, 'nope');
    await expectUserError(tf.loadLayersModel(fileIOHandler(missing)), join(missing, 'model.json'), 'not found');

    const dir = join(root, 'model');
    const model = smallModel();
    await model.save(fileIOHandler(dir));
    model.dispose();
    const bin = readFileSync(join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'weights.bin'), bin.subarray(0, 100)); // truncated
    await expectUserError(tf.loadLayersModel(fileIOHandler(dir)), dir, 'corrupt weights', '128 bytes');
    unlinkSync(join(dir, 'weights.bin'));
    await expectUserError(tf.loadLayersModel(fileIOHandler(dir)), join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'model.json'), '{"modelTopology": ');
    await expectUserError(tf.loadLayersModel(fileIOHandler(dir)), join(dir, 'model.json'));
    writeFileSync(join(dir, 'model.json'), '{"weightsManifest": []}');
    await expectUserError(tf.loadLayersModel(fileIOHandler(dir)), join(dir, 'model.json'));
  });
});

describe('saveWeights / loadWeights', () => {
  it('round-trips a map of tensors exactly, dtypes and shapes included, without leaks', async () => {
    const rng = new Rng(5);
    const tensors: tf.NamedTensorMap = {
      'encoder/w': tf.tensor2d(rng.normalArray(6), [2, 3]),
      'head/b': tf.tensor1d([Math.PI, -0, 1e-30, 3.4e38]),
      steps: tf.tensor1d([1, -2, 2147483647], 'int32'),
      mask: tf.tensor1d([true, false, true], 'bool'),
      scalar: tf.scalar(0.1),
    };
    const dir = join(root, 'weights');
    await expectNoTensorLeak(() => saveWeights(dir, tensors));
    const loaded = await expectNoTensorLeak(() => loadWeights(dir), Object.keys(tensors).length);
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const l = loaded[name]!;
      expect(l.dtype).toBe(t.dtype);
      expect(l.shape).toEqual(t.shape);
      const [a, b] = [Array.from(t.dataSync()), Array.from(l.dataSync())];
      a.forEach((v, i) => expect(Object.is(v, b[i])).toBe(true));
    }
    tf.dispose([...Object.values(tensors), ...Object.values(loaded)]);
  });

  it('names the path when the weights are missing or corrupt', async () => {
    const dir = join(root, 'weights');
    await expectUserError(loadWeights(dir), join(dir, 'tensors.json'));
    const t = tf.tensor1d([1, 2, 3]);
    await saveWeights(dir, { t });
    t.dispose();
    writeFileSync(join(dir, 'tensors.bin'), new Uint8Array(5));
    await expectUserError(loadWeights(dir), dir, 'corrupt weights', '12 bytes');
    writeFileSync(join(dir, 'tensors.json'), 'not json');
    await expectUserError(loadWeights(dir), join(dir, 'tensors.json'));
    writeFileSync(join(dir, 'tensors.json'), JSON.stringify({ weightsManifest: [{ paths: ['../../etc/passwd'], weights: [] }] }));
    await expectUserError(loadWeights(dir), 'outside the directory');
  });
});
