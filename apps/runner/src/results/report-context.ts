import type { RunRow } from './rows.js';
import type { RunInfo } from './run-info.js';

/** What a report says about where its numbers came from, besides the numbers. */
export interface ReportContext {
  experiment: string;
  backend: string;
  kernels: string;
  cells: number;
  /** The Arrow tables in the folder. */
  tables: string[];
  versions: Record<string, string>;
  /** run.json, when the run wrote one. */
  run?: RunInfo;
}

const distinct = (values: string[]) => [...new Set(values)].sort().join('|');

/** The context of a report from the tables, and run.json when there is one. */
export function reportContext(runs: readonly RunRow[], tables: string[], run: RunInfo | undefined, figureVersions: Record<string, string>): ReportContext {
  return {
    experiment: run?.experiment ?? runs[0]?.experiment ?? 'experiment',
    backend: run?.backend ?? distinct(runs.map((r) => r.backend)),
    kernels: run?.kernels ?? distinct(runs.map((r) => r.kernels)),
    cells: runs.length,
    tables,
    versions: { ...(run?.versions ?? {}), ...figureVersions },
    run,
  };
}
