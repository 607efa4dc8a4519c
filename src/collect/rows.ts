/**
 * The reading rules of docs/data-model.md section 1, applied to one row at a time: validates every field before
 * anything of the row is stored, then appends the valid row to typed columns and dictionaries; counts the malformed
 * ones. One RowReader reads a whole file on the streaming path, or one thread's share of it on the parallel path
 * (src/collect/parallel.ts merges the shares); both run exactly this code, so they cannot disagree on a row.
 */
import { dayNumber, MalformedRow, SourceColumn } from '../table';
import { FieldSpans, fieldText, LineProblem, parseDecimal } from './csv';
import { parseDayFirst } from './dates';
import { DATE_ALPHABET, NO_ALPHABET, TextDictionary } from './dictionary';
import { packId } from './id_codes';
import { mappedArray, TypedArrayClass } from '../io/mapped';

/** Where each source column is in the file's rows (from the header), and how many fields a row has. */
export interface ColumnLayout {
  readonly fieldCount: number;
  readonly id: number;
  readonly customer: number;
  readonly dob: number;
  readonly gender: number;
  readonly location: number;
  readonly balance: number;
  readonly date: number;
  readonly time: number;
  readonly amount: number;
}

/**
 * Plausible money, INR: |x| ≤ 10^12 (₹1 lakh crore, ~10,000 times the largest balance in the real file). Beyond it a
 * value is a typo or a sentinel, not money; keeping it would let sums overflow to Infinity (1e308) and break every
 * statistic. Also keeps every accepted value exact to the paisa in a double (10^12 · 100 < 2^53).
 */
export const MAX_ABS_INR = 1e12;
/** Transaction years accepted: anything a bank's records could hold; 0000, 0001 or 9999 are placeholders or typos. */
export const TRANSACTION_YEARS = { min: 1900, max: 2100 } as const;
/** Birth years accepted: from the 1800 placeholder (`1/1/1800`, cleaning makes the age unknown) to 2100. */
export const DOB_YEARS = { min: 1800, max: 2100 } as const;

const DATE_FORMS = 'a day-first date (d/m/yy, d/m/yyyy, dd-mm-yyyy or yyyy-mm-dd)';
export const EXPECTED = {
  row: 'fields as in the header',
  TransactionID: 'a transaction ID (not empty)',
  CustomerID: 'a customer ID (not empty)',
  TransactionDate: `${DATE_FORMS}, year ${TRANSACTION_YEARS.min}..${TRANSACTION_YEARS.max}`,
  TransactionTime: 'a time HHMMSS (0..235959, minutes and seconds < 60)',
  TransactionAmount: 'a number from -1e12 to 1e12 (INR)',
  CustAccountBalance: 'a number from -1e12 to 1e12 (INR) or empty',
  CustomerDOB: `${DATE_FORMS}, year ${DOB_YEARS.min}..${DOB_YEARS.max}, or empty`,
} as const;

/** Longest value quoted in a malformed-row message (a whole bad line can be long). */
const MAX_VALUE_CHARS = 200;
const INVALID_DAY = -0x80000000;
const PROBLEM_FOUND = ['', 'an unclosed quote (a quoted value cannot span lines)', 'a stray quote'];

/** Thrown by a strict RowReader at the first malformed row; the caller words it (it may know the line offset). */
export class MalformedRowStop extends Error {
  constructor(readonly row: MalformedRow) {
    super(`malformed row at line ${row.line}`);
  }
}

/** The malformed rows of a piece of the file: how many, and the first MALFORMED_EXAMPLES of them in line order. */
export interface MalformedCount {
  readonly count: number;
  readonly examples: readonly MalformedRow[];
}

/** True for a field that counts as missing: empty or `nan` in any case. */
function isMissing(text: string, start: number, end: number): boolean {
  const n = end - start;
  if (n === 0) return true;
  return (
    n === 3 &&
    (text.charCodeAt(start) | 32) === 110 &&
    (text.charCodeAt(start + 1) | 32) === 97 &&
    (text.charCodeAt(start + 2) | 32) === 110
  );
}

/**
 * A copy of `s` that does not keep the chunk it was sliced from alive. V8 represents a slice of 13 or more
 * characters as a view into its parent string, so a location kept from every chunk would pin the whole file
 * in memory; concatenating and slicing again makes the view point into a string of just this value.
 */
function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/**
 * A number that identifies short date text (`2/8/16`, `02-08-2016`, `2016-08-02`) without slicing it:
 * 4 bits per character over `-./0..9`, none of which maps to 0, so distinct texts give distinct keys.
 * -1 when the text is longer than 10 characters or has other characters (the caller then slices).
 */
