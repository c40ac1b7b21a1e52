import { Bool, Field, Float32, Float64, Int32, List, Table, tableToIPC, Utf8, vectorFromArray, type DataType, type Vector } from 'apache-arrow';
import { writeFileAtomic } from '@w2s/core';

/** Column types a results table uses; every column is nullable. */
export const columnTypes = {
  string: () => new Utf8(),
  int: () => new Int32(),
  float: () => new Float64(),
  bool: () => new Bool(),
  floatList: () => new List(new Field('item', new Float32(), false)),
} as const;
export type ColumnType = keyof typeof columnTypes;

export type ColumnSpec<R> = { [K in keyof R]: ColumnType };

/** Builds an Arrow table from rows with explicit column types (no inference: stable schemas). */
export function tableFromRows<R extends object>(rows: readonly R[], spec: ColumnSpec<R>): Table {
  const columns: Record<string, Vector> = {};
  for (const [name, kind] of Object.entries(spec) as [string, ColumnType][]) {
    const values = rows.map((r) => {
      const v = (r as Record<string, unknown>)[name];
      return v === undefined ? null : kind === 'floatList' && ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v;
    });
    columns[name] = vectorFromArray(values as unknown[], columnTypes[kind]() as DataType) as Vector;
  }
  return new Table(columns);
}

/** Writes an Arrow IPC file atomically: readers see the old table or the new one, never half. */
export async function writeArrowFile(path: string, table: Table): Promise<void> {
  await writeFileAtomic(path, tableToIPC(table, 'file'));
}
