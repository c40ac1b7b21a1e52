import { describe, expect, it } from 'vitest';
import { bootstrapCell, type Interval, type PgrInterval } from './bootstrap.js';
import { syntheticCell } from './test-utils/synthetic.js';
import { userErrorMessage } from './test-utils/user-error.js';

const width = (i: Interval | PgrInterval) => i.high! - i.low!;
const contains = (i: Interval | PgrInterval) => i.low! < i.value! && i.value! < i.high!;

describe('bootstrapCell', () => {
  // 200 examples; weak gets 120 right (0.6), ceiling 180 (0.9), w2s 150 (0.75) → PGR 0.15/0.3 = 0.5
  const cell = syntheticCell(200, { weak: 120, ceiling: 180, w2s: 150 }, 1);

  it('gives the full-sample point estimates and intervals that contain them', () => {
    const r = bootstrapCell(cell, { seed: 7, resamples: 500 });
    expect(r).toMatchObject({ n: 200, resamples: 500, level: 0.95 });
    expect(r.weakAcc.value).toBe(0.6);
    expect(r.ceilingAcc.value).toBe(0.9);
    expect(r.w2sAcc.value).toBe(0.75);
    expect(r.pgr.value).toBeCloseTo(0.5, 12);
    for (const i of [r.weakAcc, r.ceilingAcc, r.w2sAcc, r.pgr]) expect(contains(i)).toBe(true);
  });

  it('is deterministic for a seed and changes with the seed', () => {
    const a = bootstrapCell(cell, { seed: 7, resamples: 200 });
    expect(bootstrapCell(cell, { seed: 7, resamples: 200 })).toEqual(a);
    expect(bootstrapCell(cell, { seed: 8, resamples: 200 }).pgr.low).not.toBe(a.pgr.low);
  });

  it('gives an accuracy interval as wide as the normal approximation predicts', () => {
    // acc 0.5 on n = 400: SE = √(0.5·0.5/400) = 0.025; 95 % width ≈ 2·1.96·0.025 = 0.098
    const r = bootstrapCell(syntheticCell(400, { weak: 200, ceiling: 300, w2s: 250 }, 2), { seed: 1 });
    expect(width(r.weakAcc)).toBeGreaterThan(0.08);
    expect(width(r.weakAcc)).toBeLessThan(0.12);
  });

  it('shrinks as the test set grows (about 1/√n: 16× the examples, ~¼ the width)', () => {
    const small = bootstrapCell(syntheticCell(100, { weak: 60, ceiling: 90, w2s: 75 }, 3), { seed: 1 });
    const large = bootstrapCell(syntheticCell(1600, { weak: 960, ceiling: 1440, w2s: 1200 }, 3), { seed: 1 });
    expect(small.pgr.value).toBeCloseTo(large.pgr.value!, 12); // same rates, same point estimate
    expect(width(large.pgr)).toBeLessThan(width(small.pgr) / 2);
    expect(width(large.w2sAcc)).toBeLessThan(width(small.w2sAcc) / 2);
  });

  it('resamples the three models jointly (the same indices for all of them)', () => {
    // w2s makes exactly the weak model's predictions: with shared indices every resample has
    // w2s acc = weak acc, so PGR is exactly 0 each time (independent resampling would scatter it).
    const base = syntheticCell(100, { weak: 60, ceiling: 90, w2s: 75 }, 4);
    const copyOfWeak = bootstrapCell({ ...base, w2s: base.weak }, { seed: 1, resamples: 300 });
    expect([copyOfWeak.pgr.low, copyOfWeak.pgr.value, copyOfWeak.pgr.high]).toEqual([0, 0, 0]);
    // w2s copies the ceiling: PGR exactly 1 in every resample.
    const copyOfCeiling = bootstrapCell({ ...base, w2s: base.ceiling }, { seed: 1, resamples: 300 });
    expect([copyOfCeiling.pgr.low, copyOfCeiling.pgr.value, copyOfCeiling.pgr.high]).toEqual([1, 1, 1]);
  });

  it('equals the w2s accuracy interval when weak is always wrong and the ceiling always right', () => {
    // Every resample: weak 0, ceiling 1 → PGR = w2s accuracy; nothing is undefined.
    const r = bootstrapCell(syntheticCell(50, { weak: 0, ceiling: 50, w2s: 30 }, 5), { seed: 2, resamples: 300 });
    expect(r.pgr.undefinedResamples).toBe(0);
    expect(r.pgr.value).toBe(0.6);
    expect([r.pgr.low, r.pgr.high]).toEqual([r.w2sAcc.low, r.w2sAcc.high]);
  });

  it('drops and counts resamples where PGR is undefined', () => {
    // Ceiling = weak except on one example of 10, where only the ceiling is right. PGR is undefined
    // exactly when a resample misses that example: P = (9/10)^10 = 0.3487, so of B = 2000 about
    // 697 (SD √(2000·0.3487·0.6513) ≈ 21). Accept ±5 SD.
    const labels = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
    const right = (y: number) => (y === 1 ? [0.2, 0.8] : [0.8, 0.2]);
    const wrong = (y: number) => (y === 1 ? [0.8, 0.2] : [0.2, 0.8]);
    const weak = labels.map((y, i) => (i < 6 ? right(y) : wrong(y)));
    const ceiling = labels.map((y, i) => (i < 7 ? right(y) : wrong(y)));
    const r = bootstrapCell({ labels, weak, ceiling, w2s: ceiling }, { seed: 3, resamples: 2000 });
    expect(r.pgr.undefinedResamples).toBeGreaterThan(590);
    expect(r.pgr.undefinedResamples).toBeLessThan(805);
    expect(r.pgr.value).toBeCloseTo(1, 12);
    expect([r.pgr.low, r.pgr.high]).toEqual([1, 1]); // w2s = ceiling: 1 whenever defined
  });

  it('gives a null PGR and interval with a reason when the ceiling never beats the weak model', () => {
    const base = syntheticCell(40, { weak: 30, ceiling: 30, w2s: 35 }, 6);
    const r = bootstrapCell({ ...base, ceiling: base.weak }, { seed: 1, resamples: 100 });
    expect(r.pgr).toMatchObject({ value: null, low: null, high: null, undefinedResamples: 100 });
    expect(r.pgr.reason).toMatch(/no gap to recover/);
  });

  it('rejects mismatched predictions and bad options, naming them', () => {
    const labels = [0, 1, 1];
    const p = [
      [0.5, 0.5],
      [0.1, 0.9],
      [0.3, 0.7],
    ];
    expect(userErrorMessage(() => bootstrapCell({ labels, weak: p, ceiling: p, w2s: p.slice(1) }, { seed: 1 }))).toBe(
      'bootstrapCell: cell.w2s: has 2 examples, expected 3 (length mismatch)',
    );
    expect(userErrorMessage(() => bootstrapCell({ labels: [0, 1], weak: p, ceiling: p, w2s: p }, { seed: 1 }))).toMatch(
      /^bootstrapCell: cell.labels: has 2 labels/,
    );
    expect(userErrorMessage(() => bootstrapCell({ labels, weak: p, ceiling: p, w2s: p }, { seed: 0.5 }))).toMatch(
      /^bootstrapCell: options.seed/,
    );
    expect(
      userErrorMessage(() => bootstrapCell({ labels, weak: p, ceiling: p, w2s: p }, { seed: 1, level: 95 })),
    ).toMatch(/^bootstrapCell: options.level/);
    expect(
      userErrorMessage(() => bootstrapCell({ labels, weak: p, ceiling: p, w2s: p }, { seed: 1, resamples: 0 })),
    ).toMatch(/^bootstrapCell: options.resamples/);
  });
});
