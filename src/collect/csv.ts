/**
 * A streaming CSV row splitter over decoded text chunks (RFC 4180 quoting, `\n` or `\r\n` line ends).
 *
 * It never builds per-row arrays or substrings: for each row it fills one reused `FieldSpans` with the
 * [start, end) offsets of every field in the current text buffer (outer quotes removed, surrounding
 * whitespace and control characters trimmed) and calls `onRow`. The consumer slices only the fields it needs.
 * Cost: O(characters), one scan (indexOf for rows without quotes); memory: the current chunk plus one unfinished row.
 * Also here: `Utf8Lines` (bytes → whole-line text) and `parseDecimal` (a field → number, exactly like Number()).
 */

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/** Longest row accepted (a longer one almost always means an unclosed quote swallowing the file). */
export const MAX_ROW_CHARS = 1 << 20;

/** Field offsets of the current row, reused from row to row. Valid only during the `onRow` call. */
export interface FieldSpans {
  /** Number of fields in the row (may exceed the arrays' length; only the first `start.length` are recorded). */
  count: number;
  start: Int32Array;
  end: Int32Array;
  /** 1 when the field was quoted and contains doubled quotes (`""`) that `fieldText` must undo. */
  escaped: Uint8Array;
  /** Offsets of the whole row (without its line end), for error messages. */
  rowStart: number;
  rowEnd: number;
  /** False when the text ended inside a quoted field (an unclosed quote at the end of the input). */
  closed: boolean;
}

/**
 * Turns UTF-8 byte chunks into text that ends at a line end, so each piece is decoded once into a flat string
 * (no concatenation with the previous tail) and split without copying. A leading byte order mark is dropped.
 * A `\n` byte never occurs inside a multi-byte UTF-8 character, so cutting after one is always safe.
 */
export class Utf8Lines {
  private carry: Buffer = Buffer.alloc(0);
  private first = true;

