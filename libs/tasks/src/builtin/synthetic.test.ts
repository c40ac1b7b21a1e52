import { describe, expect, it } from 'vitest';
import { loadTask } from '../registry.js';
import { leastSquares, predict, squaredDistance } from '../test-utils/least-squares.js';

describe('synthetic-linear', () => {
  const spec = { name: 'synthetic-linear', n: 1500, dim: 12, strongDim: 10, weakDim: 3, seed: 7 };
  const start = performance.now();
  const task = loadTask(spec);
  console.log(`synthetic-linear: generated in ${(performance.now() - start).toFixed(0)} ms`);
  const { n } = spec;
  const hs = task.examples.embeddings!.strong!;
  const hw = task.examples.embeddings!.weak!;
  const target = task.examples.targets!;

  it('has the configured sizes and is cached per spec', () => {
    expect(task.examples.x!.length).toBe(n * 12);
    expect(hs.dim).toBe(10);
    expect(hw.dim).toBe(3);
    expect(hs.values.length).toBe(n * 10);
    expect(hw.values.length).toBe(n * 3);
    expect(loadTask({ ...spec })).toBe(task);
  });

  it('the target is exactly linear in h_s (realizable) but not in h_w', () => {
    const norm = squaredDistance(target, new Float64Array(n));
    const residualStrong = squaredDistance(predict(hs.values, n, 10, leastSquares(hs.values, n, 10, target)), target);
    const residualWeak = squaredDistance(predict(hw.values, n, 3, leastSquares(hw.values, n, 3, target)), target);
    console.log(`relative residual: strong ${(residualStrong / norm).toExponential(2)}, weak ${(residualWeak / norm).toFixed(3)}`);
    expect(residualStrong / norm).toBeLessThan(1e-9);
    expect(residualWeak / norm).toBeGreaterThan(0.05);
  });

  it('gain = misfit: the strong least-squares fit to weak predictions is a projection', () => {
    // Weak model: least squares on h_w to the target; student: least squares on h_s to f_w.
    const fw = predict(hw.values, n, 3, leastSquares(hw.values, n, 3, target));
    const fsw = predict(hs.values, n, 10, leastSquares(hs.values, n, 10, fw));
    const weakError = squaredDistance(fw, target);
    const strongError = squaredDistance(fsw, target);
    const misfit = squaredDistance(fsw, fw);
    expect(weakError - strongError).toBeGreaterThan(0);
    expect(weakError - strongError).toBeCloseTo(misfit, 4);
    expect(Math.abs(weakError - strongError - misfit) / misfit).toBeLessThan(1e-6);

    // Control: for a target outside span(h_s) (the ±1 labels) the identity fails.
    const signs = Float64Array.from(task.examples.labels, (y) => 2 * y - 1);
    const gw = predict(hw.values, n, 3, leastSquares(hw.values, n, 3, signs));
    const gsw = predict(hs.values, n, 10, leastSquares(hs.values, n, 10, gw));
    const gap = squaredDistance(gw, signs) - squaredDistance(gsw, signs) - squaredDistance(gsw, gw);
    expect(Math.abs(gap) / squaredDistance(gsw, gw)).toBeGreaterThan(0.01);
  });

  it('labels are the sign of the target without noise, roughly balanced, and flip with noise', () => {
    task.examples.labels.forEach((y, i) => expect(y).toBe(target[i]! > 0 ? 1 : 0));
    const positives = task.examples.labels.reduce((a, y) => a + y, 0);
    expect(positives / n).toBeGreaterThan(0.3);
    expect(positives / n).toBeLessThan(0.7);
    const noisy = loadTask({ ...spec, noise: 0.5 });
    let flipped = 0;
    noisy.examples.labels.forEach((y, i) => (flipped += y !== task.examples.labels[i] ? 1 : 0));
    expect(flipped / n).toBeGreaterThan(0.05);
    expect(flipped / n).toBeLessThan(0.4);
    expect(Array.from(noisy.examples.targets!)).toEqual(Array.from(target)); // noise is label noise only
  });

  it('is deterministic in its seed', () => {
    const again = loadTask({ ...spec, n: n + 1 }); // different cache key, same generator
    expect(Array.from(again.examples.x!.subarray(0, 12 * 10))).toEqual(Array.from(task.examples.x!.subarray(0, 12 * 10)));
    const other = loadTask({ ...spec, seed: 8 });
    expect(Array.from(other.examples.x!.subarray(0, 12))).not.toEqual(Array.from(task.examples.x!.subarray(0, 12)));
  });

  it('rejects a weak map that is not smaller than the strong one', () => {
    expect(() => loadTask({ name: 'synthetic-linear', strongDim: 4, weakDim: 4 })).toThrow(
      'task "synthetic-linear": weakDim: weakDim must be smaller than strongDim',
    );
    expect(() => loadTask({ name: 'synthetic-linear', nope: 1 })).toThrow(/task "synthetic-linear"/);
  });
});

