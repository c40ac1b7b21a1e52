// The readers stream: a file is read in chunks and never held whole; the result does not depend on
// where the chunk boundaries fall.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { userErrorOf } from '../test-utils/user-files.js';
import { scanCsv } from './csv.js';
import { readTable } from './table.js';
import { TextChunks } from './text-chunks.js';

let dir: string;
const ROWS = 300;
const COLUMNS = 8;
/** Every way an exported number is written: plain, signed, exponent, leading/trailing dot, blanks, > 15 digits. */
const SHAPES = ['0.5', '-1.25', '+3', '1e-3', '-2.5E+7', '.75', '5.', '00012.500', ' 7 ', '0.1234567890123456789', '123456789012345678', '-0'];
let lines: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'w2s-streaming-'));
  let seed = 3;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  lines = Array.from({ length: ROWS }, (_, r) => {
    const values = Array.from({ length: COLUMNS }, () => (next() < 0.5 ? SHAPES[Math.floor(next() * SHAPES.length)]! : (next() * 200 - 100).toFixed(1 + Math.floor(next() * 7))));
    return [`r${r}`, ...values, r % 3 === 0 ? 'pos' : 'neg'].join(',');
  });
  const header = ['id', ...Array.from({ length: COLUMNS }, (_, c) => `f${c}`), 'label'].join(',');
  writeFileSync(join(dir, 'numbers.csv'), `${header}\n${lines.join('\n')}\n`);
});

describe('streaming readers', () => {
  it('hold one chunk plus the record being read, not the file', () => {
    const path = join(dir, 'numbers.csv');
    let records = 0;
    const chunks = TextChunks.open(path, 'numbers.csv', 64);
    chunks.use((c) => scanCsv(c, {}, () => records++));
    expect(records).toBe(ROWS + 1);
    // Rows are < 128 bytes; the file is > 15 KB.
    expect(chunks.bytes.length).toBeLessThanOrEqual(4 * 64);
  });

  it('parse numeric columns straight into the Float32Array, equal to splitting each line and Number() (any chunk size)', () => {
    const expected = Float32Array.from(lines.flatMap((line) => line.split(',').slice(1, 1 + COLUMNS).map((v) => Number(v))));
    const features = Array.from({ length: COLUMNS }, (_, c) => `f${c}`);
    for (const chunkBytes of [7, 64, 1 << 20]) {
      const table = readTable(join(dir, 'numbers.csv'), 'numbers.csv', 'csv', { cells: ['id', 'label'], numeric: features, chunkBytes });
      expect(table.numRows).toBe(ROWS);
      expect(table.numeric!.values).toEqual(expected);
      expect(table.cell('id', ROWS - 1)).toBe(`r${ROWS - 1}`);
      expect(table.cell('label', 3)).toBe('pos');
      expect(table.cell('f2', 5)).toBe(expected[5 * COLUMNS + 2]);
      expect(table.where(ROWS - 1)).toBe(`row ${ROWS} (line ${ROWS + 1})`);
    }
  });

  it('report a bad number far into the file with its row and column, at any chunk size', () => {
    const bad = [...lines.slice(0, 200), lines[200]!.replace(/^(r200,[^,]*,[^,]*),[^,]*/, '$1,n/a'), ...lines.slice(201)];
    writeFileSync(join(dir, 'bad.csv'), `id,${Array.from({ length: COLUMNS }, (_, c) => `f${c}`).join(',')},label\n${bad.join('\n')}\n`);
    for (const chunkBytes of [5, 1 << 20]) {
      expect(userErrorOf(() => readTable(join(dir, 'bad.csv'), 'bad.csv', 'csv', { cells: [], numeric: Array.from({ length: COLUMNS }, (_, c) => `f${c}`), chunkBytes }))).toBe(
        'bad.csv: row 201 (line 202), column "f2": not a number ("n/a")',
      );
    }
  });

  it('read JSONL line by line, keeping only the columns asked for (any chunk size)', () => {
    const rows = [{ id: 'a', v: [1, 2], y: 'é' }, { id: 'b', v: [3, 4], extra: 'x'.repeat(50), y: '日本' }];
    writeFileSync(join(dir, 'rows.jsonl'), `\ufeff${JSON.stringify(rows[0])}\r\n\n${JSON.stringify(rows[1])}`);
    for (const chunkBytes of [1, 2, 3, 10, 1 << 20]) {
      const table = readTable(join(dir, 'rows.jsonl'), 'rows.jsonl', 'jsonl', { cells: ['v', 'y'], chunkBytes });
      expect(table.columns).toEqual(['id', 'v', 'y', 'extra']);
      expect([0, 1].map((r) => [table.cell('v', r), table.cell('y', r), table.cell('id', r)])).toEqual([
        [[1, 2], 'é', undefined],
        [[3, 4], '日本', undefined],
      ]);
      expect(table.where(1)).toBe('row 2 (line 3)');
    }
  });
});
