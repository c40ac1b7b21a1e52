// Burns et al. 2023 §4.3.2 from a run's tables: does a student's test accuracy rise and then fall
// as it learns its teacher's errors? Reads results/<experiment>/curves.arrow (test_acc and
// weak_agreement at every evaluation of every w2s stage) and runs.arrow (each cell's weak and
// ceiling accuracy), and prints one row per (task, method), means over seeds: the test accuracy at
// its peak over training and at the end, where the peak was (fraction of training), the PGR of
// both, and the agreement with the weak labels of transfer at the end. The peak is picked by TEST
// accuracy: an oracle for analysis, never a selection rule. With a val split (curves.arrow's val
// columns, e.g. experiments/overfitting.yaml) it also prints the test accuracy and position of the
// checkpoints weak-val and gt-val would select (the report's overfitting figure marks them).
// Usage: node --conditions=w2s-source --import tsx scripts/overfitting-curves.ts results/methods
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: overfitting-curves.ts <results folder>');
  process.exit(2);
}
const rows = (file: string) => tableFromIPC(readFileSync(join(dir, file))).toArray().map((r) => r.toJSON() as Record<string, unknown>);
const runs = new Map(rows('runs.arrow').map((r) => [r.cell_id as string, r]));
type Point = { step: number; acc: number; agree: number | null; valAcc: number | null; valWeak: number | null };
const byCell = new Map<string, Point[]>();
for (const p of rows('curves.arrow')) {
  if (p.stage !== 'w2s' || p.test_acc === null) continue;
  const points = byCell.get(p.cell_id as string) ?? [];
  points.push({ step: p.step as number, acc: p.test_acc as number, agree: p.weak_agreement as number | null, valAcc: (p.val_acc ?? null) as number | null, valWeak: (p.val_weak_agreement ?? null) as number | null });
  byCell.set(p.cell_id as string, points);
}
const groups = new Map<string, number[][]>();
for (const [cell, points] of byCell) {
  const run = runs.get(cell)!;
  const weak = run.weak_acc as number;
  const ceiling = run.ceiling_acc as number;
  const last = points.at(-1)!;
  const peak = points.reduce((b, p) => (p.acc > b.acc ? p : b));
  const pgr = (acc: number) => (ceiling > weak ? (acc - weak) / (ceiling - weak) : NaN);
  const key = `${run.task} | ${run.method}`;
  // The first checkpoint with the best value, as the selection rules pick (NaN without val columns).
  const firstBest = (of: (p: Point) => number | null) => points.reduce<Point | undefined>((b, p) => (of(p) === null ? b : b === undefined || of(p)! > of(b)! ? p : b), undefined);
  const weakVal = firstBest((p) => p.valWeak);
  const gtVal = firstBest((p) => p.valAcc);
  const values = [peak.acc, last.acc, peak.step / last.step, pgr(peak.acc), pgr(last.acc), last.agree ?? NaN,
    weakVal?.acc ?? NaN, weakVal ? weakVal.step / last.step : NaN, gtVal?.acc ?? NaN, gtVal ? gtVal.step / last.step : NaN];
  groups.set(key, [...(groups.get(key) ?? []), values]);
}
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : (100 * x).toFixed(1));
console.log('| task | method | seeds | peak test acc | final test acc | peak at (of training) | PGR at peak % | final PGR % | final weak agreement (transfer) | weak-val: test acc (at) | gt-val: test acc (at) |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const [key, values] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
  const col = (i: number) => mean(values.map((v) => v[i]!));
  console.log(`| ${key} | ${values.length} | ${pct(col(0))} | ${pct(col(1))} | ${col(2).toFixed(2)} | ${pct(col(3))} | ${pct(col(4))} | ${pct(col(5))} | ${pct(col(6))} (${col(7).toFixed(2)}) | ${pct(col(8))} (${col(9).toFixed(2)}) |`);
}
