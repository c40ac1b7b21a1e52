import { UserError } from '@w2s/core/base';

/**
 * Class probabilities for n examples and K ≥ 2 classes, in one of two layouts:
 * - rows: `[[p0, p1, …], …]` (each row may be a number[] or a typed array);
 * - flat: `{ values, numClasses }`, row-major (example i, class k at `values[i * K + k]`),
 *   e.g. the `dataSync()` of an [n, K] tensor.
 * For binary data held as P(class 1) only, use `binaryProbs(p1)`.
 */
export type ProbRows = readonly ArrayLike<number>[];
export interface FlatProbs {
  readonly values: ArrayLike<number>;
  readonly numClasses: number;
}
export type Probs = ProbRows | FlatProbs;

/** Validated probabilities: n rows of k classes, row-major, as float64. */
export interface ProbMatrix {
  readonly n: number;
  readonly k: number;
  readonly data: Float64Array;
}

/** Rows must sum to 1 within this (loose enough for float32 softmax and averaged soft labels). */
export const ROW_SUM_TOLERANCE = 1e-3;

/** Binary probabilities from P(class 1) per example: row i is [1 − p1[i], p1[i]]. */
export function binaryProbs(p1: ArrayLike<number>): FlatProbs {
  const values = new Float64Array(p1.length * 2);
  for (let i = 0; i < p1.length; i++) {
    values[2 * i] = 1 - p1[i]!;
    values[2 * i + 1] = p1[i]!;
  }
  return { values, numClasses: 2 };
}

/**
 * Checks `probs` and copies it into a ProbMatrix. `where` names the function and argument
 * (e.g. "accuracy: probs") so that a UserError says which input is wrong.
 */
export function toProbMatrix(probs: Probs, where: string): ProbMatrix {
  let n: number;
  let k: number;
  let data: Float64Array;
  if (Array.isArray(probs)) {
    const rows = probs as ProbRows;
    if (rows.length === 0) throw new UserError('is empty; need at least one example', where);
    const first = rows[0];
    if (typeof first !== 'object' || first === null || typeof first.length !== 'number') {
      throw new UserError(
        'row 0 is not an array of class probabilities; for binary P(class 1) values use binaryProbs(p1)',
        where,
      );
    }
    n = rows.length;
    k = first.length;
    checkNumClasses(k, where);
    data = new Float64Array(n * k);
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      if (typeof row !== 'object' || row === null || row.length !== k) {
        const got = typeof row === 'object' && row !== null ? `${row.length} values` : typeof row;
        throw new UserError(`row ${i} has ${got}, expected ${k} (the length of row 0)`, where);
      }
      for (let c = 0; c < k; c++) data[i * k + c] = row[c]!;
    }
  } else if (typeof probs === 'object' && probs !== null && 'numClasses' in probs) {
    k = probs.numClasses;
    checkNumClasses(k, where);
    const len = probs.values.length;
    if (len === 0) throw new UserError('is empty; need at least one example', where);
    if (len % k !== 0) {
      throw new UserError(`has ${len} values, not a multiple of numClasses = ${k}`, where);
    }
    n = len / k;
    data = Float64Array.from(probs.values);
  } else {
    throw new UserError(
      'must be rows of class probabilities or { values, numClasses }; a flat array needs numClasses',
      where,
    );
  }
  checkValues({ n, k, data }, where);
  return { n, k, data };
}

function checkNumClasses(k: number, where: string): void {
  if (!Number.isInteger(k) || k < 2) {
    throw new UserError(`needs at least 2 classes per example, got ${k}`, where);
  }
}

function checkValues(m: ProbMatrix, where: string): void {
  for (let i = 0; i < m.n; i++) {
    let sum = 0;
    for (let c = 0; c < m.k; c++) {
      const p = m.data[i * m.k + c]!;
      if (!(p >= 0 && p <= 1)) {
        // NaN fails both comparisons, so it lands here too.
        throw new UserError(`row ${i}, class ${c} is ${p}; probabilities must be numbers in [0, 1]`, where);
      }
      sum += p;
    }
    if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) {
      throw new UserError(`row ${i} sums to ${sum}, not 1 (tolerance ${ROW_SUM_TOLERANCE})`, where);
    }
  }
}

/** Checks integer class labels in [0, k), one per example. */
export function checkLabels(labels: ArrayLike<number>, n: number, k: number, where: string): void {
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    throw new UserError('must be an array of integer class labels', where);
  }
  if (labels.length !== n) {
    throw new UserError(`has ${labels.length} labels but there are ${n} examples (length mismatch)`, where);
  }
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= k) {
      throw new UserError(`label ${i} is ${y}; labels must be integers in [0, ${k - 1}]`, where);
    }
  }
}

/** Checks that two probability matrices describe the same examples and classes. */
export function checkSameShape(a: ProbMatrix, b: ProbMatrix, where: string): void {
  if (a.n !== b.n) throw new UserError(`has ${b.n} examples, expected ${a.n} (length mismatch)`, where);
  if (a.k !== b.k) throw new UserError(`has ${b.k} classes, expected ${a.k}`, where);
}

/** Index of the largest probability in row i; ties go to the lowest class index. */
export function argmaxRow(m: ProbMatrix, i: number): number {
  let best = 0;
  let bestP = m.data[i * m.k]!;
  for (let c = 1; c < m.k; c++) {
    const p = m.data[i * m.k + c]!;
    if (p > bestP) {
      best = c;
      bestP = p;
    }
  }
  return best;
}

/** 1 where argmax(probs) equals the label, else 0. */
export function correctness(m: ProbMatrix, labels: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(m.n);
  for (let i = 0; i < m.n; i++) out[i] = argmaxRow(m, i) === labels[i] ? 1 : 0;
  return out;
}
