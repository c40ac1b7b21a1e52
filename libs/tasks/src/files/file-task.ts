/**
 * A task from a user's data file (CSV, JSONL, Arrow IPC file or stream).
 * Columns: `label` (binary or k-class, integer or string), and exactly one input kind —
 * `text` (a string column), `features` (several numeric columns, or one list column), or
 * `embeddings` (one list column per model, for the `embedding` family); optional `id`, `group`,
 * `split` (train / val / test). The first problem found ends the load with one UserError naming
 * the file, row and column; nothing is ever written.
 */
import { isAbsolute, basename, resolve } from 'node:path';
import { UserError } from '@w2s/core/base';
import { z } from 'zod';
import type { Dataset, EmbeddingColumn, FixedSplit, UnlabeledRows } from '../types.js';
import { describeValue, isMissing, missingReason, numberOrReason } from './cells.js';
import { formatOf, readTable, type RawTable } from './table.js';

export const FileTaskSpecSchema = z
  .strictObject({
    file: z.string().min(1),
    name: z.string().min(1).optional(),
    format: z.enum(['csv', 'jsonl', 'arrow']).optional(),
    /**
     * CSV only: the character between fields. Default: tab for .tsv/.tab files, else the one of
     * `,` `;` tab `|` found most often in the header (a tie is refused: then say which).
     */
    delimiter: z
      .string()
      .length(1, { message: 'a delimiter is one character, such as "," ";" "|" or "\\t" (tab)' })
      .refine((c) => !['"', '\r', '\n'].includes(c), { message: 'a delimiter cannot be a double quote or a line break' })
      .optional(),
    label: z.string().min(1),
    text: z.string().min(1).optional(),
    features: z.union([z.array(z.string().min(1)).min(1), z.string().min(1)]).optional(),
    embeddings: z.array(z.string().min(1)).min(1).optional(),
    id: z.string().min(1).optional(),
    group: z.string().min(1).optional(),
    split: z.string().min(1).optional(),
    /**
     * Files of unlabelled rows with the same `features` columns (any format; a label column, if
     * present, is never read): the pretraining data of the mlp family for this task.
     */
    unlabeled: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  })
  .refine((s) => [s.text, s.features, s.embeddings].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of text, features or embeddings',
  })
  .refine((s) => s.unlabeled === undefined || s.features !== undefined, {
    message: 'unlabeled: files are pretraining rows for numeric features; give features (not text or embeddings)',
    path: ['unlabeled'],
  });

export type FileTaskSpec = z.infer<typeof FileTaskSpecSchema>;

type Cell = { table: RawTable; column: string; row: number };

function fail(at: Cell, message: string): never {
  throw new UserError(message, `${at.table.source}: ${at.table.where(at.row)}, column "${at.column}"`);
}

function toNumber(v: unknown, at: Cell): number {
  const x = numberOrReason(v);
  return typeof x === 'number' ? x : fail(at, x.reason);
}

/** A numeric vector from a list cell: an array (JSONL, Arrow) or "[1, 2]" / "1 2" / "1;2" (CSV). */
function toVector(v: unknown, at: Cell): number[] {
  let items: unknown[];
  if (isMissing(v)) fail(at, missingReason(v));
  else if (Array.isArray(v)) items = v;
  else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) items = Array.from(v as unknown as ArrayLike<unknown>);
  else if (typeof v === 'string') {
    const inner = v.trim().replace(/^\[(.*)\]$/s, '$1').trim();
    items = inner ? inner.split(/[\s,;]+/) : [];
  } else fail(at, `not a list of numbers (${describeValue(v)})`);
  if (items.length === 0) fail(at, 'empty vector');
  return items.map((item, k) => {
    const x = numberOrReason(item);
    return typeof x === 'number' ? x : fail(at, `element ${k + 1} of the vector: ${x.reason}`);
  });
}

function toText(v: unknown, at: Cell): string {
  if (v === undefined || v === null) fail(at, missingReason(v));
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  fail(at, `not a string (${describeValue(v)})`);
}

/**
 * `f` of every row's cell of a column, in row order. One Cell object moves along the rows (a
 * message names it at once): an object per row would be a short-lived allocation per cell.
 */
function mapRows<T>(table: RawTable, column: string, f: (at: Cell) => T): T[] {
  const at: Cell = { table, column, row: 0 };
  const out = new Array<T>(table.numRows);
  for (let row = 0; row < table.numRows; row++) {
    at.row = row;
    out[row] = f(at);
  }
  return out;
}

