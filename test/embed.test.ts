// `w2s embed` against a local OpenAI-compatible /v1/embeddings server (deterministic scripted
// embeddings; no real LLM runs here), then the written file as an embedding ladder in `w2s run`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedServer, type ScriptedServer } from '../libs/debate/src/test-utils/scripted-server.js';
import { NEGATIVE_WORDS, POSITIVE_WORDS, tempDir, writeReviewsCsv } from './helpers.js';
import { readRuns, startW2s } from './scale-helpers.js';

const dir = tempDir('w2s-embed-');
writeReviewsCsv(join(dir, 'reviews.csv'), 240);
const KEY = 'sk-embed-test-0123456789abcdef';

/** A deterministic number in [-1, 1) from a text (FNV-1a). */
function noise(text: string, salt: number): number {
  let h = 2166136261 ^ salt;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return ((h >>> 0) / 2 ** 31) - 1;
}

/**
 * "large" counts the sentiment words; "small" sees the same counts under heavy text-dependent
 * noise (and is 3-d), so a probe on the small model's embeddings is the weaker model.
 */
function embedding(model: string, text: string): number[] {
  const words = text.split(/\s+/);
  const count = (lexicon: string[]) => words.filter((w) => lexicon.includes(w)).length;
  if (model === 'large') return [count(POSITIVE_WORDS), count(NEGATIVE_WORDS), words.length / 10, 1];
  return [count(POSITIVE_WORDS) + 2.5 * noise(text, 1), count(NEGATIVE_WORDS) + 2.5 * noise(text, 2), 1];
}

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer((req) => {
    const { model, input } = req.body as unknown as { model: string; input: string[] };
    if (req.headers.authorization !== `Bearer ${KEY}`) return { status: 401, body: 'no key' };
    return { status: 200, body: JSON.stringify({ data: input.map((text, index) => ({ index, embedding: embedding(model, text) })) }) };
  });
});
afterAll(() => server.close());

async function w2s(args: string[]) {
  const bg = startW2s(args, { MY_EMBED_KEY: KEY });
  const { status } = await bg.exited;
  return { status, ...bg.output() };
}

describe('w2s embed', () => {
  const manifest = join(dir, 'reviews.yaml');
  writeFileSync(manifest, 'name: reviews\ntasks: [{ file: reviews.csv, label: sentiment, text: review, id: id }]\nladders: { text: { family: text, weak: [xs], strong: [s] } }\nmethods: [{ name: naive }]\n');

  it('writes the task with one embedding column per model; a rerun sends nothing', async () => {
    const args = ['embed', manifest, '--endpoint', server.baseUrl, '--model', 'small', '--model', 'large', '--api-key-env', 'MY_EMBED_KEY', '--batch-size', '50', '--out', dir, '--cache', join(dir, 'cache')];
    const r = await w2s(args);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('reviews.embeddings.arrow: 240 texts of reviews; embedding columns small (3-d), large (4-d)');
    const table = tableFromIPC(readFileSync(join(dir, 'reviews.embeddings.arrow')));
    expect(table.schema.fields.map((f) => f.name)).toEqual(['id', 'text', 'label', 'small', 'large']);
    expect(table.numRows).toBe(240);
    const row = table.get(7)!.toJSON() as { text: string; large: { toArray(): Float32Array } };
    expect(Array.from(row.large.toArray())).toEqual(embedding('large', row.text).map(Math.fround));
    expect(server.requests).toHaveLength(2 * Math.ceil(240 / 50));
    const again = await w2s(args);
    expect(again.status).toBe(0);
    expect(server.requests).toHaveLength(2 * Math.ceil(240 / 50));
    const text = `${r.stdout}${r.stderr}${readFileSync(join(dir, 'reviews.embeddings.arrow')).toString('latin1')}`;
    expect(text).not.toContain(KEY);
  }, 120_000);

  it('its output runs as an embedding ladder: the large model is the stronger one', async () => {
    const ladder = join(dir, 'ladder.yaml');
    writeFileSync(
      ladder,
      `name: embed-ladder
seeds: [0]
splits: { nDocs: 120, nTest: 100, nVal: 0 }
tasks: [{ file: reviews.embeddings.arrow, label: label, embeddings: [small, large] }]
ladders: { embedding: { family: embedding, weak: [small], strong: [large] } }
methods: [{ name: naive }]
bootstrap: { resamples: 100 }
`,
    );
    const r = await w2s(['run', ladder, '--workers', '0', '--cache', join(dir, 'cache'), '--out', join(dir, 'out')]);
    expect(r.status, r.stderr).toBe(0);
    const [row] = readRuns(join(dir, 'out', 'runs.arrow'));
    expect(row!.weak_model).toBe('embedding-small');
    expect(row!.ceiling_acc as number).toBeGreaterThan((row!.weak_acc as number) + 0.05);
  }, 300_000);

  it('an unreachable server or a bad answer: one message naming the URL and model, no file', async () => {
    const bad = await startScriptedServer(() => ({ status: 200, body: '<html>gateway error</html>' }));
    try {
      const out = join(dir, 'bad.arrow');
      const r = await w2s(['embed', manifest, '--endpoint', bad.baseUrl, '--model', 'small', '--out', join(dir, 'bad'), '--cache', join(dir, 'cache-bad')]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`w2s: ${bad.baseUrl}/embeddings: response is not valid JSON (model small; body starts: "<html>gateway error</html>")`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    } finally {
      await bad.close();
    }
  }, 120_000);
});
