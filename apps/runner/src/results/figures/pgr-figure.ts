import type { TopLevelSpec } from 'vega-lite';
import type { SummaryRow } from '../report.js';
import { FIGURE_CONFIG, percent, REFERENCE_GREY, VL_SCHEMA } from './style.js';

/**
 * PGR per (weak → strong, method) of one task, in %, as points with their 95 % interval and value, sorted
 * from best to worst, coloured by method (legend), with the zero line (the student only matches
 * its teacher) and the 100 % line (it matches the ceiling). Rows without PGR (ceiling ≤ weak) are
 * listed at the bottom and marked "n/a".
 */
export function pgrFigure(task: string, summary: readonly SummaryRow[]): TopLevelSpec {
  const values = summary
    .filter((s) => s.task === task)
    .map((s) => ({
      row: `${s.weak_model} → ${s.strong_model} · ${s.method}`,
      method: s.method,
      pgr: s.pgr === null ? null : percent(s.pgr),
      lo: s.pgr_lo === null ? null : percent(s.pgr_lo),
      hi: s.pgr_hi === null ? null : percent(s.pgr_hi),
      interval: s.pgr_interval === 't' ? `t over ${s.seeds - s.dropped_seeds} seeds` : s.pgr_interval === 'one-seed' ? 'one seed: bootstrap over test examples' : 'none',
      seeds: s.seeds,
      label: s.pgr === null ? 'n/a (ceiling ≤ weak)' : '',
    }));
  // Best first; rows without PGR last, in table order.
  const order = [...values].sort((a, b) => (b.pgr ?? -Infinity) - (a.pgr ?? -Infinity)).map((v) => v.row);
  const y = { field: 'row', type: 'nominal', sort: order, title: null, scale: { paddingOuter: 0.4 } } as const;
  const x = { type: 'quantitative', title: 'PGR % (mean over seeds, 95 % interval)', scale: { zero: true, nice: true } } as const;
  return {
    $schema: VL_SCHEMA,
    config: FIGURE_CONFIG,
    title: { text: `${task}: performance gap recovered`, subtitle: '0 %: the student only matches its weak teacher; 100 %: it matches the strong ceiling' },
    width: 360,
    height: { step: 30 },
    data: { values },
    layer: [
      { data: { values: [{ at: 0 }, { at: 100 }] }, mark: { type: 'rule', color: REFERENCE_GREY }, encoding: { x: { field: 'at', ...x }, strokeDash: { field: 'at', type: 'nominal', scale: { domain: [0, 100], range: [[1, 0], [4, 3]] }, legend: null } } },
      { transform: [{ filter: 'datum.lo !== null && datum.hi !== null' }], mark: { type: 'rule', strokeWidth: 2 }, encoding: { y, x: { field: 'lo', ...x }, x2: { field: 'hi' }, color: { field: 'method', type: 'nominal', title: 'method' } } },
      {
        transform: [{ filter: 'datum.pgr !== null' }],
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          y,
          x: { field: 'pgr', ...x },
          color: { field: 'method', type: 'nominal', title: 'method' },
          tooltip: [{ field: 'row', title: 'pair · method' }, { field: 'pgr', title: 'PGR %' }, { field: 'lo', title: 'low %' }, { field: 'hi', title: 'high %' }, { field: 'interval' }],
        },
      },
      // Each value written above its point (inside the plot, clear of the legend), so the figure reads without the table.
      {
        transform: [{ filter: 'datum.pgr !== null' }, { calculate: "format(datum.pgr, '.1f') + ' %'", as: 'value' }],
        mark: { type: 'text', align: 'center', baseline: 'bottom', dy: -5, fontSize: 10, color: '#333' },
        encoding: { y, x: { field: 'pgr', ...x }, text: { field: 'value' } },
      },
      { transform: [{ filter: 'datum.pgr === null' }], mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 }, encoding: { y, x: { datum: 0, type: 'quantitative' }, text: { field: 'label' } } },
    ],
  };
}
