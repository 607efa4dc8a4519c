/**
 * Reads `bank_transactions.csv` (plain or gzip) into a columnar TransactionTable, streaming, in one pass.
 * The reading rules (columns, missing values, malformed rows) are section 1 of docs/data-model.md.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { InputError } from '../errors';
import { progress } from '../io/progress';
import { dayNumber, MalformedRow, SOURCE_COLUMNS, SourceColumn, TransactionTable } from '../table';
import { formatMalformed, TransactionColumnsBuilder } from './columns';
import { CsvSplitter, FieldSpans, fieldText, parseDecimal, RowTooLongError, Utf8Lines } from './csv';
import { parseDayFirst } from './dates';
import { HashSlots } from './hash_slots';

export { formatMalformed, MALFORMED_EXAMPLES } from './columns';

export interface ReadOptions {
  /** Throw an InputError at the first malformed row instead of skipping and counting it. */
  readonly strict?: boolean;
}

const CHUNK_BYTES = 1 << 20;
/** Longest value quoted in a malformed-row message (a runaway quoted field can be megabytes). */
const MAX_VALUE_CHARS = 200;
const GZIP_MAGIC = [0x1f, 0x8b];
const INVALID_DAY = -0x80000000;

const EXPECTED = {
  row: 'fields as in the header',
  TransactionID: 'a transaction ID (not empty)',
  CustomerID: 'a customer ID (not empty)',
  TransactionDate: 'a day-first date (d/m/yy, d/m/yyyy, dd-mm-yyyy or yyyy-mm-dd)',
  TransactionTime: 'a time HHMMSS (0..235959, minutes and seconds < 60)',
  TransactionAmount: 'a number',
  CustAccountBalance: 'a number or empty',
  CustomerDOB: 'a day-first date (d/m/yy, d/m/yyyy, dd-mm-yyyy or yyyy-mm-dd) or empty',
} as const;

/**
 * Reads the transactions file at `path` into typed columns, in file order. O(file size) time; memory is the
 * table itself plus one chunk (the file is never held as one string). Text columns are dictionary-encoded,
 * each distinct date text is parsed once. Malformed rows are skipped and counted (or, with `strict`, the
 * first one throws). Throws InputError (one line) for a missing, empty or headerless file.
 */
export async function readTransactions(path: string, opts: ReadOptions = {}): Promise<TransactionTable> {
  const size = await checkFile(path);
  const gzip = await startsWith(path, GZIP_MAGIC);
  const file = fs.createReadStream(path, { highWaterMark: CHUNK_BYTES });
  const stream = gzip ? file.pipe(zlib.createGunzip({ chunkSize: CHUNK_BYTES / 4 })) : file;
  if (gzip) file.on('error', (err) => stream.destroy(err));

  const builder = new TableBuilder(path, opts.strict === true, expectedRows(size, gzip));
  const splitter = new CsvSplitter((text, spans, line) => builder.row(text, spans, line));
  const lines = new Utf8Lines();
  const shown = progress(`reading ${path}`);
  try {
    for await (const chunk of stream) {
      splitter.push(lines.push(chunk as Buffer));
      shown.update(file.bytesRead, size);
    }
    splitter.push(lines.end());
    splitter.end();
  } catch (err) {
    stream.destroy();
    file.destroy();
    if (err instanceof InputError) throw err;
    if (err instanceof RowTooLongError) throw new InputError(`${path}:${err.line}: ${err.message}`);
    const message = (err as Error).message;
    if (gzip && (err as NodeJS.ErrnoException).code?.startsWith('Z_')) throw new InputError(`${path}: not a valid gzip file (${message})`);
    throw new InputError(`${path}: ${message}`);
  }
  shown.finish(`${builder.rowCount().toLocaleString('en-US')} rows`);
  return builder.table();
}

/**
 * A generous guess of the row count from the file size (rows of the real file take ~70 bytes, ~25 gzipped),
 * so the columns and the customer dictionary are allocated once instead of grown by doubling.
 * Capped, so a huge file does not reserve memory it may never use; beyond the cap the columns grow.
 */
function expectedRows(bytes: number, gzip: boolean): number {
  return Math.min(Math.ceil(bytes / (gzip ? 20 : 56)), 1 << 22);
}

