import { describe, expect, it } from 'vitest';
import { pgr } from './pgr.js';
import { userErrorMessage } from './test-utils/user-error.js';

describe('pgr', () => {
  it('is (w2s − weak)/(ceiling − weak), including values below 0 and above 1', () => {
    // weak 0.6, ceiling 0.8: gap 0.2
    expect(pgr({ weakAcc: 0.6, ceilingAcc: 0.8, w2sAcc: 0.7 }).value).toBeCloseTo(0.5, 12); // 0.1/0.2
    expect(pgr({ weakAcc: 0.6, ceilingAcc: 0.8, w2sAcc: 0.55 }).value).toBeCloseTo(-0.25, 12); // −0.05/0.2
    expect(pgr({ weakAcc: 0.6, ceilingAcc: 0.8, w2sAcc: 0.9 }).value).toBeCloseTo(1.5, 12); // 0.3/0.2
    expect(pgr({ weakAcc: 0.6, ceilingAcc: 0.8, w2sAcc: 0.6 }).value).toBe(0);
    expect(pgr({ weakAcc: 0.5, ceilingAcc: 0.75, w2sAcc: 0.75 }).value).toBe(1);
  });

  it('is null with a reason when the ceiling equals or is below the weak model', () => {
    const equal = pgr({ weakAcc: 0.7, ceilingAcc: 0.7, w2sAcc: 0.8 });
    expect(equal.value).toBeNull();
    expect(equal.reason).toMatch(/equals weak accuracy/);
    const below = pgr({ weakAcc: 0.7, ceilingAcc: 0.65, w2sAcc: 0.8 });
    expect(below.value).toBeNull();
    expect(below.reason).toMatch(/0.65 is below weak accuracy 0.7/);
  });

  it('rejects accuracies that are not numbers in [0, 1], naming the field', () => {
    expect(userErrorMessage(() => pgr({ weakAcc: NaN, ceilingAcc: 0.8, w2sAcc: 0.7 }))).toBe(
      'pgr: weakAcc: must be an accuracy in [0, 1], got NaN',
    );
    expect(userErrorMessage(() => pgr({ weakAcc: 0.6, ceilingAcc: 87, w2sAcc: 0.7 }))).toMatch(/^pgr: ceilingAcc/);
    expect(userErrorMessage(() => pgr({ weakAcc: 0.6, ceilingAcc: 0.8 } as never))).toMatch(/^pgr: w2sAcc/);
  });
});
