import { ArtifactCache, expectNoTensorLeak, initBackend, TrainConfigSchema } from '@w2s/core';
import { getBackbone, parseModelSpec } from '@w2s/models';
import { loadTask, makeSplits } from '@w2s/tasks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chainSpecs, trainChainLink } from './index.js';

const order = ['xs', 's', 'm', 'l', 'xl'];
const mlp = (size: string) => parseModelSpec({ family: 'mlp', size });

describe('chainSpecs', () => {
  it('gives the weak model\'s family, mode and head at each size', () => {
    const weak = parseModelSpec({ family: 'mlp', size: 'xs', mode: 'finetune', head: 'mlp' });
    const specs = chainSpecs(['s', 'm'], weak, mlp('l'), order);
    expect(specs).toEqual([{ ...weak, size: 's' }, { ...weak, size: 'm' }]);
  });

  it.each([
    [['m', 's'], 'xs → m → s → l does not'],
    [['l'], 'xs → l → l does not'],
    [['xs'], 'xs → xs → l does not'],
  ])('refuses %j: sizes must grow strictly between weak and strong', (chain, text) => {
    expect(() => chainSpecs(chain, mlp('xs'), mlp('l'), order, 'methods[1].weak.chain')).toThrow(
      `methods[1].weak.chain: chain sizes must grow strictly between the weak and the strong model: ${text} (the mlp ladder order is xs, s, m, l, xl)`,
    );
  });

  it('refuses sizes outside the order and mixed families', () => {
    expect(() => chainSpecs(['huge'], mlp('xs'), mlp('l'), order)).toThrow('weak.chain: size "huge" is not in the ladder order');
    expect(() => chainSpecs(['s'], mlp('xs'), parseModelSpec({ family: 'cnn', size: 'l' }), order)).toThrow('one family (got mlp and cnn)');
  });
});

describe('trainChainLink', () => {
  const task = loadTask({ name: 'synthetic-linear', n: 500, seed: 3 });
  const splits = makeSplits(task, { seed: 1, nDocs: 300, nTest: 150, nVal: 30 });
  const spec = parseModelSpec({ family: 'embedding', size: 'strong', column: 'strong' });
  const train = TrainConfigSchema.parse({ epochs: 20, batchSize: 30, lr: 0.05 });
  const cache = new ArtifactCache(mkdtempSync(join(tmpdir(), 'w2s-chain-')));
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('learns the labels it is given, whatever the truth, and labels transfer, val and test', async () => {
    const backbone = await getBackbone(spec, task, { cache, seed: 0 });
    const n = splits.transfer.length;
    // Targets that say the opposite of the truth: a link reading ground truth would not follow them.
    const flipped = new Float32Array(2 * n);
    splits.transfer.forEach((ex, i) => (flipped[2 * i + 1 - task.examples.labels[ex]!] = 1));
    const link = await expectNoTensorLeak(() => trainChainLink({ task, splits, spec, backbone, train, seed: 0, targets: flipped, loss: { name: 'xent' }, cache }));
    backbone.dispose();
    expect(link.transfer).toHaveLength(2 * n);
    expect(link.val).toHaveLength(2 * splits.val.length);
    expect(link.test).toHaveLength(2 * splits.test.length);
    let agree = 0;
    for (let i = 0; i < n; i++) agree += Number((link.transfer[2 * i + 1]! > 0.5) === (flipped[2 * i + 1]! > 0.5));
    expect(agree / n).toBeGreaterThan(0.8);
    expect(link.testAcc).toBeLessThan(0.3); // it learned the flipped labels, so it is wrong on test
  });
});
