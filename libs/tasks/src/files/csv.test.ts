import { describe, expect, it } from 'vitest';
import { isUserError } from '@w2s/core/base';
import { CsvRecord, parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('reads header and rows, with quoted commas, escaped quotes and quoted line breaks', () => {
    const text = 'id,text,y\n1,"hello, world",0\n2,"she said ""hi""",1\n3,"two\nlines",0\n';
    const csv = parseCsv(text, 'x.csv');
    expect(csv.header).toEqual(['id', 'text', 'y']);
    expect(csv.rows).toEqual([
      ['1', 'hello, world', '0'],
      ['2', 'she said "hi"', '1'],
      ['3', 'two\nlines', '0'],
    ]);
    expect(csv.lines).toEqual([2, 3, 4]);
  });

  it('handles CRLF, a BOM, a missing final newline, empty fields and blank lines', () => {
    const text = '\ufeffa,b,c\r\n1,,3\r\n\r\n"",x,\r\n4,"5\r\n6",7';
    const csv = parseCsv(text, 'x.csv');
    expect(csv.header).toEqual(['a', 'b', 'c']);
    expect(csv.rows).toEqual([
      ['1', '', '3'],
      ['', 'x', ''],
      ['4', '5\r\n6', '7'],
    ]);
    // Row 3 starts on line 5: the blank line 3 is skipped but still counted.
    expect(csv.lines).toEqual([2, 4, 5]);
  });

  it('returns no header for an empty text', () => {
    expect(parseCsv('', 'x.csv')).toEqual({ header: [], rows: [], lines: [] });
  });

  it('rejects an unterminated quote, naming the line where it opens', () => {
    const run = () => parseCsv('a,b\n1,"oops\n2,3\n', 'data/x.csv');
    expect(run).toThrow('data/x.csv: row 1 (line 2), column "b": unterminated quoted field (the quote opens on line 2)');
    try {
      run();
    } catch (e) {
      expect(isUserError(e)).toBe(true);
    }
  });

  it('rejects text after a closing quote', () => {
    expect(() => parseCsv('a,b\n"x"y,1\n', 'x.csv')).toThrow('x.csv: row 1 (line 2), column "a": unexpected character "y" after a closing quote');
  });
});

/** The records of `text` read with every chunk size from 1 byte to the whole text (a chunk boundary at every byte). */
function parseAtEveryBoundary(text: string, options: { delimiter?: string } = {}) {
  const whole = parseCsv(text, 'x.csv', options);
  for (let chunkBytes = 1; chunkBytes <= Buffer.byteLength(text) + 1; chunkBytes++) {
    expect(parseCsv(text, 'x.csv', { ...options, chunkBytes }), `chunkBytes ${chunkBytes}`).toEqual(whole);
  }
  return whole;
}