function dateKey(text: string, start: number, end: number): number {
  if (end - start > 10 || end === start) return -1;
  let key = 0;
  for (let p = start; p < end; p++) {
    const c = text.charCodeAt(p) - 44; // ',' = 0 (never in a field), '-' = 1, '.' = 2, '/' = 3, '0'..'9' = 4..13
    if (c < 1 || c > 13) return -1;
    key = key * 16 + c;
  }
  return key;
}

/** Section 1's plausible money, on every reading path (a file here, a table in db/read.ts): |v| ≤ MAX_ABS_INR; NaN and ±Infinity are not. */
export function isPlausibleInr(v: number): boolean {
  return v >= -MAX_ABS_INR && v <= MAX_ABS_INR;
}

/** Section 1's transaction years, on every reading path: TRANSACTION_YEARS.min..max. */
export function isTransactionYear(year: number): boolean {
  return year >= TRANSACTION_YEARS.min && year <= TRANSACTION_YEARS.max;
}

/** Day number of a transaction date text, or INVALID_DAY. A two-digit year yy is 20yy; the year must be in range. */
function transactionDay(text: string): number {
  const d = parseDayFirst(text);
  if (d === undefined) return INVALID_DAY;
  const year = d.twoDigitYear ? 2000 + d.year : d.year;
  if (!isTransactionYear(year)) return INVALID_DAY;
  return dayNumber(year, d.month, d.day);
}

/**
 * True when a DOB text is a day-first date in the DOB range. A two-digit year is always in range (19yy or 20yy,
 * chosen in cleaning).
 */
export function isValidDob(text: string): boolean {
  const d = parseDayFirst(text);
  return d !== undefined && (d.twoDigitYear || (d.year >= DOB_YEARS.min && d.year <= DOB_YEARS.max));
}

