import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import { UserError } from '@w2s/core';
import type { CurvePointRow } from './figures/curves-figure.js';
import { runColumns, type RunRow } from './rows.js';
import { readRunInfo, type RunInfo } from './run-info.js';

/** A results folder read back: what `w2s report` and `w2s show` work from. */
export interface ResultsFolder {
  dir: string;
  runs: RunRow[];
  /** Empty when the folder has no curves.arrow. */
  curves: CurvePointRow[];
  /** The Arrow tables in the folder. */
  tables: string[];
  run?: RunInfo;
}

function readTable(file: string): Table {
  try {
    return tableFromIPC(readFileSync(file));
  } catch (e) {
    throw new UserError(`cannot be read as an Arrow IPC file (${(e as Error).message})`, file);
  }
}

/** The rows of a table as plain objects, after checking that it has `required` columns. */
function rowsOf(file: string, required: readonly string[]): Record<string, unknown>[] {
  const table = readTable(file);
  const names = new Set(table.schema.fields.map((f) => f.name));
  const missing = required.filter((c) => !names.has(c));
  if (missing.length > 0) {
    throw new UserError(`has no column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (written by an older w2s? rerun the experiment)`, file);
  }
  return table.toArray().map((row) => (row as { toJSON(): Record<string, unknown> }).toJSON());
}

/**
 * Reads the tables of a results folder (runs.arrow, and curves.arrow when present) and its
 * run.json. A missing folder, a missing or empty runs.arrow, or a table without the columns the
 * report needs is a UserError naming the path.
 */
export function readResultsFolder(dir: string): ResultsFolder {
  if (!existsSync(dir)) throw new UserError('no such results folder', dir);
  if (!statSync(dir).isDirectory()) throw new UserError('is a file, not a results folder', dir);
  const runsFile = join(dir, 'runs.arrow');
  if (!existsSync(runsFile)) throw new UserError('has no runs.arrow: not a w2s results folder, or its run has not finished a cell yet', dir);
  const runs = rowsOf(runsFile, Object.keys(runColumns)) as unknown as RunRow[];
  if (runs.length === 0) throw new UserError('has no rows: the run has not finished a cell yet', runsFile);
  const curvesFile = join(dir, 'curves.arrow');
  const curves = existsSync(curvesFile) ? (rowsOf(curvesFile, ['cell_id', 'stage', 'step', 'loss']) as unknown as CurvePointRow[]) : [];
  // In the order a run writes them, then any other table.
  const order = ['runs.arrow', 'predictions.arrow', 'curves.arrow', 'transcripts.arrow'];
  const rank = (f: string) => (order.includes(f) ? order.indexOf(f) : order.length);
  const tables = readdirSync(dir).filter((f) => f.endsWith('.arrow') && !f.startsWith('.')).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return { dir, runs, curves, tables, run: readRunInfo(dir) };
}
