import { Rng, isUserError } from '@w2s/core/base';
import { describe, expect, it } from 'vitest';
import { checkExamples, exampleRng, planTurns } from './protocol.js';

describe('planTurns', () => {
  it('debate: A, B, A by default, with opposite stances', () => {
    for (let seed = 0; seed < 20; seed++) {
      const plan = planTurns('debate', 3, exampleRng(seed, 'x'));
      expect(plan.map((t) => t.speaker)).toEqual(['A', 'B', 'A']);
      expect(plan[0]!.stance).toBe(plan[2]!.stance);
      expect(plan[1]!.stance).toBe(1 - plan[0]!.stance);
    }
    expect(planTurns('debate', 4, new Rng(1)).map((t) => t.speaker)).toEqual(['A', 'B', 'A', 'B']);
  });

  it('assigns stances at random, per (debate seed, example id), about half each way', () => {
    // 2000 fair coins: mean 1000, sd ≈ 22; 900..1100 is ±4.5 sd.
    let aForOne = 0;
    for (let i = 0; i < 2000; i++) aForOne += planTurns('debate', 3, exampleRng(7, `ex${i}`))[0]!.stance;
    expect(aForOne).toBeGreaterThan(900);
    expect(aForOne).toBeLessThan(1100);
    let acrossSeeds = 0;
    for (let seed = 0; seed < 2000; seed++) acrossSeeds += planTurns('debate', 3, exampleRng(seed, 'same-id'))[0]!.stance;
    expect(acrossSeeds).toBeGreaterThan(900);
    expect(acrossSeeds).toBeLessThan(1100);
    // Same (seed, id) → same plan.
    expect(planTurns('debate', 3, exampleRng(3, 'q'))).toEqual(planTurns('debate', 3, exampleRng(3, 'q')));
  });

  it('consultancy: one consultant for every turn, stance at random', () => {
    const stances = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const plan = planTurns('consultancy', 3, exampleRng(0, `c${i}`));
      expect(plan.map((t) => t.speaker)).toEqual(['A', 'A', 'A']);
      expect(new Set(plan.map((t) => t.stance)).size).toBe(1);
      stances.add(plan[0]!.stance);
    }
    expect(stances).toEqual(new Set([0, 1]));
  });

  it('market-making: the consultant argues for the class the weak model did not predict', () => {
    for (let i = 0; i < 20; i++) {
      expect(planTurns('market-making', 3, exampleRng(0, `m${i}`), 0).map((t) => t.stance)).toEqual([1, 1, 1]);
      expect(planTurns('market-making', 2, exampleRng(0, `m${i}`), 1)).toEqual([
        { speaker: 'A', stance: 0 },
        { speaker: 'A', stance: 0 },
      ]);
    }
    expect(() => planTurns('market-making', 3, new Rng(0), 2)).toThrow(/market-making needs the weak model's predicted class \(0 or 1\), got 2/);
  });
});

describe('checkExamples', () => {
  it('rejects duplicate ids and missing or misaligned weak predictions', () => {
    const dup = (() => {
      try {
        checkExamples(['a', 'b', 'a'], 'debate');
      } catch (e) {
        return e;
      }
    })();
    expect(isUserError(dup)).toBe(true);
    expect((dup as Error).message).toBe('ids: duplicate example id "a" (ids key the debate samples and must be unique)');
    expect(() => checkExamples(['a'], 'market-making')).toThrow(/market-making needs weakPredictions/);
    expect(() => checkExamples(['a', 'b'], 'market-making', [1])).toThrow('weakPredictions: has 1 entries, expected 2 (one per example)');
    expect(() => checkExamples(['a', 'b'], 'consultancy')).not.toThrow();
  });
});
