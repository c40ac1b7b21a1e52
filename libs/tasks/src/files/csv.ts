/**
 * A streaming CSV reader (RFC 4180 plus what real exports do): fields separated by one delimiter
 * (given, or detected from the header: `,` `;` tab or `|`); fields in double quotes may hold
 * delimiters, line breaks and doubled quotes (""); blanks (spaces, tabs that are not the
 * delimiter) around a quoted field are ignored; records end with LF, CRLF or a bare CR (old Mac
 * exports); a UTF-8 byte order mark is ignored; blank lines are skipped. The first record is the
 * header. Records are handed out one at a time, read from the bytes of a `TextChunks`: a file is
 * never held whole, and a consumer decodes only the fields it keeps (numbers straight from the
 * bytes, without a string).
 *
 * Why not the csv-parse package: its only streaming interface is an asynchronous Node stream
 * (`loadTask` is synchronous, and so is everything that calls it: plan, run, the CLI), its
 * synchronous interface takes the whole text, and it hands out every field as a string.
 */
import { UserError } from '@w2s/core/base';
import { numberOrReason } from './cells.js';
import { TextChunks } from './text-chunks.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** Delimiters the header is searched for, in the order ties are reported. */
const CANDIDATES = [',', ';', '\t', '|'];

export interface CsvOptions {
  /** One character; default: detected from the header. */
  delimiter?: string;
}

/** Exactly representable powers of ten (10^0 … 10^22), each parsed (so exact). */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/** One record: field k is `bytes[starts[k], ends[k])`, with `""` still doubled when `escaped[k]`. */
export class CsvRecord {
  bytes: Buffer = Buffer.alloc(0);
  count = 0;
  /** 1-based line on which the record starts (records can span lines inside quotes). */
  line = 0;
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly escaped: boolean[] = [];

  text(k: number): string {
    const s = this.bytes.toString('utf8', this.starts[k]!, this.ends[k]!);
    return this.escaped[k] ? s.replaceAll('""', '"') : s;
  }

  /**
   * Writes the number in field k to `out[at]` and returns true, or returns false when the field is
   * not a plain decimal of at most 15 digits (then `numberOrReason(k)` gives the number or the
   * reason). Read from the bytes, without a string: an integer of at most 15 digits and 10^f
   * (f ≤ 22) are both exact doubles, so their quotient is the correctly rounded value, the one
   * `Number()` gives (Clinger's fast path). It stores instead of returning the number because a
   * double returned from a call is boxed: one short-lived heap object per cell.
   */
  storePlainNumber(k: number, out: Float32Array | Float64Array, at: number): boolean {
    const b = this.bytes;
    const end = this.ends[k]!;
    let i = this.starts[k]!;
    const negative = b[i] === MINUS;
    if (negative || b[i] === PLUS) i++;
    let mantissa = 0;
    let digits = 0;
    let fraction = -1;
    for (; i < end; i++) {
      const c = b[i]!;
      if (c >= DIGIT_0 && c <= DIGIT_9) {
        mantissa = mantissa * 10 + (c - DIGIT_0);
        digits++;
        if (fraction >= 0) fraction++;
      } else if (c === DOT && fraction < 0) fraction = 0;
      else return false;
    }
    if (digits === 0 || digits > 15 || fraction > 22) return false;
    const x = fraction > 0 ? mantissa / POW10[fraction]! : mantissa;
    out[at] = negative ? -x : x;
    return true;
  }

  /** The number in field k, or why it holds none (as `numberOrReason` of its text). */
  numberOrReason(k: number): number | { reason: string } {
    return numberOrReason(this.text(k));
  }

  reset(bytes: Buffer, line: number): void {
    this.bytes = bytes;
    this.line = line;
    this.count = 0;
  }

  push(start: number, end: number, escaped: boolean): void {
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.escaped[this.count] = escaped;
    this.count++;
  }
}

/** Where a record is, for messages: "header (line 1)" or "row 3 (line 4)"; rows are data rows. */
export function recordWhere(index: number, line: number): string {
  return index === 0 ? `header (line ${line})` : `row ${index} (line ${line})`;
}

/**
 * Streams every record of `chunks` to `onRecord(record, index)`: index 0 is the header, then the
 * data rows 1, 2, …. The record's bytes are valid only during the call. Returns the delimiter.
 */
export function scanCsv(chunks: TextChunks, options: CsvOptions, onRecord: (record: CsvRecord, index: number) => void): string {
  skipBom(chunks);
  const delimiter = options.delimiter ?? detectDelimiter(chunks);
  const scanner = new Scanner(chunks, delimiter.charCodeAt(0));
  const record = new CsvRecord();
  for (let index = 0; ; ) {
    const got = scanner.next(record, index);
    if (got === 'end') return delimiter;
    if (got === 'more') {
      scanner.pos -= chunks.more(scanner.pos);
      continue;
    }
    if (index === 0) scanner.header = Array.from({ length: record.count }, (_, k) => record.text(k));
    onRecord(record, index);
    index++;
  }
}

export interface CsvData {
  header: string[];
  rows: string[][];
  /** 1-based line on which each row starts (rows can span lines inside quotes). */
  lines: number[];
}

/** A whole CSV text as strings (the streaming reader, on text already in memory). */
export function parseCsv(text: string, source: string, options: CsvOptions & { chunkBytes?: number } = {}): CsvData {
  const records: string[][] = [];
  const lines: number[] = [];
  TextChunks.of(Buffer.from(text, 'utf8'), source, options.chunkBytes).use((chunks) =>
    scanCsv(chunks, options, (record) => {
      records.push(Array.from({ length: record.count }, (_, k) => record.text(k)));
      lines.push(record.line);
    }),
  );
  if (records.length === 0) return { header: [], rows: [], lines: [] };
  return { header: records[0]!, rows: records.slice(1), lines: lines.slice(1) };
}

