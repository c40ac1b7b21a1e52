/**
 * A UTF-8 text file read in chunks, synchronously (loadTask is synchronous), so that a reader
 * never holds the whole file: the CSV and JSONL readers parse `bytes[0, end)`, and when a record
 * runs past `end` they call `more(keepFrom)`, which moves the unfinished bytes to the front and
 * reads the next chunk after them. Every byte is checked before a reader sees it: a NUL byte or
 * invalid UTF-8 is one "not a text file" error (a binary file would otherwise be reported as ragged
 * rows or odd columns, pointing nowhere useful). Delimiters, quotes and line breaks are ASCII and
 * never occur inside a multi-byte UTF-8 sequence, so the readers can split the bytes directly.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { UserError } from '@w2s/core/base';

/** Bytes read per chunk (1 MiB); tests use tiny chunks to put a boundary everywhere. */
export const DEFAULT_CHUNK_BYTES = 1 << 20;

const ARROW_MAGIC = 'ARROW1';

/** Where the bytes come from: a file, or bytes already in memory (parseCsv). */
type Source = { fd: number } | { bytes: Buffer };

export class TextChunks {
  /** The bytes read so far and not dropped; only `[0, end)` is valid. */
  bytes: Buffer;
  end = 0;
  /** True once the source has no more bytes. */
  eof = false;
  private checkedEnd = 0;
  private offset = 0;
  private first = true;
  private looksLikeArrow = false;

  private constructor(
    private readonly source: Source,
    /** The file as the user named it (messages quote it). */
    readonly name: string,
    private readonly chunkBytes: number,
  ) {
    this.bytes = Buffer.allocUnsafe(chunkBytes);
  }

  /** Opens `path` (UserError if missing or unreadable, or `empty file` if it has no bytes). */
  static open(path: string, name: string, chunkBytes = DEFAULT_CHUNK_BYTES): TextChunks {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UserError(code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(e)})`, name);
    }
    if (fstatSync(fd).size === 0) {
      closeSync(fd);
      throw new UserError('empty file', name);
    }
    return new TextChunks({ fd }, name, chunkBytes);
  }

  static of(bytes: Buffer, name: string, chunkBytes = DEFAULT_CHUNK_BYTES): TextChunks {
    return new TextChunks({ bytes }, name, chunkBytes);
  }

  /** Reads a whole source with `read`, closing the file whatever happens. */
  use<T>(read: (chunks: TextChunks) => T): T {
    try {
      this.more(0);
      return read(this);
    } finally {
      if ('fd' in this.source) closeSync(this.source.fd);
    }
  }

  /**
   * Drops the bytes before `keepFrom`, moves the rest to the front and appends the next chunk
   * (growing the buffer when the kept bytes fill it: one record longer than a chunk). Returns the
   * number of bytes dropped, so callers can shift their positions. Sets `eof` when nothing is left.
   */
  more(keepFrom: number): number {
    const kept = this.end - keepFrom;
    if (kept > 0 && keepFrom > 0) this.bytes.copy(this.bytes, 0, keepFrom, this.end);
    this.end = kept;
    this.checkedEnd -= keepFrom;
    if (this.eof) return keepFrom;
    if (this.bytes.length - kept < this.chunkBytes) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, kept + this.chunkBytes));
      this.bytes.copy(grown, 0, 0, kept);
      this.bytes = grown;
    }
    const n = this.read(this.bytes, kept, this.chunkBytes);
    this.end += n;
    if (n === 0) this.eof = true;
    this.check();
    return keepFrom;
  }

  private read(target: Buffer, at: number, length: number): number {
    if ('fd' in this.source) {
      try {
        return readSync(this.source.fd, target, at, length, null);
      } catch (e) {
        // EISDIR (a folder named as the file), EIO, …
        throw new UserError(`cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, this.name);
      }
    }
    const n = Math.min(length, this.source.bytes.length - this.offset);
    this.source.bytes.copy(target, at, this.offset, this.offset + n);
    this.offset += n;
    return n;
  }

  /** Checks the bytes read since the last check (up to the last complete UTF-8 sequence). */
  private check(): void {
    if (this.first && this.end > 0) {
      this.first = false;
      this.looksLikeArrow = this.bytes.subarray(0, ARROW_MAGIC.length).toString('latin1') === ARROW_MAGIC;
    }
    const upTo = this.eof ? this.end : this.end - incompleteTail(this.bytes, this.end);
    const fresh = this.bytes.subarray(this.checkedEnd, upTo);
    if (fresh.includes(0) || !isUtf8(fresh)) {
      const hint = this.looksLikeArrow ? ' (it is an Arrow file: set format: arrow or rename it .arrow)' : '';
      throw new UserError(`not a text file${hint}: CSV and JSONL task files must be UTF-8 text`, this.name);
    }
    this.checkedEnd = upTo;
  }
}

/** How many bytes at the end of `bytes[0, end)` are the start of a UTF-8 sequence cut by the chunk. */
function incompleteTail(bytes: Buffer, end: number): number {
  for (let back = 1; back <= Math.min(3, end); back++) {
    const b = bytes[end - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back for the lead byte
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}
