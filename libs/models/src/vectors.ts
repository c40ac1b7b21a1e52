import { UserError } from '@w2s/core';
import type { Dataset } from '@w2s/tasks';

/** A task's numeric inputs, or a UserError if it has none (e.g. a text task given to the mlp family). */
export function taskMatrix(task: Dataset, family: string): { x: Float32Array; dim: number; shape: number[] } {
  const { x, dim, shape } = task.examples;
  if (!x || !dim) {
    throw new UserError(`task "${task.name}" (${task.modality}) has no numeric inputs for the ${family} family`, 'model.family');
  }
  return { x, dim, shape: shape ?? [dim] };
}

/** Rows `rows` of a row-major n × dim matrix, copied into one array. */
export function gatherRows(x: Float32Array, dim: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    out.set(x.subarray(r * dim, (r + 1) * dim), i * dim);
  }
  return out;
}

/**
 * Input standardization fitted on the pretraining corpus: per coordinate for vectors, one scalar
 * for images (per-pixel statistics would blow up the always-black border pixels).
 */
export interface InputNorm {
  mean: number[];
  std: number[];
}

export function fitNorm(x: Float32Array, dim: number, perCoordinate: boolean): InputNorm {
  const n = x.length / dim;
  const width = perCoordinate ? dim : 1;
  const sum = new Float64Array(width);
  const sumSq = new Float64Array(width);
  for (let i = 0; i < x.length; i++) {
    const j = perCoordinate ? i % dim : 0;
    sum[j]! += x[i]!;
    sumSq[j]! += x[i]! * x[i]!;
  }
  const count = perCoordinate ? n : n * dim;
  const mean = Array.from(sum, (s) => s / count);
  const std = Array.from(sumSq, (s, j) => Math.sqrt(Math.max(s / count - mean[j]! ** 2, 0)) || 1);
  return { mean, std };
}

/** (x - mean) / std in place, for rows of width dim. */
export function applyNorm(rows: Float32Array, dim: number, norm: InputNorm): Float32Array {
  const perCoordinate = norm.mean.length > 1;
  for (let i = 0; i < rows.length; i++) {
    const j = perCoordinate ? i % dim : 0;
    rows[i] = (rows[i]! - norm.mean[j]!) / norm.std[j]!;
  }
  return rows;
}
