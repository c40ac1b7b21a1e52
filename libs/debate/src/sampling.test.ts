import { Rng } from '@w2s/core/base';
import { describe, expect, it } from 'vitest';
import { pickTopK } from './sampling.js';

describe('pickTopK', () => {
  it('temperature 0: the k largest gains, best first, ties to the lower position', () => {
    const rng = new Rng(0);
    expect(pickTopK([0.5, 2, -1, 2, 0.7], 3, 0, rng)).toEqual([1, 3, 4]);
    expect(pickTopK([1, 1, 1], 2, 0, rng)).toEqual([0, 1]);
    expect(pickTopK([3, 1], 5, 0, rng)).toEqual([0, 1]);
    expect(pickTopK([], 2, 0, rng)).toEqual([]);
  });

  it('temperature 1: first pick follows softmax(gains) (gains ln 3 and 0 → 3/4, 1/4)', () => {
    const rng = new Rng(42);
    let first = 0;
    const draws = 8000; // sd of the frequency = √(0.75·0.25/8000) ≈ 0.005
    for (let i = 0; i < draws; i++) if (pickTopK([Math.log(3), 0], 1, 1, rng)[0] === 0) first += 1;
    expect(first / draws).toBeCloseTo(0.75, 1);
    expect(Math.abs(first / draws - 0.75)).toBeLessThan(0.02);
  });

  it('samples without replacement (Plackett–Luce): weights 4, 2, 1 pick the set {1, 2} with p = 11/105', () => {
    // Weights 4, 2, 1 (sum 7). P(1 first) = 2/7, then from {0: 4, 2: 1} P(2) = 1/5;
    // P(2 first) = 1/7, then from {0: 4, 1: 2} P(1) = 2/6. Total 2/35 + 1/21 = 11/105 ≈ 0.1048.
    const rng = new Rng(7);
    const gains = [Math.log(4), Math.log(2), 0];
    let hits = 0;
    let repeats = 0;
    const draws = 20000; // sd ≈ √(0.105·0.895/20000) ≈ 0.0022
    for (let i = 0; i < draws; i++) {
      const picked = pickTopK(gains, 2, 1, rng);
      if (picked[0] === picked[1]) repeats += 1;
      if (!picked.includes(0)) hits += 1;
    }
    expect(repeats).toBe(0);
    expect(Math.abs(hits / draws - 11 / 105)).toBeLessThan(0.01);
  });

  it('temperature scales the gains: T = 2 halves them (gains ln 9 and 0 → again 3/4)', () => {
    const rng = new Rng(5);
    let first = 0;
    const draws = 8000;
    for (let i = 0; i < draws; i++) if (pickTopK([Math.log(9), 0], 1, 2, rng)[0] === 0) first += 1;
    expect(Math.abs(first / draws - 0.75)).toBeLessThan(0.02);
  });

  it('is a function of the generator state', () => {
    const gains = [0.1, 0.4, 0.3, 0.2, 0.0, 0.5];
    expect(pickTopK(gains, 3, 1, new Rng(9))).toEqual(pickTopK(gains, 3, 1, new Rng(9)));
    const samples = new Set<string>();
    for (let s = 0; s < 20; s++) samples.add(pickTopK(gains, 3, 1, new Rng(s)).join(','));
    expect(samples.size).toBeGreaterThan(5);
  });
});
