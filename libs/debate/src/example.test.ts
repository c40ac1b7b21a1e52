// Runs the README's examples (examples/*.ts) and checks that the README shows each file and its output verbatim.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const libDir = new URL('..', import.meta.url);
const readme = readFileSync(new URL('README.md', libDir), 'utf8');
const source = (name: string) => readFileSync(new URL(`examples/${name}`, libDir), 'utf8');
const cacheDir = mkdtempSync(join(tmpdir(), 'w2s-debate-example-'));

afterAll(() => {
  rmSync(cacheDir, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

describe('examples/evidence-debate.ts', () => {
  it('debates with the strong model as judge and prints consistent transcripts and masks', async () => {
    const { runExample } = await import('../examples/evidence-debate.js');
    const lines = await runExample();
    expect(lines).toHaveLength(8);
    const turnLine = /^seed (\d) (\w): A for (\d) reveals (\d); B for (\d) reveals (\d); A for (\d) reveals (\d)$/;
    for (const seed of [0, 1]) {
      const rows = lines.slice(seed * 4, seed * 4 + 3).map((l) => turnLine.exec(l)!);
      for (const m of rows) {
        expect(m[3]).toBe(m[7]); // A keeps its stance
        expect(Number(m[5])).toBe(1 - Number(m[3])); // B argues the other class
        expect(new Set([m[4], m[6], m[8]]).size).toBe(3); // no feature revealed twice
      }
      // The printed mask of 'a' is +1 at A's features if A argues 1 (−1 otherwise) and the opposite at B's.
      const a = rows[0]!;
      const mask = [0, 0, 0, 0, 0, 0];
      const sign = (stance: string) => (stance === '1' ? 1 : -1);
      mask[Number(a[4])] = sign(a[3]!);
      mask[Number(a[6])] = sign(a[5]!);
      mask[Number(a[8])] = sign(a[7]!);
      expect(lines[seed * 4 + 3]).toBe(`seed ${seed}: weak inputs 3 × 18, 'a' mask [${mask.join(', ')}]`);
    }
    expect(lines.slice(0, 3)).not.toEqual(lines.slice(4, 7).map((l) => l.replace('seed 1', 'seed 0'))); // seeds differ
    expect(readme).toContain('```ts\n' + source('evidence-debate.ts') + '```');
    expect(readme).toContain('```text\n' + lines.join('\n') + '\n```');
  });
});

describe('examples/llm-debate.ts', () => {
  it('debates through an OpenAI-compatible endpoint (the local stand-in), caching every completion', async () => {
    vi.stubEnv('W2S_LLM_BASE_URL', '');
    const { runExample } = await import('../examples/llm-debate.js');
    const lines = await runExample(cacheDir);
    expect(lines[0]).toBe('Question: What gas do plants absorb? Answer: carbon dioxide');
    expect(lines.slice(1, 3)).toEqual(['', '--- debate ---']);
    const turns = lines.slice(3).filter((l) => l !== '');
    expect(turns).toHaveLength(3);
    for (const turn of turns) expect(turn).toMatch(/^Debater (A|B) \(for "(true|false)"\): The answer is \2\.$/);
    const cached = readdirSync(cacheDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
    expect(cached).toHaveLength(6); // 2 examples × 3 turns
    expect(await runExample(cacheDir)).toEqual(lines); // a rerun gives the same transcript
    expect(readme).toContain('```ts\n' + source('llm-debate.ts') + '```');
    expect(readme).toContain('```text\n' + lines.join('\n') + '\n```');
  });
});