/** HHMMSS as an integer, or -1 if the text is not one (digits only, 0..235959, minutes and seconds < 60). */
function parseTime(text: string, start: number, end: number): number {
  if (end === start || end - start > 9) return -1;
  let v = 0;
  for (let p = start; p < end; p++) {
    const c = text.charCodeAt(p) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  if (v > 235959 || Math.floor(v / 100) % 100 >= 60 || v % 100 >= 60) return -1;
  return v;
}

/** A money field as a number, or NaN when it is not a plain decimal within ±MAX_ABS_INR (so never ±Infinity). */
function parseMoney(text: string, start: number, end: number): number {
  const v = parseDecimal(text, start, end);
  return isPlausibleInr(v) ? v : NaN;
}

/**
 * The columns of the valid rows a RowReader stored, in its order. Dictionary columns are codes into the reader's
 * own dictionaries; a customer is a packed ID (≥ 1, see id_codes.ts) or `-1 - k` for code k of `otherCustomers`.
 */
export interface RowColumns {
  /**
   * The transaction IDs' characters back to back (UTF-16 code units): row r's are idChars[idEnd[r - 1] .. idEnd[r]).
   * One byte each (Latin-1) while every character so far is below 256, as IDs usually are (half the memory).
   */
  readonly idChars: IdChars;
  readonly idEnd: Int32Array;
  readonly customerKey: Float64Array;
  readonly dob: Int32Array;
  readonly gender: Int32Array;
  readonly location: Int32Array;
  readonly balance: Float64Array;
  readonly date: Int32Array;
  readonly time: Int32Array;
  readonly amount: Float64Array;
}

/** The per-row columns of a RowReader's block (all but the IDs' characters). */
type RowBlock = Omit<RowColumns, 'idChars'>;
/** ID characters: bytes while all are Latin-1, else UTF-16 code units. */
export type IdChars = Uint8Array | Uint16Array;
type RowColumnName = keyof RowBlock;
const ROW_COLUMNS: readonly RowColumnName[] = ['idEnd', 'customerKey', 'dob', 'gender', 'location', 'balance', 'date', 'time', 'amount'];

/** Validates each row and pushes the valid ones into growing typed columns and dictionaries. */
export class RowReader {
  /** Valid rows stored. */
  rows = 0;
  /** Customer IDs that do not pack into a number (long or unusual ones); the others are stored as numbers. */
  readonly otherCustomers = new TextDictionary(NO_ALPHABET);
  readonly dobs = new TextDictionary(DATE_ALPHABET);
  readonly genders = new TextDictionary(NO_ALPHABET);
  readonly locations = new TextDictionary(NO_ALPHABET);

  /**
   * The rows go into blocks: the current one (these arrays, `capacity` rows, `filled` of them used) and the full ones
   * before it (`full`). A new block when one is full, never a doubling copy; columns() joins them once into arrays of
   * the exact length (at 5M rows doubling left 8.4M rows of room and copied it: ~150 B per row after the read).
   */
  private capacity: number;
  private filled = 0;
  private readonly blockRows: number;
  private full: RowBlock[] = [];
  private released = false;
  /**
   * Transaction IDs are kept as characters, not as a million small strings: making and garbage-collecting those
   * cost more than reading the rest of the row, and cleaning never reads them (merge.ts decodes them on first use).
   * Also in blocks (`idBlocks`, with the characters used in each); a row's characters are never split between two.
   */
  private idChars: IdChars;
  private idUsed = 0;
  private idBlocks: IdChars[] = [];
  /** Characters of all IDs so far (idEnd holds these running totals: offsets into the joined characters). */
  private idLength = 0;
  private idEnd: Int32Array;
  private customerKey: Float64Array;
  private dob: Int32Array;
  private gender: Int32Array;
  private location: Int32Array;
  private balance: Float64Array;
  private date: Int32Array;
  private time: Int32Array;
  private amount: Float64Array;

  /** Day number of each transaction date text seen, by dateKey; most files hold a few hundred distinct dates. */
  private readonly dayOfKey = new Map<number, number>();
  private lastDateKey = -1;
  private lastDay = INVALID_DAY;
  private malformedCount = 0;
  private examples: MalformedRow[] = [];

  /**
   * `file` names the source in messages; `strict` throws MalformedRowStop at the first malformed row;
   * `expectedRows` sizes the columns up front (they double beyond it as needed);
   * `maxExamples` malformed rows are kept as examples (all are counted).
   */
  constructor(
    private readonly file: string,
    private readonly layout: ColumnLayout,
    private readonly strict: boolean,
    expectedRows: number,
    private readonly maxExamples: number,
  ) {
    const n = (this.capacity = Math.max(expectedRows, 1024));
    this.blockRows = Math.max(1 << 12, n >> 2);
    // Mapped (io/mapped.ts): the blocks are freed once joined, on whichever thread, and must not stay resident.
    this.idChars = mappedArray(Uint8Array, 8 * n);
    this.idEnd = mappedArray(Int32Array, n);
    this.customerKey = mappedArray(Float64Array, n);
    this.dob = mappedArray(Int32Array, n);
    this.gender = mappedArray(Int32Array, n);
    this.location = mappedArray(Int32Array, n);
    this.balance = mappedArray(Float64Array, n);
    this.date = mappedArray(Int32Array, n);
    this.time = mappedArray(Int32Array, n);
    this.amount = mappedArray(Float64Array, n);
  }

  /**
   * The columns stored so far, `rows` long: the block's own arrays (views) when all rows are in one block that is at
   * most 1/8 empty, else arrays of the exact length, joined here once (the blocks are released column by column, so
   * this needs at most one column's worth of memory more). Valid until the next row. O(rows) when joining.
   * `release`: the reader lets go of them (no more rows may follow), so a caller that copies them can free each
   * column as it goes.
   */
  columns(release = false): RowColumns {
    const n = this.rows;
    const slack = this.capacity - this.filled;
    if (this.full.length > 0 || slack > this.capacity >> 3) {
      this.join();
    }
    let idChars = this.idChars.subarray(0, this.idUsed);
    if (this.idBlocks.length > 0 || this.idChars.length - this.idUsed > this.idChars.length >> 3) {
      idChars = this.joinIds();
    }
    const columns = {
      idChars,
      idEnd: this.idEnd.subarray(0, n),
      customerKey: this.customerKey.subarray(0, n),
      dob: this.dob.subarray(0, n),
      gender: this.gender.subarray(0, n),
      location: this.location.subarray(0, n),
      balance: this.balance.subarray(0, n),
      date: this.date.subarray(0, n),
      time: this.time.subarray(0, n),
      amount: this.amount.subarray(0, n),
    };
    if (release) {
      this.released = true;
      this.capacity = this.filled = 0;
      this.idChars = this.idChars.subarray(0, 0);
      this.idUsed = 0;
      for (const name of ROW_COLUMNS) (this as unknown as Record<RowColumnName, unknown>)[name] = columns[name].subarray(0, 0);
    }
    return columns;
  }

  /** Lets go of the columns (columns(true) without the result): no more rows may follow. */
  release(): void {
    this.columns(true);
  }

  /** Joins the full blocks and the current block's rows into exact-length arrays, which become the current block. O(rows). */
  private join(): void {
    const n = this.rows;
    const blocks = [...this.full, this.block()];
    this.full = [];
    for (const name of ROW_COLUMNS) {
      const first = blocks[0][name];
      const out = mappedArray(first.constructor as unknown as TypedArrayClass<typeof first>, n);
      let at = 0;
      for (const b of blocks) {
        const part = b[name];
        const used = b === blocks[blocks.length - 1] ? this.filled : part.length;
        (out as Float64Array).set((part as Float64Array).subarray(0, used), at);
        at += used;
        (b as unknown as Record<RowColumnName, unknown>)[name] = undefined; // released: one column's worth extra at a time
        if (b === blocks[blocks.length - 1]) (this as unknown as Record<RowColumnName, unknown>)[name] = out;
      }
    }
    this.capacity = this.filled = n;
  }

  /** The IDs' characters joined into one exact-length array, which becomes the current character block. O(characters). */
  private joinIds(): IdChars {
    const out = mappedArray(this.idChars.constructor as unknown as TypedArrayClass<IdChars>, this.idLength);
    let at = 0;
    for (const b of this.idBlocks) {
      out.set(b, at);
      at += b.length;
    }
    out.set(this.idChars.subarray(0, this.idUsed), at);
    this.idBlocks = [];
    this.idChars = out;
    this.idUsed = out.length;
    return out;
  }

  /** The current block's arrays. */
  private block(): RowBlock {
    const { idEnd, customerKey, dob, gender, location, balance, date, time, amount } = this;
    return { idEnd, customerKey, dob, gender, location, balance, date, time, amount };
  }

  /** The malformed rows counted since the last call (their line numbers as given to `row`). */
  takeMalformed(): MalformedCount {
    const taken = { count: this.malformedCount, examples: this.examples };
    this.malformedCount = 0;
    this.examples = [];
    return taken;
  }

  /**
   * One row: stored when valid, else counted as malformed (or, strict, MalformedRowStop). `line` is the row's line
   * number as the caller counts it. Cost: O(row length); a string is made only for the transaction ID and for
   * values not in their dictionary yet.
   */
  row(text: string, spans: FieldSpans, line: number): void {
    const L = this.layout;
    if (spans.problem !== LineProblem.None || spans.count !== L.fieldCount) {
      const found = spans.problem !== LineProblem.None ? PROBLEM_FOUND[spans.problem] : String(spans.count);
      return this.malformed(line, '(row)', text.slice(spans.rowStart, spans.rowEnd), `${L.fieldCount} ${EXPECTED.row}, found ${found}`);
    }
    const s = spans.start;
    const e = spans.end;

    let i = L.id;
    if (isMissing(text, s[i], e[i])) return this.malformedField(text, spans, line, 'TransactionID', i, EXPECTED.TransactionID);
    i = L.customer;
    if (isMissing(text, s[i], e[i])) return this.malformedField(text, spans, line, 'CustomerID', i, EXPECTED.CustomerID);

    i = L.date;
    const key = dateKey(text, s[i], e[i]);
    let day: number;
    if (key !== -1 && key === this.lastDateKey) {
      day = this.lastDay; // rows come sorted by date in the usual files: most rows hit this
    } else if (key !== -1) {
      const cached = this.dayOfKey.get(key);
      day = cached ?? transactionDay(text.slice(s[i], e[i]));
      if (cached === undefined) this.dayOfKey.set(key, day);
      this.lastDateKey = key;
      this.lastDay = day;
    } else {
      day = transactionDay(fieldText(text, spans, i));
    }
    if (day === INVALID_DAY) return this.malformedField(text, spans, line, 'TransactionDate', i, EXPECTED.TransactionDate);

    i = L.time;
    const time = parseTime(text, s[i], e[i]);
    if (time < 0) return this.malformedField(text, spans, line, 'TransactionTime', i, EXPECTED.TransactionTime);

    i = L.amount;
    const amount = parseMoney(text, s[i], e[i]);
    if (amount !== amount) return this.malformedField(text, spans, line, 'TransactionAmount (INR)', i, EXPECTED.TransactionAmount);

    i = L.balance;
    let balance = NaN;
    if (!isMissing(text, s[i], e[i])) {
      balance = parseMoney(text, s[i], e[i]);
      if (balance !== balance) return this.malformedField(text, spans, line, 'CustAccountBalance', i, EXPECTED.CustAccountBalance);
    }

    i = L.dob;
    let dobCode = -1;
    let dobText: string | undefined;
    if (!isMissing(text, s[i], e[i])) {
      // Validated once per distinct text: a text already in the dictionary is known to be valid.
      dobCode = spans.escaped[i] === 1 ? -1 : this.dobs.find(text, s[i], e[i]);
      if (dobCode < 0) {
        dobText = fieldText(text, spans, i);
        if (!isValidDob(dobText)) return this.malformed(line, 'CustomerDOB', dobText, EXPECTED.CustomerDOB);
      }
    }

    // The row is valid: store it.
    if (this.filled === this.capacity) this.nextBlock();
    const r = this.filled++;
    this.rows++;
    this.storeId(text, spans, L.id, r);
    i = L.customer;
    const packed = spans.escaped[i] === 1 ? -1 : packId(text, s[i], e[i]);
    this.customerKey[r] = packed >= 0 ? packed : -1 - this.dictCode(this.otherCustomers, text, spans, i);
    this.dob[r] = dobText === undefined ? dobCode : this.dobs.code(detach(dobText));
    this.gender[r] = this.dictCode(this.genders, text, spans, L.gender);
    this.location[r] = this.dictCode(this.locations, text, spans, L.location);
    this.balance[r] = balance;
    this.date[r] = day;
    this.time[r] = time;
    this.amount[r] = amount;
  }

  /** Appends the characters of field i (row r's transaction ID) to idChars. O(length). */
  private storeId(text: string, spans: FieldSpans, i: number, r: number): void {
    let from = spans.start[i];
    let to = spans.end[i];
    let source = text;
    if (spans.escaped[i] === 1) {
      source = fieldText(text, spans, i); // undo the doubled quotes
      from = 0;
      to = source.length;
    }
    let at = this.idUsed;
    if (at + (to - from) > this.idChars.length) {
      // A new character block; the full one keeps just its used characters (a view).
      this.idBlocks.push(this.idChars.subarray(0, at));
      this.idChars = mappedArray(this.idChars.constructor as unknown as TypedArrayClass<IdChars>, Math.max(8 * this.blockRows, to - from));
      at = 0;
    }
    let chars = this.idChars;
    let all = 0;
    for (let p = from; p < to; p++) {
      const c = source.charCodeAt(p);
      all |= c;
      chars[at++] = c;
    }
    if (all > 0xff && chars instanceof Uint8Array) {
      // The first character beyond Latin-1: every block so far becomes UTF-16, and this ID is written again.
      this.idBlocks = this.idBlocks.map((b) => Uint16Array.from(b));
      chars = this.idChars = Uint16Array.from(chars);
      at -= to - from;
      for (let p = from; p < to; p++) chars[at++] = source.charCodeAt(p);
    }
    this.idLength += to - from;
    this.idUsed = at;
    this.idEnd[r] = this.idLength;
  }

  /** Keeps the full block and starts a new one of `blockRows` rows. O(1) besides the allocation. */
  private nextBlock(): void {
    if (this.released) throw new Error('reader bug: a row after the columns were released');
    this.full.push(this.block());
    const n = (this.capacity = this.blockRows);
    this.filled = 0;
    this.idEnd = mappedArray(Int32Array, n);
    this.customerKey = mappedArray(Float64Array, n);
    this.dob = mappedArray(Int32Array, n);
    this.gender = mappedArray(Int32Array, n);
    this.location = mappedArray(Int32Array, n);
    this.balance = mappedArray(Float64Array, n);
    this.date = mappedArray(Int32Array, n);
    this.time = mappedArray(Int32Array, n);
    this.amount = mappedArray(Float64Array, n);
  }

  /** Dictionary code of field i (-1 when missing), adding it when new. */
  private dictCode(dict: TextDictionary, text: string, spans: FieldSpans, i: number): number {
    const start = spans.start[i];
    const end = spans.end[i];
    if (isMissing(text, start, end)) return -1;
    if (spans.escaped[i] === 1) return dict.code(fieldText(text, spans, i));
    const code = dict.find(text, start, end);
    return code >= 0 ? code : dict.add(detach(text.slice(start, end)));
  }

  private malformedField(text: string, spans: FieldSpans, line: number, column: SourceColumn, i: number, expected: string): void {
    this.malformed(line, column, fieldText(text, spans, i), expected);
  }

  private malformed(line: number, column: SourceColumn | '(row)', value: string, expected: string): void {
    const shown = value.length > MAX_VALUE_CHARS ? value.slice(0, MAX_VALUE_CHARS) + '…' : detach(value);
    const m: MalformedRow = { file: this.file, line, column, value: shown, expected };
    if (this.strict) throw new MalformedRowStop(m);
    this.malformedCount++;
    if (this.examples.length < this.maxExamples) this.examples.push(m);
  }
}
