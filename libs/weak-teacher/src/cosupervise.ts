// Co-supervision by specialised weak teachers (Liu & Alahi 2024, "Co-Supervised Learning: Improving
// Weak-to-Strong Generalization with Hierarchical Mixture of Experts", arXiv 2402.15505): M weak
// models, each trained on ground truth of its own part of weak-train, all label transfer; the
// student (loss `cosupervise` of @w2s/confidence-loss) learns each example from the teacher that
// agrees most with it.
import { Rng, UserError } from '@w2s/core';
import { z } from 'zod';

/**
 * `teachers` specialists, each trained on one part of weak-train:
 * - `cluster` (default): k-means (k = teachers) on the weak backbone's features of weak-train — the
 *   analogue of the paper's specialists, who each cover a group of classes (ImageNet) or a domain
 *   (DomainNet); here the groups are what the weak model's own features separate (for the digit
 *   backbones, roughly groups of digits);
 * - `chunk`: consecutive equal parts of weak-train in split order (a random partition: members that
 *   differ only by their data, the control with no specialisation).
 */
export const CosuperviseConfigSchema = z.strictObject({
  teachers: z.int().min(2, 'must be ≥ 2').max(16, 'must be ≤ 16'),
  partition: z.enum(['cluster', 'chunk']).default('cluster'),
});
export type CosuperviseConfig = z.infer<typeof CosuperviseConfigSchema>;

/** Fewest weak-train examples a specialist may get: below it the partition is refused. */
export const MIN_SPECIALIST_EXAMPLES = 8;

/**
 * Why a method's weak-labels config and loss do not fit together (undefined when they do): the
 * `cosupervise` loss needs every specialist's labels, and the specialists are only worth training
 * for it. Checked when the manifest is read, so `plan` and `run` refuse alike.
 */
export function cosuperviseMismatch(weak: { cosupervise?: unknown } | undefined, lossName: string): { path: 'loss' | 'weak'; message: string } | undefined {
  const specialists = weak?.cosupervise !== undefined;
  if (lossName === 'cosupervise' && !specialists) {
    return { path: 'loss', message: 'the cosupervise loss learns from several specialised teachers: add weak: { cosupervise: { teachers: 2 } }' };
  }
  if (specialists && lossName !== 'cosupervise') {
    return { path: 'weak', message: `weak.cosupervise trains specialised teachers for the cosupervise loss: set loss: { name: cosupervise } (got "${lossName}")` };
  }
  return undefined;
}

/**
 * What can be refused before training: at least {@link MIN_SPECIALIST_EXAMPLES} weak-train examples
 * per teacher on average (plan time; `specialistParts` checks the real parts).
 */
export function checkCosuperviseFor(config: CosuperviseConfig, weakTrainSize: number, where = 'weak.cosupervise'): void {
  if (weakTrainSize < config.teachers * MIN_SPECIALIST_EXAMPLES) {
    throw new UserError(`${config.teachers} specialists need at least ${config.teachers * MIN_SPECIALIST_EXAMPLES} weak-train examples (${MIN_SPECIALIST_EXAMPLES} each); weak-train has ${weakTrainSize}`, where);
  }
}

/** Consecutive, nearly equal parts of `indices` (the first parts one longer when it does not divide). */
function chunks(indices: Int32Array, parts: number): Int32Array[] {
  return Array.from({ length: parts }, (_, m) => indices.slice(Math.floor((m * indices.length) / parts), Math.floor(((m + 1) * indices.length) / parts)));
}

/**
 * Balanced k-means on standardized rows [n × dim]: k-means++ seeding from `rng`, then up to 25
 * rounds of Lloyd's algorithm whose assignment step fills clusters of at most ⌈n/k⌉ rows (an outlier
 * cannot make a cluster of its own). Each row's cluster; deterministic for a given rng.
 */
