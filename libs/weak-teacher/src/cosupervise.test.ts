import { Rng, UserError } from '@w2s/core';
import { describe, expect, it } from 'vitest';
import { checkCosuperviseFor, cosuperviseMismatch, kMeans, MIN_SPECIALIST_EXAMPLES, specialistParts } from './cosupervise.js';
import { WeakLabelsSchema } from './weak-labels-config.js';

/** n points in 2-d around each of `centers` (±0.3), interleaved: point i belongs to blob i mod #centers. */
function blobs(centers: [number, number][], n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const [x, y] = centers[i % centers.length]!;
    out[2 * i] = x + 0.3 * (rng.uniform() - 0.5);
    out[2 * i + 1] = y + 0.3 * (rng.uniform() - 0.5);
  }
  return out;
}

describe('kMeans (balanced)', () => {
  it('finds well-separated blobs, deterministically', () => {
    const rows = blobs([[0, 0], [5, 5], [0, 5]], 60, new Rng(1));
    const a = kMeans(rows, 2, 3, new Rng(7));
    expect(kMeans(rows, 2, 3, new Rng(7))).toEqual(a);
    // Every blob is one cluster, and the three clusters differ.
    for (let blob = 0; blob < 3; blob++) {
      const ids = new Set(Array.from(a).filter((_, i) => i % 3 === blob));
      expect(ids.size).toBe(1);
    }
    expect(new Set(a).size).toBe(3);
  });

  it('an outlier cannot make a cluster of its own: at most ⌈n/k⌉ rows per cluster', () => {
    const rows = blobs([[0, 0]], 41, new Rng(2));
    rows[80] = 1000; // one far outlier
    const a = kMeans(rows, 2, 2, new Rng(3));
    const counts = [0, 0];
    for (const c of a) counts[c]! += 1;
    expect(Math.max(...counts)).toBeLessThanOrEqual(21);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(20);
  });
});

describe('specialistParts', () => {
  const weakTrain = Int32Array.from({ length: 30 }, (_, i) => 100 + 2 * i);

  it('chunk: consecutive parts covering weak-train once', () => {
    const parts = specialistParts({ teachers: 3, partition: 'chunk' }, weakTrain, undefined, 0, 0);
    expect(parts.map((p) => p.length)).toEqual([10, 10, 10]);
    expect(Array.from(parts[1]!)).toEqual(Array.from(weakTrain.subarray(10, 20)));
  });

  it('cluster: the k-means clusters of the features, as sorted index sets that cover weak-train once', () => {
    const features = blobs([[0, 0], [9, 9]], 30, new Rng(4));
    const parts = specialistParts({ teachers: 2, partition: 'cluster' }, weakTrain, features, 2, 0);
    const all = [...parts[0]!, ...parts[1]!].sort((a, b) => a - b);
    expect(all).toEqual(Array.from(weakTrain));
    for (const part of parts) {
      const blob = new Set(Array.from(part).map((idx) => ((idx - 100) / 2) % 2));
      expect(blob.size).toBe(1);
      expect(Array.from(part)).toEqual(Array.from(part).sort((a, b) => a - b));
    }
  });

  it('refuses too few examples per specialist, at plan time and when partitioning', () => {
    expect(() => checkCosuperviseFor({ teachers: 4, partition: 'chunk' }, 4 * MIN_SPECIALIST_EXAMPLES - 1, 'methods[2].weak.cosupervise')).toThrow(UserError);
    expect(() => checkCosuperviseFor({ teachers: 4, partition: 'chunk' }, 31, 'methods[2].weak.cosupervise')).toThrow(
      'methods[2].weak.cosupervise: 4 specialists need at least 32 weak-train examples (8 each); weak-train has 31',
    );
    expect(() => specialistParts({ teachers: 4, partition: 'chunk' }, weakTrain, undefined, 0, 0)).toThrow(/4 specialists need at least 32/);
  });
});

describe('config', () => {
  it('goes with the cosupervise loss only, and with no other weak-label scheme', () => {
    expect(cosuperviseMismatch({ cosupervise: { teachers: 2 } }, 'cosupervise')).toBeUndefined();
    expect(cosuperviseMismatch(undefined, 'xent')).toBeUndefined();
    expect(cosuperviseMismatch(undefined, 'cosupervise')?.path).toBe('loss');
    expect(cosuperviseMismatch({ cosupervise: { teachers: 2 } }, 'logconf')?.message).toMatch(/set loss: \{ name: cosupervise \} \(got "logconf"\)/);
    expect(WeakLabelsSchema.safeParse({ cosupervise: { teachers: 2 }, ensemble: { size: 2 } }).success).toBe(false);
    expect(WeakLabelsSchema.safeParse({ cosupervise: { teachers: 1 } }).success).toBe(false);
    expect(WeakLabelsSchema.parse({ cosupervise: { teachers: 3 } })).toEqual({ cosupervise: { teachers: 3, partition: 'cluster' } });
  });
});
