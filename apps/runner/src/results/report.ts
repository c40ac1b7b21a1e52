import { writeFileAtomic } from '@w2s/core';
import { aggregateSeeds, type SeedIntervalMethod, type SeedResult } from '@w2s/metrics';
import { join } from 'node:path';
import type { RunRow } from './rows.js';
import { intervalChart, lineChart, type Series } from './svg.js';

/** One line of the summary: a (task, weak, strong, method) group over its seeds. */
export interface SummaryRow {
  task: string;
  weak_model: string;
  strong_model: string;
  method: string;
  seeds: number;
  /** Mean over seeds of each model's test accuracy. */
  weak_acc: number;
  ceiling_acc: number;
  w2s_acc: number;
  /** PGR of the three mean accuracies above: what the displayed accuracies reproduce. */
  pgr_of_means: number | null;
  /**
   * Mean over seeds of per-seed PGR (null ones left out, see dropped_seeds) with a Student-t
   * interval over seeds (aggregateSeeds in @w2s/metrics; `pgr_interval` says which interval).
   */
  pgr: number | null;
  pgr_lo: number | null;
  pgr_hi: number | null;
  pgr_interval: SeedIntervalMethod;
  /** Seeds with a null PGR (ceiling ≤ weak), left out of `pgr`. */
  dropped_seeds: number;
  /** Bootstrap resamples with an undefined PGR, summed over the seeds' cell intervals. */
  dropped_resamples: number;
  /** Resamples drawn over all seeds (for "x of y" in the report). */
  resamples: number;
  /** Mean accuracy of the plain weak model, and PGR against it, both ways (see RunRow.pgr_vs_plain). */
  plain_weak_acc: number;
  pgr_vs_plain_of_means: number | null;
  pgr_vs_plain: number | null;
  pgr_vs_plain_lo: number | null;
  pgr_vs_plain_hi: number | null;
  /** Some cell's debate judges were trained on task ground truth (`judge: gt`, see RunRow.strong_saw_gt). */
  strong_saw_gt: boolean;
  note: string;
}

const groupKey = (r: RunRow) => `${r.task}\u0000${r.weak_model}\u0000${r.strong_model}\u0000${r.method}`;

function groupRows(rows: readonly RunRow[]): RunRow[][] {
  const groups = new Map<string, RunRow[]>();
  for (const r of rows) groups.set(groupKey(r), [...(groups.get(groupKey(r)) ?? []), r]);
  return [...groups.values()];
}

/** Sets each row's pgr_dropped_seeds: how many rows of its group have a null PGR. */
export function fillDroppedSeeds(rows: RunRow[]): void {
  for (const group of groupRows(rows)) {
    const dropped = group.filter((r) => r.pgr === null).length;
    for (const r of group) r.pgr_dropped_seeds = dropped;
  }
}

/** A run row as one seed of aggregateSeeds, against the method's own weak labels or the plain weak model. */
function seedOf(r: RunRow, against: 'own' | 'plain'): SeedResult {
  return against === 'own'
    ? { weakAcc: r.weak_acc, ceilingAcc: r.ceiling_acc, w2sAcc: r.w2s_acc, pgr: { value: r.pgr, low: r.pgr_lo, high: r.pgr_hi, undefinedResamples: r.pgr_dropped_resamples } }
    : {
        weakAcc: r.plain_weak_acc,
        ceilingAcc: r.ceiling_acc,
        w2sAcc: r.w2s_acc,
        pgr: { value: r.pgr_vs_plain, low: r.pgr_vs_plain_lo, high: r.pgr_vs_plain_hi, undefinedResamples: r.pgr_vs_plain_dropped_resamples },
      };
}

/**
 * Aggregates cells over seeds, from the run rows alone: mean accuracies, the PGR of those means,
 * and the mean of per-seed PGRs with a seed-level t interval; `resamples` is each cell's bootstrap B.
 */
