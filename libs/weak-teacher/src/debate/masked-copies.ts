import type { Rng } from '@w2s/core';
import type { FeatureUnits } from '@w2s/debate';

/** Masked copies of each judge-training input (on top of the full input). */
const COPIES = 4;

/**
 * A judge's training inputs: each of the n rows of `full` (row-major, dim = full.length / n) once
 * in full and COPIES times with a random 10–70 % of its feature units revealed (the rest 0), so
 * that a debate's partial reveals are in the judge's training distribution. Each copy keeps its
 * row's target (probability rows [n × K]).
 */
export function maskedCopies(full: Float32Array, targets: Float32Array, numClasses: number, units: FeatureUnits, rng: Rng): { x: Float32Array; targets: Float32Array } {
  const n = targets.length / numClasses;
  const d = full.length / n;
  const x = new Float32Array(n * (COPIES + 1) * d);
  const copiedTargets = new Float32Array(n * (COPIES + 1) * numClasses);
  for (let c = 0; c <= COPIES; c++) {
    copiedTargets.set(targets, c * n * numClasses);
    for (let r = 0; r < n; r++) {
      const row = (c * n + r) * d;
      if (c === 0) {
        x.set(full.subarray(r * d, (r + 1) * d), row);
        continue;
      }
      const keep = 0.1 + 0.6 * rng.uniform(); // reveal 10–70 % of the features
      for (const coords of units.members) {
        if (rng.uniform() >= keep) continue;
        for (const j of coords) x[row + j] = full[r * d + j]!;
      }
    }
  }
  return { x, targets: copiedTargets };
}
