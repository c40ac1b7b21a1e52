import type { TopLevelSpec } from 'vega-lite';
import type { RunRow } from '../rows.js';
import type { CurvePointRow } from './curves-figure.js';
import { FIGURE_CONFIG, percent, REFERENCE_GREY, VL_SCHEMA } from './style.js';

/**
 * The checkpoint each selection rule picks from one student's curve (its evaluation points, in
 * step order), or undefined when the curve lacks what the rule reads: `final` the last point,
 * `weak-val` the first with the highest agreement with the weak labels of val, `gt-val` the first
 * with the highest val accuracy — the rules of @w2s/strong-student (the first best checkpoint wins).
 */
export const SELECTIONS: { name: string; pick: (points: readonly CurvePointRow[]) => CurvePointRow | undefined }[] = [
  { name: 'final', pick: (points) => points.at(-1) },
  { name: 'weak-val', pick: (points) => firstBest(points, (p) => p.val_weak_agreement) },
  { name: 'gt-val (oracle)', pick: (points) => firstBest(points, (p) => p.val_acc) },
];

function firstBest(points: readonly CurvePointRow[], of: (p: CurvePointRow) => number | null | undefined): CurvePointRow | undefined {
  let best: CurvePointRow | undefined;
  for (const p of points) {
    const v = of(p);
    if (v == null) continue;
    if (best === undefined || v > of(best)!) best = p;
  }
  return best;
}

const ACC = 'test accuracy %';
const PGR = 'PGR % (vs the plain weak model)';

/** One value of a panel: the mean curve, a seed's selected checkpoint, or the mean position of a selection. */
interface Datum {
  kind: 'curve' | 'selection' | 'mean selection';
  student: string;
  metric: string;
  progress: number;
  value?: number;
  selection?: string;
  seed?: number;
}

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

/**
 * Overfitting to the weak labels over training (Burns et al. 2023 §4.3.2), one task: for every
 * student (one column per method and weak → strong pair), its test accuracy and PGR against training
 * progress (step / last step), the mean over seeds; on it, each seed's checkpoint chosen by the
 * `final`, `weak-val` and `gt-val` rules (points at that checkpoint's progress and value), and a
 * vertical rule at each rule's mean progress over seeds. weak-val and gt-val need the curve's val
 * columns (a run with a val split); without them only `final` is marked. Test accuracy is recorded
 * for this analysis only: no rule reads it. Undefined when the task's students have no test curve.
 */
export function overfittingFigure(task: string, runs: readonly RunRow[], curves: readonly CurvePointRow[]): TopLevelSpec | undefined {
  const cells = new Map(runs.filter((r) => r.task === task).map((r) => [r.cell_id, r]));
  const byCell = new Map<string, CurvePointRow[]>();
  for (const p of curves) {
    if (p.stage !== 'w2s' || p.test_acc == null || !cells.has(p.cell_id)) continue;
    byCell.set(p.cell_id, [...(byCell.get(p.cell_id) ?? []), p]);
  }
  if (byCell.size === 0) return undefined;
  const sums = new Map<string, { student: string; metric: string; progress: number; sum: number; n: number }>();
  const values: Datum[] = [];
  const studentOrder: string[] = [];
  for (const [cellId, points] of byCell) {
    points.sort((a, b) => a.step - b.step);
    const run = cells.get(cellId)!;
    const student = `${run.method}: ${run.weak_model} → ${run.strong_model}`;
    if (!studentOrder.includes(student)) studentOrder.push(student);
    const last = points.at(-1)!.step;
    const weak = run.plain_weak_acc ?? run.weak_acc;
    const gap = run.ceiling_acc - weak;
    const valuesOf = (p: CurvePointRow): [string, number][] => [[ACC, percent(p.test_acc!)], ...(gap > 0 ? ([[PGR, percent((p.test_acc! - weak) / gap)]] as [string, number][]) : [])];
    for (const p of points) {
      const progress = round4(p.step / last);
      for (const [metric, value] of valuesOf(p)) {
        const key = [student, metric, progress].join('\u0000');
        const s = sums.get(key) ?? { student, metric, progress, sum: 0, n: 0 };
        s.sum += value;
        s.n++;
        sums.set(key, s);
      }
    }
    for (const { name, pick } of SELECTIONS) {
      const chosen = pick(points);
      if (!chosen) continue;
      for (const [metric, value] of valuesOf(chosen)) values.push({ kind: 'selection', student, metric, progress: round4(chosen.step / last), value, selection: name, seed: run.seed });
    }
  }
  for (const s of sums.values()) values.push({ kind: 'curve', student: s.student, metric: s.metric, progress: s.progress, value: Math.round((s.sum / s.n) * 10) / 10 });
  // The mean progress of each rule's choices, per student and panel.
  const chosen = new Map<string, Datum[]>();
  for (const v of values) if (v.kind === 'selection') chosen.set([v.student, v.metric, v.selection].join('\u0000'), [...(chosen.get([v.student, v.metric, v.selection].join('\u0000')) ?? []), v]);
  for (const group of chosen.values()) {
    const { student, metric, selection } = group[0]!;
    values.push({ kind: 'mean selection', student, metric, selection, progress: round4(group.reduce((s, v) => s + v.progress, 0) / group.length) });
  }
  const selectionNames = SELECTIONS.map((s) => s.name);
  const color = { field: 'selection', type: 'nominal' as const, title: 'selection', sort: selectionNames, scale: { domain: selectionNames, range: ['#000000', '#0072B2', '#D55E00'] } };
  return {
    $schema: VL_SCHEMA,
    config: FIGURE_CONFIG,
    title: {
      text: `${task}: overfitting to the weak labels over training`,
      subtitle: [
        'each student\'s test accuracy and PGR (mean over seeds) against training progress;',
        'points: each seed\'s checkpoint chosen by a rule; dashed lines: the rule\'s mean position. gt-val reads val ground truth (an oracle)',
      ],
    },
    data: { values: values as unknown as Record<string, unknown>[] },
    facet: {
      row: { field: 'metric', type: 'nominal', sort: [ACC, PGR], title: null },
      column: { field: 'student', type: 'nominal', sort: studentOrder, title: null },
    },
    spec: {
      width: 220,
      height: 150,
      encoding: { x: { field: 'progress', type: 'quantitative', title: 'training progress (step / last step)', scale: { domain: [0, 1] } } },
      layer: [
        {
          transform: [{ filter: "datum.kind === 'curve'" }],
          mark: { type: 'line', color: REFERENCE_GREY, strokeWidth: 1.5 },
          encoding: { y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } }, tooltip: [{ field: 'progress' }, { field: 'value' }] },
        },
        {
          transform: [{ filter: "datum.kind === 'mean selection'" }],
          mark: { type: 'rule', strokeDash: [4, 3], opacity: 0.7 },
          encoding: { color, tooltip: [{ field: 'selection' }, { field: 'progress', title: 'mean progress' }] },
        },
        {
          transform: [{ filter: "datum.kind === 'selection'" }],
          mark: { type: 'point', filled: true, size: 45, opacity: 0.85 },
          encoding: {
            y: { field: 'value', type: 'quantitative' },
            color,
            shape: { field: 'selection', type: 'nominal', sort: selectionNames, scale: { domain: selectionNames } },
            tooltip: [{ field: 'selection' }, { field: 'seed' }, { field: 'progress' }, { field: 'value' }],
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}