export function summarize(rows: RunRow[], resamples: number): SummaryRow[] {
  return groupRows(rows).map((g) => {
    const agg = aggregateSeeds(g.map((r) => seedOf(r, 'own')));
    const plain = aggregateSeeds(g.map((r) => seedOf(r, 'plain')));
    const first = g[0]!;
    const notes = [
      agg.meanPgr.method === 'none' ? agg.meanPgr.reason : '',
      agg.meanPgr.method === 'one-seed' ? 'CI over test examples of one seed only' : '',
      agg.droppedSeeds > 0 && agg.meanPgr.method !== 'none' ? `${agg.droppedSeeds} of ${agg.seeds} seeds have no PGR (ceiling ≤ weak), left out` : '',
      agg.droppedResamples > 0 ? `${agg.droppedResamples} of ${resamples * agg.seeds} resamples dropped (ceiling ≤ weak)` : '',
      g.some((r) => r.uses_gt_for_selection) ? 'uses GT for selection' : '',
      g.some((r) => r.tuned_on_test) ? 'settings tuned on test' : '',
      g.some((r) => r.strong_saw_gt) ? 'strong side saw GT (judge: gt)' : '',
    ];
    return {
      task: first.task,
      weak_model: first.weak_model,
      strong_model: first.strong_model,
      method: first.method,
      seeds: g.length,
      weak_acc: agg.weakAcc,
      ceiling_acc: agg.ceilingAcc,
      w2s_acc: agg.w2sAcc,
      pgr_of_means: agg.pgrOfMeans.value,
      pgr: agg.meanPgr.value,
      pgr_lo: agg.meanPgr.low,
      pgr_hi: agg.meanPgr.high,
      pgr_interval: agg.meanPgr.method,
      dropped_seeds: agg.droppedSeeds,
      dropped_resamples: agg.droppedResamples,
      resamples: resamples * agg.seeds,
      plain_weak_acc: plain.weakAcc,
      pgr_vs_plain_of_means: plain.pgrOfMeans.value,
      pgr_vs_plain: plain.meanPgr.value,
      pgr_vs_plain_lo: plain.meanPgr.low,
      pgr_vs_plain_hi: plain.meanPgr.high,
      strong_saw_gt: g.some((r) => r.strong_saw_gt),
      note: notes.filter(Boolean).join('; '),
    };
  });
}

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}`);

export function formatPgr(s: Pick<SummaryRow, 'pgr' | 'pgr_lo' | 'pgr_hi'>): string {
  if (s.pgr === null) return 'n/a';
  return `${pct(s.pgr)} [${pct(s.pgr_lo)}, ${pct(s.pgr_hi)}]`;
}

/**
 * The summary as a Markdown table (accuracies and PGR in %), PGR both ways, labelled: of the mean
 * accuracies (reproducible from the accuracy columns) and the mean of per-seed PGR with its
 * interval. When some method makes its weak labels with an ensemble or debate, three more columns
 * give the plain weak model's accuracy and the PGR against it, both ways.
 */
export function summaryTable(summary: SummaryRow[]): string {
  const withPlain = summary.some((s) => s.plain_weak_acc !== s.weak_acc || s.pgr_vs_plain !== s.pgr);
  const extraHead = withPlain ? ' plain weak acc | PGR vs plain of mean acc % | mean seed PGR vs plain % [95% CI] |' : '';
  const head = `| task | weak | strong | method | seeds | weak acc | ceiling acc | w2s acc | PGR of mean acc % | mean seed PGR % [95% CI] |${extraHead} note |`;
  const rule = `|---|---|---|---|---|---|---|---|---|---|${withPlain ? '---|---|---|' : ''}---|`;
  const lines = summary.map((s) => {
    const extra = withPlain
      ? ` ${pct(s.plain_weak_acc)} | ${pct(s.pgr_vs_plain_of_means)} | ${formatPgr({ pgr: s.pgr_vs_plain, pgr_lo: s.pgr_vs_plain_lo, pgr_hi: s.pgr_vs_plain_hi })} |`
      : '';
    return `| ${s.task} | ${s.weak_model} | ${s.strong_model} | ${s.method} | ${s.seeds} | ${pct(s.weak_acc)} | ${pct(s.ceiling_acc)} | ${pct(s.w2s_acc)} | ${pct(s.pgr_of_means)} | ${formatPgr(s)} |${extra} ${s.note} |`;
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
    'Accuracies are test accuracy in % (mean over seeds). PGR = (w2s − weak) / (ceiling − weak), shown two ways:',
    '"PGR of mean acc" applies the formula to the three mean accuracies of the row (so it reproduces from them, up to',
    'rounding); "mean seed PGR" is the mean over seeds of each seed\'s PGR, with a 95 % Student-t interval over seeds',
    '(mean ± t(0.975, S − 1) · sd / √S; 12.7 for 2 seeds, 4.30 for 3: few seeds give wide intervals). The two differ',
    'when seeds differ in their weak–ceiling gap. Seeds whose ceiling is not above their weak model have no PGR and are',
    'left out of the mean; bootstrap resamples of a cell where that happens are left out of its interval. The note',
    'column counts both (runs.arrow: pgr_dropped_seeds, pgr_dropped_resamples). With one seed, the interval is over',
    'its test examples only. The ceiling is the strong model trained on the ground truth of the transfer split (the',
    'examples the student learns from with weak labels).',
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
    await writeFileAtomic(join(outDir, pgrFile), intervalChart({ title: `${task}: PGR per method (mean over seeds, 95% t interval)`, yLabel: 'PGR', points }));
    files.push(pgrFile);
    md.push(`## ${task}`, '', `![accuracy](${accFile})`, '', `![PGR](${pgrFile})`, '');
  }
  await writeFileAtomic(join(outDir, 'report.md'), md.join('\n'));
  files.push('report.md');
  return files;
}
