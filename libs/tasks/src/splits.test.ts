import { describe, expect, it } from 'vitest';
import { contentHash } from '@w2s/core/base';
import { makeSplits } from './splits.js';
import type { Dataset, FixedSplit, Splits } from './types.js';
import { SPLIT_NAMES } from './types.js';

/** A small dataset with 70 % class 0, 30 % class 1 (labels known, no randomness). */
function dataset(n = 1000, name = 'toy', fixedSplit?: FixedSplit[]): Dataset {
  return {
    name,
    modality: 'vector',
    numClasses: 2,
    classNames: ['a', 'b'],
    examples: {
      ids: Array.from({ length: n }, (_, i) => `e${i}`),
      labels: Int32Array.from({ length: n }, (_, i) => (i % 10 < 7 ? 0 : 1)),
      x: new Float32Array(n),
      dim: 1,
      shape: [1],
      fixedSplit,
    },
  };
}

function expectDisjoint(splits: Splits): void {
  const seen = new Set<number>();
  for (const name of SPLIT_NAMES) {
    for (const i of splits[name]) {
      expect(seen.has(i)).toBe(false);
      seen.add(i);
    }
  }
}

const asArrays = (s: Splits) => Object.fromEntries(SPLIT_NAMES.map((k) => [k, Array.from(s[k])]));

describe('makeSplits', () => {
  it('halves nDocs into weak-train (floor) and transfer (ceil), adds val and test, all disjoint and sorted', () => {
    const splits = makeSplits(dataset(), { seed: 1, nDocs: 301, nTest: 200, nVal: 50 });
    expect(splits['weak-train'].length).toBe(150);
    expect(splits.transfer.length).toBe(151);
    expect(splits.val.length).toBe(50);
    expect(splits.test.length).toBe(200);
    expectDisjoint(splits);
    for (const name of SPLIT_NAMES) {
      const a = Array.from(splits[name]);
      expect(a).toEqual([...a].sort((p, q) => p - q));
      for (const i of a) expect(i >= 0 && i < 1000).toBe(true);
    }
  });

  it('is stable across runs: same dataset, seed and sizes give the same splits', () => {
    const a = makeSplits(dataset(), { seed: 3, nDocs: 400, nTest: 100 });
    const b = makeSplits(dataset(), { seed: 3, nDocs: 400, nTest: 100 });
    expect(asArrays(a)).toEqual(asArrays(b));
    // Pinned across processes and machines (value recorded from this implementation): the split
    // depends only on Rng(seed) and this algorithm. If it changes, every cached result changes.
    expect(Array.from(a.test.subarray(0, 8))).toEqual([8, 19, 21, 22, 28, 54, 59, 72]);
    expect(contentHash(asArrays(a))).toBe('e4fbf7a4229ae4f51928aeb1265c8a4ee9a5dc03d0e9533d0390c74e2552d250');
  });

  it('changing the seed or the task name changes the splits', () => {
    const a = makeSplits(dataset(), { seed: 3, nDocs: 400, nTest: 100 });
    const b = makeSplits(dataset(), { seed: 4, nDocs: 400, nTest: 100 });
    const c = makeSplits(dataset(1000, 'other'), { seed: 3, nDocs: 400, nTest: 100 });
    for (const other of [b, c]) {
      for (const name of ['weak-train', 'transfer', 'test'] as const) {
        expect(Array.from(other[name])).not.toEqual(Array.from(a[name]));
      }
    }
  });

  it('keeps the test set when nDocs or nVal change', () => {
    const a = makeSplits(dataset(), { seed: 5, nDocs: 100, nTest: 100 });
    const b = makeSplits(dataset(), { seed: 5, nDocs: 600, nTest: 100, valFrac: 0.1 });
    expect(Array.from(b.test)).toEqual(Array.from(a.test));
    expect(b.val.length).toBe(60);
  });

  it('balance undersamples the majority class: every split within one of 50/50', () => {
    const data = dataset();
    const splits = makeSplits(data, { seed: 2, nDocs: 300, nTest: 200, nVal: 40, balance: true });
    for (const name of SPLIT_NAMES) {
      const ones = Array.from(splits[name]).filter((i) => data.examples.labels[i] === 1).length;
      expect(Math.abs(2 * ones - splits[name].length)).toBeLessThanOrEqual(1);
    }
    expectDisjoint(splits);
    // 300 of class 1 exist, so at most 600 balanced examples: asking for more is an error.
    expect(() => makeSplits(data, { nDocs: 500, nTest: 200, balance: true })).toThrow(
      'task "toy": asked for nTest=200 + nDocs=500 = 700 examples but the dataset has only 600 examples after class balancing',
    );
  });

  it('without balance the class shares follow the data', () => {
    const data = dataset();
    const splits = makeSplits(data, { seed: 2, nDocs: 800, nTest: 200 });
    const all = [...splits['weak-train'], ...splits.transfer, ...splits.test];
    expect(all.filter((i) => data.examples.labels[i] === 1).length).toBe(300);
  });

  it('respects a fixed split column', () => {
    const fixed: FixedSplit[] = Array.from({ length: 1000 }, (_, i) => (i < 600 ? 'train' : i < 700 ? 'val' : 'test'));
    const splits = makeSplits(dataset(1000, 'toy', fixed), { seed: 1, nDocs: 500, nTest: 300, nVal: 80 });
    for (const i of [...splits['weak-train'], ...splits.transfer]) expect(fixed[i]).toBe('train');
    for (const i of splits.val) expect(fixed[i]).toBe('val');
    for (const i of splits.test) expect(fixed[i]).toBe('test');
    expectDisjoint(splits);
    expect(() => makeSplits(dataset(1000, 'toy', fixed), { nDocs: 601, nTest: 10 })).toThrow(
      "the split column's 'train' rows has only 600 examples",
    );
    // Without 'val' rows, val comes from the train rows after transfer.
    const noVal = fixed.map((s) => (s === 'val' ? 'train' : s));
    const s2 = makeSplits(dataset(1000, 'toy', noVal), { seed: 1, nDocs: 500, nTest: 300, nVal: 80 });
    for (const i of s2.val) expect(noVal[i]).toBe('train');
    expectDisjoint(s2);
  });

  it('rejects bad options with the option named', () => {
    expect(() => makeSplits(dataset(), { nDocs: 10, nVal: 2, valFrac: 0.1 })).toThrow('split options: valFrac: give nVal or valFrac, not both');
    expect(() => makeSplits(dataset(), { nDocs: 1.5 } as never)).toThrow(/split options: nDocs/);
    expect(() => makeSplits(dataset(100), { nDocs: 100, nTest: 1 })).toThrow(
      'task "toy": asked for nTest=1 + nDocs=100 = 101 examples but the dataset has only 100 examples',
    );
  });
});
