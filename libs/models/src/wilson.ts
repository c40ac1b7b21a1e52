/**
 * Wilson score interval for a binomial proportion (Wilson 1927): with p̂ = k/n and z the normal
 * quantile (1.96 for 95 %),
 *   centre = (p̂ + z²/2n) / (1 + z²/n),  half = z·sqrt(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n).
 * Unlike p̂ ± z·se it stays inside [0, 1] and is sensible at p̂ = 0 or 1.
 */
export function wilsonInterval(successes: number, n: number, z = 1.96): { lo: number; hi: number } {
  if (!(n > 0)) return { lo: 0, hi: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

/** Accuracy of probability rows [n × K] against labels (argmax, ties → lowest class) with its 95 % Wilson interval. */
export function accuracyWithInterval(probs: Float32Array, labels: ArrayLike<number>, numClasses: number): { accuracy: number; lo: number; hi: number; n: number } {
  const n = labels.length;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (probs[i * numClasses + c]! > probs[i * numClasses + best]!) best = c;
    if (best === labels[i]) correct++;
  }
  return { accuracy: n > 0 ? correct / n : NaN, ...wilsonInterval(correct, n), n };
}
