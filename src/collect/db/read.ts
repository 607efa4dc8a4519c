/**
 * Reads the transactions table from PostgreSQL into the same TransactionTable the file reader builds from the
 * file it was loaded from: rows in `row_index` order, dictionaries in first-appearance order, the reading rules of
 * docs/data-model.md section 1 applied to every row (the plausible ranges too, with the file reader's own
 * predicates, so a table filled by other means loses the rows a file would), and the malformed rows the import
 * skipped still reported.
 * Rows are streamed with COPY (SELECT … ORDER BY row_index) TO STDOUT in binary format and decoded as they
 * arrive, never held as one result.
 */
import type { Client } from 'pg';
import { InputError } from '../../errors';
import { formatMalformed, TransactionColumnsBuilder } from '../columns';
import { EXPECTED as FILE_EXPECTED, isPlausibleInr, isTransactionYear, isValidDob, TRANSACTION_YEARS } from '../rows';
import { yearOfDay } from '../../preprocess/clean';
import { progress } from '../../io/progress';
import { isoDate, MalformedRow, SourceColumn, TransactionTable } from '../../table';
import { parseTableName, redactUrl, sqlTable, TableName, withConnection } from './connection';
import { ByteDictionary } from './byte_dictionary';
import { CopyRow, copyOutBinary } from './copy_out';
import { checkTableLayout, ImportRecord, readImportRecord, resolvedDobDay } from './schema';
import { count } from '../../format';

const EXPECTED: Partial<Record<SourceColumn | '(row)', string>> = {
  '(row)': 'a row_index (not null)',
  TransactionID: 'a transaction ID (not empty)',
  CustomerID: 'a customer ID (not empty)',
  TransactionDate: `a date (not null), year ${TRANSACTION_YEARS.min}..${TRANSACTION_YEARS.max}`,
  TransactionTime: FILE_EXPECTED.TransactionTime,
  'TransactionAmount (INR)': `${FILE_EXPECTED.TransactionAmount}, not null`,
  CustAccountBalance: FILE_EXPECTED.CustAccountBalance,
  CustomerDOB: FILE_EXPECTED.CustomerDOB,
};

/**
 * Reads `table` at `url` (a PostgreSQL URL) into a TransactionTable equal to what `readTransactions` returns for
 * the file it was imported from (except `source`). Throws one-line InputErrors for an unreachable server, wrong
 * credentials, a missing table or columns of the wrong type. Runs in one read-only REPEATABLE READ transaction, so
 * a concurrent import is seen entirely or not at all. `strict` throws at the first malformed row (including one
 * the import skipped) instead of counting it. Cost: O(rows) time; memory is the table plus one network chunk.
 */
