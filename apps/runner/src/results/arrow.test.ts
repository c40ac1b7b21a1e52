import { Table, tableFromIPC, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { tableFromRows } from './arrow.js';

// String columns are written into their buffers directly (arrow.ts utf8Vector); the reference is
// the column apache-arrow's own builder makes. The files must be the same bytes.
describe('tableFromRows string columns', () => {
  const cases: Record<string, (string | null)[]> = {
    empty: [],
    'no nulls': ['digits-parity', 'spam', 'digits-parity', ''],
    'with nulls': ['a', null, 'é', '', 'a', null, 'xyz'],
    'all null': [null, null, null],
    'non-ASCII and long': ['ΟΔΟΣ', '数据', '🙂', 'x'.repeat(1000), null, 'ﬁ'],
    'past one 64-byte block of offsets and validity': Array.from({ length: 700 }, (_, i) => (i % 7 === 3 ? null : `id-${i % 13}`)),
  };
  for (const [name, values] of Object.entries(cases)) {
    it(`${name}: the same file as apache-arrow's builder, and the same values back`, () => {
      const ours = tableFromRows(values.map((s) => ({ s })), { s: 'string' });
      const reference = new Table({ s: vectorFromArray(values, new Utf8()) });
      expect(Buffer.from(tableToIPC(ours, 'file')).equals(Buffer.from(tableToIPC(reference, 'file')))).toBe(true);
      expect(tableFromIPC(tableToIPC(ours, 'file')).getChild('s')!.toArray()).toEqual(values);
    });
  }
});
