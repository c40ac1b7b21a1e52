import { describe, expect, it } from 'vitest';
import { meanProbability, quantile, RollingBuffer } from './quantile.js';

// Expected values printed by reference/expected.py with np.quantile(xs, q, method='linear').
const QUANTILES = [
  { xs: [3.0, 1.0, 2.0], q: 0.5, expected: 2.000000000000 },
  { xs: [3.0, 1.0, 2.0, 10.0], q: 0.5, expected: 2.500000000000 },
  { xs: [0.1, 0.7, 0.4, 0.2, 0.9], q: 0.54, expected: 0.448000000000 },
  { xs: [5.0], q: 0.3, expected: 5.000000000000 },
  { xs: [1.0, 2.0], q: 0.0, expected: 1.000000000000 },
  { xs: [1.0, 2.0], q: 1.0, expected: 2.000000000000 },
  { xs: [0.2, 0.2, 0.2, 0.9], q: 0.9, expected: 0.690000000000 },
];

describe('quantile (linear interpolation, as numpy/torch)', () => {
  it.each(QUANTILES)('quantile($xs, $q) = $expected', ({ xs, q, expected }) => {
    expect(quantile(xs, q)).toBeCloseTo(expected, 12);
  });

  it('does not reorder its input', () => {
    const xs = [3, 1, 2];
    quantile(xs, 0.5);
    expect(xs).toEqual([3, 1, 2]);
  });

  it('rejects an empty set and levels outside [0, 1]', () => {
    expect(() => quantile([], 0.5)).toThrow('quantile of an empty set');
    expect(() => quantile([1], 1.5)).toThrow('quantile level must be in [0, 1], got 1.5');
  });

  it('meanProbability clamps float rounding into [0, 1]', () => {
    expect(meanProbability([1.0000001, 1])).toBe(1);
    expect(meanProbability([0.25, 0.75])).toBe(0.5);
  });
});

describe('RollingBuffer', () => {
  it('keeps the last `capacity` examples and thresholds at the mean buffered y1', () => {
    const buffer = new RollingBuffer(4);
    buffer.push([0.9, 0.1, 0.5], [0, 1, 1]);
    expect(buffer.size).toBe(3);
    // Buffer p0 [0.9, 0.1, 0.5], y1 mean 2/3: sorted [0.1, 0.5, 0.9], h = 2·(2/3) = 4/3 → 0.5 + (1/3)·0.4.
    expect(buffer.threshold()).toBeCloseTo(0.5 + 0.4 / 3, 12);
    buffer.push([0.3, 0.7], [0, 0]);
    // Oldest (0.9, y1 0) dropped: p0 [0.1, 0.5, 0.3, 0.7], y1 [1, 1, 0, 0] → level 0.5,
    // sorted [0.1, 0.3, 0.5, 0.7], h = 1.5 → 0.4.
    expect(buffer.size).toBe(4);
    expect(buffer.threshold()).toBeCloseTo(0.4, 12);
    buffer.clear();
    expect(buffer.size).toBe(0);
  });

  it('a batch larger than the capacity keeps only its own last examples', () => {
    const buffer = new RollingBuffer(2);
    buffer.push([0.1, 0.2, 0.3], [1, 0, 0]);
    // p0 [0.2, 0.3], level 0 → the minimum, 0.2.
    expect(buffer.threshold()).toBeCloseTo(0.2, 12);
  });

  it('rejects a bad capacity and mismatched batches', () => {
    expect(() => new RollingBuffer(0)).toThrow('capacity must be an integer ≥ 1, got 0');
    expect(() => new RollingBuffer(4).push([0.1], [])).toThrow('push: 1 predictions but 0 labels');
  });
});
