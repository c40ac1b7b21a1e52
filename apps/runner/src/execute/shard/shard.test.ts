import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../manifest/manifest.js';
import { planExperiment } from '../../plan/plan.js';
import { parseShard, partitionStages, shardStages } from './shard.js';

describe('parseShard', () => {
  it('reads 0-based i/N', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard(' 3 / 4 ')).toEqual({ index: 3, count: 4 });
  });
  it('rejects malformed and out-of-range shards naming the option', () => {
    expect(() => parseShard('4/4')).toThrow('--shard: shard index 4 is out of range: with 4 shards the indices are 0..3');
    expect(() => parseShard('1/0')).toThrow(/count must be at least 1/);
    expect(() => parseShard('1-4')).toThrow(/expected i\/N/);
  });
});

describe('partitionStages', () => {
  const node = (key: string, inputs: string[] = []) => ({ key, inputs });

  it('keeps connected stages together and balances by stage count, deterministically', () => {
    // w1 feeds t1a, t1b (a group of 3); w2 feeds t2 (2); c1, c2 alone.
    const stages = [node('w1'), node('c1'), node('t1a', ['w1']), node('t1b', ['w1']), node('w2'), node('c2'), node('t2', ['w2'])];
    const shards = partitionStages(stages, 2);
    // Largest group first to the least loaded shard: {w1,t1a,t1b} -> 0, {w2,t2} -> 1, c1 -> 1, c2 -> 0.
    expect(shards.map((s) => s.map((n) => n.key))).toEqual([
      ['w1', 't1a', 't1b', 'c2'],
      ['c1', 'w2', 't2'],
    ]);
    expect(partitionStages(stages, 2)).toEqual(shards);
    expect(shardStages(stages, { index: 1, count: 2 }).map((n) => n.key)).toEqual(['c1', 'w2', 't2']);
    // More shards than groups: some shards are empty, none is split.
    const many = partitionStages(stages, 6);
    expect(many.flat()).toHaveLength(stages.length);
    expect(many.filter((s) => s.length === 0)).toHaveLength(2);
  });

  it('gives a pretrain stage to every shard that reads it, without joining the groups that read it', () => {
    const pretrain = (key: string) => ({ key, inputs: [], kind: 'pretrain' });
    const stages = [pretrain('p'), node('w1', ['p']), node('t1', ['p', 'w1']), node('w2', ['p']), node('t2', ['p', 'w2']), pretrain('q'), node('c', ['q'])];
    expect(partitionStages(stages, 2).map((s) => s.map((n) => n.key))).toEqual([
      ['p', 'w1', 't1', 'q', 'c'],
      ['p', 'w2', 't2'],
    ]);
  });

  it('partitions a real plan: every training stage in exactly one shard, each shard closed under inputs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'w2s-shard-'));
    const file = join(dir, 'm.yaml');
    writeFileSync(
      file,
      `name: m
seeds: [0, 1, 2]
tasks: [digits-parity]
ladders:
  image: { family: mlp, weak: [xs, s], strong: [m, l] }
methods: [{ name: a }, { name: b, loss: { name: logconf } }]
`,
    );
    const plan = planExperiment(loadManifest(file));
    const shards = partitionStages(plan.stages, 4);
    const training = (stages: typeof plan.stages) => stages.filter((s) => s.kind !== 'pretrain').map((s) => s.key);
    expect(shards.flatMap(training).sort()).toEqual(training(plan.stages).sort());
    for (const shard of shards) {
      const mine = new Set(shard.map((s) => s.key));
      for (const s of shard) for (const input of s.inputs) expect(mine.has(input)).toBe(true);
    }
    // 3 seeds × (2 weak, 2 ceilings, 2 weak × 2 strong × 2 methods transfers) = 36 training
    // stages: six groups of 5 (a weak model and its 4 transfers) go 0,1,2,3,0,1 (loads 10,10,5,5),
    // then six ceilings go 2,3,2,3,2,3 (loads 10,10,8,8). Each shard also pretrains the backbones
    // its stages read: shards 0 and 1 all four (xs, s, m, l), 2 and 3 the weak one of their
    // group and the two strong ones of their ceilings.
    expect(training(plan.stages)).toHaveLength(36);
    expect(shards.map((s) => training(s).length)).toEqual([10, 10, 8, 8]);
    expect(shards.map((s) => s.filter((n) => n.kind === 'pretrain').map((n) => n.model!.size).sort())).toEqual([
      ['l', 'm', 's', 'xs'],
      ['l', 'm', 's', 'xs'],
      ['l', 'm', 'xs'],
      ['l', 'm', 's'],
    ]);
  });
});
