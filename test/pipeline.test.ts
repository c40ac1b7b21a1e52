// End to end: the real CLI runs a tiny manifest; an independent Arrow reader (nodejs-polars, a
// Rust implementation) reads every table back.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';

// nodejs-polars reads IPC files from a buffer (its path reader rejects valid files here).
const readArrow = (path: string) => pl.readIPC(readFileSync(path));
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, w2s, writeReviewsCsv } from './helpers.js';

const dir = tempDir('w2s-e2e-');
const cache = join(dir, 'cache');
const out = join(dir, 'results');
const manifest = join(dir, 'tiny.yaml');

writeFileSync(
  manifest,
  `name: tiny
backend: wasm
seeds: [0]
splits: { nDocs: 400, nTest: 300, nVal: 60 }
tasks: [digits-parity]
ladders:
  image: { family: mlp, mode: probe, weak: [xs], strong: [s] }
methods:
  - name: naive
    loss: { name: xent }
  - name: logconf-weakval
    loss: { name: logconf, auxCoef: 0.75, warmup: linear, warmupFrac: 0.2 }
    earlyStopping: weak-val
  - name: oracle
    earlyStopping: gt-val
    tunedOnTest: true
bootstrap: { resamples: 200 }
`,
);

let first: ReturnType<typeof w2s>;
beforeAll(() => {
  first = w2s(['run', manifest, '--cache', cache, '--out', out]);
}, 600_000);

