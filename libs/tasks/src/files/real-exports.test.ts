// User files as spreadsheets and databases export them: through loadTask, the way a manifest reads them.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTask } from '../registry.js';
import { userErrorOf } from '../test-utils/user-files.js';

let dir: string;
const write = (name: string, content: string | Uint8Array) => writeFileSync(join(dir, name), content);
const load = (spec: Record<string, unknown>) => loadTask(spec, { baseDir: dir });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'w2s-exports-'));
});

describe('CSV files from real exports', () => {
  it('bare-CR line endings: every row is read (before: one header row and 0 data rows)', () => {
    write('mac.csv', 'id,f1,f2,y\r"a",0.5,1,pos\rb,-2,3.25,neg\rc,7,8,pos\r');
    const task = load({ file: 'mac.csv', label: 'y', features: ['f1', 'f2'], id: 'id' });
    expect(task.examples.ids).toEqual(['a', 'b', 'c']);
    expect(Array.from(task.examples.x!)).toEqual([0.5, 1, -2, 3.25, 7, 8]);
    expect(Array.from(task.examples.labels)).toEqual([1, 0, 1]);
  });

  it('a .tsv file (tab-separated, CRLF, BOM): tab is the delimiter even where a header has commas', () => {
    write('export.tsv', '\ufeffid\ttext, cleaned\tlabel\r\n1\tgood, really\tpos\r\n2\t"said ""no"""\tneg\r\n');
    const task = load({ file: 'export.tsv', label: 'label', text: 'text, cleaned', id: 'id' });
    expect(task.name).toBe('export');
    expect(task.examples.text).toEqual(['good, really', 'said "no"']);
    expect(task.classNames).toEqual(['neg', 'pos']);
  });

  it('a ;-separated export is detected from its header', () => {
    write('semi.csv', 'id;f1;f2;label\n1;0.5;"1.5";a\n2;2;-3;b\n');
    const task = load({ file: 'semi.csv', label: 'label', features: ['f1', 'f2'] });
    expect(Array.from(task.examples.x!)).toEqual([0.5, 1.5, 2, -3]);
  });

  it('delimiter: on the task decides where the header is ambiguous', () => {
    write('tie.csv', 'text|label;x\nhello; there|a;1\nfine|b;2\n');
    expect(userErrorOf(() => load({ file: 'tie.csv', label: 'label;x', text: 'text' }))).toBe(
      'tie.csv: header (line 1): cannot tell the delimiter: the header has 1 × ";" and 1 × "|"; set delimiter: ";" or "|" on the task',
    );
    const task = load({ file: 'tie.csv', label: 'label;x', text: 'text', delimiter: '|' });
    expect(task.examples.text).toEqual(['hello; there', 'fine']);
    expect(task.classNames).toEqual(['a;1', 'b;2']);
  });

  it('blanks after a closing quote and before an opening one', () => {
    write('spaced.csv', 'id, text, label\nr1, "hello, world" , pos\nr2,"bye" , neg\n');
    const task = load({ file: 'spaced.csv', label: ' label', text: ' text', id: 'id' });
    expect(task.examples.text).toEqual(['hello, world', 'bye']);
    expect(task.classNames).toEqual([' neg', ' pos']);
  });
});

describe('bad exports: one message naming file, row and column', () => {
  it('a decimal comma (a ;-separated export from a comma-decimal locale)', () => {
    write('comma-decimal.csv', 'a;b;y\n1,5;2;0\n');
    expect(userErrorOf(() => load({ file: 'comma-decimal.csv', label: 'y', features: ['a', 'b'] }))).toBe(
      'comma-decimal.csv: row 1 (line 2), column "a": not a number ("1,5": a decimal comma; export the file with decimal points)',
    );
  });

  it('a row with a field too few, in a bare-CR ;-separated file', () => {
    write('short.csv', 'a;b;y\r1;2;0\r3;1\r');
    expect(userErrorOf(() => load({ file: 'short.csv', label: 'y', features: ['a', 'b'] }))).toBe(
      'short.csv: row 2 (line 3): 2 fields but the header has 3 columns; column "y" is missing',
    );
  });

  it('text after a closing quote, and an unterminated quote', () => {
    write('after.tsv', 'id\ttext\ty\nr1\t"a" b\t0\n');
    expect(userErrorOf(() => load({ file: 'after.tsv', label: 'y', text: 'text' }))).toBe(
      'after.tsv: row 1 (line 2), column "text": unexpected character "b" after a closing quote',
    );
    write('open.csv', 'id,text,y\nr1,fine,0\nr2,"not closed,1\nr3,x,1\n');
    expect(userErrorOf(() => load({ file: 'open.csv', label: 'y', text: 'text' }))).toBe(
      'open.csv: row 2 (line 3), column "text": unterminated quoted field (the quote opens on line 3)',
    );
  });

  it('a column asked for without the blanks the header has around it', () => {
    write('blank-header.csv', 'id, text, label\nr1, hi, a\nr2, ho, b\n');
    expect(userErrorOf(() => load({ file: 'blank-header.csv', label: 'label', text: 'text' }))).toBe(
      'blank-header.csv: unknown column "label"; the header has " label", with blanks (the file has: id,  text,  label)',
    );
  });

  it('a folder named as the file', () => {
    mkdirSync(join(dir, 'folder.csv'));
    expect(userErrorOf(() => load({ file: 'folder.csv', label: 'y', text: 't' }))).toBe('folder.csv: cannot read the file (EISDIR)');
  });

  it('a delimiter that is not one character, or given for a file that is not CSV', () => {
    write('d.csv', 'a,y\n1,0\n2,1\n');
    expect(userErrorOf(() => load({ file: 'd.csv', label: 'y', features: ['a'], delimiter: 'tab' }))).toBe(
      'task (file "d.csv"): delimiter: a delimiter is one character, such as "," ";" "|" or "\\t" (tab)',
    );
    expect(userErrorOf(() => load({ file: 'd.csv', label: 'y', features: ['a'], delimiter: '"' }))).toBe(
      'task (file "d.csv"): delimiter: a delimiter cannot be a double quote or a line break',
    );
    write('d.jsonl', '{"a": 1, "y": 0}\n');
    expect(userErrorOf(() => load({ file: 'd.jsonl', label: 'y', features: ['a'], delimiter: ';' }))).toBe(
      'd.jsonl: delimiter: is for CSV files, and this file is read as jsonl',
    );
  });
});
