/**
 * COPY … FROM STDIN in PostgreSQL's text format: escaping a value, writing rows as bytes into chunks, and
 * streaming the chunks to the server with backpressure. The fastest way to load rows: one statement, no per-row
 * protocol messages, no bind arrays.
 *
 * Text format (PostgreSQL docs, COPY, "Text Format"): one line per row, fields separated by a tab, `\N` for NULL,
 * and a backslash escaping itself, tab, newline and carriage return inside a value. Nothing else is special:
 * commas and quotes are ordinary characters.
 */
import type { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** The text format's NULL (the default of COPY … FROM STDIN without options). */
export const COPY_NULL = '\\N';

/** The characters the text format gives a meaning to: the escape, the column separator and the row separators. */
const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

const TAB = 9;
const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const BACKSLASH = 92;
const MINUS = 45;
const ZERO = 48;

/**
 * `value` as one field of COPY's text format: backslash, tab, newline and carriage return escaped (`\\`, `\t`,
 * `\n`, `\r`), everything else as is. A value of `\N` comes out as `\\N`, so it is never read as NULL.
 * O(length); returns `value` itself when nothing needs escaping.
 */
export function copyText(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPED[c]) : value;
}

/** Text values encoded once as COPY fields (escaped UTF-8): value k is `bytes[offsets[k] .. offsets[k + 1])`. */
export interface EncodedValues {
  readonly bytes: Buffer;
  readonly offsets: Int32Array;
}

/** Encodes `values` as COPY fields into one buffer (no object per value). O(total length). */
export function encodeValues(values: readonly string[]): EncodedValues {
  const escaped = values.map(copyText);
  const offsets = new Int32Array(values.length + 1);
  for (let k = 0; k < escaped.length; k++) offsets[k + 1] = offsets[k] + Buffer.byteLength(escaped[k]);
  const bytes = Buffer.allocUnsafe(offsets[values.length]);
  for (let k = 0; k < escaped.length; k++) bytes.write(escaped[k], offsets[k], 'utf8');
  return { bytes, offsets };
}

/** Most bytes one UTF-16 code unit of a value can take once escaped and encoded (3 for UTF-8, 2 for an escape). */
export const MAX_BYTES_PER_CHAR = 3;
/** Most bytes `number()` writes: `String()` of a double is at most 24 characters (`-1.2345678901234567e-100`). */
export const MAX_NUMBER_BYTES = 24;

/**
 * A chunk of COPY text being written: the caller checks `fits` before each row (with a bound on its size),
 * `take`s the chunk when it does not, then writes the row field by field. Writes bytes straight into a buffer, so
 * a million rows make no million strings for the garbage collector.
 */
export class CopyTextChunk {
  private buffer: Buffer;
  private at = 0;

  constructor(private readonly size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.at;
  }

  /** True when `bytes` more bytes fit. */
  fits(bytes: number): boolean {
    return this.at + bytes <= this.buffer.length;
  }

  /** Hands over the bytes written so far and starts a new chunk with room for at least `room` bytes. */
  take(room = 0): Buffer {
    const out = this.buffer.subarray(0, this.at);
    this.buffer = Buffer.allocUnsafe(Math.max(this.size, room));
    this.at = 0;
    return out;
  }

  tab(): void {
    this.buffer[this.at++] = TAB;
  }

  endRow(): void {
    this.buffer[this.at++] = NEWLINE;
  }

  null(): void {
    this.buffer[this.at++] = BACKSLASH;
    this.buffer[this.at++] = 78; // N
  }

  /** A whole number in -2^31 .. 2^31 (row index, HHMMSS). */
  int(n: number): void {
    const b = this.buffer;
    if (n < 0) {
      b[this.at++] = MINUS;
      n = -n;
    }
    let digits = 1;
    for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
    for (let p = this.at + digits - 1; p >= this.at; p--) {
      b[p] = ZERO + (n % 10);
      n = Math.floor(n / 10);
    }
    this.at += digits;
  }

