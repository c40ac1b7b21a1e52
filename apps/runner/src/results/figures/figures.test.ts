import { describe, expect, it } from 'vitest';
import { summarize } from '../report.js';
import { row } from '../test-utils/run-row.js';
import { accuracyFigure } from './accuracy-figure.js';
import { curvesFigure, type CurvePointRow } from './curves-figure.js';
import { roundDomain } from './domain.js';
import { ladderFigure } from './ladder-figure.js';
import { overfittingFigure } from './overfitting-figure.js';
import { figureSpecs } from './figure-set.js';
import { bySize } from './model-order.js';
import { pgrFigure } from './pgr-figure.js';
import { renderSvg } from './render.js';

type Values = Record<string, unknown>[];
// The specs are plain JSON: look into them as such.
const json = (spec: unknown) => JSON.parse(JSON.stringify(spec)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Cells of two tasks, one weak model, strong m and l, two methods, two seeds. */
function runs() {
  const rows = [];
  for (const task of ['digits-parity', 'spam']) {
    for (const [strong, ceiling] of [['mlp-m', 0.9], ['mlp-l', 0.93]] as const) {
      for (const [method, w2s] of [['naive', 0.81], ['logconf', 0.85]] as const) {
        for (const seed of [0, 1]) {
          const weak = 0.78 + seed * 0.02;
          rows.push(row(seed, { weak, ceiling: ceiling + seed * 0.01, w2s: w2s + seed * 0.01 }, { task, strong_model: strong, method, cell_id: `${task}/${strong}/${method}/${seed}` }));
        }
      }
    }
  }
  return rows;
}

describe('accuracyFigure (the paper\'s main figure)', () => {
  const summary = summarize(runs(), 100);
  const spec = json(accuracyFigure(summary));

  it('has one panel per task and method, the students\' mean accuracies in %, the weak model and the diagonal', () => {
    expect(spec.concat.map((p: { title: string[] }) => p.title)).toEqual([['digits-parity', 'naive'], ['spam', 'naive'], ['digits-parity', 'logconf'], ['spam', 'logconf']]);
    const [diagonal, weak, students] = spec.concat[0].layer;
    // digits-parity, naive: mlp-m ceiling (0.90 + 0.91)/2, student (0.81 + 0.82)/2; mlp-l 0.935, 0.815.
    expect(students.data.values.map((v: Values[number]) => [v.strong_model, v.ceiling, v.student])).toEqual([['mlp-m', 90.5, 81.5], ['mlp-l', 93.5, 81.5]]);
    expect(weak.data.values).toEqual([{ weak_model: 'mlp-xs', weak: 79 }]);
    // One round domain for both axes of a task, covering weak, students and ceilings: [75, 95].
    expect(diagonal.data.values).toEqual([{ v: 75 }, { v: 95 }]);
    expect(diagonal.encoding.x.scale.domain).toEqual([75, 95]);
    expect(diagonal.encoding.y.scale.domain).toEqual([75, 95]);
  });

  it('renders to SVG with round tick labels and a legend for the three kinds of line', async () => {
    const svg = await renderSvg(accuracyFigure(summary));
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    for (const label of ['ceiling accuracy % (strong on GT)', 'student (weak-to-strong)', 'weak model alone', 'ceiling: y = x (strong on GT)', 'mlp-xs']) {
      expect(svg).toContain(`>${label}</text>`);
    }
    const numbers = [...svg.matchAll(/>(-?\d+(?:\.\d+)?)<\/text>/g)].map((m) => Number(m[1]));
    expect(numbers.length).toBeGreaterThan(10);
    for (const n of numbers) expect(Number.isInteger(n), `tick ${n}`).toBe(true);
  });
});

describe('pgrFigure', () => {
  it('lists every pair and method with its interval in %, best first, rows without PGR last, each value written', async () => {
    const rows = [
      ...[0, 1].map((s) => row(s, { weak: 0.8, ceiling: 0.9, w2s: 0.82 + s * 0.02 }, { method: 'naive' })), // PGR 20 %, 40 %
      ...[0, 1].map((s) => row(s, { weak: 0.8, ceiling: 0.9, w2s: 0.86 }, { method: 'logconf' })), // 60 %, 60 %
      row(0, { weak: 0.8, ceiling: 0.8, w2s: 0.86 }, { method: 'broken' }), // no PGR
    ];
    const spec = json(pgrFigure('toy', summarize(rows, 100)));
    const values = spec.data.values as Values;
    expect(spec.layer[2].encoding.y.sort).toEqual(['mlp-xs → mlp-s · logconf', 'mlp-xs → mlp-s · naive', 'mlp-xs → mlp-s · broken']);
    const naive = values.find((v) => v.method === 'naive')!;
    // Per-seed PGR 20 and 40 %: mean 30, sd 14.142, half-width 12.7062 · 14.142 / √2 = 127.06.
    expect(naive.pgr).toBe(30);
    expect(naive.lo).toBeCloseTo(30 - 127.06, 1);
    expect(naive.hi).toBeCloseTo(30 + 127.06, 1);
    expect(values.find((v) => v.method === 'broken')).toMatchObject({ pgr: null, label: 'n/a (ceiling ≤ weak)' });
    // The reference lines at 0 and 100 %.
    expect(spec.layer[0].data.values).toEqual([{ at: 0 }, { at: 100 }]);
    const svg = await renderSvg(pgrFigure('toy', summarize(rows, 100)));
    for (const text of ['30.0 %', '60.0 %', 'n/a (ceiling ≤ weak)', 'mlp-xs → mlp-s · logconf', 'method']) expect(svg).toContain(`>${text}</text>`);
  });
});

describe('ladderFigure', () => {
  it('gives each model size its mean accuracy over seeds with a t interval, each weak model once per seed', () => {
    const spec = json(ladderFigure('digits-parity', runs()));
    const values = spec.data.values as Values;
    const at = (series: string, model: string) => values.find((v) => v.series === series && v.model === model)!;
    // The weak model serves 4 cells per seed; its accuracies are 78 and 80 %: mean 79, sd √2,
    // half-width t(0.975, 1) · sd / √2 = 12.7062 (scipy.stats.t.ppf(0.975, 1) = 12.7062047).
    const weak = at('weak model on GT (weak-train)', 'mlp-xs');
    expect(weak.seeds).toBe(2);
    expect(weak.acc).toBe(79);
    expect(weak.lo as number).toBeCloseTo(79 - 12.7062, 1); // rounded to 0.1 % in the spec
    expect(weak.hi as number).toBeCloseTo(79 + 12.7062, 1);
    expect(at('ceiling: strong on GT (transfer)', 'mlp-l')).toMatchObject({ acc: 93.5, lo: 87.1, hi: 99.9 }); // ± 6.35
    expect(at('student of mlp-xs, logconf', 'mlp-m').acc).toBe(85.5);
    expect(spec.encoding.x.sort).toEqual(['mlp-xs', 'mlp-m', 'mlp-l']);
  });

  it('stops an interval that reaches past 100 % at 100 %', () => {
    // Ceilings at 90 and 98 %: mean 94, half-width 12.7062 · 5.657 / √2 = 50.8.
    const two = [0, 1].map((s) => row(s, { weak: 0.7, ceiling: 0.9 + s * 0.08, w2s: 0.8 }));
    const values = json(ladderFigure('toy', two)).data.values as Values;
    expect(values.find((v) => v.series === 'ceiling: strong on GT (transfer)')).toMatchObject({ acc: 94, lo: 43.2, hi: 100 });
  });

  it('with one seed, shows that seed\'s bootstrap interval', () => {
    const one = [row(0, { weak: 0.7, ceiling: 0.9, w2s: 0.8 }, { w2s_acc_lo: 0.75, w2s_acc_hi: 0.85 })];
    const values = json(ladderFigure('toy', one)).data.values as Values;
    expect(values.find((v) => v.series === 'student of mlp-xs, naive')).toMatchObject({ acc: 80, lo: 75, hi: 85, interval: 'one seed: bootstrap over test examples' });
  });
});

describe('curvesFigure', () => {
  const cells = runs().filter((r) => r.task === 'spam' && r.strong_model === 'mlp-m' && r.method === 'naive');
  const point = (cell: number, stage: string, step: number, loss: number, more: Partial<CurvePointRow> = {}): CurvePointRow => ({ cell_id: cells[cell]!.cell_id, stage, step, loss, ...more });

  it('averages each stage\'s loss over seeds step by step and draws only the loss when no test accuracy was recorded', () => {
    const spec = json(curvesFigure('spam', runs(), [point(0, 'w2s', 0, 1), point(1, 'w2s', 0, 3), point(0, 'weak', 0, 0.5), point(0, 'weak', 0, 0.5)])!);
    expect(spec.facet.row.sort).toEqual(['training loss']);
    expect(spec.data.values).toEqual([
      { strong: 'mlp-m', line: 'student of mlp-xs, naive', metric: 'training loss', step: 0, value: 2 },
      { strong: 'mlp-m', line: 'weak mlp-xs on GT', metric: 'training loss', step: 0, value: 0.5 },
    ]);
  });

  it('draws the student\'s test accuracy over training where curves.arrow has it, and skips null values', () => {
    const curves = [point(0, 'w2s', 10, 1, { test_acc: 0.8 }), point(1, 'w2s', 10, 1, { test_acc: 0.9 }), point(0, 'w2s', 20, 1, { test_acc: null })];
    const spec = json(curvesFigure('spam', runs(), curves)!);
    expect(spec.facet.row.sort).toEqual(['training loss', 'test accuracy %']);
    const acc = (spec.data.values as Values).filter((v) => v.metric === 'test accuracy %');
    expect(acc).toEqual([{ strong: 'mlp-m', line: 'student of mlp-xs, naive', metric: 'test accuracy %', step: 10, value: 85 }]);
  });

  it('draws a long curve as the means of runs of consecutive steps, at most 120 points', () => {
    // 300 steps of loss = step: stride 3, so points are the means of steps 1–3, 4–6, …, at the last step of each run.
    const curves = Array.from({ length: 300 }, (_, i) => point(0, 'w2s', i + 1, i + 1));
    const values = json(curvesFigure('spam', runs(), curves)!).data.values as Values;
    expect(values).toHaveLength(100);
    expect(values.slice(0, 2).map((v) => [v.step, v.value])).toEqual([[3, 2], [6, 5]]);
    expect(values.at(-1)).toMatchObject({ step: 300, value: 299 });
  });

  it('is absent for a task without curve points', () => {
    expect(curvesFigure('digits-parity', runs(), [point(0, 'w2s', 0, 1)])).toBeUndefined();
  });
});

describe('overfittingFigure (Burns et al. 2023 §4.3.2)', () => {
  const cellOf = (method: string, seed: number) => runs().find((r) => r.task === 'spam' && r.strong_model === 'mlp-m' && r.method === method && r.seed === seed)!.cell_id;
  /** Five evaluations at steps 10 … 50: test accuracy, val accuracy (gt-val) and val agreement with the weak labels (weak-val). */
  const curve = (method: string, seed: number, test: number[], val?: number[], valWeak?: number[]): CurvePointRow[] =>
    test.map((t, i) => ({
      cell_id: cellOf(method, seed), stage: 'w2s', step: 10 * (i + 1), loss: 1, test_acc: t,
      ...(val && { val_acc: val[i], val_weak_agreement: valWeak![i] }),
    }));
  const curves = [
    // naive, seed 0: gt-val picks step 30 (progress 0.6), weak-val the first of the tied best, step 40 (0.8).
    ...curve('naive', 0, [0.8, 0.86, 0.84, 0.82, 0.81], [0.79, 0.83, 0.85, 0.82, 0.8], [0.7, 0.8, 0.9, 0.95, 0.95]),
    // naive, seed 1: gt-val step 20 (0.4), weak-val step 50 (1).
    ...curve('naive', 1, [0.82, 0.88, 0.85, 0.84, 0.83], [0.8, 0.86, 0.84, 0.83, 0.82], [0.7, 0.8, 0.85, 0.9, 0.97]),
    // logconf without val columns: only the final checkpoint is marked.
    ...curve('logconf', 0, [0.8, 0.85, 0.86, 0.86, 0.85]),
    // Stages other than the student's are not drawn.
    { cell_id: cellOf('naive', 0), stage: 'ceiling', step: 10, loss: 1, test_acc: 0.9 },
  ];
  const spec = json(overfittingFigure('spam', runs(), curves)!);
  const values = spec.data.values as Values;
  const of = (kind: string, student: string, metric: string) => values.filter((v) => v.kind === kind && v.student === student && v.metric === metric);

  it('marks each seed\'s final, weak-val and gt-val checkpoints at their progress, on test accuracy and on PGR', () => {
    const naive = 'naive: mlp-xs → mlp-m';
    const acc = of('selection', naive, 'test accuracy %').map((v) => [v.seed, v.selection, v.progress, v.value]);
    expect(acc).toEqual([
      [0, 'final', 1, 81], [0, 'weak-val', 0.8, 82], [0, 'gt-val (oracle)', 0.6, 84],
      [1, 'final', 1, 83], [1, 'weak-val', 1, 83], [1, 'gt-val (oracle)', 0.4, 88],
    ]);
    // PGR against the cell's (plain) weak model: seed 0 weak 78 %, ceiling 90 %: (84 − 78) / 12 = 50 %.
    const pgr = of('selection', naive, 'PGR % (vs the plain weak model)').map((v) => [v.seed, v.selection, v.progress, v.value]);
    expect(pgr).toContainEqual([0, 'gt-val (oracle)', 0.6, 50]);
    expect(pgr).toContainEqual([0, 'final', 1, 25]);
    // The rules' mean positions over the two seeds: the vertical lines.
    expect(of('mean selection', naive, 'test accuracy %').map((v) => [v.selection, v.progress])).toEqual([['final', 1], ['weak-val', 0.9], ['gt-val (oracle)', 0.5]]);
    expect(of('selection', 'logconf: mlp-xs → mlp-m', 'test accuracy %').map((v) => [v.selection, v.progress, v.value])).toEqual([['final', 1, 85]]);
  });

  it('draws the mean curve over seeds against step / last step, and only students', () => {
    expect(of('curve', 'naive: mlp-xs → mlp-m', 'test accuracy %').map((v) => [v.progress, v.value])).toEqual([[0.2, 81], [0.4, 87], [0.6, 84.5], [0.8, 83], [1, 82]]);
    expect(new Set(values.map((v) => v.student))).toEqual(new Set(['naive: mlp-xs → mlp-m', 'logconf: mlp-xs → mlp-m']));
    // One layer per kind: the curve, the rules and the points, each filtered to its kind.
    expect(spec.spec.layer.map((l: { mark: { type: string }; transform: { filter: string }[] }) => [l.mark.type, l.transform[0]!.filter])).toEqual([
      ['line', "datum.kind === 'curve'"], ['rule', "datum.kind === 'mean selection'"], ['point', "datum.kind === 'selection'"],
    ]);
    expect(overfittingFigure('digits-parity', runs(), curves)).toBeUndefined();
  });

  it('renders to SVG, and the report\'s figure set has it for the task', async () => {
    const svg = await renderSvg(overfittingFigure('spam', runs(), curves)!);
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    for (const label of ['weak-val', 'gt-val (oracle)', 'final', 'naive: mlp-xs → mlp-m']) expect(svg).toContain(`>${label}</text>`);
    expect(figureSpecs(summarize(runs(), 100), runs(), curves).map((f) => f.name)).toContain('overfitting-spam');
  });
});

describe('helpers', () => {
  it('bySize orders model labels by family, then by ladder size', () => {
    expect(bySize(['mlp-l', 'text-m', 'mlp-xs', 'embedding-big', 'mlp-m-ft', 'mlp-m'])).toEqual(['mlp-xs', 'mlp-m-ft', 'mlp-m', 'mlp-l', 'text-m', 'embedding-big']);
  });

  it('roundDomain covers the values with multiples of the step', () => {
    expect(roundDomain([78.4, 93.6])).toEqual([75, 95]);
    expect(roundDomain([80, 80])).toEqual([80, 85]);
    expect(roundDomain([97, 99.5], 5, [0, 100])).toEqual([95, 100]);
  });
});
