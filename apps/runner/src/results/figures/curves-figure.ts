import type { TopLevelSpec } from 'vega-lite';
import type { RunRow } from '../rows.js';
import { bySize } from './model-order.js';
import { FIGURE_CONFIG, percent, VL_SCHEMA } from './style.js';

/**
 * What the curve figures read of a curves.arrow row. `test_acc` and `weak_agreement` (fractions)
 * are drawn when the table has them and they are not null; older tables do not.
 */
export interface CurvePointRow {
  cell_id: string;
  stage: string;
  step: number;
  loss: number;
  test_acc?: number | null;
  weak_agreement?: number | null;
  /** Students with a val split: what gt-val and weak-val select by (the overfitting figure marks both). */
  val_acc?: number | null;
  val_weak_agreement?: number | null;
  /** (Older tables have none of the last four.) */
}

/** The panels (rows of the figure), in order: the value a curve point gives each, or null. */
const METRICS: { name: string; of: (p: CurvePointRow) => number | null | undefined }[] = [
  { name: 'training loss', of: (p) => p.loss },
  { name: 'test accuracy %', of: (p) => (p.test_acc == null ? null : percent(p.test_acc)) },
  { name: 'agreement with weak labels %', of: (p) => (p.weak_agreement == null ? null : percent(p.weak_agreement)) },
];

/** At most this many points per line: the inlined data stays small for long runs (see the means below). */
const MAX_POINTS = 120;

/** Which line a stage's curve belongs to, within its strong model's column. */
function lineOf(stage: string, run: RunRow): string {
  if (stage === 'weak') return `weak ${run.weak_model} on GT`;
  if (stage === 'ceiling') return 'ceiling: strong on GT';
  return `student of ${run.weak_model}, ${run.method}`;
}

/**
 * Training curves of one task: one column per strong model, one row per recorded metric (loss;
 * test accuracy and agreement with the weak labels where curves.arrow has them), one line per
 * stage (the weak teacher, the ceiling, each student), averaged over seeds step by step.
 * Returns undefined when the task has no curve points.
 */
export function curvesFigure(task: string, runs: readonly RunRow[], curves: readonly CurvePointRow[]): TopLevelSpec | undefined {
  const cells = new Map(runs.filter((r) => r.task === task).map((r) => [r.cell_id, r]));
  // Sum over seeds of each (column, line, metric, step); a weak curve shared by many cells counts once per seed.
  const sums = new Map<string, { strong: string; line: string; metric: string; step: number; sum: number; n: number }>();
  const seen = new Set<string>();
  for (const p of curves) {
    const run = cells.get(p.cell_id);
    if (!run) continue;
    const line = lineOf(p.stage, run);
    for (const m of METRICS) {
      const v = m.of(p);
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      const key = [run.strong_model, line, m.name, p.step].join('\u0000');
      if (seen.has(`${key}\u0000${run.seed}`)) continue;
      seen.add(`${key}\u0000${run.seed}`);
      const s = sums.get(key) ?? { strong: run.strong_model, line, metric: m.name, step: p.step, sum: 0, n: 0 };
      s.sum += v;
      s.n++;
      sums.set(key, s);
    }
  }
  if (sums.size === 0) return undefined;
  const lines = new Map<string, { strong: string; line: string; metric: string; step: number; value: number }[]>();
  for (const s of sums.values()) {
    const key = [s.strong, s.line, s.metric].join('\u0000');
    lines.set(key, [...(lines.get(key) ?? []), { strong: s.strong, line: s.line, metric: s.metric, step: s.step, value: Math.round((s.sum / s.n) * 1e4) / 1e4 }]);
  }
  // A long line becomes the means of runs of `stride` consecutive steps: fewer points, and less of
  // the step-to-step noise of minibatch losses.
  const values = [...lines.values()].flatMap((pts) => {
    pts.sort((a, b) => a.step - b.step);
    const stride = Math.ceil(pts.length / MAX_POINTS);
    const buckets = Array.from({ length: Math.ceil(pts.length / stride) }, (_, b) => pts.slice(b * stride, (b + 1) * stride));
    return buckets.map((bucket) => ({ ...bucket[bucket.length - 1]!, value: Math.round((bucket.reduce((sum, p) => sum + p.value, 0) / bucket.length) * 1e4) / 1e4 }));
  });
  const metrics = METRICS.map((m) => m.name).filter((name) => values.some((v) => v.metric === name));
  return {
    $schema: VL_SCHEMA,
    config: FIGURE_CONFIG,
    title: { text: `${task}: training curves`, subtitle: `mean over seeds, and over runs of consecutive steps on long curves (at most ${MAX_POINTS} points a line); one column per strong model` },
    data: { values },
    facet: {
      row: { field: 'metric', type: 'nominal', sort: metrics, title: null },
      column: { field: 'strong', type: 'nominal', title: 'strong model', sort: bySize(values.map((v) => v.strong)) },
    },
    spec: {
      width: 240,
      height: 160,
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'line', type: 'nominal', title: 'stage' },
        tooltip: [{ field: 'line', title: 'stage' }, { field: 'step' }, { field: 'value' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}