/** Size of the file at `path`, or an InputError saying why it cannot be read. */
async function checkFile(path: string): Promise<number> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file`);
    if (code === 'EACCES') throw new InputError(`${path}: permission denied`);
    throw new InputError(`${path}: ${(err as Error).message}`);
  }
  if (stat.isDirectory()) throw new InputError(`${path}: is a directory, not a file`);
  if (stat.size === 0) throw new InputError(`${path}: file is empty`);
  return stat.size;
}

/** True when the file begins with the given bytes (used for the gzip magic number). */
async function startsWith(path: string, magic: readonly number[]): Promise<boolean> {
  const handle = await fs.promises.open(path, 'r');
  try {
    const head = Buffer.alloc(magic.length);
    const { bytesRead } = await handle.read(head, 0, magic.length, 0);
    return bytesRead === magic.length && magic.every((b, i) => head[i] === b);
  } finally {
    await handle.close();
  }
}

/**
 * A copy of `s` that does not keep the chunk it was sliced from alive. V8 represents a slice of 13 or more
 * characters as a view into its parent string, so a location kept from every chunk would pin the whole file
 * in memory; concatenating and slicing again makes the view point into a string of just this value.
 */
function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
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

/** Day number of a transaction date text, or INVALID_DAY. A two-digit year yy is 20yy. */
function transactionDay(text: string): number {
  const d = parseDayFirst(text);
  if (d === undefined) return INVALID_DAY;
  return dayNumber(d.twoDigitYear ? 2000 + d.year : d.year, d.month, d.day);
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

/**
 * A growing dictionary column: text → code in order of first appearance. An open-addressing hash table over
 * the characters of the field in the chunk, so a value already seen is found without slicing a string.
 * O(length) per lookup; far cheaper than a Map<string, number> at a million distinct customer IDs.
 */
class DictBuilder {
  readonly values: string[] = [];
  private readonly index: HashSlots;
  /** Hash of the text last passed to `find`, reused by `add`. */
  private lastHash = 0;
  /** The character, when the text last passed to `find` was one ASCII character; else -1. */
  private lastSingle = -1;
  /** Code of each one-character ASCII value, -1 if absent. */
  private readonly single = new Int32Array(128).fill(-1);

  /** `expected`: how many distinct values to make room for up front (it grows beyond as needed). */
  constructor(expected = 16) {
    this.index = new HashSlots(expected);
  }

  /** Code of text[start, end), or -1 if not in the dictionary yet. */
  find(text: string, start: number, end: number): number {
    if (end - start === 1) {
      // One ASCII character (CustGender `M`/`F`): a direct table, no hashing.
      const c = text.charCodeAt(start);
      if (c < 128) {
        this.lastSingle = c;
        return this.single[c];
      }
    }
    this.lastSingle = -1;
    let h = 0x811c9dc5; // FNV-1a
    for (let p = start; p < end; p++) h = Math.imul(h ^ text.charCodeAt(p), 0x01000193);
    this.lastHash = h;
    const n = end - start;
    const { slots: table, mask } = this.index;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const entry = table[2 * slot];
      if (entry === 0) return -1;
      if (table[2 * slot + 1] !== h) continue;
      const value = this.values[entry - 1];
      if (value.length !== n) continue;
      let k = 0;
      while (k < n && value.charCodeAt(k) === text.charCodeAt(start + k)) k++;
      if (k === n) return entry - 1;
    }
  }

  /** Adds `value`, which the last `find` (called with exactly this text) did not find; returns its code. */
  add(value: string): number {
    const code = this.values.length;
    this.values.push(value);
    if (this.lastSingle >= 0) {
      this.single[this.lastSingle] = code;
      return code;
    }
    this.index.insert(code, this.lastHash);
    return code;
  }

  /** Code of a whole string (finding or adding it). */
  code(value: string): number {
    const code = this.find(value, 0, value.length);
    return code >= 0 ? code : this.add(value);
  }
}

/** Validates each row before anything of it is stored, and pushes the valid ones into growing typed columns. */
class TableBuilder {
  private haveHeader = false;
  private fieldCount = 0;
  private iId = 0;
  private iCustomer = 0;
  private iDob = 0;
  private iGender = 0;
  private iLocation = 0;
  private iBalance = 0;
  private iDate = 0;
  private iTime = 0;
  private iAmount = 0;

  private readonly columns: TransactionColumnsBuilder;
  private readonly customers: DictBuilder;
  private readonly dobs = new DictBuilder();
  private readonly genders = new DictBuilder();
  private readonly locations = new DictBuilder();
  private readonly dayOfKey = new Map<number, number>();
  private lastDateKey = -1;
  private lastDay = INVALID_DAY;

  constructor(
    private readonly file: string,
    private readonly strict: boolean,
    expectedRows: number,
  ) {
    const n = Math.max(expectedRows, 1024);
    this.columns = new TransactionColumnsBuilder(n);
    this.customers = new DictBuilder(n); // most customers have a single transaction
  }

  rowCount(): number {
    return this.columns.rows;
  }

  row(text: string, spans: FieldSpans, line: number): void {
    if (!this.haveHeader) {
      this.readHeader(text, spans);
      return;
    }
    if (spans.count !== this.fieldCount || !spans.closed) {
      const value = text.slice(spans.rowStart, spans.rowEnd);
      const found = spans.closed ? `, found ${spans.count}` : ', found an unclosed quote';
      this.malformed(line, '(row)', value, `${this.fieldCount} ${EXPECTED.row}${found}`);
      return;
    }
    const s = spans.start;
    const e = spans.end;

    let i = this.iId;
    if (isMissing(text, s[i], e[i])) return this.malformedField(text, spans, line, 'TransactionID', i, EXPECTED.TransactionID);
    i = this.iCustomer;
    if (isMissing(text, s[i], e[i])) return this.malformedField(text, spans, line, 'CustomerID', i, EXPECTED.CustomerID);

    i = this.iDate;
    const key = dateKey(text, s[i], e[i]);
    let day: number;
    if (key !== -1 && key === this.lastDateKey) {
      day = this.lastDay;
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

    i = this.iTime;
    const time = parseTime(text, s[i], e[i]);
    if (time < 0) return this.malformedField(text, spans, line, 'TransactionTime', i, EXPECTED.TransactionTime);

    i = this.iAmount;
    const amount = parseDecimal(text, s[i], e[i]);
    if (Number.isNaN(amount)) return this.malformedField(text, spans, line, 'TransactionAmount (INR)', i, EXPECTED.TransactionAmount);

    i = this.iBalance;
    let balance = NaN;
    if (!isMissing(text, s[i], e[i])) {
      balance = parseDecimal(text, s[i], e[i]);
      if (Number.isNaN(balance)) return this.malformedField(text, spans, line, 'CustAccountBalance', i, EXPECTED.CustAccountBalance);
    }

    i = this.iDob;
    let dobCode = -1;
    let dobText: string | undefined;
    if (!isMissing(text, s[i], e[i])) {
      // Validated once per distinct text: a text already in the dictionary is known to be valid.
      dobCode = spans.escaped[i] === 1 ? -1 : this.dobs.find(text, s[i], e[i]);
      if (dobCode < 0) {
        dobText = fieldText(text, spans, i);
        if (parseDayFirst(dobText) === undefined) return this.malformed(line, 'CustomerDOB', dobText, EXPECTED.CustomerDOB);
      }
    }

    // The row is valid: store it.
    this.columns.push(
      detach(fieldText(text, spans, this.iId)),
      this.dictCode(this.customers, text, spans, this.iCustomer),
      dobText === undefined ? dobCode : this.dobs.code(detach(dobText)),
      this.dictCode(this.genders, text, spans, this.iGender),
      this.dictCode(this.locations, text, spans, this.iLocation),
      balance,
      day,
      time,
      amount,
    );
  }

  table(): TransactionTable {
    if (!this.haveHeader) throw new InputError(`${this.file}: file is empty`);
    const { columns } = this;
    if (columns.rows === 0) {
      const first = columns.firstMalformed;
      if (first === undefined) throw new InputError(`${this.file}: no data rows (only a header)`);
      throw new InputError(`${this.file}: no valid rows (${columns.malformed} malformed; first: ${formatMalformed(first)})`);
    }
    return columns.table(this.file, {
      customerId: this.customers.values,
      customerDob: this.dobs.values,
      custGender: this.genders.values,
      custLocation: this.locations.values,
    });
  }

  /** Dictionary code of field i (-1 when missing), adding it when new. */
  private dictCode(dict: DictBuilder, text: string, spans: FieldSpans, i: number): number {
    const start = spans.start[i];
    const end = spans.end[i];
    if (isMissing(text, start, end)) return -1;
    if (spans.escaped[i] === 1) return dict.code(fieldText(text, spans, i));
    const code = dict.find(text, start, end);
    return code >= 0 ? code : dict.add(detach(text.slice(start, end)));
  }

  private readHeader(text: string, spans: FieldSpans): void {
    const names: string[] = [];
    for (let i = 0; i < spans.count; i++) names.push(fieldText(text, spans, i));
    const index = SOURCE_COLUMNS.map((c) => names.indexOf(c));
    const lacking = SOURCE_COLUMNS.filter((_, k) => index[k] < 0);
    if (lacking.length > 0) {
      throw new InputError(`${this.file}: header lacks column(s) ${lacking.join(', ')} (expected: ${SOURCE_COLUMNS.join(', ')})`);
    }
    this.haveHeader = true;
    this.fieldCount = spans.count;
    const at = (c: SourceColumn) => index[SOURCE_COLUMNS.indexOf(c)];
    this.iId = at('TransactionID');
    this.iCustomer = at('CustomerID');
    this.iDob = at('CustomerDOB');
    this.iGender = at('CustGender');
    this.iLocation = at('CustLocation');
    this.iBalance = at('CustAccountBalance');
    this.iDate = at('TransactionDate');
    this.iTime = at('TransactionTime');
    this.iAmount = at('TransactionAmount (INR)');
  }

  private malformedField(text: string, spans: FieldSpans, line: number, column: SourceColumn, i: number, expected: string): void {
    this.malformed(line, column, fieldText(text, spans, i), expected);
  }

  private malformed(line: number, column: SourceColumn | '(row)', value: string, expected: string): void {
    const shown = value.length > MAX_VALUE_CHARS ? value.slice(0, MAX_VALUE_CHARS) + '…' : value;
    const m: MalformedRow = { file: this.file, line, column, value: shown, expected };
    if (this.strict) throw new InputError(formatMalformed(m));
    this.columns.addMalformed(m);
  }
}
