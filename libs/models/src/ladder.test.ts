import * as tf from '@tensorflow/tfjs';
import { loadTask, taskRegistry } from '@w2s/tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_TASKS, defaultModels, defaultTrainConfig } from './defaults.js';
import { defaultGap, formatLadderReport, formatLadderTable, LADDER_SPLIT_SEED, ladderSpecs, risesWithSize, runLadder, type LadderRow } from './ladder.js';
import { families, ladder } from './registry.js';
import type { ModelSpecInput } from './spec.js';
import { embeddingTask, textTask } from './test-utils/data.js';
import { tempCache, useWasm } from './test-utils/setup.js';

const { cache, cleanup } = tempCache();
beforeAll(useWasm);
afterAll(cleanup);

describe('ladders', () => {
  it('every trainable family has at least four sizes growing in parameters', () => {
    for (const name of ['mlp', 'cnn', 'text']) {
      const entries = ladder(name);
      expect(entries.length).toBeGreaterThanOrEqual(4);
      for (let i = 1; i < entries.length; i++) expect(entries[i]!.params).toBeGreaterThan(entries[i - 1]!.params);
    }
    expect(ladder('embedding')).toEqual([]);
  });

  it('the mlp parameter count is the sum of its layer sizes', () => {
    // xs = 784→16: 784·16 + 16 = 12,560; l = 784→256→256: 784·256 + 256 + 256·256 + 256 = 266,752.
    const mlp = Object.fromEntries(ladder('mlp').map((e) => [e.size, e.params]));
    expect(mlp.xs).toBe(12560);
    expect(mlp.l).toBe(266752);
  });

  it('`w2s models` lists every family and every size with its budget', () => {
    const text = formatLadderTable();
    for (const f of Object.values(families)) expect(text).toContain(`${f.name}:`);
    expect(text).toMatch(/xs\s+12,560\s+784→16\s+300 ex × 2 ep/);
    expect(text).toContain('transformer V=4000');
  });
});

describe('ladder specs and defaults', () => {
  it('picks the families that can read each task', () => {
    const digits = ladderSpecs(loadTask('digits-parity'));
    expect(digits.map((s) => `${s.family}-${s.size}`)).toEqual(['mlp-xs', 'mlp-s', 'mlp-m', 'mlp-l', 'mlp-xl', 'cnn-xs', 'cnn-s', 'cnn-m', 'cnn-l', 'cnn-xl']);
    expect(ladderSpecs(textTask()).map((s) => s.size)).toEqual(['xs', 's', 'm', 'l', 'xl']);
    const synthetic = ladderSpecs(loadTask('synthetic-linear'));
    expect(synthetic.map((s) => `${s.family}-${s.size}:${s.column}`)).toEqual(['embedding-weak:weak', 'embedding-strong:strong']);
    expect(ladderSpecs(loadTask('digits-gt4'), ['cnn'], ['xs', 'l']).map((s) => s.size)).toEqual(['xs', 'l']);
  });

  it('runs each size in each mode asked for; an embedding column only as a probe', () => {
    const both = ladderSpecs(loadTask('digits-gt4'), ['mlp'], ['xs', 'l'], ['probe', 'finetune']);
    expect(both.map((s) => `${s.size}:${s.mode}`)).toEqual(['xs:probe', 'l:probe', 'xs:finetune', 'l:finetune']);
    expect(ladderSpecs(loadTask('synthetic-linear'), undefined, undefined, ['probe', 'finetune']).map((s) => s.mode)).toEqual(['probe', 'probe']);
    expect(ladderSpecs(loadTask('synthetic-linear'), undefined, undefined, ['finetune'])).toEqual([]);
  });

  it('control tasks are built-in tasks', () => {
    for (const name of Object.keys(CONTROL_TASKS)) expect(taskRegistry[name]).toBeDefined();
  });

  it('default weak/strong models and training configs', () => {
    const digits = defaultModels(loadTask('digits-prime'));
    expect([digits.weak.size, digits.strong.size, digits.quickstart.strong.map((s) => s.size)]).toEqual(['xs', 'l', ['m', 'l']]);
    const synthetic = defaultModels(embeddingTask());
    expect([synthetic.weak.column, synthetic.strong.column]).toEqual(['weak', 'strong']);
    expect(defaultTrainConfig({ family: 'mlp', size: 'l' })).toMatchObject({ epochs: 40, lr: 1e-2, schedule: 'cosine' });
    expect(defaultTrainConfig({ family: 'text', size: 'xl', mode: 'finetune' })).toMatchObject({ lr: 5e-4, warmupFrac: 0.1 });
    expect(() => defaultTrainConfig({ family: 'mlp', size: 'l', mode: 'sideways' } as unknown as ModelSpecInput)).toThrow(/model.mode/);
  });
});

