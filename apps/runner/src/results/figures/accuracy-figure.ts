import type { TopLevelSpec } from 'vega-lite';
import type { SummaryRow } from '../report.js';
import { roundDomain } from './domain.js';
import { FIGURE_CONFIG, percent, REFERENCE_GREY, VL_SCHEMA } from './style.js';

// The three kinds of line, told apart by dash pattern (one legend), while colour is the weak model.
const STUDENT = 'student (weak-to-strong)';
const WEAK = 'weak model alone';
const CEILING = 'ceiling: y = x (strong on GT)';
const DASHES = { domain: [STUDENT, WEAK, CEILING], range: [[1, 0], [6, 3], [2, 3]] };

/** One panel of a concatenated Vega-Lite figure. */
type Panel = Extract<TopLevelSpec, { concat: unknown }>['concat'][number];

/**
 * The paper's main figure (Burns et al. 2023, Fig. 3): for each task (a column) and method (a
 * row), the strong student's test accuracy against the strong ceiling's, one line per weak model
 * through the strong sizes, the weak model's own accuracy as a dashed line, and the diagonal on
 * which a student would match its ceiling. Means over seeds, in %. Both axes of a task share one
 * round domain, so the diagonal is at 45°.
 */
export function accuracyFigure(summary: readonly SummaryRow[]): TopLevelSpec {
  const tasks = [...new Set(summary.map((s) => s.task))];
  const methods = [...new Set(summary.map((s) => s.method))];
  const panels = methods.flatMap((method) =>
    tasks.map((task): Panel => {
      const rows = summary.filter((s) => s.task === task);
      const [lo, hi] = roundDomain(rows.flatMap((r) => [r.weak_acc, r.ceiling_acc, r.w2s_acc].map(percent)), 5, [0, 100]);
      const scale = { domain: [lo, hi], nice: false, zero: false };
      const values = rows
        .filter((r) => r.method === method)
        .map((r) => ({ weak_model: r.weak_model, strong_model: r.strong_model, ceiling: percent(r.ceiling_acc), student: percent(r.w2s_acc), weak: percent(r.weak_acc), seeds: r.seeds }));
      const weakOnly = [...new Map(values.map((v) => [v.weak_model, { weak_model: v.weak_model, weak: v.weak }])).values()];
      return {
        // Two lines rather than one long one: concat columns are as wide as their widest title.
        title: methods.length > 1 ? [task, method] : task,
        width: 220,
        height: 220,
        layer: [
          {
            data: { values: [{ v: lo }, { v: hi }] },
            mark: { type: 'line', color: REFERENCE_GREY, strokeWidth: 1 },
            encoding: {
              x: { field: 'v', type: 'quantitative', scale, title: 'ceiling accuracy % (strong on GT)' },
              y: { field: 'v', type: 'quantitative', scale, title: 'test accuracy %' },
              strokeDash: { datum: CEILING, type: 'nominal', scale: DASHES, legend: { title: 'line', symbolType: 'stroke', symbolStrokeWidth: 2 } },
            },
          },
          {
            data: { values: weakOnly },
            mark: { type: 'rule', strokeWidth: 1.5 },
            encoding: {
              y: { field: 'weak', type: 'quantitative', scale },
              color: { field: 'weak_model', type: 'nominal', title: 'weak model' },
              strokeDash: { datum: WEAK, type: 'nominal' },
              tooltip: [{ field: 'weak_model' }, { field: 'weak', title: 'weak acc %' }],
            },
          },
          {
            data: { values },
            mark: { type: 'line', point: { size: 50, filled: true }, strokeWidth: 2 },
            encoding: {
              x: { field: 'ceiling', type: 'quantitative', scale },
              y: { field: 'student', type: 'quantitative', scale },
              color: { field: 'weak_model', type: 'nominal', title: 'weak model' },
              strokeDash: { datum: STUDENT, type: 'nominal' },
              order: { field: 'ceiling', type: 'quantitative' },
              tooltip: [{ field: 'weak_model' }, { field: 'strong_model' }, { field: 'ceiling', title: 'ceiling acc %' }, { field: 'student', title: 'student acc %' }, { field: 'seeds' }],
            },
          },
        ],
      };
    }),
  );
  return {
    $schema: VL_SCHEMA,
    config: FIGURE_CONFIG,
    title: {
      text: 'Student accuracy against ceiling accuracy',
      subtitle: 'test accuracy %, mean over seeds; one point per strong model; dashed: the weak model alone',
    },
    columns: tasks.length,
    concat: panels,
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
}