export function kMeans(rows: Float32Array, dim: number, k: number, rng: Rng, iterations = 25): Int32Array {
  const n = rows.length / dim;
  const x = standardized(rows, dim);
  const centers = new Float64Array(k * dim);
  const dist2 = (i: number, c: number) => {
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const d = x[i * dim + j]! - centers[c * dim + j]!;
      s += d * d;
    }
    return s;
  };
  // k-means++: the first center uniformly, each next with probability ∝ squared distance to the nearest.
  const nearest = new Float64Array(n).fill(Infinity);
  let chosen = rng.int(n);
  for (let c = 0; c < k; c++) {
    centers.set(x.subarray(chosen * dim, (chosen + 1) * dim), c * dim);
    let total = 0;
    for (let i = 0; i < n; i++) {
      nearest[i] = Math.min(nearest[i]!, dist2(i, c));
      total += nearest[i]!;
    }
    let u = rng.uniform() * total;
    chosen = n - 1;
    for (let i = 0; i < n; i++) {
      u -= nearest[i]!;
      if (u <= 0 && nearest[i]! > 0) {
        chosen = i;
        break;
      }
    }
  }
  // Balanced assignment: (example, cluster) pairs by distance, each example to the nearest cluster
  // that still has room (at most ⌈n/k⌉ each; ties: the lower example, then the lower cluster), so
  // every specialist gets a fair share, as the paper's specialists each cover an equal group of classes.
  const capacity = Math.ceil(n / k);
  const assignment = new Int32Array(n).fill(-1);
  for (let it = 0; it < iterations; it++) {
    const pairs: { i: number; c: number; d: number }[] = [];
    for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) pairs.push({ i, c, d: dist2(i, c) });
    pairs.sort((a, b) => a.d - b.d || a.i - b.i || a.c - b.c);
    const next = new Int32Array(n).fill(-1);
    const filled = new Int32Array(k);
    for (const { i, c } of pairs) {
      if (next[i] !== -1 || filled[c]! >= capacity) continue;
      next[i] = c;
      filled[c]! += 1;
    }
    const moved = next.some((c, i) => c !== assignment[i]);
    assignment.set(next);
    const sums = new Float64Array(k * dim);
    const counts = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const c = assignment[i]!;
      counts[c]! += 1;
      for (let j = 0; j < dim; j++) sums[c * dim + j]! += x[i * dim + j]!;
    }
    // An emptied cluster keeps its center.
    for (let c = 0; c < k; c++) if (counts[c]! > 0) for (let j = 0; j < dim; j++) centers[c * dim + j] = sums[c * dim + j]! / counts[c]!;
    if (!moved) break;
  }
  return assignment;
}

function standardized(rows: Float32Array, dim: number): Float64Array {
  const n = rows.length / dim;
  const out = new Float64Array(rows.length);
  for (let j = 0; j < dim; j++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = rows[i * dim + j]!;
      s += v;
      s2 += v * v;
    }
    const mean = s / n;
    const sd = Math.sqrt(Math.max(s2 / n - mean * mean, 0));
    for (let i = 0; i < n; i++) out[i * dim + j] = sd > 1e-12 ? (rows[i * dim + j]! - mean) / sd : 0;
  }
  return out;
}

/**
 * The parts of weak-train the specialists train on, each sorted. `features` are the weak backbone's
 * features of `weakTrain` (rows in its order; only `cluster` reads them); they are inputs, never labels.
 * A part with fewer than {@link MIN_SPECIALIST_EXAMPLES} examples is refused under `where`.
 */
export function specialistParts(config: CosuperviseConfig, weakTrain: Int32Array, features: Float32Array | undefined, dim: number, seed: number, where = 'weak.cosupervise'): Int32Array[] {
  checkCosuperviseFor(config, weakTrain.length, where);
  let parts: Int32Array[];
  if (config.partition === 'chunk') {
    parts = chunks(weakTrain, config.teachers);
  } else {
    if (!features || features.length !== weakTrain.length * dim) throw new Error('cluster partition needs the weak backbone features of weak-train');
    const cluster = kMeans(features, dim, config.teachers, new Rng(seed).fork('cosupervise/kmeans'));
    parts = Array.from({ length: config.teachers }, (_, m) => Int32Array.from(weakTrain.filter((_, i) => cluster[i] === m)).sort());
  }
  const sizes = parts.map((p) => p.length);
  if (sizes.some((s) => s < MIN_SPECIALIST_EXAMPLES)) {
    throw new UserError(
      `the ${config.partition} partition of ${weakTrain.length} weak-train examples into ${config.teachers} parts gives sizes ${sizes.join(', ')}; each specialist needs at least ${MIN_SPECIALIST_EXAMPLES}: use fewer teachers or more data`,
      where,
    );
  }
  return parts;
}