export async function readTransactionsFromDb(url: string, table: string, opts?: { strict?: boolean }): Promise<TransactionTable> {
  const name = parseTableName(table);
  const source = `${redactUrl(url)} table ${name.text}`;
  return withConnection(url, source, async (client) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const data = await readRows(client, name, source, opts?.strict === true);
      await client.query('COMMIT');
      return data;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

async function readRows(client: Client, name: TableName, source: string, strict: boolean): Promise<TransactionTable> {
  await checkTableLayout(client, name, source);
  const record = await readImportRecord(client, name);
  if (strict && record !== undefined && record.malformed.count > 0) {
    throw new InputError(`${formatMalformed(record.malformed.examples[0])} (skipped when ${name.text} was imported)`);
  }
  const counted = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${sqlTable(name)}`);
  const total = Number(counted.rows[0].n);

  const builder = new DbTableBuilder(source, name.text, total, strict, record);
  const shown = progress(`reading ${name.text}`);
  let received = 0;
  await copyOutBinary(client, selectRowsSql(name), FIELDS, (row) => {
    builder.row(row);
    if (++received % PROGRESS_EVERY === 0) shown.update(received, total);
  });
  shown.finish(`${count(builder.rowCount())} rows`);
  return builder.table();
}

/** Markers in the DOB cache: not resolved yet, and a DOB with no such day in its century (stored as NULL). */
const NO_YEAR = -2_147_483_648;
const NO_DAY = -2_147_483_648;

/** Rows between two progress updates. */
const PROGRESS_EVERY = 1 << 16;

/** Field positions in selectRowsSql's output (with the binary type each arrives as). */
const ROW_INDEX = 0; // int8
const TRANSACTION_ID = 1; // text
const CUSTOMER_ID = 2; // text
const DOB_TEXT = 3; // text
const DOB_DAY = 4; // int4, days since 1970-01-01
const GENDER = 5; // text
const LOCATION = 6; // text
const BALANCE = 7; // float8
const DATE = 8; // int4, days since 1970-01-01
const TIME = 9; // int8
const AMOUNT = 10; // float8
const FIELDS = 11;

/**
 * Every row of `table` in row_index order, each column cast to the one binary type the decoder reads for it
 * (the layout check allows several SQL types per column). `t.row_index` names the table's column, not the cast
 * output column of the same name, so the primary key streams the rows in order instead of a sort that, at a million
 * rows, spilled 100 MB to disk before the first row left.
 */
function selectRowsSql(table: TableName): string {
  return `SELECT row_index::int8, transaction_id::text, customer_id::text, customer_dob::text,
            customer_dob_date - DATE '1970-01-01', cust_gender::text, cust_location::text,
            cust_account_balance::float8, transaction_date - DATE '1970-01-01', transaction_time::int8,
            transaction_amount::float8
       FROM ${sqlTable(table)} t ORDER BY t.row_index`;
}

/** Field `k` is missing as the file reader means it: NULL, empty, or `nan` in any case (checked on the bytes). */
function isMissing(r: CopyRow, k: number): boolean {
  const n = r.length[k];
  if (n <= 0) return true;
  if (n !== 3) return false;
  const b = r.buffer;
  const at = r.start[k];
  // `| 0x20` lower-cases an ASCII letter (and maps no other byte onto `n` or `a`).
  return (b[at] | 0x20) === 110 && (b[at + 1] | 0x20) === 97 && (b[at + 2] | 0x20) === 110;
}

function isValidTime(t: number): boolean {
  return Number.isInteger(t) && t >= 0 && t <= 235959 && Math.floor(t / 100) % 100 < 60 && t % 100 < 60;
}

/** resolvedDobDay for a DOB text the file reader accepts (isValidDob: its form and year range); undefined otherwise. */
function validDobDay(text: string, transactionDay: number): number | null | undefined {
  return isValidDob(text) ? resolvedDobDay(text, transactionDay) : undefined;
}

/** Validates each received row like the file reader does and stores the valid ones in typed columns. */
class DbTableBuilder {
  private readonly columns: TransactionColumnsBuilder;
  private readonly customers = new ByteDictionary();
  private readonly dobs = new ByteDictionary();
  private readonly genders = new ByteDictionary();
  private readonly locations = new ByteDictionary();
  /** Per DOB code: the transaction year it was last resolved for (NO_YEAR: never) and the day (NO_DAY: none). */
  private dobYear = new Int32Array(0);
  private dobDay = new Int32Array(0);

  constructor(
    private readonly source: string,
    private readonly tableText: string,
    capacity: number,
    private readonly strict: boolean,
    record: ImportRecord | undefined,
  ) {
    this.columns = new TransactionColumnsBuilder(capacity);
    // Rows the import skipped were never loaded; they are still part of what this table's data lost.
    if (record !== undefined) this.columns.addSkipped(record.malformed);
  }

  rowCount(): number {
    return this.columns.rows;
  }

  /**
   * Checks one received row with the reading rules; keeps it, or counts it as malformed. Dictionary columns are
   * looked up on their bytes, so a value seen before costs no string (only the transaction id is decoded per row).
   */
  row(r: CopyRow): void {
    const at = r.int8(ROW_INDEX);
    if (at === null) return this.malformed(0, '(row)', '');
    if (isMissing(r, TRANSACTION_ID)) return this.malformed(at, 'TransactionID', r.text(TRANSACTION_ID) ?? '');
    if (isMissing(r, CUSTOMER_ID)) return this.malformed(at, 'CustomerID', r.text(CUSTOMER_ID) ?? '');
    const date = r.int4(DATE);
    if (date === null || !isTransactionYear(yearOfDay(date))) return this.malformed(at, 'TransactionDate', date === null ? '' : isoDate(date));
    const time = r.int8(TIME);
    if (time === null || !isValidTime(time)) return this.malformed(at, 'TransactionTime', time === null ? '' : String(time));
    const amount = r.float8(AMOUNT);
    if (amount === null || !isPlausibleInr(amount)) return this.malformed(at, 'TransactionAmount (INR)', String(amount ?? ''));
    // A NaN balance is missing, as `NaN` text is in a file; any other value must be plausible.
    const stored = r.float8(BALANCE);
    const balance = stored === null || Number.isNaN(stored) ? NaN : stored;
    if (balance === balance && !isPlausibleInr(balance)) return this.malformed(at, 'CustAccountBalance', String(balance));

    const b = r.buffer;
    const dobDay = r.int4(DOB_DAY);
    const dobMissing = isMissing(r, DOB_TEXT);
    let dobCode = -1;
    if (!dobMissing) {
      dobCode = this.dobs.find(b, r.start[DOB_TEXT], r.start[DOB_TEXT] + r.length[DOB_TEXT]);
      // A DOB already in the dictionary is a date; a new one is parsed (once it is kept, it gets a code).
      const resolved = dobCode >= 0 ? this.resolveDob(dobCode, date) : validDobDay(r.text(DOB_TEXT) as string, date);
      if (resolved === undefined) return this.malformed(at, 'CustomerDOB', r.text(DOB_TEXT) as string);
      if (resolved !== dobDay) {
        const stored = dobDay === null ? 'NULL' : isoDate(dobDay);
        const want = resolved === null ? 'NULL (no such day)' : isoDate(resolved);
        return this.malformed(at, 'CustomerDOB', `${r.text(DOB_TEXT)} with customer_dob_date ${stored}`, `customer_dob_date ${want} (the century rule)`);
      }
    } else if (dobDay !== null) {
      return this.malformed(at, 'CustomerDOB', `(missing) with customer_dob_date ${isoDate(dobDay)}`, 'customer_dob_date NULL when customer_dob is missing');
    }

    this.columns.push(
      r.text(TRANSACTION_ID) as string,
      this.customers.code(b, r.start[CUSTOMER_ID], r.start[CUSTOMER_ID] + r.length[CUSTOMER_ID]),
      dobMissing ? -1 : dobCode >= 0 ? dobCode : this.dobs.add(b, r.start[DOB_TEXT], r.start[DOB_TEXT] + r.length[DOB_TEXT]),
      isMissing(r, GENDER) ? -1 : this.genders.code(b, r.start[GENDER], r.start[GENDER] + r.length[GENDER]),
      isMissing(r, LOCATION) ? -1 : this.locations.code(b, r.start[LOCATION], r.start[LOCATION] + r.length[LOCATION]),
      balance,
      date,
      time,
      amount,
    );
  }

  table(): TransactionTable {
    const { columns } = this;
    if (columns.rows === 0) {
      const example = columns.firstMalformed;
      const first = example !== undefined ? `; first malformed: ${formatMalformed(example)}` : '';
      throw new InputError(`${this.source}: no valid rows (${columns.malformed} malformed${first})`);
    }
    return columns.table(this.source, {
      customerId: this.customers.values,
      customerDob: this.dobs.values,
      custGender: this.genders.values,
      custLocation: this.locations.values,
    });
  }

  /**
   * The resolved day of DOB `code` (a date already kept) for a transaction on `day`. The century rule only depends
   * on the transaction year, so each code remembers the last year it was resolved for: typed arrays, no hashing.
   */
  private resolveDob(code: number, day: number): number | null {
    const year = yearOfDay(day);
    if (code >= this.dobYear.length) this.growDobCache(code + 1);
    if (this.dobYear[code] !== year) {
      const resolved = resolvedDobDay(this.dobs.values[code], day) as number | null;
      this.dobYear[code] = year;
      this.dobDay[code] = resolved === null ? NO_DAY : resolved;
    }
    return this.dobDay[code] === NO_DAY ? null : this.dobDay[code];
  }

  private growDobCache(size: number): void {
    const year = new Int32Array(Math.max(size, 2 * this.dobYear.length)).fill(NO_YEAR);
    const day = new Int32Array(year.length);
    year.set(this.dobYear);
    day.set(this.dobDay);
    this.dobYear = year;
    this.dobDay = day;
  }

  /** For a database row, `line` is its row_index (there is no file line). */
  private malformed(rowIndex: number, column: SourceColumn | '(row)', value: string, expected = EXPECTED[column] ?? ''): void {
    const m: MalformedRow = { file: this.tableText, line: rowIndex, column, value, expected };
    if (this.strict) throw new InputError(`${formatMalformed(m)} (line = row_index)`);
    this.columns.addMalformed(m);
  }
}