/** Label values → class indices; integer labels sorted numerically, strings sorted by code unit. */
function readLabels(table: RawTable, column: string): { labels: Int32Array; classNames: string[] } {
  const raw = mapRows(table, column, (at) => {
    const v = table.cell(column, at.row);
    if (isMissing(v)) fail(at, missingReason(v));
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) fail(at, `a label must be an integer or a string (${describeValue(v)})`);
      return v;
    }
    if (typeof v === 'string') return table.format === 'csv' && /^[+-]?\d+$/.test(v.trim()) ? Number(v) : v;
    fail(at, `a label must be an integer or a string (${describeValue(v)})`);
  });
  const numeric = raw.every((v) => typeof v === 'number');
  if (!numeric && raw.some((v) => typeof v === 'number')) {
    const firstNumber = raw.findIndex((v) => typeof v === 'number');
    const firstString = raw.findIndex((v) => typeof v !== 'number');
    fail(
      { table, column, row: Math.max(firstNumber, firstString) },
      `mixes integer and string labels (${describeValue(raw[firstNumber])} in ${table.where(firstNumber)}, ` +
        `${describeValue(raw[firstString])} in ${table.where(firstString)})`,
    );
  }
  const values = [...new Set(raw)].sort((a, b) => (numeric ? (a as number) - (b as number) : a < b ? -1 : a > b ? 1 : 0));
  if (values.length < 2) {
    throw new UserError(
      `only one class (${describeValue(values[0])}); a task needs at least two`,
      `${table.source}: column "${column}"`,
    );
  }
  const index = new Map(values.map((v, i) => [v, i]));
  return { labels: Int32Array.from(raw, (v) => index.get(v)!), classNames: values.map(String) };
}

function readIds(table: RawTable, column: string): string[] {
  const firstRow = new Map<string, number>();
  return mapRows(table, column, (at) => {
    const v = table.cell(column, at.row);
    if (isMissing(v)) fail(at, missingReason(v));
    const id = toText(v, at);
    const first = firstRow.get(id);
    if (first !== undefined) fail(at, `duplicate id ${describeValue(id)} (first in ${table.where(first)})`);
    firstRow.set(id, at.row);
    return id;
  });
}

const SPLIT_VALUES: Record<string, FixedSplit> = { train: 'train', val: 'val', validation: 'val', test: 'test' };

function readSplit(table: RawTable, column: string): FixedSplit[] {
  return mapRows(table, column, (at) => {
    const v = toText(table.cell(column, at.row), at);
    const split = SPLIT_VALUES[v.trim().toLowerCase()];
    if (!split) fail(at, `split must be train, val or test (got ${describeValue(v)})`);
    return split;
  });
}

/** Row-major vectors from one list column; every row must have the first row's length. */
function readVectorColumn(table: RawTable, column: string): EmbeddingColumn {
  let dim = 0;
  let values = new Float32Array(0);
  mapRows(table, column, (at) => {
    const vector = toVector(table.cell(column, at.row), at);
    if (at.row === 0) {
      dim = vector.length;
      values = new Float32Array(table.numRows * dim);
    } else if (vector.length !== dim) {
      fail(at, `ragged vectors: length ${vector.length}, but ${table.where(0)} has length ${dim}`);
    }
    values.set(vector, at.row * dim);
  });
  return { dim, values };
}

function readNumericColumns(table: RawTable, columns: string[]): EmbeddingColumn {
  const dim = columns.length;
  // CSV: parsed while reading (and checked there, with the same messages).
  if (table.numeric && table.numeric.columns.join('\0') === columns.join('\0')) return { dim, values: table.numeric.values };
  const values = new Float32Array(table.numRows * dim);
  for (let row = 0; row < table.numRows; row++) {
    columns.forEach((column, j) => {
      values[row * dim + j] = toNumber(table.cell(column, row), { table, column, row });
    });
  }
  return { dim, values };
}

