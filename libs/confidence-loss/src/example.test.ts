// Runs examples/plain-tfjs.ts (the README's example) and checks that the README shows it verbatim.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOSS_NAMES } from './registry.js';
import { useWasmBackend } from './test-utils/tf.js';

beforeAll(useWasmBackend);

const libDir = new URL('..', import.meta.url);

describe('README example', () => {
  it('runs, and the student beats its weak labels on the truth', async () => {
    const { studentAccuracy, weakAccuracy } = await import('../examples/plain-tfjs.js');
    expect(weakAccuracy).toBe(0.75); // every 4th of 200 labels flipped
    expect(studentAccuracy).toBeGreaterThan(0.85); // 0.885 on wasm and cpu
  });

  it('cosupervise: per-example teachers and noise reduction as the comments say', async () => {
    const { assigned, kept, value } = await import('../examples/cosupervise.js');
    expect(assigned).toEqual([0, 1, 1]);
    expect(kept).toEqual([1, 1, 0]);
    // (CE([2, 0], [0.9, 0.1]) + CE([0, 2], [0.2, 0.8])) / 2, by hand.
    const ce = (z: number[], t: number[]) => -t.reduce((s, tc, c) => s + tc * (z[c]! - Math.log(Math.exp(z[0]!) + Math.exp(z[1]!))), 0);
    expect(Math.abs(value - (ce([2, 0], [0.9, 0.1]) + ce([0, 2], [0.2, 0.8])) / 2)).toBeLessThan(1e-6);
  });

  it('the README shows the example file verbatim and every loss formula', () => {
    const readme = readFileSync(new URL('README.md', libDir), 'utf8');
    for (const file of ['examples/plain-tfjs.ts', 'examples/cosupervise.ts']) {
      const example = readFileSync(new URL(file, libDir), 'utf8');
      expect(readme).toContain('```ts\n' + example + '```');
    }
    for (const name of LOSS_NAMES) expect(readme).toContain(`\`${name}\``);
  });
});
