/**
 * A streaming CSV row splitter over decoded text chunks: one row per line (`\n` or `\r\n`), RFC 4180 quoting within it.
 *
 * It never builds per-row arrays or substrings: for each row it fills one reused `FieldSpans` with the
 * [start, end) offsets of every field in the current text buffer (outer quotes removed, surrounding
 * whitespace and control characters trimmed) and calls `onRow`. The consumer slices only the fields it needs.
 * Cost: O(characters), one scan (indexOf for rows without quotes); memory: the current chunk plus one unfinished row.
 * Also here: `Utf8Lines` (bytes → whole-line text) and `parseDecimal` (a field → number, exactly like Number()).
 */
import { grown } from './grown';

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/**
 * Longest line accepted (1 MiB). A record is one line, so a longer line is not a row of this file at all (a binary
 * file, or text whose line ends are not `\n`): reading stops with an error rather than buffering it.
 */
export const MAX_ROW_CHARS = 1 << 20;

/** Why a line's fields could not be told apart (FieldSpans.problem); the line is then one malformed row. */
export const LineProblem = {
  None: 0,
  /** A quoted field runs to the end of the line: a quoted value cannot span lines. */
  UnclosedQuote: 1,
  /** A quote inside an unquoted field, or text between a closing quote and the next comma. */
  StrayQuote: 2,
} as const;

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
  /** A LineProblem: when not None, `count` and the field offsets mean nothing and the row is malformed. */
  problem: number;
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

/** Called for every non-blank line; `line` is its 1-based line number. */
export type RowHandler = (text: string, spans: FieldSpans, line: number) => void;

/** Thrown when a line is longer than MAX_ROW_CHARS; `line` is its number. */
export class RowTooLongError extends Error {
  constructor(readonly line: number) {
    super(`line longer than ${MAX_ROW_CHARS} characters (not a transactions file, or line ends other than \\n?)`);
  }
}

/** The text of field i, unquoted and trimmed. O(field length). */
export function fieldText(text: string, spans: FieldSpans, i: number): string {
  const raw = text.slice(spans.start[i], spans.end[i]);
  return spans.escaped[i] === 1 ? raw.replace(/""/g, '"') : raw;
}

/**
 * Splits text pushed in chunks into rows, one row per line (`\n` or `\r\n`). Quoting follows RFC 4180 within a
 * line (a quoted field may hold commas and doubled quotes) but a line end always ends the row, so a stray or
 * unclosed quote costs only its own line: the splitter reports it (FieldSpans.problem) and resumes at the next
 * line. Lines are emitted as soon as their line end is seen; an unfinished last line is kept and joined with the
 * next chunk. Blank lines (nothing but spaces, tabs and the CR of CRLF) are skipped; they hold no row.
 */
export class CsvSplitter {
  private spans: FieldSpans;
  private carry = '';
  /** Number of the next line. */
  private line: number;

  /** `firstLine`: the number of the first line pushed (1 for a whole file). */
  constructor(
    private readonly onRow: RowHandler,
    initialFields = 16,
    firstLine = 1,
  ) {
    this.line = firstLine;
    this.spans = {
      count: 0,
      start: new Int32Array(initialFields),
      end: new Int32Array(initialFields),
      escaped: new Uint8Array(initialFields),
      rowStart: 0,
      rowEnd: 0,
      problem: LineProblem.None,
    };
  }

  /** Number of the next line to be read (1 + the lines seen so far, for a splitter started at line 1). */
  get nextLine(): number {
    return this.line;
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
    s.start = grown(s.start, n);
    s.end = grown(s.end, n);
    s.escaped = grown(s.escaped, n);
  }

