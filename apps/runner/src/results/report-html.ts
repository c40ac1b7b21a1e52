import { stringify as toYaml } from 'yaml';
import type { RenderedFigure } from './figures/figure-set.js';
import { summaryCells, type SummaryRow } from './report.js';
import { readingNotes } from './report-text.js';
import type { ReportContext } from './report-context.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * An SVG made for its own file, ready to sit inline beside others in one page: its ids (Vega's
 * clip paths and gradients are numbered per render, so two figures can both have `clip1`) get the
 * figure's name as prefix, with every reference to them.
 */
export function inlineSvg(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}-${id}"`);
}

function table(head: string[], rows: string[][]): string {
  const tr = (cells: string[], tag: 'td' | 'th') => `<tr>${cells.map((c) => `<${tag}>${esc(c)}</${tag}>`).join('')}</tr>`;
  return `<table>\n<thead>${tr(head, 'th')}</thead>\n<tbody>\n${rows.map((r) => tr(r, 'td')).join('\n')}\n</tbody>\n</table>`;
}

function figureBlock(f: RenderedFigure): string {
  return [
    `<figure id="${esc(f.name)}">`,
    inlineSvg(f.svg, f.name),
    `<figcaption>${esc(f.caption)} Spec with data: <a href="${esc(f.name)}.vl.json">${esc(f.name)}.vl.json</a> (opens in any Vega-Lite editor, Altair or Observable).</figcaption>`,
    '</figure>',
  ].join('\n');
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; line-height: 1.45; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
figure { margin: 1.5rem 0; overflow-x: auto; }
figcaption { font-size: 0.85rem; color: #555; }
pre { background: #f6f6f6; padding: 0.75rem; overflow-x: auto; font-size: 0.8rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
`;

/** report.html: one self-contained page (no external file or script) with everything report.md has and the run's provenance. */
export function reportHtml(ctx: ReportContext, summary: readonly SummaryRow[], figures: readonly RenderedFigure[]): string {
  const { head, rows } = summaryCells(summary);
  const info = ctx.run;
  const provenance: [string, string][] = [
    ['experiment', ctx.experiment],
    ['manifest', info?.manifestPath ?? 'not recorded (results written before run.json existed)'],
    ['backend', `${ctx.backend} (kernels: ${ctx.kernels})`],
    ['cells', `${ctx.cells}`],
    ['tables', ctx.tables.join(', ')],
    ['versions', Object.entries(ctx.versions).map(([k, v]) => `${k} ${v}`).join(' · ')],
    ['started', info?.startedAt ?? 'not recorded'],
    ['wall time', info ? `${info.wallSeconds.toFixed(1)} s` : 'not recorded'],
  ];
  const tasks = [...new Set(summary.map((s) => s.task))];
  const main = figures.filter((f) => f.task === undefined);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${esc(ctx.experiment)}: w2s report</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${esc(ctx.experiment)}</h1>`,
    `<dl>\n${provenance.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('\n')}\n</dl>`,
    '<h2>Summary</h2>',
    ...readingNotes(summary).map((p) => `<p>${esc(p)}</p>`),
    table(head, rows),
    ...main.map(figureBlock),
    ...tasks.flatMap((task) => [`<h2>${esc(task)}</h2>`, ...figures.filter((f) => f.task === task).map(figureBlock)]),
    '<h2>Manifest</h2>',
    info ? `<pre>${esc(toYaml(info.manifest))}</pre>` : '<p>Not recorded: these results have no run.json.</p>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
