// Tiny synthetic data for fast tests: images, vectors and texts whose label is a function of a
// latent class, plus pretraining corpora (disjoint ids) in which the latent class is the label.
import { Rng } from '@w2s/core';
import type { Dataset } from '@w2s/tasks';
import type { TextCorpus, VectorCorpus } from '../corpus.js';

export const SIDE = 8;

/** An 8×8 image of latent class c (0..3): a bright bar (rows 1/5 or columns 1/5) plus noise. */
function image(c: number, rng: Rng): Float32Array {
  const px = new Float32Array(SIDE * SIDE);
  for (let i = 0; i < px.length; i++) px[i] = 0.15 * rng.uniform();
  const at = c % 2 === 0 ? 1 : 5;
  for (let j = 0; j < SIDE; j++) {
    const idx = c < 2 ? at * SIDE + j : j * SIDE + at;
    px[idx] = 0.8 + 0.2 * rng.uniform();
  }
  return px;
}

function images(n: number, rng: Rng): { x: Float32Array; classes: Int32Array } {
  const x = new Float32Array(n * SIDE * SIDE);
  const classes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    classes[i] = rng.int(4);
    x.set(image(classes[i]!, rng), i * SIDE * SIDE);
  }
  return { x, classes };
}

/** Labelled pretraining images (label = latent class), ids `pre-<i>`. */
export function imageCorpus(n = 120, seed = 1): VectorCorpus {
  const { x, classes } = images(n, new Rng(seed));
  return { name: 'tiny-images-pretrain', ids: Array.from({ length: n }, (_, i) => `pre-${i}`), x, dim: SIDE * SIDE, shape: [SIDE, SIDE, 1], labels: classes, numClasses: 4 };
}

/** The same images without labels (for the denoising recipe). */
export function unlabelledCorpus(n = 120, seed = 1): VectorCorpus {
  const c = imageCorpus(n, seed);
  return { name: 'tiny-vectors', ids: c.ids, x: c.x, dim: c.dim, shape: [c.dim] };
}

/** Binary task: is the bar horizontal (latent class 0 or 1)? ids `task-<i>`. */
export function imageTask(n = 80, seed = 2, modality: 'image' | 'vector' = 'image'): Dataset {
  const { x, classes } = images(n, new Rng(seed));
  return {
    name: `tiny-${modality}-task`,
    modality,
    numClasses: 2,
    classNames: ['horizontal', 'vertical'],
    examples: {
      ids: Array.from({ length: n }, (_, i) => `task-${i}`),
      labels: Int32Array.from(classes, (c) => (c < 2 ? 0 : 1)),
      x,
      dim: SIDE * SIDE,
      shape: modality === 'image' ? [SIDE, SIDE, 1] : [SIDE * SIDE],
    },
  };
}

const POSITIVE = ['good', 'great', 'fine', 'nice', 'happy'];
const NEGATIVE = ['bad', 'awful', 'poor', 'sad', 'ugly'];
const FILLER = ['the', 'a', 'day', 'was', 'it', 'and', 'very', 'movie', 'food', 'is'];

function sentence(label: number, rng: Rng): string {
  const words: string[] = [];
  const len = 6 + rng.int(6);
  for (let i = 0; i < len; i++) {
    const pool = rng.uniform() < 0.3 ? (label === 1 ? POSITIVE : NEGATIVE) : FILLER;
    words.push(pool[rng.int(pool.length)]!);
  }
  return `${words.join(' ')}.`;
}

/** Unlabelled sentences for text pretraining. */
export function textCorpus(n = 200, seed = 3): TextCorpus {
  const rng = new Rng(seed);
  const texts = Array.from({ length: n }, () => sentence(rng.int(2), rng));
  return { name: 'tiny-text', ids: texts.map((_, i) => `pre-${i}`), texts };
}

/** Binary sentiment-like task. */
export function textTask(n = 80, seed = 4): Dataset {
  const rng = new Rng(seed);
  const labels = Int32Array.from({ length: n }, () => rng.int(2));
  return {
    name: 'tiny-text-task',
    modality: 'text',
    numClasses: 2,
    classNames: ['negative', 'positive'],
    examples: { ids: Array.from({ length: n }, (_, i) => `t-${i}`), labels, text: Array.from(labels, (y) => sentence(y, rng)) },
  };
}

/** A vector task with two embedding columns: `weak` (noisy, 2-d) and `strong` (clean, 4-d). */
export function embeddingTask(n = 80, seed = 5): Dataset {
  const rng = new Rng(seed);
  const labels = new Int32Array(n);
  const weak = new Float32Array(n * 2);
  const strong = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    labels[i] = rng.int(2);
    const s = labels[i] === 1 ? 1 : -1;
    weak.set([s + 2 * rng.normal(), rng.normal()], i * 2);
    strong.set([s + 0.2 * rng.normal(), rng.normal(), rng.normal(), rng.normal()], i * 4);
  }
  return {
    name: 'tiny-embedding-task',
    modality: 'vector',
    numClasses: 2,
    classNames: ['a', 'b'],
    examples: {
      ids: Array.from({ length: n }, (_, i) => `e-${i}`),
      labels,
      x: strong.slice(),
      dim: 4,
      shape: [4],
      embeddings: { weak: { dim: 2, values: weak }, strong: { dim: 4, values: strong } },
    },
  };
}

/** One-hot probability rows of the labels of `indices`. */
export function oneHotTargets(task: Dataset, indices: Int32Array): Float32Array {
  const k = task.numClasses;
  const out = new Float32Array(indices.length * k);
  indices.forEach((r, i) => (out[i * k + task.examples.labels[r]!] = 1));
  return out;
}

/** Accuracy of probability rows against the labels of `indices`. */
export function accuracyOf(task: Dataset, indices: Int32Array, probs: Float32Array): number {
  const k = task.numClasses;
  let correct = 0;
  indices.forEach((r, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
    if (best === task.examples.labels[r]) correct++;
  });
  return correct / indices.length;
}

export const range = (from: number, to: number) => Int32Array.from({ length: to - from }, (_, i) => from + i);
