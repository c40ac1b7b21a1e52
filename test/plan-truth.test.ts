// `plan` tells the truth: every refusal `run` makes before training, `plan` makes too, with the
// same message and exit code 2, and neither writes anything.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, w2s, writeReviewsCsv } from './helpers.js';

const dir = tempDir('w2s-plan-truth-');
writeReviewsCsv(join(dir, 'reviews.csv'), 120);
writeFileSync(join(dir, 'numbers.csv'), `a,b,y\n${Array.from({ length: 120 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2}`).join('\n')}\n`);
writeFileSync(join(dir, 'vectors.jsonl'), `${Array.from({ length: 120 }, (_, i) => JSON.stringify({ e: [i % 3, i % 5], y: i % 2 })).join('\n')}\n`);

const cases: [string, string, RegExp][] = [
  [
    'an unknown column',
    'tasks: [{ file: numbers.csv, label: y, features: [a, c] }]\nladders: { vector: { family: mlp, weak: [xs], strong: [s] } }',
    /tasks\[0\]: numbers\.csv: unknown column "c" \(the file has: a, b, y\)/,
  ],
  [
    'more rows asked for than the file has',
    'splits: { nDocs: 200, nTest: 100 }\ntasks: [{ file: numbers.csv, label: y, features: [a, b] }]\nladders: { vector: { family: mlp, weak: [xs], strong: [s] } }',
    /splits|nDocs|rows/,
  ],
  [
    'a family that cannot read the modality',
    'tasks: [{ file: numbers.csv, label: y, features: [a, b] }]\nladders: { vector: { family: cnn, weak: [xs], strong: [s] } }',
    /ladders\.vector\.weak: the cnn family cannot read task "numbers" \(vector\)/,
  ],
  [
    'a debate the task cannot have (LLM debaters on numbers)',
    "tasks: [{ file: numbers.csv, label: y, features: [a, b] }]\nladders: { vector: { family: mlp, weak: [xs], strong: [s] } }\nmethods: [{ name: d, weak: { debate: { debater: { kind: llm, baseUrl: 'http://127.0.0.1:9/v1', model: m } } } }]",
    /methods\[0\]\.weak\.debate\.debater\.kind: LLM debaters argue about texts/,
  ],
  [
    'an embedding column that is not in the file',
    'tasks: [{ file: vectors.jsonl, label: y, embeddings: [e] }]\nladders: { embedding: { family: embedding, weak: [e], strong: [f] } }',
    /column "f"|no embedding column "f"|\bf\b.*embedding/,
  ],
  [
    'pretrain: none on a family that comes pretrained',
    'tasks: [{ file: reviews.csv, label: sentiment, text: review }]\nladders: { text: { family: text, pretrain: none, weak: [xs], strong: [s] } }',
    /pretrain: none is for the mlp family/,
  ],
  [
    'a chain size not strictly between weak and strong',
    'tasks: [{ file: numbers.csv, label: y, features: [a, b] }]\nladders: { vector: { family: mlp, weak: [xs], strong: [m] } }\nmethods: [{ name: c, weak: { chain: [s, m] } }]',
    /methods\[0\]\.weak\.chain: chain sizes must grow strictly between the weak and the strong model: xs → s → m → m does not \(the mlp ladder order is xs, s, m, l, xl\)/,
  ],
  [
    'a chain size that is not in the ladder',
    'tasks: [{ file: numbers.csv, label: y, features: [a, b] }]\nladders: { vector: { family: mlp, weak: [xs], strong: [m] } }\nmethods: [{ name: c, weak: { chain: [medium] } }]',
    /methods\[0\]\.weak\.chain: size "medium" is not in the ladder order/,
  ],
  [
    'adaptation of a family without a self-supervised recipe (precomputed embeddings)',
    'tasks: [{ file: vectors.jsonl, label: y, embeddings: [e] }]\nladders: { embedding: { family: embedding, weak: [e], strong: [e] } }\nmethods: [{ name: a, adapt: { epochs: 1 } }]',
    /methods\[0\]\.adapt: adaptation continues a family's own self-supervised recipe \(mlp: denoising; cnn: denoising; text: CBOW for bag sizes, masked tokens for transformer sizes\); the embedding family has none/,
  ],
];

describe('plan refuses what run would refuse, with the same message', () => {
  for (const [what, body, pattern] of cases) {
    it(what, () => {
      const name = what.replace(/\W+/g, '-');
      const file = join(dir, `${name}.yaml`);
      const methods = body.includes('methods:') ? '' : '\nmethods: [{ name: naive }]';
      writeFileSync(file, `name: ${name}\nseeds: [0]\n${body.includes('splits:') ? '' : 'splits: { nDocs: 60, nTest: 40 }\n'}${body}${methods}\n`);
      const out = join(dir, `out-${name}`);
      const cache = join(dir, `cache-${name}`);
      const plan = w2s(['plan', file, '--cache', cache]);
      const run = w2s(['run', file, '--workers', '0', '--cache', cache, '--out', out]);
      const message = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('w2s: ') && !l.includes('wasm kernels')).join('\n');
      expect(plan.status, plan.stderr).toBe(2);
      expect(run.status, run.stderr).toBe(2);
      expect(message(plan.stderr)).toMatch(pattern);
      expect(message(run.stderr)).toBe(message(plan.stderr));
      expect(plan.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out), 'run wrote a results folder').toBe(false);
    });
  }
});
