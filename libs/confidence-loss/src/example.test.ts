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

  it('the README shows the example file verbatim and every loss formula', () => {
    const readme = readFileSync(new URL('README.md', libDir), 'utf8');
    const example = readFileSync(new URL('examples/plain-tfjs.ts', libDir), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
    for (const name of LOSS_NAMES) expect(readme).toContain(`\`${name}\``);
  });
});
