/**
 * synthetic-overlap: examples with an easy part, a hard part, or both — the overlap density
 * of Shin, Lee & Sala 2025 ("Weak-to-Strong Generalization Through the Data-Centric Lens").
 * Weak-to-strong transfer is predicted to work through the *overlap* examples: the weak model
 * labels them right from the easy part, and a student that can see the hard part learns it
 * there and then fixes the hard-only examples.
 *
 * For each example: y ∈ {0, 1} uniform, s = 2y − 1, and a type
 *   overlap (prob. overlapFrac), easy-only (easyOnlyFrac), hard-only (the rest).
 *   easy part e ∈ R^easyDim: noise·N(0, I) + [has easy] · s · margin · u
 *   hard part (a, b), each R^(hardDim/2), r = ±1 at random:
 *     a = noise·N(0, I) + [has hard] · r · margin · v,   b = noise·N(0, I) + [has hard] · r·s · margin · v'
 *   so sign(⟨a,v⟩⟨b,v'⟩) = s: the hard signal is XOR-like, invisible to any linear model of x.
 * u, v, v' are fixed random unit vectors. x = [e, a, b]. The weak representation sees the easy
 * part only: embeddings.weak = e. The strong one knows the hard concept as a linear feature:
 * embeddings.strong = [e, a, b, ⟨a,v⟩⟨b,v'⟩ / margin]. groups = the example's type.
 */
import { Rng } from '@w2s/core/base';
import { z } from 'zod';
import type { Dataset } from '../types.js';

export const OVERLAP_TYPES = ['overlap', 'easy-only', 'hard-only'] as const;

export const SyntheticOverlapSpecSchema = z
  .strictObject({
    name: z.literal('synthetic-overlap'),
    n: z.int().min(10).default(2000),
    easyDim: z.int().min(1).default(8),
    hardDim: z.int().min(2).default(8),
    overlapFrac: z.number().min(0).max(1).default(0.2),
    easyOnlyFrac: z.number().min(0).max(1).default(0.4),
    margin: z.number().positive().default(2),
    noise: z.number().positive().default(1),
    seed: z.int().default(0),
  })
  .refine((s) => s.hardDim % 2 === 0, { message: 'hardDim must be even (two halves)', path: ['hardDim'] })
  .refine((s) => s.overlapFrac + s.easyOnlyFrac <= 1, {
    message: 'overlapFrac + easyOnlyFrac must be at most 1 (the rest is hard-only)',
    path: ['easyOnlyFrac'],
  });

export type SyntheticOverlapSpec = z.infer<typeof SyntheticOverlapSpecSchema>;

function unitVector(rng: Rng, dim: number): Float64Array {
  const v = Float64Array.from({ length: dim }, () => rng.normal());
  const norm = Math.hypot(...v) || 1;
  return v.map((c) => c / norm);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function generateSyntheticOverlap(spec: SyntheticOverlapSpec): Dataset {
  const { n, easyDim, hardDim, margin, noise } = spec;
  const half = hardDim / 2;
  const rng = new Rng(spec.seed);
  const directions = rng.fork('directions');
  const u = unitVector(directions, easyDim);
  const v = unitVector(directions, half);
  const v2 = unitVector(directions, half);
  const draw = rng.fork('examples');

  const dim = easyDim + hardDim;
  const strongDim = dim + 1;
  const x = new Float32Array(n * dim);
  const weak = new Float32Array(n * easyDim);
  const strong = new Float32Array(n * strongDim);
  const labels = new Int32Array(n);
  const groups: string[] = [];
  for (let i = 0; i < n; i++) {
    const y = draw.uniform() < 0.5 ? 0 : 1;
    const s = 2 * y - 1;
    const t = draw.uniform();
    const type = t < spec.overlapFrac ? 'overlap' : t < spec.overlapFrac + spec.easyOnlyFrac ? 'easy-only' : 'hard-only';
    const hasEasy = type !== 'hard-only' ? 1 : 0;
    const hasHard = type !== 'easy-only' ? 1 : 0;
    const r = draw.uniform() < 0.5 ? -1 : 1;
    const e = Array.from(u, (uj) => noise * draw.normal() + hasEasy * s * margin * uj);
    const a = Array.from(v, (vj) => noise * draw.normal() + hasHard * r * margin * vj);
    const b = Array.from(v2, (vj) => noise * draw.normal() + hasHard * r * s * margin * vj);
    const row = [...e, ...a, ...b];
    x.set(row, i * dim);
    weak.set(e, i * easyDim);
    strong.set([...row, (dot(a, v) * dot(b, v2)) / margin], i * strongDim);
    labels[i] = y;
    groups.push(type);
  }
  return {
    name: 'synthetic-overlap',
    modality: 'vector',
    numClasses: 2,
    classNames: ['negative', 'positive'],
    examples: {
      ids: Array.from({ length: n }, (_, i) => `overlap-${i}`),
      labels,
      x,
      dim,
      shape: [dim],
      embeddings: {
        strong: { dim: strongDim, values: strong },
        weak: { dim: easyDim, values: weak },
      },
      groups,
    },
  };
}
