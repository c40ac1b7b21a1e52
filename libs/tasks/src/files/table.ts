/**
 * A user's data file read into one shape, whatever the format: named columns of cells.
 * Cells are what the format gives: strings for CSV; JSON values for JSONL; numbers, strings,
 * booleans, bigints and typed arrays (list columns) for Arrow. `undefined` = the row lacks the
 * column (JSONL), `null` = a null value. CSV and JSONL files are streamed (read in chunks, only
 * the columns asked for are kept); numeric CSV columns are parsed straight into one Float32Array.
 */
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { UserError } from '@w2s/core/base';
import { recordWhere, scanCsv, type CsvRecord } from './csv.js';
import { TextChunks } from './text-chunks.js';

export type FileFormat = 'csv' | 'jsonl' | 'arrow';

export interface ReadOptions {
  /** Columns kept as cells; columns the file lacks are left out (the caller names them). */
  cells: string[];
  /**
   * Numeric columns (a task's `features`): CSV parses them into `RawTable.numeric` while reading,
   * and a bad value ends the read; other formats keep them as cells.
   */
  numeric?: string[];
  /** CSV only: one character; default tab for .tsv/.tab files, else detected from the header. */
  delimiter?: string;
  /** Bytes read at a time (tests use tiny chunks). */
  chunkBytes?: number;
}

export interface RawTable {
  /** The file as the user named it (error messages quote it). */
  source: string;
  format: FileFormat;
  columns: string[];
  numRows: number;
  cell(column: string, row: number): unknown;
  /** Where a row is, for messages: "row 17 (line 18)". Rows are 1-based data rows. */
  where(row: number): string;
  /** The `numeric` columns already parsed: row-major numRows × columns.length (CSV). */
  numeric?: { columns: string[]; values: Float32Array };
}

const EXTENSIONS: Record<string, FileFormat> = {
  csv: 'csv',
  tsv: 'csv',
  tab: 'csv',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  arrow: 'arrow',
  arrows: 'arrow',
  ipc: 'arrow',
  feather: 'arrow',
};

const extensionOf = (file: string) => /\.([^./\\]+)$/.exec(file)?.[1]?.toLowerCase() ?? '';

export function formatOf(file: string, declared?: FileFormat): FileFormat {
  if (declared) return declared;
  const ext = extensionOf(file);
  const format = EXTENSIONS[ext];
  if (!format) {
    throw new UserError(`cannot tell the format from the extension ".${ext}"; set format: csv, jsonl or arrow`, file);
  }
  return format;
}

/** The delimiter of a CSV file: the declared one, tab for .tsv/.tab, else undefined (detected from the header). */
export function delimiterOf(file: string, declared?: string): string | undefined {
  return declared ?? (['tsv', 'tab'].includes(extensionOf(file)) ? '\t' : undefined);
}

export function readTable(path: string, source: string, format: FileFormat, options: ReadOptions): RawTable {
  if (format === 'csv') return csvTable(path, source, options);
  if (format === 'jsonl') return jsonlTable(path, source, options);
  return arrowTable(readBytes(path, source), source);
}

