// Like every command, these load the results code (apache-arrow, vega) when they run, so that
// `w2s --help` stays light (test/cli-startup.test.ts).
import { relative, resolve } from 'node:path';
import type { Command } from './command.js';
import { onePositional, parseOptions } from './options.js';

export const reportCommand: Command = {
  summary: 'rebuild report.md, report.html and the figures of a results folder from its tables',
  usage: 'w2s report <results dir>   (e.g. w2s report results/quickstart)',
  async run(args) {
    const { values, positionals } = parseOptions('report', args, {});
    if (values.help) return usageOf(reportCommand);
    const dir = resolve(onePositional('report', positionals, 'results folder'));
    const [{ removeStaleResults }, { readResultsFolder }, { summarize }, { RUN_INFO_FILE }, { writeReport }] = await Promise.all([
      import('../execute/stale-temps.js'),
      import('../results/read-results.js'),
      import('../results/report.js'),
      import('../results/run-info.js'),
      import('../results/write-report.js'),
    ]);
    const folder = readResultsFolder(dir);
    const summary = summarize(folder.runs, folder.run?.resamples ?? null);
    const written = await writeReport(dir, { runs: folder.runs, curves: folder.curves, summary, tables: folder.tables, run: folder.run });
    const stale = await removeStaleResults(dir, [...folder.tables, ...written, RUN_INFO_FILE]);
    const rel = relative(process.cwd(), dir) || '.';
    const figures = written.filter((f) => f.endsWith('.svg')).length;
    console.log(`w2s report: ${folder.runs.length} cells · wrote report.md, report.html and ${figures} figures (svg + vl.json) in ${rel}/`);
    if (!folder.run) console.log(`w2s report: no ${RUN_INFO_FILE} in ${rel}/ (results of an older w2s): manifest, versions and wall time are not in the report`);
    if (stale.length > 0) console.log(`w2s report: removed ${stale.length} old figure or report file${stale.length > 1 ? 's' : ''}: ${stale.join(', ')}`);
    return 0;
  },
};

export const showCommand: Command = {
  summary: 'print the summary table of a results folder',
  usage: 'w2s show <results dir>   (e.g. w2s show results/quickstart)',
  async run(args) {
    const { values, positionals } = parseOptions('show', args, {});
    if (values.help) return usageOf(showCommand);
    const dir = resolve(onePositional('show', positionals, 'results folder'));
    const [{ readResultsFolder }, { alignedSummaryTable, summarize }] = await Promise.all([import('../results/read-results.js'), import('../results/report.js')]);
    const folder = readResultsFolder(dir);
    const summary = summarize(folder.runs, folder.run?.resamples ?? null);
    const experiment = folder.run?.experiment ?? folder.runs[0]!.experiment;
    const backends = [...new Set(folder.runs.map((r) => `${r.backend} (${r.kernels})`))].join(', ');
    console.log(`${experiment}: ${folder.runs.length} cells · backend ${backends}\n`);
    console.log(alignedSummaryTable(summary));
    return 0;
  },
};

function usageOf(c: Command): number {
  console.log(`${c.usage}\n\n${c.summary}`);
  return 0;
}
