/**
 * Ordinary least squares for tests, in float64: β = argmin ‖Xβ − y‖², solved from the normal
 * equations by Gaussian elimination with partial pivoting (small, well-conditioned problems only).
 */
export function leastSquares(x: ArrayLike<number>, n: number, d: number, y: ArrayLike<number>): Float64Array {
  const a = Array.from({ length: d }, () => new Float64Array(d + 1)); // [XᵀX | Xᵀy]
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const xij = x[i * d + j]!;
      for (let k = 0; k < d; k++) a[j]![k]! += xij * x[i * d + k]!;
      a[j]![d]! += xij * y[i]!;
    }
  }
  for (let col = 0; col < d; col++) {
    let pivot = col;
    for (let r = col + 1; r < d; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    for (let r = 0; r < d; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / a[col]![col]!;
      for (let k = col; k <= d; k++) a[r]![k]! -= f * a[col]![k]!;
    }
  }
  return Float64Array.from(a, (row, j) => row[d]! / row[j]!);
}

export function predict(x: ArrayLike<number>, n: number, d: number, beta: Float64Array): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j]! * beta[j]!;
    out[i] = s;
  }
  return out;
}

export function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
}
