import { UserError } from '@w2s/core/base';
import { median } from './stats.js';

/** Values a row may be grouped by. */
export type GroupKeyValue = string | number | boolean;

export interface PgrGroup<R, K extends keyof R> {
  /** The grouping keys and their values, e.g. { task: 'sciq', method: 'debate' }. */
  readonly key: Pick<R, K>;
  /** Median of the group's non-null PGRs; null when all are null. */
  readonly medianPgr: number | null;
  /** Rows in the group. */
  readonly rows: number;
  /** Rows whose PGR is null (left out of the median). */
  readonly nullCount: number;
  /** Why medianPgr is null. */
  readonly reason?: string;
}

/**
 * Median PGR per group of rows (e.g. keys ['task', 'method'], one row per seed or size pair),
 * ignoring null PGRs and counting them, as in the paper's median-PGR plots. Groups come out in
 * order of first appearance. The median of an even count is the mean of the two middle values.
 */
export function medianPgrBy<R extends { readonly pgr: number | null }, K extends keyof R & string>(
  rows: readonly R[],
  keys: readonly K[],
): PgrGroup<R, K>[] {
  if (!Array.isArray(rows as unknown)) throw new UserError('must be an array of rows', 'medianPgrBy: rows');
  if (!Array.isArray(keys as unknown)) throw new UserError('must be an array of column names', 'medianPgrBy: keys');

  const groups = new Map<string, { key: Pick<R, K>; values: number[]; rows: number }>();
  rows.forEach((row, i) => {
    const where = `medianPgrBy: rows[${i}]`;
    if (row === null || typeof row !== 'object') throw new UserError('is not an object', where);
    const key = {} as Pick<R, K>;
    for (const k of keys) {
      const v = row[k] as unknown;
      if (!['string', 'number', 'boolean'].includes(typeof v)) {
        throw new UserError(`has ${String(v)} for key "${k}"; group keys must be strings, numbers or booleans`, where);
      }
      key[k] = row[k];
    }
    const p = row.pgr as unknown;
    if (p !== null && (typeof p !== 'number' || !Number.isFinite(p))) {
      throw new UserError(`has pgr ${String(p)}; expected a finite number or null`, where);
    }
    const id = JSON.stringify(keys.map((k) => row[k]));
    let group = groups.get(id);
    if (!group) {
      group = { key, values: [], rows: 0 };
      groups.set(id, group);
    }
    group.rows++;
    if (p !== null) group.values.push(p as number);
  });

  return [...groups.values()].map(({ key, values, rows: count }) => {
    const nullCount = count - values.length;
    if (values.length === 0) {
      return { key, medianPgr: null, rows: count, nullCount, reason: `PGR is null in all ${count} row(s)` };
    }
    return { key, medianPgr: median(values), rows: count, nullCount };
  });
}
