import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const da = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(da);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(da);
  });

  it('draws uniform and normal values with the right moments', () => {
    const rng = new Rng(7);
    const n = 20000;
    let su = 0, sn = 0, sn2 = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      su += u;
      const z = rng.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(su / n).toBeCloseTo(0.5, 1);
    expect(sn / n).toBeCloseTo(0, 1);
    expect(sn2 / n).toBeCloseTo(1, 1);
  });

  it('permutes every index exactly once and forks independent streams', () => {
    const rng = new Rng(1);
    const p = rng.permutation(100);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(rng.fork('a').uint32()).toBe(new Rng(1).fork('a').uint32());
    expect(rng.fork('a').uint32()).not.toBe(rng.fork('b').uint32());
  });
});

describe('Rng.fillInts', () => {
  it('draws the same numbers, in the same order, as repeated int(n), and leaves the same state', () => {
    for (const n of [1, 7, 1000, 2 ** 31 - 1]) {
      const one = new Rng(42).fork('a');
      const bulk = new Rng(42).fork('a');
      const expected = Int32Array.from({ length: 500 }, () => one.int(n));
      expect(Array.from(bulk.fillInts(new Int32Array(500), n))).toEqual(Array.from(expected));
      expect(bulk.uint32()).toBe(one.uint32());
    }
  });
});
