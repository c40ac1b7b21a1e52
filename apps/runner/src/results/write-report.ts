import { join } from 'node:path';
import { writeFileAtomic } from '@w2s/core';
import type { CurvePointRow } from './figures/curves-figure.js';
import { figureSpecs, renderFigures, type RenderedFigure } from './figures/figure-set.js';
import { figureLibraryVersions } from './figures/render.js';
import { summaryTable, type SummaryRow } from './report.js';
import { reportContext, type ReportContext } from './report-context.js';
import { reportHtml } from './report-html.js';
import { readingNotes } from './report-text.js';
import type { RunRow } from './rows.js';
import type { RunInfo } from './run-info.js';

export interface ReportInput {
  runs: readonly RunRow[];
  curves: readonly CurvePointRow[];
  summary: readonly SummaryRow[];
  /** The Arrow tables beside the report. */
  tables: string[];
  /** run.json, when there is one. */
  run?: RunInfo;
}

function reportMarkdown(ctx: ReportContext, summary: readonly SummaryRow[], figures: readonly RenderedFigure[]): string {
  const image = (f: RenderedFigure) => [`![${f.caption}](${f.name}.svg)`, '', `${f.caption} Spec: [${f.name}.vl.json](${f.name}.vl.json)`, ''];
  const tasks = [...new Set(summary.map((s) => s.task))];
  return [
    `# ${ctx.experiment}`,
    '',
    `Manifest: \`${ctx.run?.manifestPath ?? 'not recorded'}\` · backend: ${ctx.backend} (${ctx.kernels})` +
      (ctx.run ? ` · wall time ${ctx.run.wallSeconds.toFixed(1)} s` : '') +
      ' · the same with figures inline and the manifest: report.html',
    '',
    ...readingNotes(summary).flatMap((p) => [p, '']),
    summaryTable(summary),
    '',
    ...figures.filter((f) => f.task === undefined).flatMap(image),
    ...tasks.flatMap((task) => [`## ${task}`, '', ...figures.filter((f) => f.task === task).flatMap(image)]),
  ].join('\n');
}

/**
 * Writes report.md, report.html and every figure (`<name>.svg` beside its Vega-Lite spec
 * `<name>.vl.json`) into `outDir`; returns the file names. Everything is rendered before the
 * first file is written, so a failure leaves the previous report whole.
 */
export async function writeReport(outDir: string, input: ReportInput): Promise<string[]> {
  const figures = await renderFigures(figureSpecs(input.summary, input.runs, input.curves));
  const ctx = reportContext(input.runs, input.tables, input.run, await figureLibraryVersions());
  const files: [string, string][] = [
    ...figures.flatMap((f): [string, string][] => [
      [`${f.name}.vl.json`, `${JSON.stringify(f.spec, null, 2)}\n`],
      [`${f.name}.svg`, f.svg],
    ]),
    ['report.md', reportMarkdown(ctx, input.summary, figures)],
    ['report.html', reportHtml(ctx, input.summary, figures)],
  ];
  for (const [name, text] of files) await writeFileAtomic(join(outDir, name), text);
  return files.map(([name]) => name);
}
