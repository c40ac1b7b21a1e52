import { describe, expect, it } from 'vitest';
import { medianPgrBy } from './group.js';
import { userErrorMessage } from './test-utils/user-error.js';

const rows = [
  { task: 'a', method: 'x', seed: 0, pgr: 0.2 },
  { task: 'a', method: 'x', seed: 1, pgr: 0.6 },
  { task: 'a', method: 'x', seed: 2, pgr: null },
  { task: 'a', method: 'y', seed: 0, pgr: 0.9 },
  { task: 'a', method: 'y', seed: 1, pgr: 0.1 },
  { task: 'a', method: 'y', seed: 2, pgr: 0.7 },
  { task: 'a', method: 'y', seed: 3, pgr: 0.3 },
  { task: 'b', method: 'x', seed: 0, pgr: null },
  { task: 'b', method: 'x', seed: 1, pgr: null },
];

describe('medianPgrBy', () => {
  it('gives the median PGR per (task, method), ignoring and counting nulls', () => {
    const groups = medianPgrBy(rows, ['task', 'method']);
    expect(groups.map((g) => g.key)).toEqual([
      { task: 'a', method: 'x' },
      { task: 'a', method: 'y' },
      { task: 'b', method: 'x' },
    ]);
    // a/x: 0.2, 0.6 (one null) → 0.4
    expect(groups[0]).toMatchObject({ rows: 3, nullCount: 1 });
    expect(groups[0]!.medianPgr).toBeCloseTo(0.4, 12);
    // a/y: sorted 0.1, 0.3, 0.7, 0.9 → (0.3 + 0.7)/2 = 0.5
    expect(groups[1]).toMatchObject({ rows: 4, nullCount: 0 });
    expect(groups[1]!.medianPgr).toBeCloseTo(0.5, 12);
    // b/x: all null
    expect(groups[2]).toMatchObject({ medianPgr: null, rows: 2, nullCount: 2 });
    expect(groups[2]!.reason).toMatch(/null in all 2/);
  });

  it('groups by any keys', () => {
    // task a: sorted 0.1, 0.2, 0.3, 0.6, 0.7, 0.9 → (0.3 + 0.6)/2 = 0.45
    const byTask = medianPgrBy(rows, ['task']);
    expect(byTask.map((g) => g.key)).toEqual([{ task: 'a' }, { task: 'b' }]);
    expect(byTask[0]!.medianPgr).toBeCloseTo(0.45, 12);
    // seed 0: 0.2, 0.9 (b/x null) → 0.55; numeric keys work too
    expect(medianPgrBy(rows, ['seed'])[0]!.medianPgr).toBeCloseTo(0.55, 12);
  });

  it('rejects rows without a key or with a non-numeric PGR, naming the row', () => {
    const bad = [{ task: 'a', pgr: 0.5 }, { pgr: 0.5 }] as { task: string; pgr: number }[];
    expect(userErrorMessage(() => medianPgrBy(bad, ['task']))).toBe(
      'medianPgrBy: rows[1]: has undefined for key "task"; group keys must be strings, numbers or booleans',
    );
    expect(userErrorMessage(() => medianPgrBy([{ task: 'a', pgr: NaN }], ['task']))).toMatch(
      /^medianPgrBy: rows\[0\]: has pgr NaN/,
    );
  });
});