describe('runLadder', () => {
  it('trains each size on ground truth and reports accuracy with a 95% interval', async () => {
    const before = tf.memory().numTensors;
    const rows = await runLadder({ tasks: ['synthetic-overlap'], seed: 0, cache, split: { nDocs: 400, nTest: 400 } });
    expect(tf.memory().numTensors).toBe(before);
    expect(rows.map((r) => r.size)).toEqual(['weak', 'strong']);
    for (const r of rows) {
      expect(r.nTrain).toBe(200);
      expect(r.nTest).toBe(400);
      expect(r.lo).toBeLessThanOrEqual(r.accuracy);
      expect(r.hi).toBeGreaterThanOrEqual(r.accuracy);
    }
    // The weak column lacks the hard half of the concept: the strong one is clearly better.
    const gap = defaultGap(rows, loadTask('synthetic-overlap'))!;
    expect(gap.gapPoints).toBeGreaterThan(8);
    const report = formatLadderReport(rows);
    expect(report).toContain('## synthetic-overlap');
    // Measured on the held-out split seed, not on seed 0's test set (the experiments' seed-0 test).
    expect(rows.every((r) => r.splitSeed === LADDER_SPLIT_SEED)).toBe(true);
    expect(report).toContain('400 test examples of split seed 1000');
    expect(report).toMatch(/embedding: accuracy rises with size/);
    expect(report).toMatch(/default weak embedding-weak .* → strong embedding-strong .*: gap \+\d+\.\d points/);
  });

  it('flags a size that is worse than the one below beyond its interval, and small gaps as controls', () => {
    const row = (size: string, accuracy: number, half: number): LadderRow => ({
      task: 'digits-parity', family: 'mlp', size, mode: 'probe', params: 1, pretrainBudget: '', nTrain: 500, nTest: 1000, splitSeed: 1000,
      accuracy, lo: accuracy - half, hi: accuracy + half, pretrainedNow: false, pretrainSeconds: 0, trainSeconds: 0,
    });
    expect(risesWithSize([row('xs', 0.7, 0.03), row('s', 0.69, 0.03), row('m', 0.9, 0.02)]).ok).toBe(true);
    const bad = risesWithSize([row('xs', 0.8, 0.03), row('s', 0.7, 0.03)]);
    expect(bad.ok).toBe(false);
    expect(bad.violations[0]).toMatch(/^s \(70\.0, CI up to 73\.0\) < xs \(80\.0\)/);
    const report = formatLadderReport([row('xs', 0.9, 0.02), row('l', 0.93, 0.02)]);
    expect(report).toMatch(/gap \+3\.0 points \(< 8: control task\)/);
    expect(report).not.toMatch(/larger default gap/);
  });

  it('with both modes, checks each mode on its own and names the mode with the larger default gap', () => {
    const row = (size: string, mode: LadderRow['mode'], accuracy: number): LadderRow => ({
      task: 'digits-parity', family: 'mlp', size, mode, params: 1, pretrainBudget: '', nTrain: 500, nTest: 1000, splitSeed: 1000,
      accuracy, lo: accuracy - 0.02, hi: accuracy + 0.02, pretrainedNow: false, pretrainSeconds: 0, trainSeconds: 0,
    });
    // Finetune: xs 0.88 → l 0.94 (gap 6); probe: xs 0.78 → l 0.95 (gap 17). A finetuned xs above the probed l
    // would be a monotonicity violation only if the modes were mixed.
    const report = formatLadderReport([row('xs', 'probe', 0.78), row('l', 'probe', 0.95), row('xs', 'finetune', 0.88), row('l', 'finetune', 0.94)]);
    expect(report).toContain('(probe and finetune on 500 ground-truth labels');
    expect(report).toMatch(/^mlp\s+xs\s+finetune\s+1\s+88\.0/m);
    expect(report).toMatch(/- mlp probe: accuracy rises with size/);
    expect(report).toMatch(/- mlp finetune: accuracy rises with size/);
    expect(report).toMatch(/mlp-xs 78\.0 → strong mlp-l 95\.0 \(probe\): gap \+17\.0 points\n/);
    expect(report).toMatch(/mlp-xs 88\.0 → strong mlp-l 94\.0 \(finetune\): gap \+6\.0 points\n/);
    expect(report).toContain('- larger default gap: probe (probe +17.0, finetune +6.0)');
  });
});
