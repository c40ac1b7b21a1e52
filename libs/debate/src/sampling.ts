import type { Rng } from '@w2s/core/base';

/**
 * Picks k of the candidates by their gains, without replacement.
 * - temperature 0: the k largest gains (ties → the lower position);
 * - temperature T > 0: a sample from the Plackett–Luce distribution of softmax(gain / T), i.e. the
 *   first pick has probability exp(gᵢ/T) / Σⱼ exp(gⱼ/T), the next is drawn the same way from the
 *   rest, and so on. Drawn with the Gumbel-top-k trick: the k largest gᵢ/T + Gumbelᵢ.
 * Returns positions into `gains`, best first; always draws one uniform per candidate when T > 0.
 */
export function pickTopK(gains: ArrayLike<number>, k: number, temperature: number, rng: Rng): number[] {
  const n = gains.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = gains[i]!;
    if (temperature > 0) {
      let u = rng.uniform();
      while (u === 0) u = rng.uniform();
      keys[i] = g / temperature - Math.log(-Math.log(u));
    } else {
      keys[i] = g;
    }
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => keys[b]! - keys[a]! || a - b);
  return order.slice(0, Math.min(k, n));
}
