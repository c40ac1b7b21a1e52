import { describe, expect, it } from 'vitest';
import { isUserError } from '@w2s/core/base';
import { parseCsv } from './csv.js';

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