function skipBom(chunks: TextChunks): void {
  while (chunks.end < 3 && !chunks.eof) chunks.more(0);
  const b = chunks.bytes;
  if (chunks.end >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) chunks.more(3);
}

/**
 * The delimiter of a file: the candidate found most often outside quotes in the header line
 * (a header of one column has none: then `,`). A tie is ambiguous: the user says which.
 */
function detectDelimiter(chunks: TextChunks): string {
  for (;;) {
    const b = chunks.bytes;
    const counts = new Map(CANDIDATES.map((c) => [c.charCodeAt(0), 0]));
    let i = 0;
    let line = 1;
    while (i < chunks.end && (b[i] === LF || b[i] === CR)) {
      line += b[i] === CR && b[i + 1] === LF ? 0 : 1;
      i++;
    }
    let quoted = false;
    for (; i < chunks.end; i++) {
      const c = b[i]!;
      if (c === QUOTE) quoted = !quoted;
      else if (!quoted && (c === LF || c === CR)) break;
      else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
    }
    if (i === chunks.end && !chunks.eof) {
      chunks.more(0);
      continue;
    }
    const ranked = CANDIDATES.map((c) => ({ c, n: counts.get(c.charCodeAt(0))! })).sort((a, b) => b.n - a.n);
    const [first, second] = [ranked[0]!, ranked[1]!];
    if (first.n === 0) return ',';
    if (second.n === first.n) {
      const tied = ranked.filter((r) => r.n === first.n).map((r) => JSON.stringify(r.c));
      throw new UserError(
        `cannot tell the delimiter: the header has ${first.n} × ${tied.join(` and ${first.n} × `)}; ` +
          `set delimiter: ${tied.join(' or ')} on the task`,
        `${chunks.name}: ${recordWhere(0, line)}`,
      );
    }
    return first.c;
  }
}

/** Blanks around a quoted field: spaces and tabs, unless the delimiter is one of them. */
const isBlank = (c: number | undefined, delimiter: number) => (c === SPACE || c === TAB) && c !== delimiter;

/** Line breaks (LF, CRLF or a bare CR) in `b[from, to)`. */
function lineBreaks(b: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = b[i];
    if (c === LF || (c === CR && b[i + 1] !== LF)) n++;
  }
  return n;
}

class Scanner {
  /** Start of the next record in `chunks.bytes`, and its line. */
  pos = 0;
  line = 1;
  header: string[] = [];

  constructor(
    private readonly chunks: TextChunks,
    private readonly delimiter: number,
  ) {}

  /** Parses the next record into `record`; 'more' when it runs past the bytes read so far. */
  next(record: CsvRecord, index: number): 'record' | 'more' | 'end' {
    const { bytes: b, end, eof } = this.chunks;
    const delimiter = this.delimiter;
    let i = this.pos;
    let line = this.line;
    // Blank lines between records.
    for (;;) {
      if (i >= end) {
        this.pos = i;
        this.line = line;
        return eof ? 'end' : 'more';
      }
      if (b[i] === LF) i++;
      else if (b[i] === CR) {
        if (i + 1 >= end && !eof) {
          this.pos = i;
        this.line = line;
          return 'more';
        }
        i += b[i + 1] === LF ? 2 : 1;
      } else break;
      line++;
    }
    this.pos = i;
        this.line = line;
    record.reset(b, line);
    for (;;) {
      let j = i;
      while (j < end && isBlank(b[j], delimiter)) j++;
      if (j < end && b[j] === QUOTE) {
        const opened = line;
        let k = j + 1;
        let escaped = false;
        let close: number;
        for (;;) {
          const q = b.indexOf(QUOTE, k);
          if (q < 0 || q >= end) {
            if (!eof) return 'more';
            this.fail(index, record.line, record.count, `unterminated quoted field (the quote opens on line ${opened})`);
          }
          line += lineBreaks(b, k, q);
          if (q + 1 >= end && !eof) return 'more';
          if (b[q + 1] !== QUOTE) {
            close = q;
            break;
          }
          escaped = true;
          k = q + 2;
        }
        record.push(j + 1, close, escaped);
        i = close + 1;
        while (i < end && isBlank(b[i], delimiter)) i++;
        if (i >= end && !eof) return 'more';
        if (i < end && b[i] !== delimiter && b[i] !== LF && b[i] !== CR) {
          const char = String.fromCodePoint(b.toString('utf8', i, Math.min(end, i + 4)).codePointAt(0)!);
          this.fail(index, record.line, record.count - 1, `unexpected character ${JSON.stringify(char)} after a closing quote`);
        }
      } else {
        let k = i;
        while (k < end) {
          const c = b[k];
          if (c === delimiter || c === LF || c === CR) break;
          k++;
        }
        if (k >= end && !eof) return 'more';
        record.push(i, k, false);
        i = k;
      }
      if (i < end && b[i] === delimiter) {
        i++;
        continue;
      }
      if (i < end) {
        if (b[i] === CR) {
          if (i + 1 >= end && !eof) return 'more';
          i += b[i + 1] === LF ? 2 : 1;
        } else i++;
        line++;
      }
      this.pos = i;
        this.line = line;
      return 'record';
    }
  }

  /** One UserError naming file, row (or header), line and column. */
  private fail(index: number, line: number, field: number, message: string): never {
    const column = index > 0 && field < this.header.length ? `column ${JSON.stringify(this.header[field])}` : `field ${field + 1}`;
    throw new UserError(message, `${this.chunks.name}: ${recordWhere(index, line)}, ${column}`);
  }
}
