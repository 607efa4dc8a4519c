/**
 * Reads the transactions table from PostgreSQL into the same TransactionTable the file reader builds from the
 * file it was loaded from: rows in `row_index` order, dictionaries in first-appearance order, the reading rules of
 * docs/data-model.md section 1 applied to every row, and the malformed rows the import skipped still reported.
 * Rows are streamed with COPY (SELECT … ORDER BY row_index) TO STDOUT in binary format and decoded as they
 * arrive, never held as one result.
 */
import type { Client } from 'pg';
import { InputError } from '../cli/command';
import { formatMalformed, MALFORMED_EXAMPLES } from '../collect/read';
import { yearOfDay } from '../clean';
import { progress } from '../progress';
import { isoDate, MalformedRow, SourceColumn, TransactionTable } from '../table';
import { parseTableName, redactUrl, sqlTable, TableName, withConnection } from './connection';
import { CopyRow, copyOutBinary } from './copy_out';
import { checkTableLayout, ImportRecord, readImportRecord, resolvedDobDay } from './schema';

const EXPECTED: Partial<Record<SourceColumn | '(row)', string>> = {
  '(row)': 'a row_index (not null)',
  TransactionID: 'a transaction ID (not empty)',
  CustomerID: 'a customer ID (not empty)',
  TransactionDate: 'a date (not null)',
  TransactionTime: 'a time HHMMSS (0..235959, minutes and seconds < 60)',
  'TransactionAmount (INR)': 'a number (not null or NaN)',
  CustomerDOB: 'a day-first date (d/m/yy, d/m/yyyy, dd-mm-yyyy or yyyy-mm-dd) or empty',
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
  shown.finish(`${builder.rowCount().toLocaleString('en-US')} rows`);
  return builder.table();
}

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
 * (the layout check allows several SQL types per column).
 */
function selectRowsSql(table: TableName): string {
  return `SELECT row_index::int8, transaction_id::text, customer_id::text, customer_dob::text,
            customer_dob_date - DATE '1970-01-01', cust_gender::text, cust_location::text,
            cust_account_balance::float8, transaction_date - DATE '1970-01-01', transaction_time::int8,
            transaction_amount::float8
       FROM ${sqlTable(table)} ORDER BY row_index`;
}

/** Missing as the file reader means it: NULL, empty or `nan` in any case. */
function isMissing(text: string | null): text is null {
  return text === null || text.length === 0 || (text.length === 3 && text.toLowerCase() === 'nan');
}

function isValidTime(t: number): boolean {
  return Number.isInteger(t) && t >= 0 && t <= 235959 && Math.floor(t / 100) % 100 < 60 && t % 100 < 60;
}

/** A growing dictionary column: text → code, in order of first appearance. */
class Dictionary {
  private readonly codeOf = new Map<string, number>();
  readonly values: string[] = [];

  code(value: string | null): number {
    if (isMissing(value)) return -1;
    let code = this.codeOf.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.codeOf.set(value, code);
    }
    return code;
  }
}

/** Validates each received row like the file reader does and stores the valid ones in typed columns. */
class DbTableBuilder {
  private rows = 0;
  private readonly transactionId: string[] = [];
  private readonly customer: Int32Array;
  private readonly dob: Int32Array;
  private readonly gender: Int32Array;
  private readonly location: Int32Array;
  private readonly balance: Float64Array;
  private readonly date: Int32Array;
  private readonly time: Int32Array;
  private readonly amount: Float64Array;
  private readonly customers = new Dictionary();
  private readonly dobs = new Dictionary();
  private readonly genders = new Dictionary();
  private readonly locations = new Dictionary();
  /** Resolved DOB day per (transaction year, DOB text): the century rule only depends on the year. */
  private readonly dobByYear = new Map<number, Map<string, number | null | undefined>>();
  private malformedCount: number;
  private readonly examples: MalformedRow[];

  constructor(
    private readonly source: string,
    private readonly tableText: string,
    capacity: number,
    private readonly strict: boolean,
    record: ImportRecord | undefined,
  ) {
    this.customer = new Int32Array(capacity);
    this.dob = new Int32Array(capacity);
    this.gender = new Int32Array(capacity);
    this.location = new Int32Array(capacity);
    this.balance = new Float64Array(capacity);
    this.date = new Int32Array(capacity);
    this.time = new Int32Array(capacity);
    this.amount = new Float64Array(capacity);
    // Rows the import skipped were never loaded; they are still part of what this table's data lost.
    this.malformedCount = record?.malformed.count ?? 0;
    this.examples = [...(record?.malformed.examples ?? [])];
  }