  /**
   * A double as the shortest decimal that reads back as the same double (exactly `String(value)`); NaN as NULL.
   * Whole numbers and amounts in cents (most of the data) are written digit by digit: below 1e9 two doubles are
   * far closer than 0.01, so when cents / 100 gives back the double, the cents without trailing zeros are the
   * shortest decimal, which is what String() prints. Anything else goes through String().
   */
  number(value: number): void {
    if (value !== value) return this.null();
    const magnitude = value < 0 ? -value : value;
    const cents = Math.round(magnitude * 100);
    if (magnitude >= 1e9 || cents / 100 !== magnitude) return this.ascii(String(value));
    if (value < 0) this.buffer[this.at++] = MINUS;
    const whole = Math.floor(cents / 100);
    const fraction = cents - whole * 100;
    this.int(whole);
    if (fraction === 0) return;
    this.buffer[this.at++] = 46; // .
    this.buffer[this.at++] = ZERO + Math.floor(fraction / 10);
    if (fraction % 10 !== 0) this.buffer[this.at++] = ZERO + (fraction % 10);
  }

  /** `text` escaped; the caller guaranteed MAX_BYTES_PER_CHAR bytes per character. */
  text(text: string): void {
    const b = this.buffer;
    const start = this.at;
    for (let j = 0; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c >= 0x80 || c === BACKSLASH || c === TAB || c === NEWLINE || c === CARRIAGE_RETURN) {
        // Rare: not plain ASCII, or something to escape. Start over with the general path.
        this.at = start + b.write(copyText(text), start, 'utf8');
        return;
      }
      b[start + j] = c;
    }
    this.at = start + text.length;
  }

  /** Value `k` of `values` (already escaped). */
  encoded(values: EncodedValues, k: number): void {
    const from = values.offsets[k];
    const to = values.offsets[k + 1];
    if (to - from > 32) {
      this.at += values.bytes.copy(this.buffer, this.at, from, to);
      return;
    }
    // Short values (most ids and names): a loop beats the native copy call.
    const b = this.buffer;
    const src = values.bytes;
    for (let p = from; p < to; p++) b[this.at++] = src[p];
  }

  /** Characters below 0x80 that need no escaping (number and date text). */
  ascii(text: string): void {
    const b = this.buffer;
    for (let j = 0; j < text.length; j++) b[this.at++] = text.charCodeAt(j);
  }
}

/**
 * Runs `sql` (a `COPY … FROM STDIN` statement, text format) on `client` and sends `chunks` one at a time: the next
 * chunk is made only once the socket took the previous one, so memory stays at about one chunk however many rows
 * there are. Chunks need not end at a row boundary, but the last one must end a row.
 * Resolves with the number of rows the server reports; rejects with the server's error (a constraint violated,
 * a bad value, the connection lost), after which the transaction must be rolled back. O(total size).
 */
export async function copyIn(client: Client, sql: string, chunks: Iterable<Buffer | string>): Promise<number> {
  const stream = client.query(copyFrom(sql));
  let failed = false;
  const finished = new Promise<void>((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('error', (error) => {
      failed = true;
      reject(error);
    });
  });
  finished.catch(() => undefined); // handled below; this only avoids an unhandled rejection while chunks are written
  for (const chunk of chunks) {
    // After an error the stream has let go of the connection: writing again would throw, so stop.
    if (failed) break;
    // One write in flight: pg-copy-streams must not be handed a second chunk it could try to flush after an error.
    // The race ends the wait when the server refuses the COPY itself (the write would then wait forever).
    await Promise.race([new Promise<void>((resolve) => stream.write(chunk, () => resolve())), finished]);
    // On localhost the socket takes every chunk at once, so without a turn of the event loop pg would never read
    // the server's error and the whole file would be sent for nothing.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (!failed) stream.end();
  await finished;
  return stream.rowCount;
}
