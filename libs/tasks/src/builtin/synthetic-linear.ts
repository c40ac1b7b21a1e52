/**
 * synthetic-linear: the realizable setting of Charikar, Pabbaraju & Shiragur 2024
 * ("Quantifying the Gain in Weak-to-Strong Generalization").
 *
 *   x ~ N(0, I_dim)
 *   h_s(x) = tanh(A_s x),  A_s ∈ R^{strongDim×dim}   the fixed "strong" feature map
 *   h_w(x) = tanh(A_w x),  A_w ∈ R^{weakDim×dim}     a smaller "weak" one (weakDim < strongDim)
 *   f*(x)  = w · h_s(x)    (w scaled so f* has unit variance on the sample)
 *   label  = 1[f*(x) + noise · ε > 0],  ε ~ N(0, 1)
 *
 * A, w ~ N(0, 1/fan-in). f* is exactly linear in h_s, so a linear head on h_s fitted by least
 * squares to the weak model's predictions f_w is the projection of f_w onto span(h_s), and
 * ‖f_sw − f*‖² = ‖f_w − f*‖² − ‖f_sw − f_w‖²  (gain = misfit), on every sample.
 * Dataset: x = inputs, embeddings.strong = h_s(x), embeddings.weak = h_w(x), targets = f*(x).
 */
import { Rng } from '@w2s/core/base';
import { z } from 'zod';
import type { Dataset } from '../types.js';

export const SyntheticLinearSpecSchema = z
  .strictObject({
    name: z.literal('synthetic-linear'),
    n: z.int().min(10).default(2000),
    dim: z.int().min(1).default(20),
    strongDim: z.int().min(1).default(16),
    weakDim: z.int().min(1).default(4),
    noise: z.number().min(0).default(0),
    seed: z.int().default(0),
  })
  .refine((s) => s.weakDim < s.strongDim, { message: 'weakDim must be smaller than strongDim', path: ['weakDim'] });

export type SyntheticLinearSpec = z.infer<typeof SyntheticLinearSpecSchema>;

/** out[i, :] = tanh(A x_i) for a rows×dim matrix A. */
function tanhFeatures(x: Float64Array, n: number, dim: number, a: Float64Array, rows: number): Float64Array {
  const out = new Float64Array(n * rows);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += a[r * dim + j]! * x[i * dim + j]!;
      out[i * rows + r] = Math.tanh(s);
    }
  }
  return out;
}

function gaussian(rng: Rng, count: number, std: number): Float64Array {
  return Float64Array.from({ length: count }, () => rng.normal() * std);
}

export function generateSyntheticLinear(spec: SyntheticLinearSpec): Dataset {
  const { n, dim, strongDim, weakDim, noise } = spec;
  const rng = new Rng(spec.seed);
  // Separate streams, so changing n does not change the feature maps or the target.
  const aStrong = gaussian(rng.fork('A_s'), strongDim * dim, 1 / Math.sqrt(dim));
  const aWeak = gaussian(rng.fork('A_w'), weakDim * dim, 1 / Math.sqrt(dim));
  const w = gaussian(rng.fork('w'), strongDim, 1 / Math.sqrt(strongDim));
  const x = gaussian(rng.fork('x'), n * dim, 1);
  const hStrong = tanhFeatures(x, n, dim, aStrong, strongDim);
  const hWeak = tanhFeatures(x, n, dim, aWeak, weakDim);

  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < strongDim; k++) s += w[k]! * hStrong[i * strongDim + k]!;
    f[i] = s;
  }
  // Unit variance around 0 (scale only, so f* stays in span(h_s) exactly).
  const rms = Math.sqrt(f.reduce((acc, v) => acc + v * v, 0) / n) || 1;
  const noiseRng = rng.fork('noise');
  const labels = new Int32Array(n);
  const targets = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    targets[i] = f[i]! / rms;
    labels[i] = f[i]! / rms + noise * noiseRng.normal() > 0 ? 1 : 0;
  }
  return {
    name: 'synthetic-linear',
    modality: 'vector',
    numClasses: 2,
    classNames: ['negative', 'positive'],
    examples: {
      ids: Array.from({ length: n }, (_, i) => `linear-${i}`),
      labels,
      x: Float32Array.from(x),
      dim,
      shape: [dim],
      embeddings: {
        strong: { dim: strongDim, values: Float32Array.from(hStrong) },
        weak: { dim: weakDim, values: Float32Array.from(hWeak) },
      },
      targets,
    },
  };
}
