import { writeFileAtomic } from '@w2s/core';
import { bootstrapAggregate, type CellPredictions, type Probs } from '@w2s/metrics';
import { join } from 'node:path';
import type { RunRow } from './results.js';
import { intervalChart, lineChart, type Series } from './svg.js';

/** One line of the summary: a (task, weak, strong, method) group over its seeds. */
export interface SummaryRow {
  task: string;
  weak_model: string;
  strong_model: string;
  method: string;
  seeds: number;
  weak_acc: number;
  ceiling_acc: number;
  w2s_acc: number;
  /** Median over seeds of PGR, with a two-level (seeds, examples) bootstrap interval. */
  pgr: number | null;
  pgr_lo: number | null;
  pgr_hi: number | null;
  /** Mean accuracy of the plain weak model, and median PGR against it (see RunRow.pgr_vs_plain). */
  plain_weak_acc: number;
  pgr_vs_plain: number | null;
  pgr_vs_plain_lo: number | null;
  pgr_vs_plain_hi: number | null;
  /** Some cell's debate judges were trained on task ground truth (`judge: gt`, see RunRow.strong_saw_gt). */
  strong_saw_gt: boolean;
  note: string;
}

/** A cell's test predictions, with the plain weak model's (the same as `weak` without weak config). */
export type CellTestPredictions = CellPredictions & { plainWeak: Probs };

const groupKey = (r: RunRow) => `${r.task}\u0000${r.weak_model}\u0000${r.strong_model}\u0000${r.method}`;