describe('w2s run on a tiny manifest', () => {
  it('exits 0, prints the summary table and writes every output', () => {
    expect(first.stderr).not.toContain('Error');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/\| task \| weak \| strong \| method \|/);
    expect(first.stdout).toMatch(/3 cells · 7 stages computed, 0 from cache/);
    expect(first.stderr).toMatch(/done {3}weak-gt {2}digits-parity mlp-xs seed 0/);
    const files = readdirSync(out).sort();
    expect(files).toEqual(
      expect.arrayContaining(['runs.arrow', 'predictions.arrow', 'curves.arrow', 'report.md', 'report.html', 'run.json', 'accuracy.svg', 'accuracy.vl.json', 'pgr-digits-parity.svg', 'pgr-digits-parity.vl.json']),
    );
    expect(files.some((f) => f.includes('.tmp'))).toBe(false);
    expect(files).not.toContain('transcripts.arrow'); // no method debates
    expect(first.stdout).toContain('(runs.arrow, predictions.arrow, curves.arrow, report.md, report.html)');
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toContain('| digits-parity | mlp-xs | mlp-s | naive |');
    expect(report).toContain('| PGR of mean acc % | mean seed PGR % [95% CI] |');
    expect(readFileSync(join(out, 'pgr-digits-parity.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
    // Each figure's spec has its data inlined: the PGR spec holds one value per method, as in runs.arrow.
    const spec = JSON.parse(readFileSync(join(out, 'pgr-digits-parity.vl.json'), 'utf8')) as { data: { values: { method: string }[] } };
    expect(spec.data.values.map((v) => v.method).sort()).toEqual(['logconf-weakval', 'naive', 'oracle']);
  });

  it('runs.arrow reads back with the documented columns, types and consistent PGR', () => {
    const runs = readArrow(join(out, 'runs.arrow'));
    expect(runs.height).toBe(3);
    const types = Object.fromEntries(runs.columns.map((c) => [c, String(runs.getColumn(c).dtype).replace(/^DataType\((.*)\)$/, '$1')]));
    for (const c of ['experiment', 'task', 'weak_model', 'strong_model', 'method', 'loss_config', 'backend', 'kernels', 'hash_weak', 'hash_ceiling', 'hash_transfer']) {
      expect(types[c]).toBe('String');
    }
    for (const c of ['weak_acc', 'ceiling_acc', 'w2s_acc', 'pgr', 'pgr_lo', 'pgr_hi', 'agreement', 'misfit', 'ece', 'auroc', 'seconds_weak', 'seconds_ceiling', 'seconds_transfer']) {
      expect(types[c]).toBe('Float64');
    }
    for (const c of ['seed', 'n_weak_train', 'n_transfer', 'n_val', 'n_test', 'pgr_dropped_resamples', 'pgr_dropped_seeds', 'pgr_vs_plain_dropped_resamples']) {
      expect(types[c]).toBe('Int32');
    }
    expect(types.uses_gt_for_selection).toBe('Bool');
    expect(types.tuned_on_test).toBe('Bool');
    const rows = runs.toRecords() as Record<string, unknown>[];
    for (const r of rows) {
      expect(r.backend).toBe('wasm');
      expect(r.n_weak_train).toBe(200);
      expect(r.n_transfer).toBe(200);
      expect(r.n_val).toBe(60);
      expect(r.n_test).toBe(300);
      const weak = r.weak_acc as number, ceiling = r.ceiling_acc as number, w2sAcc = r.w2s_acc as number;
      if (ceiling > weak) expect(r.pgr as number).toBeCloseTo((w2sAcc - weak) / (ceiling - weak), 12);
      else expect(r.pgr).toBeNull();
      expect(r.pgr_dropped_resamples as number).toBeGreaterThanOrEqual(0);
      expect(r.pgr_dropped_resamples as number).toBeLessThanOrEqual(200); // of the 200 resamples
      expect(r.pgr_dropped_seeds).toBe(r.pgr === null ? 1 : 0); // one seed per (method) group here
      expect(JSON.parse(r.loss_config as string).name).toMatch(/xent|logconf/);
    }
    const byMethod = Object.fromEntries(rows.map((r) => [r.method as string, r]));
    expect(byMethod.oracle!.uses_gt_for_selection).toBe(true);
    expect(byMethod.naive!.uses_gt_for_selection).toBe(false);
    expect(byMethod['logconf-weakval']!.uses_gt_for_selection).toBe(false);
    expect(rows.map((r) => [r.method, r.tuned_on_test])).toEqual([['naive', false], ['logconf-weakval', false], ['oracle', true]]);
    // The same weak teacher and ceiling serve all three methods.
    expect(new Set(rows.map((r) => r.hash_weak)).size).toBe(1);
    expect(new Set(rows.map((r) => r.hash_ceiling)).size).toBe(1);
    expect(new Set(rows.map((r) => r.hash_transfer)).size).toBe(3);
  });

  it('predictions.arrow and curves.arrow hold one row per example and per step', () => {
    const preds = readArrow(join(out, 'predictions.arrow'));
    // per cell: weak transfer + weak test + ceiling test + w2s transfer + w2s test
    expect(preds.height).toBe(3 * (200 + 300 + 300 + 200 + 300));
    expect(String(preds.getColumn('probs').dtype)).toMatch(/List/);
    const first = preds.toRecords()[0] as { probs: number[]; pred: number };
    expect(first.probs).toHaveLength(2);
    expect(first.pred).toBe(first.probs[1]! > first.probs[0]! ? 1 : 0);
    const curves = readArrow(join(out, 'curves.arrow'));
    expect(curves.height).toBeGreaterThan(0);
    expect(curves.columns).toEqual(expect.arrayContaining(['cell_id', 'stage', 'step', 'loss', 'lr', 'test_acc', 'weak_agreement']));
    // The analysis curve's last point is the returned model (naive selects the last step): its
    // test accuracy is runs.arrow's, its weak agreement the w2s predictions' on transfer.
    const curveRows = curves.toRecords() as Record<string, unknown>[];
    const run = (readArrow(join(out, 'runs.arrow')).toRecords() as Record<string, unknown>[]).find((r) => r.method === 'naive')!;
    const last = (stage: string) => curveRows.filter((r) => r.cell_id === run.cell_id && r.stage === stage && r.test_acc !== null).at(-1)!;
    expect(last('w2s').test_acc).toBe(run.w2s_acc);
    expect(last('ceiling').test_acc).toBe(run.ceiling_acc);
    expect(last('ceiling').weak_agreement).toBeNull();
    const predRecords = preds.toRecords() as { cell_id: string; stage: string; split: string; pred: number }[];
    const transferPreds = (stage: string) => predRecords.filter((p) => p.cell_id === run.cell_id && p.stage === stage && p.split === 'transfer').map((p) => p.pred);
    const [student, teacher] = [transferPreds('w2s'), transferPreds('weak')];
    expect(last('w2s').weak_agreement).toBe(student.filter((c, i) => c === teacher[i]).length / student.length);
    // Recorded only at evaluations: once per epoch.
    expect(curveRows.filter((r) => r.stage === 'weak').every((r) => r.test_acc === null)).toBe(true);
  });

  it('a rerun trains nothing and gives byte-identical tables', () => {
    const before = readFileSync(join(out, 'runs.arrow'));
    const predsBefore = readFileSync(join(out, 'predictions.arrow'));
    const again = w2s(['run', manifest, '--cache', cache, '--out', out]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/0 stages computed, 7 from cache/);
    expect(readFileSync(join(out, 'runs.arrow')).equals(before)).toBe(true);
    expect(readFileSync(join(out, 'predictions.arrow')).equals(predsBefore)).toBe(true);
  });

  it('rows say which backend and kernels computed their stages, whatever run assembles them', () => {
    const kernels = (readArrow(join(out, 'runs.arrow')).toRecords() as Record<string, unknown>[])[0]!.kernels;
    const otherOut = join(dir, 'results-cpu');
    const onCpu = w2s(['run', manifest, '--cache', cache, '--out', otherOut, '--backend', 'cpu']);
    expect(onCpu.status).toBe(0);
    expect(onCpu.stdout).toMatch(/0 stages computed, 7 from cache/);
    expect(onCpu.stderr).toContain('w2s: note: 3 of 3 cells use cached stages computed on another backend or kernel path than this run\'s cpu (cpu)');
    for (const r of readArrow(join(otherOut, 'runs.arrow')).toRecords() as Record<string, unknown>[]) {
      expect(r.backend).toBe('wasm');
      expect(r.kernels).toBe(kernels);
    }
  });

  it('w2s plan shows every stage as cached after the run', () => {
    const plan = w2s(['plan', manifest, '--cache', cache]);
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain('7/7 stages cached');
  });
});

describe('a manifest over a user CSV file', () => {
  it('runs end to end', () => {
    const csvDir = tempDir('w2s-csv-');
    writeReviewsCsv(join(csvDir, 'reviews.csv'));
    writeFileSync(
      join(csvDir, 'csv.yaml'),
      `name: csv-task
seeds: [0]
splits: { nDocs: 200, nTest: 150 }
tasks:
  - { file: reviews.csv, label: sentiment, text: review, id: id }
ladders:
  text: { family: text, weak: [xs], strong: [s] }
methods: [{ name: naive }]
bootstrap: { resamples: 200 }
`,
    );
    const resultsDir = join(csvDir, 'out');
    const r = w2s(['run', join(csvDir, 'csv.yaml'), '--cache', cache, '--out', resultsDir]);
    expect(r.stderr).not.toContain('Error');
    expect(r.status).toBe(0);
    const runs = readArrow(join(resultsDir, 'runs.arrow')).toRecords() as Record<string, unknown>[];
    expect(runs).toHaveLength(1);
    expect(runs[0]!.task).toBe('reviews');
    expect(runs[0]!.n_test).toBe(150);
    expect(runs[0]!.ceiling_acc as number).toBeGreaterThan(0.5);
  });
});
