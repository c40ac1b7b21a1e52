// Runs the README's example (examples/debate-labels.ts) and checks that the README shows the file verbatim.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const libDir = new URL('..', import.meta.url);
const readme = readFileSync(new URL('README.md', libDir), 'utf8');
const cacheDir = mkdtempSync(join(tmpdir(), 'w2s-weak-teacher-example-'));

afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('examples/debate-labels.ts', () => {
  it('makes plain and debate-assisted weak labels on digits-parity and prints a transcript', async () => {
    const { runExample } = await import('../examples/debate-labels.js');
    const lines = await runExample(cacheDir);
    expect(lines).toHaveLength(3);
    const plain = /^plain weak labels: test accuracy (0\.\d{3}|1\.000), 200 transfer soft labels$/.exec(lines[0]!);
    const debated = /^debate-assisted: {3}test accuracy (0\.\d{3}|1\.000), 600 transcripts$/.exec(lines[1]!);
    expect(plain).not.toBeNull();
    expect(debated).not.toBeNull();
    // Both teachers learned the task (parity is balanced: chance is 0.5).
    expect(Number(plain![1])).toBeGreaterThan(0.6);
    expect(Number(debated![1])).toBeGreaterThan(0.6);
    // Three turns, A and B argue opposite classes, four patches a turn.
    expect(lines[2]).toMatch(/^mnist-\d+: A for ([01]) shows (patch r\dc\d(, )?){4}; B for (?!\1)[01] shows (patch r\dc\d(, )?){4}; A for \1 shows (patch r\dc\d(, )?){4}$/);
    expect(readme).toContain('```ts\n' + readFileSync(new URL('examples/debate-labels.ts', libDir), 'utf8') + '```');
  }, 300_000);
});