/** Aggregates cells over seeds; `predictions` holds each cell's test predictions by cell_id. */
export function summarize(rows: RunRow[], predictions: Map<string, CellTestPredictions>, resamples: number): SummaryRow[] {
  const groups = new Map<string, RunRow[]>();
  for (const r of rows) groups.set(groupKey(r), [...(groups.get(groupKey(r)) ?? []), r]);
  return [...groups.values()].map((g) => {
    const cells = g.map((r) => predictions.get(r.cell_id)!);
    const agg = bootstrapAggregate(cells, { seed: 0, resamples });
    const plain = cells.every((c) => c.plainWeak === c.weak) ? agg : bootstrapAggregate(cells.map((c) => ({ ...c, weak: c.plainWeak })), { seed: 0, resamples });
    const first = g[0]!;
    return {
      task: first.task,
      weak_model: first.weak_model,
      strong_model: first.strong_model,
      method: first.method,
      seeds: g.length,
      weak_acc: agg.weakAcc.value,
      ceiling_acc: agg.ceilingAcc.value,
      w2s_acc: agg.w2sAcc.value,
      pgr: agg.medianPgr.value,
      pgr_lo: agg.medianPgr.low,
      pgr_hi: agg.medianPgr.high,
      plain_weak_acc: plain.weakAcc.value,
      pgr_vs_plain: plain.medianPgr.value,
      pgr_vs_plain_lo: plain.medianPgr.low,
      pgr_vs_plain_hi: plain.medianPgr.high,
      strong_saw_gt: g.some((r) => r.strong_saw_gt),
      note: [agg.medianPgr.reason, g.some((r) => r.uses_gt_for_selection) ? 'uses GT for selection' : '', g.some((r) => r.strong_saw_gt) ? 'strong side saw GT (judge: gt)' : '']
        .filter(Boolean)
        .join('; '),
    };
  });
}

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}`);

export function formatPgr(s: Pick<SummaryRow, 'pgr' | 'pgr_lo' | 'pgr_hi'>): string {
  if (s.pgr === null) return 'n/a';
  return `${pct(s.pgr)} [${pct(s.pgr_lo)}, ${pct(s.pgr_hi)}]`;
}

/**
 * The summary as a Markdown table (accuracies and PGR in %). When some method makes its weak
 * labels with an ensemble or debate, two more columns give the plain weak model's accuracy and
 * the PGR against it.
 */
export function summaryTable(summary: SummaryRow[]): string {
  const withPlain = summary.some((s) => s.plain_weak_acc !== s.weak_acc || s.pgr_vs_plain !== s.pgr);
  const extraHead = withPlain ? ' plain weak acc | PGR vs plain weak % |' : '';
  const head = `| task | weak | strong | method | seeds | weak acc | ceiling acc | w2s acc | PGR % [95% CI] |${extraHead} note |`;
  const rule = `|---|---|---|---|---|---|---|---|---|${withPlain ? '---|---|' : ''}---|`;
  const lines = summary.map((s) => {
    const extra = withPlain ? ` ${pct(s.plain_weak_acc)} | ${formatPgr({ pgr: s.pgr_vs_plain, pgr_lo: s.pgr_vs_plain_lo, pgr_hi: s.pgr_vs_plain_hi })} |` : '';
    return `| ${s.task} | ${s.weak_model} | ${s.strong_model} | ${s.method} | ${s.seeds} | ${pct(s.weak_acc)} | ${pct(s.ceiling_acc)} | ${pct(s.w2s_acc)} | ${formatPgr(s)} |${extra} ${s.note} |`;
  });
  return [head, rule, ...lines].join('\n');
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '_');

/** Writes report.md and its SVG plots into `outDir`; returns the files written. */
export async function writeReport(
  outDir: string,
  info: { experiment: string; backend: string; kernels: string; manifestPath: string },
  summary: SummaryRow[],
): Promise<string[]> {
  const files: string[] = [];
  const md: string[] = [
    `# ${info.experiment}`,
    '',
    `Manifest: \`${info.manifestPath}\` · backend: ${info.backend} (${info.kernels})`,
    '',
    'Accuracies are test accuracy in % (mean over seeds); PGR = (w2s − weak) / (ceiling − weak), median over seeds',
    'with a 95 % bootstrap interval over seeds and test examples. The ceiling is the strong model trained on the',
    'ground truth of the transfer split (the examples the student learns from with weak labels).',
    ...(summary.some((r) => r.plain_weak_acc !== r.weak_acc)
      ? ['"weak acc" is the accuracy of each method\'s own weak labels (ensemble, debate); "PGR vs plain weak" measures', 'the same students against the plain weak model (one model on ground truth), as Lang, Huang & Li (2025) do.']
      : []),
    ...(summary.some((r) => r.strong_saw_gt)
      ? ['Rows noted "strong side saw GT" are an ablation (`judge: gt`): the debaters\' judges were trained on the', 'ground truth of weak-train, so task labels reach the weak labels through the transcripts, not only through the weak model.']
      : []),
    '',
    summaryTable(summary),
    '',
  ];
  for (const task of [...new Set(summary.map((s) => s.task))]) {
    const rows = summary.filter((s) => s.task === task);
    const series: Series[] = [];
    const ceiling = new Map(rows.map((r) => [r.strong_model, r.ceiling_acc]));
    series.push({ label: 'ceiling (strong on GT)', points: [...ceiling.values()].map((c) => ({ x: c, y: c })), dashed: true });
    for (const weak of [...new Set(rows.map((r) => r.weak_model))]) {
      for (const method of [...new Set(rows.map((r) => r.method))]) {
        const pts = rows.filter((r) => r.weak_model === weak && r.method === method).map((r) => ({ x: r.ceiling_acc, y: r.w2s_acc }));
        if (pts.length) series.push({ label: `${weak} ${method}`, points: pts });
      }
    }
    const accFile = `accuracy-${slug(task)}.svg`;
    const chart = lineChart({ title: `${task}: student accuracy vs ceiling`, xLabel: 'ceiling accuracy (strong model on GT)', yLabel: 'test accuracy', series });
    await writeFileAtomic(join(outDir, accFile), chart);
    files.push(accFile);
    const pgrFile = `pgr-${slug(task)}.svg`;
    const points = rows.map((r) => ({ label: `${r.weak_model}->${r.strong_model} ${r.method}`, value: r.pgr, low: r.pgr_lo, high: r.pgr_hi }));
    await writeFileAtomic(join(outDir, pgrFile), intervalChart({ title: `${task}: PGR per method (median over seeds, 95% CI)`, yLabel: 'PGR', points }));
    files.push(pgrFile);
    md.push(`## ${task}`, '', `![accuracy](${accFile})`, '', `![PGR](${pgrFile})`, '');
  }
  await writeFileAtomic(join(outDir, 'report.md'), md.join('\n'));
  files.push('report.md');
  return files;
}