export function loadFileTask(spec: FileTaskSpec, baseDir = process.cwd()): Dataset {
  const source = spec.file;
  const path = isAbsolute(spec.file) ? spec.file : resolve(baseDir, spec.file);
  const format = formatOf(spec.file, spec.format);
  if (spec.delimiter !== undefined && format !== 'csv') {
    throw new UserError(`delimiter: is for CSV files, and this file is read as ${format}`, source);
  }
  const featureColumns = Array.isArray(spec.features) ? spec.features : [];
  const cellColumns = [spec.label, spec.text, typeof spec.features === 'string' ? spec.features : undefined, ...(spec.embeddings ?? []), spec.id, spec.group, spec.split].filter(
    (c): c is string => c !== undefined,
  );
  const table = readTable(path, source, format, { cells: cellColumns, numeric: featureColumns, delimiter: spec.delimiter });
  if (table.numRows === 0) throw new UserError('empty file (no data rows)', source);

  const referenced = [
    spec.label,
    spec.text,
    ...(typeof spec.features === 'string' ? [spec.features] : featureColumns),
    ...(spec.embeddings ?? []),
    spec.id,
    spec.group,
    spec.split,
  ].filter((c): c is string => c !== undefined);
  const present = new Set(table.columns);
  for (const column of referenced) {
    if (!present.has(column)) {
      throw new UserError(`unknown column "${column}"${blanksHint(column, table.columns)} (the file has: ${table.columns.join(', ')})`, source);
    }
  }

  const { labels, classNames } = readLabels(table, spec.label);
  const name = spec.name ?? basename(spec.file).replace(/\.[^.]+$/, '');
  const examples: Dataset['examples'] = {
    ids: spec.id ? readIds(table, spec.id) : Array.from({ length: table.numRows }, (_, i) => `row-${i + 1}`),
    labels,
  };
  if (spec.group) examples.groups = mapRows(table, spec.group, (at) => toText(table.cell(spec.group!, at.row), at));
  if (spec.split) examples.fixedSplit = readSplit(table, spec.split);

  let modality: Dataset['modality'];
  const warnings: string[] = [];
  if (spec.text !== undefined) {
    modality = 'text';
    examples.text = mapRows(table, spec.text, (at) => toText(table.cell(spec.text!, at.row), at));
    const empty = emptyTextRows(examples.text);
    if (empty.length > 0) {
      const rows = empty.slice(0, 5).map((row) => table.where(row));
      warnings.push(
        `${source}: ${empty.length} of ${examples.text.length} texts in column "${spec.text}" are empty (${rows.join(', ')}${empty.length > 5 ? ', …' : ''}): ` +
          'models see no input for them and can only guess',
      );
    }
  } else if (spec.features !== undefined) {
    modality = 'vector';
    const { dim, values } =
      typeof spec.features === 'string' ? readVectorColumn(table, spec.features) : readNumericColumns(table, featureColumns);
    Object.assign(examples, { x: values, dim, shape: [dim] });
  } else {
    modality = 'embedding';
    examples.embeddings = Object.fromEntries(spec.embeddings!.map((c) => [c, readVectorColumn(table, c)]));
  }
  const unlabeled = spec.unlabeled === undefined ? undefined : loadUnlabeled(spec, baseDir, examples.dim!);
  return { name, modality, numClasses: classNames.length, classNames, examples, ...(warnings.length ? { warnings } : {}), ...(unlabeled && { unlabeled }) };
}

/** The rows of a task's `unlabeled:` files: the same feature columns, read the same way; no labels. */
function loadUnlabeled(spec: FileTaskSpec, baseDir: string, dim: number): UnlabeledRows {
  const files = typeof spec.unlabeled === 'string' ? [spec.unlabeled] : spec.unlabeled!;
  const parts: Float32Array[] = [];
  const ids: string[] = [];
  for (const file of files) {
    const path = isAbsolute(file) ? file : resolve(baseDir, file);
    const columns = typeof spec.features === 'string' ? [spec.features] : spec.features!;
    const table = readTable(path, file, formatOf(file), typeof spec.features === 'string' ? { cells: columns } : { cells: [], numeric: columns });
    if (table.numRows === 0) throw new UserError('empty file (no data rows)', file);
    const present = new Set(table.columns);
    for (const column of columns) {
      if (!present.has(column)) {
        throw new UserError(`unlabeled rows lack feature column "${column}"${blanksHint(column, table.columns)} (the file has: ${table.columns.join(', ')})`, file);
      }
    }
    const rows = typeof spec.features === 'string' ? readVectorColumn(table, spec.features) : readNumericColumns(table, columns);
    if (rows.dim !== dim) throw new UserError(`unlabeled rows have ${rows.dim} features, the task file ${spec.file} has ${dim}`, file);
    parts.push(rows.values);
    for (let i = 0; i < table.numRows; i++) ids.push(`${file}#${i + 1}`);
  }
  const x = new Float32Array(ids.length * dim);
  let offset = 0;
  for (const part of parts) {
    x.set(part, offset);
    offset += part.length;
  }
  return { name: files.join('+'), ids, x, dim };
}

/**
 * A header written `id, text, label` names " text": say so when only blanks tell a column asked
 * for from one the file has (the list of columns shows them too faintly).
 */
function blanksHint(column: string, columns: string[]): string {
  const near = columns.find((c) => c.trim() === column.trim());
  return near === undefined ? '' : `; the header has ${JSON.stringify(near)}, with blanks`;
}

/** Rows whose text is empty or only white space. */
function emptyTextRows(texts: readonly string[]): number[] {
  const rows: number[] = [];
  texts.forEach((text, row) => {
    if (text.trim() === '') rows.push(row);
  });
  return rows;
}
