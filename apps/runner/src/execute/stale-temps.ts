import { readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '@w2s/core';

/** Temp files of writeFileAtomic: `.<name>.tmp-<host>.<pid>.<8 hex>`. */
const TEMP_NAME = /^\..+\.tmp-(.+)\.(\d+)\.[0-9a-f]{8}$/;

/**
 * Removes the temp files that writers on this host which are no longer alive left in `dir`
 * (a runner killed while writing a table). They never had a final name, so this is tidiness,
 * not repair. Returns how many were removed.
 */
export async function removeDeadWritersTemps(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match || match[1] !== hostname() || processAlive(Number(match[2]))) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/** Files a run writes into its results folder: tables, report, figures and their specs. */
const RESULT_FILE = /^(?:[^.].*\.(?:arrow|svg|vl\.json|png)|report\.(?:md|html)|run\.json)$/;

/**
 * Removes result files in `dir` that this run did not write (`written`): figures of another
 * experiment or of tasks no longer in the manifest would otherwise sit beside the new report as
 * if they belonged to it. Other files and subfolders are left alone. Returns the names removed.
 */
export async function removeStaleResults(dir: string, written: readonly string[]): Promise<string[]> {
  const keep = new Set(written);
  const removed: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile() || keep.has(entry.name) || !RESULT_FILE.test(entry.name)) continue;
    await rm(join(dir, entry.name), { force: true });
    removed.push(entry.name);
  }
  return removed;
}
