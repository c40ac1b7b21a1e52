/**
 * A user's data file read into one shape, whatever the format: named columns of cells.
 * Cells are what the format gives: strings for CSV; JSON values for JSONL; numbers, strings,
 * booleans, bigints and typed arrays (list columns) for Arrow. `undefined` = the row lacks the
 * column (JSONL), `null` = a null value.
 */
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { UserError } from '@w2s/core/base';
import { parseCsv } from './csv.js';

export type FileFormat = 'csv' | 'jsonl' | 'arrow';

export interface RawTable {
  /** The file as the user named it (error messages quote it). */
  source: string;
  format: FileFormat;
  columns: string[];
  numRows: number;
  cell(column: string, row: number): unknown;
  /** Where a row is, for messages: "row 17 (line 18)". Rows are 1-based data rows. */
  where(row: number): string;
}

const EXTENSIONS: Record<string, FileFormat> = {
  csv: 'csv',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  arrow: 'arrow',
  arrows: 'arrow',
  ipc: 'arrow',
  feather: 'arrow',
};

export function formatOf(file: string, declared?: FileFormat): FileFormat {
  if (declared) return declared;
  const ext = /\.([^./\\]+)$/.exec(file)?.[1]?.toLowerCase() ?? '';
  const format = EXTENSIONS[ext];
  if (!format) {
    throw new UserError(`cannot tell the format from the extension ".${ext}"; set format: csv, jsonl or arrow`, file);
  }
  return format;
}

function readBytes(path: string, source: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(e)})`, source);
  }
}

export function readTable(path: string, source: string, format: FileFormat): RawTable {
  const bytes = readBytes(path, source);
  if (bytes.length === 0) throw new UserError('empty file', source);
  if (format === 'csv') return csvTable(textOf(bytes, source), source);
  if (format === 'jsonl') return jsonlTable(textOf(bytes, source), source);
  return arrowTable(bytes, source);
}

const ARROW_MAGIC = 'ARROW1';

/**
 * The file as UTF-8 text, or one UserError saying it is not a text file: a binary file read as
 * CSV would otherwise be reported by the parser as ragged rows or odd columns, pointing nowhere
 * useful. Binary = a NUL byte or bytes that are not valid UTF-8.
 */
function textOf(bytes: Buffer, source: string): string {
  let text: string | undefined;
  if (!bytes.includes(0)) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = undefined;
    }
  }
  if (text === undefined) {
    const hint = bytes.subarray(0, ARROW_MAGIC.length).toString('latin1') === ARROW_MAGIC ? ' (it is an Arrow file: set format: arrow or rename it .arrow)' : '';
    throw new UserError(`not a text file${hint}: CSV and JSONL task files must be UTF-8 text`, source);
  }
  return text;
}

function checkUniqueColumns(columns: string[], source: string): void {
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw new UserError(`the header names column "${c}" twice`, source);
    seen.add(c);
  }
}

function csvTable(text: string, source: string): RawTable {
  const { header, rows, lines } = parseCsv(text, source);
  checkUniqueColumns(header, source);
  const index = new Map(header.map((c, i) => [c, i]));
  rows.forEach((fields, r) => {
    if (fields.length !== header.length) {
      const missing = fields.length < header.length ? `; column "${header[fields.length]}" is missing` : '';
      throw new UserError(
        `${fields.length} fields but the header has ${header.length} columns${missing}`,
        `${source}: row ${r + 1} (line ${lines[r]})`,
      );
    }
  });
  return {
    source,
    format: 'csv',
    columns: header,
    numRows: rows.length,
    cell: (column, row) => rows[row]![index.get(column)!],
    where: (row) => `row ${row + 1} (line ${lines[row]})`,
  };
}

function jsonlTable(text: string, source: string): RawTable {
  const records: Record<string, unknown>[] = [];
  const lines: number[] = [];
  const columns: string[] = [];
  const known = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new UserError(`invalid JSON (${(e as Error).message})`, `${source}: line ${i + 1}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new UserError('each line must be one JSON object', `${source}: line ${i + 1}`);
    }
    for (const key of Object.keys(value)) {
      if (!known.has(key)) {
        known.add(key);
        columns.push(key);
      }
    }
    records.push(value as Record<string, unknown>);
    lines.push(i + 1);
  });
  return {
    source,
    format: 'jsonl',
    columns,
    numRows: records.length,
    cell: (column, row) => (Object.hasOwn(records[row]!, column) ? records[row]![column] : undefined),
    where: (row) => `row ${row + 1} (line ${lines[row]})`,
  };
}

function arrowTable(bytes: Buffer, source: string): RawTable {
  let table;
  try {
    // Reads both the IPC file format and the IPC stream format.
    table = tableFromIPC(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new UserError(`not an Arrow IPC file or stream (${(e as Error).message})`, source);
  }
  const columns = table.schema.fields.map((f) => f.name);
  checkUniqueColumns(columns, source);
  const vectors = new Map(columns.map((c) => [c, table.getChild(c)!]));
  return {
    source,
    format: 'arrow',
    columns,
    numRows: table.numRows,
    cell: (column, row) => {
      const value: unknown = vectors.get(column)!.get(row);
      // A list cell is an Arrow Vector: hand out its values as a plain (typed) array.
      if (value && typeof value === 'object' && 'toArray' in value && typeof value.toArray === 'function') {
        return value.toArray() as unknown;
      }
      return value;
    },
    where: (row) => `row ${row + 1}`,
  };
}
