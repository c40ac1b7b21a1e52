import type { TopLevelSpec } from 'vega-lite';
import type { SummaryRow } from '../report.js';
import type { RunRow } from '../rows.js';
import { accuracyFigure } from './accuracy-figure.js';
import { curvesFigure, type CurvePointRow } from './curves-figure.js';
import { ladderFigure } from './ladder-figure.js';
import { overfittingFigure } from './overfitting-figure.js';
import { pgrFigure } from './pgr-figure.js';
import { renderSvg } from './render.js';

/** One figure of the report: `<name>.svg` and its spec `<name>.vl.json` (data inlined). */
export interface Figure {
  name: string;
  /** The task it is about, or undefined for a figure of all tasks. */
  task?: string;
  caption: string;
  spec: TopLevelSpec;
}

export interface RenderedFigure extends Figure {
  svg: string;
}

/** A task name as part of a file name. */
export const fileSlug = (s: string): string => s.replace(/[^A-Za-z0-9_.-]+/g, '_');

/**
 * Every figure of a results folder: the main figure over all tasks, then per task the PGR per
 * method, the accuracy per model size and (where curves.arrow has points) the training curves and
 * the overfitting figure (students' test accuracy over training, with each selection rule's choice).
 */
export function figureSpecs(summary: readonly SummaryRow[], runs: readonly RunRow[], curves: readonly CurvePointRow[]): Figure[] {
  const figures: Figure[] = [
    { name: 'accuracy', caption: 'Student against ceiling accuracy, one panel per task (and method), as in Burns et al. (2023), Fig. 3.', spec: accuracyFigure(summary) },
  ];
  for (const task of [...new Set(summary.map((s) => s.task))]) {
    figures.push({ name: `pgr-${fileSlug(task)}`, task, caption: 'PGR per weak → strong pair and method, best first.', spec: pgrFigure(task, summary) });
    figures.push({ name: `ladder-${fileSlug(task)}`, task, caption: 'Test accuracy per model size: trained on ground truth, and the students.', spec: ladderFigure(task, runs) });
    const curveSpec = curvesFigure(task, runs, curves);
    if (curveSpec) figures.push({ name: `curves-${fileSlug(task)}`, task, caption: 'Training curves.', spec: curveSpec });
    const overfitting = overfittingFigure(task, runs, curves);
    if (overfitting) {
      figures.push({
        name: `overfitting-${fileSlug(task)}`,
        task,
        caption: 'Overfitting to the weak labels (Burns et al. 2023 §4.3.2): each student\'s test accuracy and PGR over training, with the checkpoints the final, weak-val and gt-val rules would select.',
        spec: overfitting,
      });
    }
  }
  return figures;
}

export async function renderFigures(figures: readonly Figure[]): Promise<RenderedFigure[]> {
  const rendered: RenderedFigure[] = [];
  for (const f of figures) rendered.push({ ...f, svg: await renderSvg(f.spec) });
  return rendered;
}