  /**
   * Emits every complete line of `text`; returns the offset where the first incomplete line starts
   * (text.length when none). With `final`, the tail is a line even without a line end.
   * Lines without quotes (nearly all) are split with indexOf, which scans far faster than a charCodeAt loop;
   * the positions of the next comma and quote are remembered so each character is searched once.
   * Cost: O(characters); no string is made.
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
      const line = this.line++;
      if (lineEnd - pos > MAX_ROW_CHARS) throw new RowTooLongError(line); // however the text was chunked
      let rowEnd = lineEnd;
      if (rowEnd > pos && text.charCodeAt(rowEnd - 1) === CR) rowEnd--;
      if (nextQuote < pos) nextQuote = indexOrEnd(text, '"', pos);
      let n = 0;
      if (nextQuote < lineEnd) {
        n = this.splitQuotedLine(text, pos, rowEnd);
      } else {
        let s = pos;
        for (;;) {
          if (nextComma < s) nextComma = indexOrEnd(text, ',', s);
          const fieldEnd = nextComma < lineEnd ? nextComma : lineEnd;
          let a = s;
          let b = fieldEnd;
          while (a < b && text.charCodeAt(a) <= SPACE) a++; // trims spaces, tabs, the CR of CRLF (and NULs)
          while (b > a && text.charCodeAt(b - 1) <= SPACE) b--;
          if (n >= spans.start.length) this.ensureFields(n + 1);
          spans.start[n] = a;
          spans.end[n] = b;
          spans.escaped[n] = 0;
          n++;
          if (fieldEnd === lineEnd) break;
          s = fieldEnd + 1;
        }
        spans.problem = LineProblem.None;
        if (n === 1 && spans.start[0] === spans.end[0] && isBlank(text, pos, lineEnd)) {
          pos = lineEnd + 1;
          continue;
        }
      }
      spans.count = n;
      spans.rowStart = pos;
      spans.rowEnd = rowEnd;
      this.onRow(text, spans, line);
      pos = lineEnd + 1;
    }
    return len;
  }

  /**
   * Splits one line [from, to) (without its line end) that has a quote somewhere, character by character.
   * A field that starts with a quote (after spaces) is quoted: it runs to the next quote not followed by another,
   * and only spaces may follow it before the comma. Fills the spans and sets `problem`; returns the field count.
   */
  private splitQuotedLine(text: string, from: number, to: number): number {
    const spans = this.spans;
    spans.problem = LineProblem.None;
    let n = 0;
    let p = from;
    for (;;) {
      while (p < to && (text.charCodeAt(p) === SPACE || text.charCodeAt(p) === TAB)) p++;
      if (n >= spans.start.length) this.ensureFields(n + 1);
      if (p < to && text.charCodeAt(p) === QUOTE) {
        const start = p + 1;
        let escaped = 0;
        let end = -1;
        for (p = start; p < to; p++) {
          if (text.charCodeAt(p) !== QUOTE) continue;
          if (p + 1 < to && text.charCodeAt(p + 1) === QUOTE) {
            escaped = 1;
            p++;
            continue;
          }
          end = p++;
          break;
        }
        if (end === -1) {
          spans.problem = LineProblem.UnclosedQuote;
          return n;
        }
        while (p < to && text.charCodeAt(p) <= SPACE) p++;
        if (p < to && text.charCodeAt(p) !== COMMA) {
          spans.problem = LineProblem.StrayQuote; // `"abc"def`: text after the closing quote
          return n;
        }
        let s = start;
        let e = end;
        while (s < e && text.charCodeAt(s) <= SPACE) s++;
        while (e > s && text.charCodeAt(e - 1) <= SPACE) e--;
        spans.start[n] = s;
        spans.end[n] = e;
        spans.escaped[n] = escaped;
      } else {
        const start = p;
        while (p < to) {
          const c = text.charCodeAt(p);
          if (c === COMMA) break;
          if (c === QUOTE) {
            spans.problem = LineProblem.StrayQuote; // `ab"c`: a quote inside an unquoted field
            return n;
          }
          p++;
        }
        let e = p;
        while (e > start && text.charCodeAt(e - 1) <= SPACE) e--;
        spans.start[n] = start;
        spans.end[n] = e;
        spans.escaped[n] = 0;
      }
      n++;
      if (p >= to) return n;
      p++; // past the comma
    }
  }
}

/** True when text[from, to) holds nothing but spaces, tabs and CRs (a NUL or any other character is content). */
function isBlank(text: string, from: number, to: number): boolean {
  for (let p = from; p < to; p++) {
    const c = text.charCodeAt(p);
    if (c !== SPACE && c !== TAB && c !== CR) return false;
  }
  return true;
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
