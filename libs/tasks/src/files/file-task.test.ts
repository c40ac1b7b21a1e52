import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Field, Float32, Float64, List, Table, tableFromArrays, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTask } from '../registry.js';
import { userErrorOf } from '../test-utils/user-files.js';

let dir: string;
const write = (name: string, content: string | Uint8Array) => writeFileSync(join(dir, name), content);
const load = (spec: Record<string, unknown>) => loadTask(spec, { baseDir: dir });

const listColumn = (rows: number[][]) => vectorFromArray(rows, new List(new Field('item', new Float32(), true)));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'w2s-tasks-'));
});

describe('user tasks from files', () => {
  it('CSV with text, string labels, ids, groups and a split column (quoted fields, CRLF)', () => {
    write(
      'reviews.csv',
      'id,review,sentiment,source,split\r\n' +
        'r1,"Great, really great",pos,web,train\r\n' +
        'r2,"He said ""meh""",neg,web,train\r\n' +
        'r3,"two\nlines",neg,mail,test\r\n' +
        'r4,fine,pos,mail,validation\r\n',
    );
    const task = load({ file: 'reviews.csv', label: 'sentiment', text: 'review', id: 'id', group: 'source', split: 'split' });
    expect(task.name).toBe('reviews');
    expect(task.modality).toBe('text');
    expect(task.classNames).toEqual(['neg', 'pos']);
    expect(Array.from(task.examples.labels)).toEqual([1, 0, 0, 1]);
    expect(task.examples.text).toEqual(['Great, really great', 'He said "meh"', 'two\nlines', 'fine']);
    expect(task.examples.ids).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(task.examples.groups).toEqual(['web', 'web', 'mail', 'mail']);
    expect(task.examples.fixedSplit).toEqual(['train', 'train', 'test', 'val']);
  });

  it('CSV with several numeric feature columns and integer labels (k classes, sorted numerically)', () => {
    write('points.csv', 'f1,f2,y\n0.5,-1,10\n1e-3,2,2\n3,.25,10\n-0,4,7\n');
    const task = load({ file: 'points.csv', label: 'y', features: ['f1', 'f2'], name: 'pts' });
    expect(task.name).toBe('pts');
    expect(task.modality).toBe('vector');
    expect(task.numClasses).toBe(3);
    expect(task.classNames).toEqual(['2', '7', '10']);
    expect(Array.from(task.examples.labels)).toEqual([2, 0, 2, 1]);
    expect(task.examples.dim).toBe(2);
    expect(Array.from(task.examples.x!)).toEqual([0.5, -1, Math.fround(1e-3), 2, 3, 0.25, -0, 4]);
    expect(task.examples.ids).toEqual(['row-1', 'row-2', 'row-3', 'row-4']);
  });

  it('CSV with one list column of features ("[1, 2]" or "1;2")', () => {
    write('vec.csv', 'v,y\n"[1, 2, 3]",a\n4;5;6,b\n');
    const task = load({ file: 'vec.csv', label: 'y', features: 'v' });
    expect(task.examples.dim).toBe(3);
    expect(Array.from(task.examples.x!)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('JSONL with embedding columns (one per model) and a 3-class string label', () => {
    write(
      'emb.jsonl',
      [
        { id: 'a', small: [1, 2], large: [1, 2, 3, 4], animal: 'cat' },
        { id: 'b', small: [3, 4], large: [5, 6, 7, 8], animal: 'dog' },
        {},
        { id: 'c', small: [5, 6], large: [9, 10, 11, 12], animal: 'bird' },
      ]
        .map((r, i) => (i === 2 ? '' : JSON.stringify(r)))
        .join('\n'),
    );
    const task = load({ file: 'emb.jsonl', label: 'animal', embeddings: ['small', 'large'], id: 'id' });
    expect(task.modality).toBe('embedding');
    expect(task.classNames).toEqual(['bird', 'cat', 'dog']);
    expect(Array.from(task.examples.labels)).toEqual([1, 2, 0]);
    expect(task.examples.embeddings!.small!.dim).toBe(2);
    expect(Array.from(task.examples.embeddings!.small!.values)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(task.examples.embeddings!.large!.dim).toBe(4);
    expect(Array.from(task.examples.embeddings!.large!.values)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('reads unlabeled: files (any format, same features; a label column is never read) as pretraining rows', () => {
    write('task.csv', 'a,b,label\n1,2,x\n3,4,y\n');
    write('more.csv', 'a,b,label\n5,6,x\n7,8,\n');
    write('more.jsonl', '{"a": 9, "b": 10}\n');
    const task = load({ file: 'task.csv', label: 'label', features: ['a', 'b'], unlabeled: ['more.csv', 'more.jsonl'] });
    expect(task.unlabeled).toEqual({ name: 'more.csv+more.jsonl', ids: ['more.csv#1', 'more.csv#2', 'more.jsonl#1'], x: Float32Array.from([5, 6, 7, 8, 9, 10]), dim: 2 });
    expect(load({ file: 'task.csv', label: 'label', features: ['a', 'b'] }).unlabeled).toBeUndefined();
    write('vec.jsonl', '{"f": [1, 2, 3], "label": 0}\n{"f": [4, 5, 6], "label": 1}\n');
    write('vec-more.jsonl', '{"f": [7, 8, 9]}\n');
    expect(load({ file: 'vec.jsonl', label: 'label', features: 'f', unlabeled: 'vec-more.jsonl' }).unlabeled!.x).toEqual(Float32Array.from([7, 8, 9]));
  });

  it('refuses unlabeled rows that do not match the task, naming the file', () => {
    write('task2.csv', 'a,b,label\n1,2,x\n3,4,y\n');
    write('narrow.csv', 'a\n1\n');
    expect(userErrorOf(() => load({ file: 'task2.csv', label: 'label', features: ['a', 'b'], unlabeled: 'narrow.csv' }))).toBe(
      'narrow.csv: unlabeled rows lack feature column "b" (the file has: a)',
    );
    write('short.jsonl', '{"f": [1, 2]}\n');
    write('vec2.jsonl', '{"f": [1, 2, 3], "label": 0}\n{"f": [4, 5, 6], "label": 1}\n');
    expect(userErrorOf(() => load({ file: 'vec2.jsonl', label: 'label', features: 'f', unlabeled: 'short.jsonl' }))).toBe(
      'short.jsonl: unlabeled rows have 2 features, the task file vec2.jsonl has 3',
    );
    write('txt.csv', 'text,label\nhi,a\nho,b\n');
    expect(userErrorOf(() => load({ file: 'txt.csv', label: 'label', text: 'text', unlabeled: 'narrow.csv' }))).toMatch(/unlabeled: files are pretraining rows for numeric features/);
  });

  it('counts empty texts in a warning (and warns about nothing when every text has words)', () => {
    write('blanks.csv', 'text,label\nhello there,a\n,b\n"   ",a\nfine,b\n');
    const task = load({ file: 'blanks.csv', label: 'label', text: 'text' });
    expect(task.examples.text).toEqual(['hello there', '', '   ', 'fine']);
    expect(task.warnings).toEqual([
      'blanks.csv: 2 of 4 texts in column "text" are empty (row 2 (line 3), row 3 (line 4)): models see no input for them and can only guess',
    ]);
    write('words.csv', 'text,label\nhello,a\nthere,b\n');
    expect(load({ file: 'words.csv', label: 'label', text: 'text' }).warnings).toBeUndefined();
  });

  it('Arrow IPC, both file and stream format: list embeddings, numeric columns, boolean labels', () => {
    const table = new Table({
      id: vectorFromArray(['x1', 'x2', 'x3']),
      weak: listColumn([[0.5], [1.5], [2.5]]),
      strong: listColumn([
        [1, 0],
        [0, 1],
        [1, 1],
      ]),
      f: vectorFromArray([0.25, 0.5, 0.75], new Float64()),
      y: vectorFromArray([true, false, true]),
    });
    write('data.arrow', tableToIPC(table, 'file'));
    write('data.arrows', tableToIPC(table, 'stream'));
    for (const file of ['data.arrow', 'data.arrows']) {
      const task = load({ file, label: 'y', embeddings: ['weak', 'strong'], id: 'id' });
      expect(task.classNames).toEqual(['false', 'true']);
      expect(Array.from(task.examples.labels)).toEqual([1, 0, 1]);
      expect(task.examples.ids).toEqual(['x1', 'x2', 'x3']);
      expect(Array.from(task.examples.embeddings!.strong!.values)).toEqual([1, 0, 0, 1, 1, 1]);
      expect(task.examples.embeddings!.weak!.dim).toBe(1);
    }
    const features = load({ file: 'data.arrow', format: 'arrow', label: 'y', features: ['f'] });
    expect(Array.from(features.examples.x!)).toEqual([0.25, 0.5, 0.75]);
  });
});

describe('bad user files: one clear message naming file, row and column', () => {
  let before: string[];
  beforeAll(() => {
    write('ok.csv', 'a,b,y\n1,2,0\n3,4,1\n');
    before = readdirSync(dir).sort();
  });

  it('unknown column named in the spec', () => {
    expect(userErrorOf(() => load({ file: 'ok.csv', label: 'y', features: ['a', 'f9'] }))).toBe(
      'ok.csv: unknown column "f9" (the file has: a, b, y)',
    );
  });

  it('missing column in a row (CSV row too short; JSONL field absent)', () => {
    write('short.csv', 'a,b,y\n1,2,0\n3,1\n');
    expect(userErrorOf(() => load({ file: 'short.csv', label: 'y', features: ['a', 'b'] }))).toBe(
      'short.csv: row 2 (line 3): 2 fields but the header has 3 columns; column "y" is missing',
    );
    write('absent.jsonl', '{"a": 1, "b": 2, "y": 0}\n{"a": 1, "y": 1}\n');
    expect(userErrorOf(() => load({ file: 'absent.jsonl', label: 'y', features: ['a', 'b'] }))).toBe(
      'absent.jsonl: row 2 (line 2), column "b": missing (the row has no such field)',
    );
  });

  it('non-numeric feature', () => {
    const rows = Array.from({ length: 16 }, (_, i) => `${i},${i},${i},${i % 2}`);
    write('x.csv', ['f1,f2,f3,y', ...rows, '1,2,abc,0'].join('\n'));
    expect(userErrorOf(() => load({ file: 'x.csv', label: 'y', features: ['f1', 'f2', 'f3'] }))).toBe(
      'x.csv: row 17 (line 18), column "f3": not a number ("abc")',
    );
    write('str.jsonl', '{"v": [1, "two"], "y": 0}\n{"v": [1, 2], "y": 1}\n');
    expect(userErrorOf(() => load({ file: 'str.jsonl', label: 'y', features: 'v' }))).toBe(
      'str.jsonl: row 1 (line 1), column "v": element 2 of the vector: not a number ("two")',
    );
  });

  it('NaN and Infinity features (CSV text and Arrow floats)', () => {
    write('nan.csv', 'a,y\n1,0\nNaN,1\n');
    expect(userErrorOf(() => load({ file: 'nan.csv', label: 'y', features: ['a'] }))).toBe(
      'nan.csv: row 2 (line 3), column "a": not a finite number (NaN)',
    );
    write('inf.csv', 'v,y\n"[1, -Infinity]",0\n"[1, 2]",1\n');
    expect(userErrorOf(() => load({ file: 'inf.csv', label: 'y', features: 'v' }))).toBe(
      'inf.csv: row 1 (line 2), column "v": element 2 of the vector: not a finite number (Infinity)',
    );
    const table = tableFromArrays({ f: Float32Array.from([1, 2, Infinity]), y: Int32Array.from([0, 1, 0]) });
    write('inf.arrow', tableToIPC(table, 'file'));
    expect(userErrorOf(() => load({ file: 'inf.arrow', label: 'y', features: ['f'] }))).toBe(
      'inf.arrow: row 3, column "f": not a finite number (Infinity)',
    );
  });

  it('empty file: no bytes, or a header and no rows', () => {
    write('empty.csv', '');
    expect(userErrorOf(() => load({ file: 'empty.csv', label: 'y', text: 't' }))).toBe('empty.csv: empty file');
    write('header.csv', 't,y\n');
    expect(userErrorOf(() => load({ file: 'header.csv', label: 'y', text: 't' }))).toBe('header.csv: empty file (no data rows)');
    write('blank.jsonl', '\n\n');
    expect(userErrorOf(() => load({ file: 'blank.jsonl', label: 'y', text: 't' }))).toBe('blank.jsonl: empty file (no data rows)');
    write('empty.arrow', tableToIPC(tableFromArrays({ y: new Int32Array(0) }), 'file'));
    expect(userErrorOf(() => load({ file: 'empty.arrow', label: 'y', features: ['y'] }))).toBe('empty.arrow: empty file (no data rows)');
  });

  it('a label column with a single class', () => {
    write('one.csv', 't,y\nhello,pos\nworld,pos\n');
    expect(userErrorOf(() => load({ file: 'one.csv', label: 'y', text: 't' }))).toBe(
      'one.csv: column "y": only one class ("pos"); a task needs at least two',
    );
  });

  it('ragged vectors', () => {
    write('ragged.jsonl', '{"e": [1, 2, 3], "y": 0}\n{"e": [1, 2], "y": 1}\n');
    expect(userErrorOf(() => load({ file: 'ragged.jsonl', label: 'y', embeddings: ['e'] }))).toBe(
      'ragged.jsonl: row 2 (line 2), column "e": ragged vectors: length 2, but row 1 (line 1) has length 3',
    );
    const table = new Table({ e: listColumn([[1, 2], [3, 4], [5]]), y: vectorFromArray([0, 1, 0], new Float64()) });
    write('ragged.arrow', tableToIPC(table, 'stream'));
    expect(userErrorOf(() => load({ file: 'ragged.arrow', label: 'y', embeddings: ['e'] }))).toBe(
      'ragged.arrow: row 3, column "e": ragged vectors: length 1, but row 1 has length 2',
    );
  });

  it('a binary file given as CSV or JSONL is "not a text file", naming it', () => {
    // Bytes of a PNG header (a NUL and invalid UTF-8), and an Arrow file named .csv.
    write('image.csv', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x2c, 0x2c, 0x0a, 0xff, 0xfe]));
    expect(userErrorOf(() => load({ file: 'image.csv', label: 'y', text: 't' }))).toBe(
      'image.csv: not a text file: CSV and JSONL task files must be UTF-8 text',
    );
    write('latin1.jsonl', Buffer.from('{"t": "caf\u00e9", "y": 0}\n', 'latin1'));
    expect(userErrorOf(() => load({ file: 'latin1.jsonl', label: 'y', text: 't' }))).toBe(
      'latin1.jsonl: not a text file: CSV and JSONL task files must be UTF-8 text',
    );
    write('table.csv', tableToIPC(tableFromArrays({ t: ['a', 'b'], y: Int32Array.from([0, 1]) }), 'file'));
    expect(userErrorOf(() => load({ file: 'table.csv', label: 'y', text: 't' }))).toBe(
      'table.csv: not a text file (it is an Arrow file: set format: arrow or rename it .arrow): CSV and JSONL task files must be UTF-8 text',
    );
  });

  it('duplicate ids', () => {
    write('dup.csv', 'id,t,y\na,x,0\nb,y,1\na,z,1\n');
    expect(userErrorOf(() => load({ file: 'dup.csv', label: 'y', text: 't', id: 'id' }))).toBe(
      'dup.csv: row 3 (line 4), column "id": duplicate id "a" (first in row 1 (line 2))',
    );
  });

  it('other problems: bad spec, unknown extension, missing file, bad split value, non-integer label', () => {
    expect(userErrorOf(() => load({ file: 'ok.csv', label: 'y', text: 'a', features: ['b'] }))).toBe(
      'task (file "ok.csv"): give exactly one of text, features or embeddings',
    );
    expect(userErrorOf(() => load({ file: 'ok.txt', label: 'y', text: 'a' }))).toBe(
      'ok.txt: cannot tell the format from the extension ".txt"; set format: csv, jsonl or arrow',
    );
    expect(userErrorOf(() => load({ file: 'nope.csv', label: 'y', text: 'a' }))).toBe('nope.csv: file not found');
    write('split.csv', 't,y,s\na,0,train\nb,1,dev\n');
    expect(userErrorOf(() => load({ file: 'split.csv', label: 'y', text: 't', split: 's' }))).toBe(
      'split.csv: row 2 (line 3), column "s": split must be train, val or test (got "dev")',
    );
    write('frac.jsonl', '{"t": "a", "y": 0.5}\n{"t": "b", "y": 1}\n');
    expect(userErrorOf(() => load({ file: 'frac.jsonl', label: 'y', text: 't' }))).toBe(
      'frac.jsonl: row 1 (line 1), column "y": a label must be an integer or a string (0.5)',
    );
    write('garbage.arrow', 'not arrow at all');
    expect(userErrorOf(() => load({ file: 'garbage.arrow', label: 'y', text: 't' }))).toMatch(
      /^garbage\.arrow: not an Arrow IPC file or stream/,
    );
  });

  afterAll(() => {
    // Nothing is written when input is bad: the directory holds only the files the tests wrote.
    const written = ['short.csv', 'absent.jsonl', 'x.csv', 'str.jsonl', 'nan.csv', 'inf.csv', 'inf.arrow', 'empty.csv',
      'header.csv', 'blank.jsonl', 'empty.arrow', 'one.csv', 'ragged.jsonl', 'ragged.arrow', 'dup.csv', 'split.csv',
      'frac.jsonl', 'garbage.arrow', 'image.csv', 'latin1.jsonl', 'table.csv'];
    expect(readdirSync(dir).sort()).toEqual([...before, ...written].sort());
  });
});
