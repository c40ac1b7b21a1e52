import type { TopLevelSpec } from 'vega-lite';
import type { RunRow } from '../rows.js';
import { bySize } from './model-order.js';
import { meanOverSeeds, type SeedAccuracy } from './seed-interval.js';
import { FIGURE_CONFIG, percent, VL_SCHEMA } from './style.js';

interface Point {
  series: string;
  model: string;
  seeds: SeedAccuracy[];
}

/**
 * Test accuracy per model size on one task, with 95 % intervals: the models trained on ground
 * truth (each weak model on weak-train, each strong model on transfer: the ceiling) and the
 * students of each (method, weak model) at each strong size. The gap between a student and the
 * ceiling at the same size is what PGR measures.
 */
export function ladderFigure(task: string, runs: readonly RunRow[]): TopLevelSpec {
  const rows = runs.filter((r) => r.task === task);
  const points = new Map<string, Point>();
  // One value per (series, model, seed): a weak model or ceiling serves many cells of a seed.
  const seen = new Set<string>();
  const add = (series: string, model: string, seed: number, acc: SeedAccuracy) => {
    const key = `${series}\u0000${model}`;
    if (seen.has(`${key}\u0000${seed}`)) return;
    seen.add(`${key}\u0000${seed}`);
    const p = points.get(key) ?? { series, model, seeds: [] };
    p.seeds.push(acc);
    points.set(key, p);
  };
  for (const r of rows) {
    // The plain weak model: its interval is in the row only when the method's weak labels are its own.
    const plain = r.weak_labels === 'single' ? { value: r.weak_acc, low: r.weak_acc_lo, high: r.weak_acc_hi } : { value: r.plain_weak_acc, low: null, high: null };
    add('weak model on GT (weak-train)', r.weak_model, r.seed, plain);
    add('ceiling: strong on GT (transfer)', r.strong_model, r.seed, { value: r.ceiling_acc, low: r.ceiling_acc_lo, high: r.ceiling_acc_hi });
    add(`student of ${r.weak_model}, ${r.method}`, r.strong_model, r.seed, { value: r.w2s_acc, low: r.w2s_acc_lo, high: r.w2s_acc_hi });
  }
  const values = [...points.values()].map((p) => {
    const m = meanOverSeeds(p.seeds);
    // An accuracy lies in [0, 100] %: a t interval over few seeds can reach past it, the bar stops there.
    const bound = (v: number | null) => (v === null ? null : Math.min(100, Math.max(0, percent(v))));
    return { series: p.series, model: p.model, acc: percent(m.mean), lo: bound(m.low), hi: bound(m.high), interval: m.interval, seeds: p.seeds.length };
  });
  const x = { field: 'model', type: 'nominal', sort: bySize(values.map((v) => v.model)), title: 'model (by size)', axis: { labelAngle: 0 } } as const;
  const color = { field: 'series', type: 'nominal', title: 'trained on', sort: [...new Set(values.map((v) => v.series))] } as const;
  const y = { type: 'quantitative', title: 'test accuracy %', scale: { zero: false, nice: true, domainMax: 100 } } as const;
  // Series side by side at one size, so that their intervals do not hide each other.
  const xOffset = { field: 'series', type: 'nominal', sort: color.sort } as const;
  return {
    $schema: VL_SCHEMA,
    config: FIGURE_CONFIG,
    title: { text: `${task}: test accuracy per model size`, subtitle: 'mean over seeds, 95 % interval (t over seeds, cut at 0 and 100 %; one seed: bootstrap over test examples)' },
    width: 120 * new Set(values.map((v) => v.model)).size,
    height: 260,
    data: { values },
    encoding: { x, xOffset, color },
    layer: [
      { transform: [{ filter: 'datum.lo !== null' }], mark: { type: 'rule', strokeWidth: 2 }, encoding: { y: { field: 'lo', ...y }, y2: { field: 'hi' } } },
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          y: { field: 'acc', ...y },
          tooltip: [{ field: 'series', title: 'trained on' }, { field: 'model' }, { field: 'acc', title: 'accuracy %' }, { field: 'lo', title: 'low %' }, { field: 'hi', title: 'high %' }, { field: 'interval' }],
        },
      },
    ],
  };
}
