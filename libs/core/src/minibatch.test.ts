import { describe, expect, it } from 'vitest';
import { minibatches } from './minibatch.js';
import { Rng } from './rng.js';

describe('minibatches', () => {
  it('covers every example once per epoch, keeps the short last batch, reshuffles each call', () => {
    const rng = new Rng(3);
    const epoch1 = minibatches(10, 4, rng);
    expect(epoch1.map((b) => b.length)).toEqual([4, 4, 2]);
    const seen = epoch1.flatMap((b) => [...b]).sort((a, b) => a - b);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const epoch2 = minibatches(10, 4, rng);
    expect(epoch2.flatMap((b) => [...b])).not.toEqual(epoch1.flatMap((b) => [...b]));
  });

  it('is a function of the seed', () => {
    const flat = (seed: number) => minibatches(50, 7, new Rng(seed)).flatMap((b) => [...b]);
    expect(flat(11)).toEqual(flat(11));
    expect(flat(11)).not.toEqual(flat(12));
  });

  it('handles a batch larger than the data and rejects bad sizes', () => {
    expect(minibatches(3, 10, new Rng(1)).map((b) => b.length)).toEqual([3]);
    expect(minibatches(0, 10, new Rng(1))).toEqual([]);
    expect(() => minibatches(5, 0, new Rng(1))).toThrow(/batchSize/);
  });
});