describe('synthetic-overlap', () => {
  const spec = { name: 'synthetic-overlap', n: 4000, easyDim: 6, hardDim: 8, overlapFrac: 0.2, easyOnlyFrac: 0.4, seed: 3 };
  const task = loadTask(spec);
  const { n, easyDim } = spec;
  const dim = easyDim + spec.hardDim;
  const x = task.examples.x!;
  const groups = task.examples.groups!;
  const labels = task.examples.labels;

  /** Norm of (mean of columns [from, to) over class 1) − (same over class 0), within a group. */
  function classMeanGap(group: string, from: number, to: number): number {
    const sums = [new Float64Array(to - from), new Float64Array(to - from)];
    const counts = [0, 0];
    for (let i = 0; i < n; i++) {
      if (groups[i] !== group) continue;
      counts[labels[i]!]!++;
      for (let j = from; j < to; j++) sums[labels[i]!]![j - from]! += x[i * dim + j]!;
    }
    return Math.hypot(...sums[1]!.map((s, j) => s / counts[1]! - sums[0]![j]! / counts[0]!));
  }

  it('mixes the three example types in the configured proportions', () => {
    const share = (g: string) => groups.filter((t) => t === g).length / n;
    expect(share('overlap')).toBeCloseTo(0.2, 1);
    expect(share('easy-only')).toBeCloseTo(0.4, 1);
    expect(share('hard-only')).toBeCloseTo(0.4, 1);
  });

  it('the easy part carries the label (margin 2 → class-mean gap 4) except in hard-only examples', () => {
    expect(classMeanGap('easy-only', 0, easyDim)).toBeGreaterThan(3.5);
    expect(classMeanGap('overlap', 0, easyDim)).toBeGreaterThan(3.5);
    expect(classMeanGap('hard-only', 0, easyDim)).toBeLessThan(0.35);
  });

  it('the hard part is invisible to linear models of x, but its product feature gives the label', () => {
    for (const g of ['overlap', 'hard-only', 'easy-only']) expect(classMeanGap(g, easyDim, dim)).toBeLessThan(0.45);
    const strong = task.examples.embeddings!.strong!;
    const agreement = (g: string) => {
      let agree = 0;
      let total = 0;
      for (let i = 0; i < n; i++) {
        if (groups[i] !== g) continue;
        total++;
        if ((strong.values[i * strong.dim + strong.dim - 1]! > 0 ? 1 : 0) === labels[i]) agree++;
      }
      return agree / total;
    };
    expect(agreement('hard-only')).toBeGreaterThan(0.75);
    expect(agreement('overlap')).toBeGreaterThan(0.75);
    expect(Math.abs(agreement('easy-only') - 0.5)).toBeLessThan(0.05);
  });

  it('the weak embedding is the easy part only; the strong one holds all of x', () => {
    const weak = task.examples.embeddings!.weak!;
    const strong = task.examples.embeddings!.strong!;
    expect(weak.dim).toBe(easyDim);
    expect(strong.dim).toBe(dim + 1);
    for (const i of [0, 17, n - 1]) {
      expect(Array.from(weak.values.subarray(i * easyDim, (i + 1) * easyDim))).toEqual(Array.from(x.subarray(i * dim, i * dim + easyDim)));
      expect(Array.from(strong.values.subarray(i * (dim + 1), i * (dim + 1) + dim))).toEqual(Array.from(x.subarray(i * dim, (i + 1) * dim)));
    }
  });

  it('validates its options', () => {
    expect(() => loadTask({ name: 'synthetic-overlap', hardDim: 5 })).toThrow('task "synthetic-overlap": hardDim: hardDim must be even');
    expect(() => loadTask({ name: 'synthetic-overlap', overlapFrac: 0.7, easyOnlyFrac: 0.5 })).toThrow(
      'task "synthetic-overlap": easyOnlyFrac: overlapFrac + easyOnlyFrac must be at most 1',
    );
  });
});
