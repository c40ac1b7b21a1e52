// The README's "your data" example: two plain numeric files (a CSV with 64 pixel columns, a JSONL
// with a 30-number list) and the manifest a user writes first run end to end with the mlp family.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCancerJsonl, writeDigitsCsv } from '../scripts/tabular-example.js';
import { tempDir, w2s } from './helpers.js';
import { readRuns } from './scale-helpers.js';

const dir = tempDir('w2s-tabular-');
writeDigitsCsv(join(dir, 'digits.csv'), 900);
writeCancerJsonl(join(dir, 'cancer.jsonl'), 900);
const pixels = Array.from({ length: 64 }, (_, i) => `px${i}`).join(', ');

function manifest(name: string, body: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nsplits: { nDocs: 600, nTest: 300 }\nbootstrap: { resamples: 100 }\n${body}`);
  return file;
}

describe('numeric tasks from plain files', () => {
  it('the first manifest a user writes (mlp, default probe mode, two seeds): a defined PGR in every cell', () => {
    const file = manifest(
      'tabular',
      `seeds: [0, 1]
tasks:
  - { file: digits.csv, label: label, features: [${pixels}] }
  - { file: cancer.jsonl, label: label, features: features }
ladders:
  vector: { family: mlp, weak: [xs], strong: [l] }
methods: [{ name: naive }]
`,
    );
    const plan = w2s(['plan', file, '--cache', join(dir, 'cache')]);
    expect(plan.status, plan.stderr).toBe(0);
    const r = w2s(['run', file, '--cache', join(dir, 'cache'), '--out', join(dir, 'out')]);
    expect(r.status, r.stderr).toBe(0);
    const rows = readRuns(join(dir, 'out', 'runs.arrow'));
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row.pgr, `${String(row.cell_id)}: ${String(row.pgr_reason)}`).not.toBeNull();
      expect(row.ceiling_acc as number).toBeGreaterThan((row.weak_acc as number) + 0.03);
      expect(row.strong_pretrain_data).toBe("the task's own weak-train + transfer inputs, labels removed (per seed)");
    }
    // One pretrained backbone per (task, size, seed): its data are that seed's weak-train + transfer rows.
    expect(readdirSync(join(dir, 'cache')).filter((name) => name.startsWith('pretrain-'))).toHaveLength(2 * 2 * 2);
  }, 600_000);

  it('unlabeled: rows and pretrain: none (finetune from scratch) also run', () => {
    writeDigitsCsv(join(dir, 'digits-more.csv'), 1400); // rows 900..1399 are not in digits.csv
    const extra = join(dir, 'digits-more.csv');
    const lines = readFileSync(extra, 'utf8').trim().split('\n');
    writeFileSync(extra, `${[lines[0], ...lines.slice(901)].join('\n')}\n`);
    const file = manifest(
      'tabular-more',
      `seeds: [0]
tasks:
  - { file: digits.csv, label: label, features: [${pixels}], unlabeled: digits-more.csv }
ladders:
  vector: { family: mlp, mode: finetune, pretrain: none, weak: [xs], strong: [m] }
methods: [{ name: naive }]
`,
    );
    const r = w2s(['run', file, '--cache', join(dir, 'cache'), '--out', join(dir, 'out-more')]);
    expect(r.status, r.stderr).toBe(0);
    const [row] = readRuns(join(dir, 'out-more', 'runs.arrow'));
    expect(row!.strong_pretrain_data).toBe('none (random initial weights)');
    expect(row!.ceiling_acc as number).toBeGreaterThan(0.6);
    const withRows = manifest('tabular-unlabeled', readFileSync(file, 'utf8').replace(/^name: .*\n/, '').replace(/^splits.*\n/, '').replace(/^bootstrap.*\n/, '').replace('mode: finetune, pretrain: none, ', ''));
    const u = w2s(['run', withRows, '--cache', join(dir, 'cache'), '--out', join(dir, 'out-unlabeled')]);
    expect(u.status, u.stderr).toBe(0);
    expect(readRuns(join(dir, 'out-unlabeled', 'runs.arrow'))[0]!.strong_pretrain_data).toBe('unlabeled rows: digits-more.csv');
  }, 600_000);
});