describe('parseCsv on real exports', () => {
  it('bare-CR line endings (old Mac exports), also inside quotes, count as lines', () => {
    expect(parseAtEveryBoundary('a,b\r1,2\r"x\ry",4\r\r5,6\r')).toEqual({
      header: ['a', 'b'],
      rows: [
        ['1', '2'],
        ['x\ry', '4'],
        ['5', '6'],
      ],
      lines: [2, 3, 6],
    });
  });

  it('reads the same at every chunk boundary: BOM, CRLF, CR, blank lines, quotes, multi-byte UTF-8, no final newline', () => {
    const text = '\ufeffid;text;"v"\r\n1;"a;b" ;2\r\r\n2; "say ""hi"" ";3\r3;"two\rlines\r\nand é日本";4\n\n4;plain é;5';
    expect(parseAtEveryBoundary(text)).toEqual({
      header: ['id', 'text', 'v'],
      rows: [
        ['1', 'a;b', '2'],
        ['2', 'say "hi" ', '3'],
        ['3', 'two\rlines\r\nand é日本', '4'],
        ['4', 'plain é', '5'],
      ],
      lines: [2, 4, 5, 9],
    });
  });

  it('detects the delimiter from the header: the one of , ; tab | found most often outside quotes', () => {
    expect(parseAtEveryBoundary('a\tb\n1\t"x\ty"\n').rows).toEqual([['1', 'x\ty']]);
    expect(parseCsv('a|b|c\n1|2,5|3\n', 'x.csv').rows).toEqual([['1', '2,5', '3']]);
    expect(parseCsv('name;"weight, kg";y\nbo;3;1\n', 'x.csv').header).toEqual(['name', 'weight, kg', 'y']);
    expect(parseCsv('name;weight, kg;y\nbo;3;1\n', 'x.csv').header).toEqual(['name', 'weight, kg', 'y']);
    // One column: no delimiter in the header, so commas (a row with a comma is then ragged).
    expect(parseCsv('text\nhello there\n', 'x.csv').rows).toEqual([['hello there']]);
    expect(parseCsv('a;b\n1,2;3\n', 'x.csv', { delimiter: ';' }).rows).toEqual([['1,2', '3']]);
  });

  it('refuses a header with a tie between delimiters, and reads it with the delimiter given', () => {
    expect(() => parseCsv('a,b;c\n1,2;3\n', 'x.csv')).toThrow(
      'x.csv: header (line 1): cannot tell the delimiter: the header has 1 × "," and 1 × ";"; set delimiter: "," or ";" on the task',
    );
    expect(parseCsv('a,b;c\n1,2;3\n', 'x.csv', { delimiter: ',' }).header).toEqual(['a', 'b;c']);
  });

  it('ignores blanks around a quoted field (not around an unquoted one); a tab delimiter is never a blank', () => {
    expect(parseAtEveryBoundary('a,b\n "x" , "y"\t\n').rows).toEqual([['x', 'y']]);
    expect(parseCsv('a,b\n x , y \n', 'x.csv').rows).toEqual([[' x ', ' y ']]);
    expect(parseCsv('a\tb\n"x" \t "y"\n', 'x.csv').rows).toEqual([['x', 'y']]);
    expect(parseCsv('a b\n"x y" 2\n', 'x.csv', { delimiter: ' ' }).rows).toEqual([['x y', '2']]);
  });

  it('names file, row (or header) and column in every reader error, at any chunk size', () => {
    for (const chunkBytes of [1, 3, 1 << 20]) {
      expect(() => parseCsv('a,b\n1,"x" y\n', 'x.csv', { chunkBytes })).toThrow('x.csv: row 1 (line 2), column "b": unexpected character "y" after a closing quote');
      expect(() => parseCsv('"a"é,b\n', 'x.csv', { chunkBytes })).toThrow('x.csv: header (line 1), field 1: unexpected character "é" after a closing quote');
      expect(() => parseCsv('a,b\n1,2\n3,"4\r5\n', 'x.csv', { chunkBytes })).toThrow('x.csv: row 2 (line 3), column "b": unterminated quoted field (the quote opens on line 3)');
      expect(() => parseCsv('a,b\n1,2\n3,4,"5\n', 'x.csv', { chunkBytes })).toThrow('x.csv: row 2 (line 3), field 3: unterminated quoted field (the quote opens on line 3)');
      // A NUL byte well after the first chunk: the file is still "not a text file", not a parse error.
      expect(() => parseCsv('a,b\n1,2\n3,\u0000\n', 'x.csv', { chunkBytes })).toThrow('x.csv: not a text file: CSV and JSONL task files must be UTF-8 text');
    }
  });
});

describe('CsvRecord.storePlainNumber', () => {
  const store = (s: string) => {
    const record = new CsvRecord();
    record.reset(Buffer.from(s, 'latin1'), 1);
    record.push(0, s.length, false);
    const out = new Float64Array(1);
    return record.storePlainNumber(0, out, 0) ? out[0] : undefined;
  };

  it('gives exactly Number() on plain decimals of up to 15 digits (random strings, every sign and dot place)', () => {
    let seed = 1;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let n = 0; n < 5000; n++) {
      const digits = Array.from({ length: 1 + Math.floor(next() * 15) }, () => Math.floor(next() * 10)).join('');
      const dot = Math.floor(next() * (digits.length + 1));
      const sign = ['', '-', '+'][Math.floor(next() * 3)]!;
      const s = `${sign}${digits.slice(0, dot)}${next() < 0.8 ? '.' : ''}${digits.slice(dot)}`;
      expect(Object.is(store(s), Number(s)), s).toBe(true);
    }
    expect(Object.is(store('-0'), -0)).toBe(true);
    expect(store('5.')).toBe(5);
    expect(store('.25')).toBe(0.25);
  });

  it('leaves everything else to numberOrReason (exponents, blanks, 16+ digits, words, empty)', () => {
    for (const s of ['1e5', ' 1', '1 ', '', '-', '.', '+.', '1.2.3', '1234567890123456', '0.0000000000000001', 'NaN', '1,5', '0x10']) {
      expect(store(s), s).toBeUndefined();
    }
  });
});