  /** The complete lines of everything pushed so far that were not returned yet. O(chunk). */
  push(chunk: Buffer): string {
    let bytes = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    if (this.first) {
      if (bytes.length < 3) {
        this.carry = bytes; // too short to tell whether it starts with a byte order mark
        return '';
      }
      this.first = false;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    let cut = bytes.lastIndexOf(LF) + 1;
    if (cut === 0 && bytes.length > MAX_ROW_CHARS) {
      // No line end in sight: hand over what there is (at a character boundary) and let the splitter complain.
      cut = bytes.length;
      while (cut > 0 && (bytes[cut - 1] & 0xc0) === 0x80) cut--;
      if (cut > 0 && bytes[cut - 1] >= 0xc0) cut--;
    }
    this.carry = bytes.subarray(cut);
    return bytes.toString('utf8', 0, cut);
  }

  /** Whatever is left (the last line, when the file does not end with a line end). */
  end(): string {
    let bytes = this.carry;
    if (this.first && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    this.carry = Buffer.alloc(0);
    return bytes.toString('utf8');
  }
}

/** Called for every non-blank row; `line` is the 1-based line on which the row starts. */
export type RowHandler = (text: string, spans: FieldSpans, line: number) => void;

/** Thrown when a row is longer than MAX_ROW_CHARS; `line` is where it starts. */
export class RowTooLongError extends Error {
  constructor(readonly line: number) {
    super(`row longer than ${MAX_ROW_CHARS} characters (an unclosed quote?)`);
  }
}

/** The text of field i, unquoted and trimmed. O(field length). */
export function fieldText(text: string, spans: FieldSpans, i: number): string {
  const raw = text.slice(spans.start[i], spans.end[i]);
  return spans.escaped[i] === 1 ? raw.replace(/""/g, '"') : raw;
}

/**
 * Splits text pushed in chunks into rows. Rows are emitted as soon as their line end is seen;
 * the unfinished tail is kept and joined with the next chunk. Blank lines are skipped (they hold no row).
 */
export class CsvSplitter {
  private spans: FieldSpans;
  private carry = '';
  /** Line number of the next row's first character. */
  private line = 1;

  constructor(private readonly onRow: RowHandler, initialFields = 16) {
    this.spans = {
      count: 0,
      start: new Int32Array(initialFields),
      end: new Int32Array(initialFields),
      escaped: new Uint8Array(initialFields),
      rowStart: 0,
      rowEnd: 0,
      closed: true,
    };
  }

  /** Feeds the next chunk of decoded text. */
  push(chunk: string): void {
    const text = this.carry.length === 0 ? chunk : this.carry + chunk;
    const used = this.split(text, false);
    this.carry = used === text.length ? '' : text.slice(used);
    if (this.carry.length > MAX_ROW_CHARS) throw new RowTooLongError(this.line);
  }

  /** Flushes the last row (one without a final line end). */
  end(): void {
    if (this.carry.length > 0) this.split(this.carry, true);
    this.carry = '';
  }

  /** Grows the span arrays so the header (or a wide row) fits. */
  private ensureFields(n: number): void {
    const s = this.spans;
    if (n <= s.start.length) return;
    const size = Math.max(n, s.start.length * 2);
    const start = new Int32Array(size);
    const end = new Int32Array(size);
    const escaped = new Uint8Array(size);
    start.set(s.start);
    end.set(s.end);
    escaped.set(s.escaped);
    s.start = start;
    s.end = end;
    s.escaped = escaped;
  }

  private record(n: number, start: number, end: number, escaped: number): void {
    if (n >= this.spans.start.length) this.ensureFields(n + 1);
    this.spans.start[n] = start;
    this.spans.end[n] = end;
    this.spans.escaped[n] = escaped;
  }

  /**
   * Emits every complete row of `text`; returns the offset where the first incomplete row starts
   * (text.length when none). With `final`, the tail is a row even without a line end.
   * Rows without quotes (nearly all) are split with indexOf, which scans far faster than a charCodeAt loop;
   * the positions of the next comma and quote are remembered so each character is searched once.
   */
  private split(text: string, final: boolean): number {
    const len = text.length;
    const spans = this.spans;
    let pos = 0;
    let nextComma = -1;
    let nextQuote = -1;
    while (pos < len) {
      let lineEnd = text.indexOf('\n', pos);
      if (lineEnd === -1) {
        if (!final) return pos;
        lineEnd = len;
      }
      if (nextQuote < pos) nextQuote = indexOrEnd(text, '"', pos);
      const rowStart = pos;
      const line = this.line;
      let n = 0;
      if (nextQuote < lineEnd) {
        const end = this.splitQuotedRow(text, pos, final);
        if (end < 0) return pos;
        n = spans.count;
        lineEnd = end;
      } else {
        let s = pos;
        for (;;) {
          if (nextComma < s) nextComma = indexOrEnd(text, ',', s);
          const fieldEnd = nextComma < lineEnd ? nextComma : lineEnd;
          let a = s;
          let b = fieldEnd;
          while (a < b && text.charCodeAt(a) <= SPACE) a++; // trims spaces, tabs and the CR of CRLF
          while (b > a && text.charCodeAt(b - 1) <= SPACE) b--;
          if (n >= spans.start.length) this.ensureFields(n + 1);
          spans.start[n] = a;
          spans.end[n] = b;
          spans.escaped[n] = 0;
          n++;
          if (fieldEnd === lineEnd) break;
          s = fieldEnd + 1;
        }
        this.line++;
        spans.closed = true;
        if (n === 1 && spans.start[0] === spans.end[0]) {
          pos = lineEnd + 1;
          continue; // blank line
        }
      }
      pos = lineEnd + 1;
      let rowEnd = lineEnd;
      if (rowEnd > rowStart && text.charCodeAt(rowEnd - 1) === CR) rowEnd--;
      spans.count = n;
      spans.rowStart = rowStart;
      spans.rowEnd = rowEnd;
      this.onRow(text, spans, line);
    }
    return len;
  }

  /**
   * Splits one row that has a quote somewhere, character by character (quoted fields may hold commas,
   * doubled quotes and line ends). Fills the spans and returns the offset of the row's line end (or
   * text.length at the end of a final text); -1 when the row is not complete in `text`.
   */
  private splitQuotedRow(text: string, pos: number, final: boolean): number {
    const len = text.length;
    let newlines = 0;
    let n = 0;
    let p = pos;
    let closed = true;
    for (;;) {
      while (p < len && (text.charCodeAt(p) === SPACE || text.charCodeAt(p) === TAB)) p++;
      if (p < len && text.charCodeAt(p) === QUOTE) {
        // Quoted field: runs to the next quote not followed by another quote.
        const start = p + 1;
        let escaped = 0;
        let end = -1;
        p = start;
        while (p < len) {
          const c = text.charCodeAt(p);
          if (c === QUOTE) {
            if (p + 1 < len && text.charCodeAt(p + 1) === QUOTE) {
              escaped = 1;
              p += 2;
              continue;
            }
            if (p + 1 >= len && !final) return -1; // the next chunk may start with the second quote
            end = p;
            p++;
            break;
          }
          if (c === LF) newlines++;
          p++;
        }
        if (end === -1) {
          if (!final) return -1;
          closed = false;
          end = len;
        }
        let s = start;
        let e = end;
        while (s < e && text.charCodeAt(s) <= SPACE) s++;
        while (e > s && text.charCodeAt(e - 1) <= SPACE) e--;
        this.record(n, s, e, escaped);
        // Skip to the delimiter; text between the closing quote and it is not part of the field.
        while (p < len) {
          const c = text.charCodeAt(p);
          if (c === COMMA || c === LF) break;
          p++;
        }
      } else {
        const start = p;
        while (p < len) {
          const c = text.charCodeAt(p);
          if (c === COMMA || c === LF) break;
          p++;
        }
        let e = p;
        while (e > start && text.charCodeAt(e - 1) <= SPACE) e--;
        this.record(n, start, e, 0);
      }
      n++;
      if (p >= len) {
        if (!final) return -1;
        break;
      }
      if (text.charCodeAt(p) === LF) break;
      p++; // past the comma
    }
    this.line += newlines + 1;
    this.spans.count = n;
    this.spans.closed = closed;
    return p;
  }
}

/** text.indexOf(char, from), or a position past any text when absent (so comparisons need no -1 case). */
function indexOrEnd(text: string, char: string, from: number): number {
  const at = text.indexOf(char, from);
  return at === -1 ? 0x7fffffff : at;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Most significant digits whose integer value is certainly exact in a double (< 2^53). */
const EXACT_DIGITS = 15;

/**
 * The decimal number written in text[start, end), exactly as `Number()` reads it, or NaN if it is not a
 * plain decimal (`12`, `-3.5`, `.5`, `1e3`; not hex, `Infinity` or empty). O(length).
 * Fast path: with at most 15 digits the digits form an exact integer m and 10^k (k <= 22) is exact, so the one
 * correctly rounded division m / 10^k is the correctly rounded value of the text (Clinger's fast path),
 * which is what `Number()` returns. Anything else falls back to `Number()`.
 */
export function parseDecimal(text: string, start: number, end: number): number {
  let p = start;
  let negative = false;
  const first = text.charCodeAt(p);
  if (first === 45 || first === 43) {
    negative = first === 45;
    p++;
  }
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  let dot = false;
  for (; p < end; p++) {
    const c = text.charCodeAt(p);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (dot) fraction++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (p === end && digits > 0 && digits <= EXACT_DIGITS) {
    const value = fraction === 0 ? mantissa : mantissa / POW10[fraction];
    return negative ? -value : value;
  }
  const raw = text.slice(start, end);
  return DECIMAL.test(raw) ? Number(raw) : NaN;
}