  rowCount(): number {
    return this.rows;
  }

  /** Checks one received row with the reading rules; keeps it, or counts it as malformed. */
  row(r: CopyRow): void {
    const at = r.int8(ROW_INDEX);
    if (at === null) return this.malformed(0, '(row)', '');
    const transactionId = r.text(TRANSACTION_ID);
    if (isMissing(transactionId)) return this.malformed(at, 'TransactionID', transactionId ?? '');
    const customerId = r.text(CUSTOMER_ID);
    if (isMissing(customerId)) return this.malformed(at, 'CustomerID', customerId ?? '');
    const date = r.int4(DATE);
    if (date === null) return this.malformed(at, 'TransactionDate', '');
    const time = r.int8(TIME);
    if (time === null || !isValidTime(time)) return this.malformed(at, 'TransactionTime', time === null ? '' : String(time));
    const amount = r.float8(AMOUNT);
    if (amount === null || Number.isNaN(amount)) return this.malformed(at, 'TransactionAmount (INR)', String(amount ?? ''));

    const dobText = r.text(DOB_TEXT);
    const dobDay = r.int4(DOB_DAY);
    const dobMissing = isMissing(dobText);
    if (!dobMissing) {
      const resolved = this.resolveDob(dobText as string, date);
      if (resolved === undefined) return this.malformed(at, 'CustomerDOB', dobText as string);
      if (resolved !== dobDay) {
        const stored = dobDay === null ? 'NULL' : isoDate(dobDay);
        const want = resolved === null ? 'NULL (no such day)' : isoDate(resolved);
        return this.malformed(at, 'CustomerDOB', `${dobText} with customer_dob_date ${stored}`, `customer_dob_date ${want} (the century rule)`);
      }
    } else if (dobDay !== null) {
      return this.malformed(at, 'CustomerDOB', `(missing) with customer_dob_date ${isoDate(dobDay)}`, 'customer_dob_date NULL when customer_dob is missing');
    }
    const balance = r.float8(BALANCE);

    const i = this.rows++;
    this.transactionId.push(transactionId);
    this.customer[i] = this.customers.code(customerId);
    this.dob[i] = this.dobs.code(dobMissing ? null : dobText);
    this.gender[i] = this.genders.code(r.text(GENDER));
    this.location[i] = this.locations.code(r.text(LOCATION));
    this.balance[i] = balance === null ? NaN : balance;
    this.date[i] = date;
    this.time[i] = time;
    this.amount[i] = amount;
  }

  table(): TransactionTable {
    const n = this.rows;
    if (n === 0) {
      const first = this.examples.length > 0 ? `; first malformed: ${formatMalformed(this.examples[0])}` : '';
      throw new InputError(`${this.source}: no valid rows (${this.malformedCount} malformed${first})`);
    }
    return {
      source: this.source,
      rows: n,
      transactionId: this.transactionId,
      customerId: { codes: this.customer.slice(0, n), values: this.customers.values },
      customerDob: { codes: this.dob.slice(0, n), values: this.dobs.values },
      custGender: { codes: this.gender.slice(0, n), values: this.genders.values },
      custLocation: { codes: this.location.slice(0, n), values: this.locations.values },
      custAccountBalance: this.balance.slice(0, n),
      transactionDate: this.date.slice(0, n),
      transactionTime: this.time.slice(0, n),
      transactionAmount: this.amount.slice(0, n),
      malformed: { count: this.malformedCount, examples: this.examples },
    };
  }

  private resolveDob(text: string, day: number): number | null | undefined {
    const year = yearOfDay(day);
    let byText = this.dobByYear.get(year);
    if (byText === undefined) this.dobByYear.set(year, (byText = new Map()));
    if (byText.has(text)) return byText.get(text);
    const resolved = resolvedDobDay(text, day);
    byText.set(text, resolved);
    return resolved;
  }

  /** For a database row, `line` is its row_index (there is no file line). */
  private malformed(rowIndex: number, column: SourceColumn | '(row)', value: string, expected = EXPECTED[column] ?? ''): void {
    const m: MalformedRow = { file: this.tableText, line: rowIndex, column, value, expected };
    if (this.strict) throw new InputError(`${formatMalformed(m)} (line = row_index)`);
    this.malformedCount++;
    if (this.examples.length < MALFORMED_EXAMPLES) this.examples.push(m);
  }
}