function readBytes(path: string, source: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(e)})`, source);
  }
  if (bytes.length === 0) throw new UserError('empty file', source);
  return bytes;
}

function checkUniqueColumns(columns: string[], source: string): void {
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw new UserError(`the header names column "${c}" twice`, source);
    seen.add(c);
  }
}

/**
 * A CSV file in one pass, or two when it has numeric columns: the first counts the rows (and
 * checks every row's shape), so that the numbers go straight into one Float32Array of the exact
 * size, with no growing copies and no string per number.
 */
function csvTable(path: string, source: string, options: ReadOptions): RawTable {
  const delimiter = delimiterOf(source, options.delimiter);
  let header: string[] = [];
  const scan = (onRow: (record: CsvRecord, row: number) => void) =>
    TextChunks.open(path, source, options.chunkBytes).use((chunks) =>
      scanCsv(chunks, { delimiter }, (record, index) => {
        if (index === 0) {
          header = Array.from({ length: record.count }, (_, k) => record.text(k));
          checkUniqueColumns(header, source);
          return;
        }
        if (record.count !== header.length) {
          const missing = record.count < header.length ? `; column "${header[record.count]}" is missing` : '';
          throw new UserError(`${record.count} fields but the header has ${header.length} columns${missing}`, `${source}: ${recordWhere(index, record.line)}`);
        }
        onRow(record, index - 1);
      }),
    );

  const numeric = options.numeric ?? [];
  let values: Float32Array | undefined;
  let numericIndex: number[] = [];
  let rows = -1;
  if (numeric.length > 0) {
    rows = 0;
    scan(() => rows++);
    numericIndex = numeric.map((c) => header.indexOf(c));
    // A column the file lacks: nothing to parse (the caller names it).
    if (numericIndex.every((k) => k >= 0)) values = new Float32Array(rows * numeric.length);
  }

  /** A number that is not a plain decimal (1e-3, " 2 "), or the UserError saying why the cell holds none. */
  const numberAt = (record: CsvRecord, row: number, j: number): number => {
    const x = record.numberOrReason(numericIndex[j]!);
    if (typeof x !== 'number') throw new UserError(x.reason, `${source}: ${recordWhere(row + 1, record.line)}, column "${numeric[j]}"`);
    return x;
  };
  // Sized at once when the first pass counted the rows (growing arrays leave garbage behind).
  const arrayOfRows = <T>() => (rows >= 0 ? new Array<T>(rows) : []);
  const kept: { column: string; field: number; values: string[] }[] = [];
  const lines = arrayOfRows<number>();
  let numRows = 0;
  const dim = numeric.length;
  scan((record, row) => {
    if (row === 0) {
      for (const column of new Set(options.cells)) {
        if (header.includes(column)) kept.push({ column, field: header.indexOf(column), values: arrayOfRows() });
      }
    }
    for (const k of kept) k.values[row] = record.text(k.field);
    if (values) {
      if (row >= rows) throw new UserError('the file changed while it was being read', source);
      for (let j = 0; j < dim; j++) {
        if (!record.storePlainNumber(numericIndex[j]!, values, row * dim + j)) values[row * dim + j] = numberAt(record, row, j);
      }
    }
    lines[row] = record.line;
    numRows = row + 1;
  });
  if (rows >= 0 && numRows !== rows) throw new UserError('the file changed while it was being read', source);

  const cells = new Map(kept.map((k) => [k.column, k.values]));
  const numericAt = new Map(numeric.map((c, j) => [c, j]));
  return {
    source,
    format: 'csv',
    columns: header,
    numRows,
    cell: (column, row) => cells.get(column)?.[row] ?? (values && numericAt.has(column) ? values[row * dim + numericAt.get(column)!] : undefined),
    where: (row) => recordWhere(row + 1, lines[row]!),
    ...(values && { numeric: { columns: numeric, values } }),
  };
}

const LF = 0x0a;

/** A JSONL file, line by line; only the columns asked for are kept. */
function jsonlTable(path: string, source: string, options: ReadOptions): RawTable {
  const keep = [...new Set([...options.cells, ...(options.numeric ?? [])])];
  const kept = new Map(keep.map((c) => [c, [] as unknown[]]));
  const lines: number[] = [];
  const columns: string[] = [];
  const known = new Set<string>();
  TextChunks.open(path, source, options.chunkBytes).use((chunks) => {
    let pos = 0;
    for (let lineNo = 1; ; lineNo++) {
      let newline = chunks.bytes.indexOf(LF, pos);
      while ((newline < 0 || newline >= chunks.end) && !chunks.eof) {
        pos -= chunks.more(pos);
        newline = chunks.bytes.indexOf(LF, pos);
      }
      if (newline >= chunks.end) newline = -1;
      if (newline < 0 && pos >= chunks.end) return;
      const lineEnd = newline < 0 ? chunks.end : newline;
      const line = chunks.bytes.toString('utf8', pos, lineEnd).trim();
      pos = lineEnd + 1;
      if (!line) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        throw new UserError(`invalid JSON (${(e as Error).message})`, `${source}: line ${lineNo}`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new UserError('each line must be one JSON object', `${source}: line ${lineNo}`);
      }
      for (const key of Object.keys(value)) {
        if (!known.has(key)) {
          known.add(key);
          columns.push(key);
        }
      }
      for (const [column, values] of kept) values.push(Object.hasOwn(value, column) ? (value as Record<string, unknown>)[column] : undefined);
      lines.push(lineNo);
    }
  });
  return {
    source,
    format: 'jsonl',
    columns,
    numRows: lines.length,
    cell: (column, row) => kept.get(column)?.[row],
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
