// Where results go and what the folder holds afterwards: a relative `output:` is relative to the
// manifest's folder (as every path in a manifest), and a rerun into a folder holding another
// experiment's figures leaves only what this run wrote (besides the user's own files).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, w2s, writeReviewsCsv } from './helpers.js';

describe('the results folder', () => {
  it('a relative output is resolved against the manifest folder, and stale figures of another experiment are removed', () => {
    const dir = tempDir('w2s-results-');
    const manifestDir = join(dir, 'study');
    mkdirSync(manifestDir);
    const out = join(manifestDir, 'my-results');
    mkdirSync(out);
    // Left by an earlier experiment in the same folder, and a user's own note.
    for (const stale of ['accuracy-other-task.svg', 'pgr-other-task.svg', 'transcripts.arrow']) writeFileSync(join(out, stale), 'old');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    writeFileSync(
      join(manifestDir, 'm.yaml'),
      `name: rel
backend: wasm
output: my-results
seeds: [0]
splits: { nDocs: 200, nTest: 100, nVal: 40 }
tasks: [digits-parity]
ladders:
  image: { family: mlp, mode: probe, weak: [xs], strong: [s] }
methods: [{ name: naive }]
bootstrap: { resamples: 100 }
`,
    );
    // Run from the workspace root, as `npm run w2s` would: the output still lands beside the manifest.
    const r = w2s(['run', join(manifestDir, 'm.yaml'), '--workers', '0', '--cache', join(dir, 'cache')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/w2s: removed 3 result files this run did not write from .*my-results\/: accuracy-other-task\.svg, pgr-other-task\.svg, transcripts\.arrow/);
    const figures = ['accuracy', 'curves-digits-parity', 'ladder-digits-parity', 'overfitting-digits-parity', 'pgr-digits-parity'].flatMap((f) => [`${f}.svg`, `${f}.vl.json`]);
    expect(readdirSync(out).sort()).toEqual(
      [...figures, 'curves.arrow', 'notes.txt', 'predictions.arrow', 'report.html', 'report.md', 'run.json', 'runs.arrow'].sort(),
    );
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(dir, 'my-results'))).toBe(false);
  }, 300_000);

  it('empty texts in a text task are counted in one warning by plan and run', () => {
    const dir = tempDir('w2s-empty-texts-');
    const csv = join(dir, 'reviews.csv');
    writeReviewsCsv(csv, 60);
    const lines = readFileSync(csv, 'utf8').split('\n');
    lines[3] = lines[3]!.replace(/"[^"]*"/, '""');
    lines[10] = lines[10]!.replace(/"[^"]*"/, '"  "');
    writeFileSync(csv, lines.join('\n'));
    writeFileSync(
      join(dir, 'm.yaml'),
      `name: blanks
tasks: [{ file: reviews.csv, label: sentiment, text: review }]
splits: { nDocs: 20, nTest: 20, nVal: 0 }
ladders: { text: { family: text, weak: [xs], strong: [s] } }
methods: [{ name: naive }]
`,
    );
    const r = w2s(['plan', join(dir, 'm.yaml'), '--cache', join(dir, 'cache')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.trim()).toBe(
      'w2s: warning: tasks[0]: reviews.csv: 2 of 60 texts in column "review" are empty (row 3 (line 4), row 10 (line 11)): models see no input for them and can only guess',
    );
  });
});
