import { describe, expect, it } from 'vitest';
import { loadTask } from '../registry.js';
import { digitPretrainSet } from '../pretrain.js';
import { DIGIT_CONCEPTS, DIGIT_PIXELS, loadMnist } from './digits.js';

function timed<T>(label: string, load: () => T): T {
  const start = performance.now();
  const value = load();
  const ms = performance.now() - start;
  console.log(`${label}: loaded in ${ms.toFixed(0)} ms`);
  expect(ms).toBeLessThan(10_000); // the issue's bound for a fresh load; not a benchmark
  return value;
}

describe('digits tasks', () => {
  const images = timed('mnist', () => loadMnist());

  it('reads all ~10,000 images of the mnist package, and cuts a 40 % pretraining split', () => {
    expect(images.digits.length).toBe(10_000);
    expect(images.x.length).toBe(10_000 * DIGIT_PIXELS);
    expect(images.pretrainRows.length).toBe(4000);
    expect(images.taskRows.length).toBe(6000);
    let min = Infinity;
    let max = -Infinity;
    for (const v of images.x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBeGreaterThan(0.99);
    expect(max).toBeLessThanOrEqual(1);
  });

  for (const concept of Object.values(DIGIT_CONCEPTS)) {
    it(`${concept.name}: 6000 images whose label is a function of digit identity`, () => {
      const task = timed(concept.name, () => loadTask(concept.name));
      expect(task.modality).toBe('image');
      expect(task.numClasses).toBe(2);
      expect(task.examples.shape).toEqual([28, 28, 1]);
      expect(task.examples.dim).toBe(784);
      expect(task.examples.x!.length).toBe(6000 * 784);
      expect(task.examples.labels.length).toBe(6000);

      // Map each example back to its source image by id, and check label = concept(digit) and pixels.
      const rowOfId = new Map(images.ids.map((id, row) => [id, row]));
      const taskRows = new Set(images.taskRows);
      const counts = [0, 0];
      task.examples.ids.forEach((id, i) => {
        const row = rowOfId.get(id)!;
        expect(taskRows.has(row)).toBe(true);
        expect(task.examples.labels[i]).toBe(concept.label(images.digits[row]!));
        counts[task.examples.labels[i]!]!++;
        if (i % 500 === 0) {
          const pixels = task.examples.x!.subarray(i * 784, (i + 1) * 784);
          expect(Array.from(pixels)).toEqual(Array.from(images.x.subarray(row * 784, (row + 1) * 784)));
        }
      });
      console.log(`${concept.name}: ${task.classNames.map((c, k) => `${c} ${counts[k]}`).join(', ')}`);
      // Both classes well represented (digit classes are ~10 % each; prime is 4 of 10 digits).
      for (const c of counts) expect(c).toBeGreaterThan(0.3 * 6000);
      // A task never sees digit identity: two classes only, and ids are opaque positions.
      expect(new Set(task.examples.labels).size).toBe(2);
      expect(task.examples.ids[0]).toMatch(/^mnist-\d{5}$/);
    });
  }

  it('the three tasks label the same images differently and are cached', () => {
    const parity = loadTask('digits-parity');
    const gt4 = loadTask({ name: 'digits-gt4' });
    expect(loadTask('digits-parity')).toBe(parity);
    expect(gt4.examples.x).toBe(parity.examples.x); // one shared copy of the pool's pixels
    let differ = 0;
    for (let i = 0; i < 6000; i++) if (parity.examples.labels[i] !== gt4.examples.labels[i]) differ++;
    expect(differ).toBeGreaterThan(1000);
  });

  it('the pretraining split holds digit identity, 10 classes, and no image of the task pool', () => {
    const pre = digitPretrainSet();
    expect(pre.labels.length).toBe(4000);
    expect(pre.numClasses).toBe(10);
    const perDigit = new Array(10).fill(0);
    for (const d of pre.labels) perDigit[d]++;
    for (const c of perDigit) expect(c).toBeGreaterThan(250);
    const taskIds = new Set(loadTask('digits-parity').examples.ids);
    expect(pre.ids.filter((id) => taskIds.has(id))).toEqual([]);
    // Pixel-level: no pretraining image equals a task image.
    const key = (x: Float32Array, i: number) => Buffer.from(x.buffer, x.byteOffset + i * 784 * 4, 784 * 4).toString('base64');
    const task = loadTask('digits-parity').examples.x!;
    const taskImages = new Set(Array.from({ length: 6000 }, (_, i) => key(task, i)));
    for (let i = 0; i < 4000; i++) expect(taskImages.has(key(pre.x, i))).toBe(false);
  });
});
