import { Rng } from '@w2s/core';
import { describe, expect, it } from 'vitest';
import { parseModelSpec } from '@w2s/models';
import { aggregateProbs, bootstrapResample, EnsembleConfigSchema, ensembleSize, memberSpecs } from './ensemble.js';

// Three members, two examples, two classes. Expected values by hand:
//   example 0: p1 = 0.9, 0.6, 0.2   example 1: p1 = 0.3, 0.4, 0.35
const members = [
  Float32Array.from([0.1, 0.9, 0.7, 0.3]),
  Float32Array.from([0.4, 0.6, 0.6, 0.4]),
  Float32Array.from([0.8, 0.2, 0.65, 0.35]),
];

describe('aggregateProbs', () => {
  it('mean-prob averages probabilities', () => {
    // ex0 p1 = (0.9 + 0.6 + 0.2) / 3 = 0.566667; ex1 p1 = (0.3 + 0.4 + 0.35) / 3 = 0.35
    const p = aggregateProbs(members, 2, 'mean-prob');
    expect(p[1]).toBeCloseTo(0.566667, 5);
    expect(p[0]).toBeCloseTo(0.433333, 5);
    expect(p[3]).toBeCloseTo(0.35, 6);
  });

  it('mean-logit is the normalized geometric mean', () => {
    // ex0: g1 = (0.9·0.6·0.2)^(1/3) = 0.108^(1/3) = 0.476220, g0 = (0.1·0.4·0.8)^(1/3) = 0.032^(1/3) = 0.317480
    //      p1 = 0.476220 / (0.476220 + 0.317480) = 0.600000 (to 6 places: 0.6000)
    const p = aggregateProbs(members, 2, 'mean-logit');
    expect(p[1]).toBeCloseTo(0.476220 / (0.476220 + 0.317480), 5);
    expect(p[0]! + p[1]!).toBeCloseTo(1, 6);
  });

  it('median takes the per-class median and renormalizes', () => {
    // ex0: median p0 = 0.4, median p1 = 0.6 → [0.4, 0.6]; ex1: median p0 = 0.65, p1 = 0.35
    const p = aggregateProbs(members, 2, 'median');
    expect(Array.from(p)).toEqual([0.4, 0.6, 0.65, 0.35].map((v) => Math.fround(v)));
  });

  it('vote gives the fraction of members per argmax class', () => {
    // ex0 argmaxes 1, 1, 0 → [1/3, 2/3]; ex1 argmaxes 0, 0, 0 → [1, 0]
    const p = aggregateProbs(members, 2, 'vote');
    expect(p[0]).toBeCloseTo(1 / 3, 6);
    expect(p[1]).toBeCloseTo(2 / 3, 6);
    expect(Array.from(p.subarray(2))).toEqual([1, 0]);
  });

  it('a single member is returned unchanged by mean-prob', () => {
    expect(Array.from(aggregateProbs([members[0]!], 2, 'mean-prob'))).toEqual(Array.from(members[0]!));
  });

  it('rejects members of different sizes', () => {
    expect(() => aggregateProbs([members[0]!, Float32Array.from([0.5, 0.5])], 2, 'mean-prob')).toThrow(/n × 2/);
  });
});

describe('bootstrapResample', () => {
  it('draws with replacement from the given indices, deterministically per seed', () => {
    const idx = Int32Array.from([3, 8, 10, 20, 40]);
    const a = bootstrapResample(idx, new Rng(1));
    expect(a).toHaveLength(5);
    for (const v of a) expect(Array.from(idx)).toContain(v);
    expect(Array.from(bootstrapResample(idx, new Rng(1)))).toEqual(Array.from(a));
    const draws = Array.from({ length: 20 }, (_, s) => Array.from(bootstrapResample(idx, new Rng(s))).join());
    expect(new Set(draws).size).toBeGreaterThan(10);
  });
});

describe('EnsembleConfigSchema and memberSpecs', () => {
  const weak = parseModelSpec({ family: 'mlp', size: 'xs', head: 'mlp' });
  it('defaults to 4 seed members, each the weak model', () => {
    const config = EnsembleConfigSchema.parse({});
    expect(ensembleSize(config)).toBe(4);
    expect(memberSpecs(config, weak)).toEqual([weak, weak, weak, weak]);
    expect(ensembleSize(EnsembleConfigSchema.parse({ size: 2, vary: 'bootstrap' }))).toBe(2);
  });

  it('vary "model": a bare size keeps family, mode and head; an object overrides them', () => {
    const config = EnsembleConfigSchema.parse({ vary: 'model', models: ['s', { family: 'cnn', size: 'xs' }, { family: 'mlp', size: 'm', head: 'linear' }] });
    expect(ensembleSize(config)).toBe(3);
    expect(memberSpecs(config, weak)).toEqual([
      { family: 'mlp', size: 's', mode: 'probe', head: 'mlp' },
      { family: 'cnn', size: 'xs', mode: 'probe', head: 'mlp' },
      { family: 'mlp', size: 'm', mode: 'probe', head: 'linear' },
    ]);
    // An embedding weak model's sizes are its columns.
    const embedding = parseModelSpec({ family: 'embedding', size: 'small', column: 'small' });
    expect(memberSpecs(EnsembleConfigSchema.parse({ vary: 'model', models: ['large'] }), embedding)[0]).toMatchObject({ size: 'large', column: 'large' });
  });

  it('refuses inconsistent configs with the field named', () => {
    const issues = (raw: unknown) => EnsembleConfigSchema.safeParse(raw).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ vary: 'model' })).toEqual(['models: vary "model" needs models: the members\' models, e.g. [xs, s, m]']);
    expect(issues({ vary: 'seed', models: ['s'] })).toEqual(['models: models are only read with vary "model" (vary is "seed")']);
    expect(issues({ vary: 'model', models: ['s', 'm'], size: 3 })).toEqual(['size: size 3 does not match the 2 models (leave size out)']);
    expect(issues({ vary: 'model', models: [{ family: 'rnn', size: 's' }] })?.[0]).toMatch(/^models\.0/);
  });
});
