import { describe, expect, it } from 'vitest';
import { median, percentileInterval, sampleVariance } from './stats.js';
import { userErrorMessage } from './test-utils/user-error.js';

describe('median and percentile interval', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('interpolates linearly between order statistics', () => {
    // 0..100: position q·100 is the value itself → 90 % interval [5, 95]
    const hundred = Array.from({ length: 101 }, (_, i) => 100 - i);
    const ninety = percentileInterval(hundred, 0.9);
    expect(ninety.low).toBeCloseTo(5, 10); // α/2 = (1 − 0.9)/2 is 0.04999… in floating point
    expect(ninety.high).toBeCloseTo(95, 10);
    // [0, 10], level 0.5: q = 0.25 → 2.5, q = 0.75 → 7.5
    expect(percentileInterval([10, 0], 0.5)).toEqual({ low: 2.5, high: 7.5 });
    expect(userErrorMessage(() => percentileInterval([], 0.95))).toMatch(/^percentileInterval: values: is empty/);
  });

  it('computes the sample variance with the n − 1 denominator', () => {
    // [0.4, 0.5, 0.9]: mean 0.6, squares 0.04 + 0.01 + 0.09 = 0.14, / 2 = 0.07
    expect(sampleVariance([0.4, 0.5, 0.9])).toBeCloseTo(0.07, 15);
    expect(sampleVariance([2, 2])).toBe(0);
    expect(userErrorMessage(() => sampleVariance([1]))).toMatch(/^sampleVariance: values: has 1 value/);
  });
});
