// Small helpers shared by the debate sources: row-major column blocks and derived datasets.
import type { Dataset } from '@w2s/tasks';

/** Every index 0 … n−1. */
export const allOf = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** Row-major columns: `values` holds rows of `dim` values each. */
export interface Columns {
  dim: number;
  values: Float32Array;
}

/** The rows of several column blocks (each n rows) side by side: n rows of Σ dim values. */
export function concatColumns(blocks: Columns[], n: number): Columns {
  const dim = blocks.reduce((sum, b) => sum + b.dim, 0);
  const values = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    let at = r * dim;
    for (const b of blocks) {
      values.set(b.values.subarray(r * b.dim, (r + 1) * b.dim), at);
      at += b.dim;
    }
  }
  return { dim, values };
}

/** Rows of x for `indices`, row-major. */
export function rowsOf(task: Dataset, indices: Int32Array): Float32Array {
  const { x, dim } = task.examples;
  const out = new Float32Array(indices.length * dim!);
  indices.forEach((i, r) => out.set(x!.subarray(i * dim!, (i + 1) * dim!), r * dim!));
  return out;
}

/** A dataset with the task's classes and other inputs: for judges and for derived features. */
export function derivedTask(task: Dataset, name: string, inputs: { x: Float32Array } | { text: string[] }, labels?: Int32Array): Dataset {
  const n = 'x' in inputs ? inputs.x.length / task.examples.dim! : inputs.text.length;
  const examples = 'x' in inputs ? { x: inputs.x, dim: task.examples.dim, shape: task.examples.shape } : { text: inputs.text };
  return {
    name,
    modality: task.modality,
    numClasses: task.numClasses,
    classNames: task.classNames,
    examples: { ids: Array.from({ length: n }, (_, i) => `${name}/${i}`), labels: labels ?? new Int32Array(n), ...examples },
  };
}
