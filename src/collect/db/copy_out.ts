/**
 * COPY (query) TO STDOUT in PostgreSQL's binary format, decoded as a stream: each row's fields are located in the
 * received bytes and handed to a callback that reads the ones it needs (text, float8, int4, int8) straight from the
 * buffer. No escaping to undo, no number parsing, no row arrays; memory is one network chunk plus the row being read.
 *
 * Binary format (PostgreSQL docs, COPY, "Binary Format"): an 11-byte signature, int32 flags, int32 header-extension
 * length and the extension; then per row an int16 field count and per field an int32 byte length (-1 = NULL) and
 * the bytes; an int16 -1 ends the data. Integers are big-endian; text is in the client encoding (UTF-8 with pg).
 */
import type { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Signature, flags, header-extension length. */
const HEADER_BYTES = SIGNATURE.length + 8;

/** The current row of a binary COPY: read field `k` (0-based, in the SELECT's order) with the reader for its type. */
export class CopyRow {
  /** Set by the decoder: the buffer holding the row, and each field's start and byte length (-1 = NULL). */
  buffer: Buffer = Buffer.alloc(0);
  readonly start: Int32Array;
  readonly length: Int32Array;

  constructor(readonly fields: number) {
    this.start = new Int32Array(fields);
    this.length = new Int32Array(fields);
  }

  isNull(k: number): boolean {
    return this.length[k] < 0;
  }

  /** A `text` field (UTF-8), or null. */
  text(k: number): string | null {
    return this.length[k] < 0 ? null : this.buffer.toString('utf8', this.start[k], this.start[k] + this.length[k]);
  }

  /** A `float8` field, or null. */
  float8(k: number): number | null {
    return this.length[k] < 0 ? null : this.buffer.readDoubleBE(this.start[k]);
  }

  /** An `int4` field (a `date - date` difference is one), or null. */
  int4(k: number): number | null {
    return this.length[k] < 0 ? null : this.buffer.readInt32BE(this.start[k]);
  }

  /** An `int8` field as a number (exact up to 2^53), or null. */
  int8(k: number): number | null {
    if (this.length[k] < 0) return null;
    const at = this.start[k];
    return this.buffer.readInt32BE(at) * 4_294_967_296 + this.buffer.readUInt32BE(at + 4);
  }
}

/**
 * Runs `COPY (query) TO STDOUT (FORMAT binary)` on `client` and calls `onRow` for each row, in the query's order,
 * with a CopyRow of `fields` fields that is valid only during the call. The stream is pulled chunk by chunk (the
 * server waits while a chunk is decoded), so memory stays at about one chunk. Resolves with the number of rows;
 * rejects with the server's error, or with the callback's first error once the rest of the output has been drained
 * (a COPY cannot be stopped half-way on its own connection, and an abandoned one would leave the connection stuck).
 * O(bytes received).
 */
export async function copyOutBinary(client: Client, query: string, fields: number, onRow: (row: CopyRow) => void): Promise<number> {
  const stream = client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT binary)`));
  const decoder = new BinaryDecoder(fields, onRow);
  let failure: { error: unknown } | undefined;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (failure !== undefined) continue;
    try {
      decoder.push(chunk);
    } catch (error) {
      failure = { error };
    }
  }
  if (failure !== undefined) throw failure.error;
  decoder.end();
  return decoder.rows;
}

/**
 * Splits binary COPY bytes, arriving in chunks cut anywhere, into rows: `push` each chunk, then `end`. A row cut
 * between two chunks is completed from the next one. O(bytes).
 */
export class BinaryDecoder {
  rows = 0;
  private readonly row: CopyRow;
  private pending: Buffer | undefined;
  private headerRead = false;
  private ended = false;

  constructor(fields: number, private readonly onRow: (row: CopyRow) => void) {
    this.row = new CopyRow(fields);
  }

  /** Decodes every complete row in `chunk` (after what was left of the previous one). O(chunk length). */
  push(chunk: Buffer): void {
    if (this.ended) throw new Error('binary COPY: data after the end marker');
    const buffer = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    let at = 0;
    if (!this.headerRead) {
      const after = headerBytes(buffer);
      if (after === undefined) {
        this.pending = buffer;
        return;
      }
      at = after;
      this.headerRead = true;
    }
    const row = this.row;
    row.buffer = buffer;
    for (;;) {
      const next = locateRow(buffer, at, row);
      if (next === undefined) break;
      if (next < 0) {
        this.ended = true;
        at += 2;
        break;
      }
      this.onRow(row);
      this.rows++;
      at = next;
    }
    if (at < buffer.length) {
      if (this.ended) throw new Error('binary COPY: data after the end marker');
      this.pending = buffer.subarray(at);
    }
  }

  /** Throws unless the data ended with the end marker. */
  end(): void {
    if (!this.ended) throw new Error('binary COPY: the data ended in the middle of a row');
  }
}

/** Offset just after the header, undefined when `buffer` does not hold all of it yet; throws on a wrong signature. */
function headerBytes(buffer: Buffer): number | undefined {
  if (buffer.length < HEADER_BYTES) return undefined;
  if (!buffer.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('binary COPY: not a PGCOPY stream');
  const end = HEADER_BYTES + buffer.readUInt32BE(SIGNATURE.length + 4);
  return buffer.length >= end ? end : undefined;
}

/**
 * Fills `row.start`/`row.length` for the row at `at` and returns the offset after it; -1 for the end marker;
 * undefined when the row is not complete in `buffer` yet. Throws when the field count is not `row.fields`.
 */
function locateRow(buffer: Buffer, at: number, row: CopyRow): number | undefined {
  if (at + 2 > buffer.length) return undefined;
  const count = buffer.readInt16BE(at);
  if (count === -1) return -1;
  if (count !== row.fields) throw new Error(`binary COPY: a row of ${count} fields, expected ${row.fields}`);
  let p = at + 2;
  for (let k = 0; k < count; k++) {
    if (p + 4 > buffer.length) return undefined;
    const length = buffer.readInt32BE(p);
    p += 4;
    row.start[k] = p;
    row.length[k] = length;
    if (length > 0) p += length;
    if (p > buffer.length) return undefined;
  }
  return p;
}
