import { aggregateSeeds, type SeedIntervalMethod, type SeedResult } from '@w2s/metrics';
import type { RunRow } from './rows.js';

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
  /** Resamples drawn over all seeds (for "x of y" in the report); null when unknown (`w2s report` without run.json). */
  resamples: number | null;
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
export function summarize(rows: RunRow[], resamples: number | null): SummaryRow[] {
  return groupRows(rows).map((g) => {
    const agg = aggregateSeeds(g.map((r) => seedOf(r, 'own')));
    const plain = aggregateSeeds(g.map((r) => seedOf(r, 'plain')));
    const first = g[0]!;
    const notes = [
      agg.meanPgr.method === 'none' ? agg.meanPgr.reason : '',
      agg.meanPgr.method === 'one-seed' ? 'CI over test examples of one seed only' : '',
      agg.droppedSeeds > 0 && agg.meanPgr.method !== 'none' ? `${agg.droppedSeeds} of ${agg.seeds} seeds have no PGR (ceiling ≤ weak), left out` : '',
      agg.droppedResamples > 0 ? `${agg.droppedResamples}${resamples === null ? '' : ` of ${resamples * agg.seeds}`} resamples dropped (ceiling ≤ weak)` : '',
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
      resamples: resamples === null ? null : resamples * agg.seeds,
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
 * The summary as table cells (accuracies and PGR in %), PGR both ways, labelled: of the mean
 * accuracies (reproducible from the accuracy columns) and the mean of per-seed PGR with its
 * interval. When some method makes its weak labels with an ensemble or debate, three more columns
 * give the plain weak model's accuracy and the PGR against it, both ways.
 */
export function summaryCells(summary: readonly SummaryRow[]): { head: string[]; rows: string[][] } {
  const withPlain = summary.some((s) => s.plain_weak_acc !== s.weak_acc || s.pgr_vs_plain !== s.pgr);
  const head = [
    'task', 'weak', 'strong', 'method', 'seeds', 'weak acc', 'ceiling acc', 'w2s acc', 'PGR of mean acc %', 'mean seed PGR % [95% CI]',
    ...(withPlain ? ['plain weak acc', 'PGR vs plain of mean acc %', 'mean seed PGR vs plain % [95% CI]'] : []),
    'note',
  ];
  const rows = summary.map((s) => [
    s.task, s.weak_model, s.strong_model, s.method, String(s.seeds), pct(s.weak_acc), pct(s.ceiling_acc), pct(s.w2s_acc), pct(s.pgr_of_means), formatPgr(s),
    ...(withPlain ? [pct(s.plain_weak_acc), pct(s.pgr_vs_plain_of_means), formatPgr({ pgr: s.pgr_vs_plain, pgr_lo: s.pgr_vs_plain_lo, pgr_hi: s.pgr_vs_plain_hi })] : []),
    s.note,
  ]);
  return { head, rows };
}

/** The summary as a Markdown table (see summaryCells). */
export function summaryTable(summary: readonly SummaryRow[]): string {
  const { head, rows } = summaryCells(summary);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), `|${head.map(() => '---|').join('')}`, ...rows.map(line)].join('\n');
}

/** The summary as a Markdown table whose columns line up in a terminal (`w2s show`). */
export function alignedSummaryTable(summary: readonly SummaryRow[]): string {
  const { head, rows } = summaryCells(summary);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => `${'-'.repeat(w + 2)}|`).join('')}`, ...rows.map(line)].join('\n');
}
