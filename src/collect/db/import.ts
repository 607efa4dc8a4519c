/**
 * Loads the transactions into a typed PostgreSQL table, all or nothing: the rows are streamed with one
 * COPY … FROM STDIN (text format) into a staging table inside one transaction, the row count is checked, and only
 * then does the staging table replace the old one (drop + rename in the same transaction). Re-running with the same
 * file gives the same table, never duplicates; any failure leaves the database as it was.
 */
import type { Client } from 'pg';
import { DEFAULT_TABLE } from '../../config';
import { InputError } from '../../errors';
import { readTransactions } from '../read';
import { yearOfDay } from '../../preprocess/clean';
import { Progress, progress } from '../../io/progress';
import { isoDate, TransactionTable } from '../../table';
import { COPY_NULL, copyIn, CopyTextChunk, EncodedValues, encodeValues, MAX_BYTES_PER_CHAR, MAX_NUMBER_BYTES } from './copy_in';
import { isConnectionLost, parseTableName, redactUrl, sqlName, sqlTable, TableName, withConnection } from './connection';
import { createTableSql, ImportRecord, parseImportRecord, resolvedDobDay, TABLE_COLUMNS } from './schema';
import { count } from '../../format';

export interface ImportOptions {
  /** Stop at the first malformed row of the file (nothing is loaded) instead of skipping and counting it. */
  readonly strict?: boolean;
}

export interface ImportResult {
  /** The table as named by the caller. */
  readonly table: string;
  /** Rows now in the table (checked with count(*) before committing). */
  readonly rows: number;
  /** Rows of the file skipped as malformed (recorded in the table comment). */
  readonly malformed: number;
}

export const STAGING_SUFFIX = '__bankseg_loading';

/**
 * Reads `file` with the standard reader (same parsing and validation as every other command) and loads it into
 * `table` at `url`, replacing a table an earlier import made. The connection is opened first, so a wrong URL or
 * password fails before the file is read. Throws an InputError (one line) for an unreadable file, an unreachable
 * server, missing privileges, or a `table` that exists but was not made by this loader.
 * Cost: O(rows) time; memory is the columnar table plus one chunk of COPY text (1 MB).
 */
export async function importTransactionsFile(url: string, file: string, table = DEFAULT_TABLE, opts: ImportOptions = {}): Promise<ImportResult> {
  const name = parseTableName(table);
  const where = `${redactUrl(url)}: importing into ${name.text}`;
  return withConnection(url, where, async (client) => {
    const data = await readTransactions(file, { strict: opts.strict });
    return load(client, data, name, where);
  });
}

/** Loads an already-read TransactionTable into `table` at `url` (see importTransactionsFile). O(rows). */
export async function importTransactions(url: string, data: TransactionTable, table = DEFAULT_TABLE): Promise<ImportResult> {
  const name = parseTableName(table);
  const where = `${redactUrl(url)}: importing into ${name.text}`;
  return withConnection(url, where, (client) => load(client, data, name, where));
}

/**
 * The load itself, in one transaction on `client` (see replaceTable). A connection lost before COMMIT leaves the old
 * table as it was (the server rolls the transaction back); one lost during COMMIT may or may not have been
 * applied, and the message says so.
 */
async function load(client: Client, data: TransactionTable, name: TableName, where: string): Promise<ImportResult> {
  let committing = false;
  await client.query('BEGIN');
  try {
    const rows = await replaceTable(client, data, name, { record: { source: data.source, malformed: data.malformed } });
    committing = true;
    await client.query('COMMIT');
    return { table: name.text, rows, malformed: data.malformed.count };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (!isConnectionLost(err)) throw err;
    throw new InputError(
      committing
        ? `${where}: connection to the database lost while committing; the import may or may not have replaced ${name.text} (check it with bankseg profile --url)`
        : `${where}: connection to the database lost during import; the old table is unchanged`,
    );
  }
}

export interface ReplaceOptions {
  /** Load only these rows of `data` (increasing indices; row_index stays their index in `data`). Default: all. */
  readonly rows?: Int32Array;
  /** What the table comment records (see ImportRecord). */
  readonly record: Omit<ImportRecord, 'bankseg' | 'importedAt' | 'rows'>;
}

/**
 * Inside the caller's open transaction on `client`: a staging table, COPY of the rows, a row count check, then
 * the staging table replaces `name` (drop + rename), gets its primary key, the import record as its comment, and
 * statistics. Nothing is visible to others until the caller commits; a rollback leaves everything as it was.
 * Refuses to replace a table an import did not make. Returns the rows loaded. O(rows).
 */
export async function replaceTable(client: Client, data: TransactionTable, name: TableName, opts: ReplaceOptions): Promise<number> {
  const where = `importing into ${name.text}`;
  // Two imports into the same table wait for each other instead of colliding on the staging table.
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`bankseg-import:${sqlTable(name)}`]);
  await checkReplaceable(client, name, where);
  await client.query(createTableSql(name, STAGING_SUFFIX));
  await copyRows(client, sqlTable(name, STAGING_SUFFIX), data, name.text, opts.rows);
  const expected = opts.rows?.length ?? data.rows;
  const counted = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${sqlTable(name, STAGING_SUFFIX)}`);
  const rows = Number(counted.rows[0].n);
  if (rows !== expected) throw new InputError(`${where}: row count check failed: ${rows} rows in the table, ${expected} read from ${data.source}`);

  await client.query(`DROP TABLE IF EXISTS ${sqlTable(name)}`);
  await client.query(`ALTER TABLE ${sqlTable(name, STAGING_SUFFIX)} RENAME TO ${sqlName(name)}`);
  await client.query(`ALTER TABLE ${sqlTable(name)} ADD CONSTRAINT ${sqlName(name, '_pkey')} PRIMARY KEY (row_index)`);
  await commentRecord(client, name, { ...opts.record, rows });
  await client.query(`ANALYZE ${sqlTable(name)}`);
  return rows;
}

/** Writes the import record of `name` as its comment. */
export async function commentRecord(client: Client, name: TableName, record: Omit<ImportRecord, 'bankseg' | 'importedAt'>): Promise<void> {
  const full: ImportRecord = { bankseg: 'transactions-import', importedAt: new Date().toISOString(), ...record };
  await client.query(`COMMENT ON TABLE ${sqlTable(name)} IS ${client.escapeLiteral(JSON.stringify(full))}`);
}

/**
 * Refuses to replace anything but a table an earlier import made (its comment holds the import record): a plain
 * table, or the partitioned table of a sharded import.
 */
export async function checkReplaceable(client: Client, name: TableName, where: string): Promise<void> {
  const r = await client.query<{ kind: string | null; comment: string | null }>(
    `SELECT c.relkind AS kind, obj_description(c.oid, 'pg_class') AS comment
       FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [sqlTable(name)],
  );
  if (r.rows.length === 0) return;
  const { kind, comment } = r.rows[0];
  if ((kind !== 'r' && kind !== 'p') || parseImportRecord(comment) === undefined) {
    throw new InputError(`${where}: ${name.text} already exists and was not made by bankseg db-import; not replacing it (choose another --table)`);
  }
}

/** Bytes per chunk sent to COPY: large enough to amortise the socket writes, small enough to keep memory flat. */
const CHUNK_BYTES = 1 << 20;

/** A bound on a row's bytes besides its text fields: 5 numbers, 2 dates, 10 tabs, the newline. */
const ROW_FIXED_BYTES = 5 * MAX_NUMBER_BYTES + 2 * 16 + 11;

/** `YYYY-MM-DD` (or `\N`) for a day number or null, each distinct day formatted once. */
function dateTexts(): (day: number | null) => string {
  const cache = new Map<number, string>();
  return (day) => {
    if (day === null) return COPY_NULL;
    let text = cache.get(day);
    if (text === undefined) cache.set(day, (text = isoDate(day)));
    return text;
  };
}

/**
 * The rows of `data` as COPY text-format chunks of about CHUNK_BYTES, columns in TABLE_COLUMNS order (the COPY
 * statement names them in that order). Lazy: one chunk exists at a time. Dictionary values are encoded once, dates
 * formatted once per distinct day, and everything is written as bytes. Reports progress on `shown`. O(rows).
 */
function* copyChunks(data: TransactionTable, shown: Progress, rows?: Int32Array): Generator<Buffer> {
  const dobDay = dobDayByCode(data);
  const columns = [data.customerId, data.customerDob, data.custGender, data.custLocation];
  const [customer, dob, gender, location] = columns.map((c) => encodeValues(c.values));
  const [customerCodes, dobCodes, genderCodes, locationCodes] = columns.map((c) => c.codes);
  const date = dateTexts();
  const { transactionId, custAccountBalance, transactionDate, transactionTime, transactionAmount } = data;
  const out = new CopyTextChunk(CHUNK_BYTES);
  const field = (values: EncodedValues, code: number): void => (code < 0 ? out.null() : out.encoded(values, code));
  const size = (values: EncodedValues, code: number): number => (code < 0 ? 2 : values.offsets[code + 1] - values.offsets[code]);
  const count = rows?.length ?? data.rows;
  for (let j = 0; j < count; j++) {
    const i = rows === undefined ? j : rows[j];
    const bound =
      ROW_FIXED_BYTES + MAX_BYTES_PER_CHAR * transactionId[i].length + size(customer, customerCodes[i]) + size(dob, dobCodes[i]) +
      size(gender, genderCodes[i]) + size(location, locationCodes[i]);
    if (!out.fits(bound)) {
      shown.update(j, count);
      yield out.take(bound);
    }
    out.int(i);
    out.tab();
    out.text(transactionId[i]);
    out.tab();
    field(customer, customerCodes[i]);
    out.tab();
    field(dob, dobCodes[i]);
    out.tab();
    out.ascii(date(dobDay(i)));
    out.tab();
    field(gender, genderCodes[i]);
    out.tab();
    field(location, locationCodes[i]);
    out.tab();
    out.number(custAccountBalance[i]);
    out.tab();
    out.ascii(date(transactionDate[i]));
    out.tab();
    out.int(transactionTime[i]);
    out.tab();
    out.number(transactionAmount[i]);
    out.endRow();
  }
  if (out.length > 0) yield out.take();
}

/** Streams the rows of `data` (all, or those in `rows`) into `target` with one COPY … FROM STDIN. O(rows). */
async function copyRows(client: Client, target: string, data: TransactionTable, label: string, rows?: Int32Array): Promise<void> {
  const columns = TABLE_COLUMNS.map((c) => c.name).join(', ');
  const shown = progress(`loading into ${label}`);
  const copied = await copyIn(client, `COPY ${target} (${columns}) FROM STDIN`, copyChunks(data, shown, rows));
  shown.finish(`${count(copied)} rows`);
}

/**
 * Row i's resolved DOB day (see resolvedDobDay), or null when the DOB is missing or has no such day.
 * Each distinct (DOB text, transaction year) pair is resolved once. A DOB the reader let through is always a
 * day-first date; anything else would be a reader bug, so it throws.
 */
function dobDayByCode(data: TransactionTable): (row: number) => number | null {
  const cache = new Map<number, number | null>();
  const { codes, values } = data.customerDob;
  return (i) => {
    const code = codes[i];
    if (code < 0) return null;
    const day = data.transactionDate[i];
    // The century only depends on the transaction year, so (code, year) is the key; years fit in 16 bits.
    const year = yearOfDay(day);
    const key = code * 65_536 + (year & 0xffff);
    let resolved = cache.get(key);
    if (resolved === undefined) {
      const r = resolvedDobDay(values[code], day);
      if (r === undefined) throw new Error(`row ${i}: CustomerDOB ${JSON.stringify(values[code])} is not a date (the reader should have skipped it)`);
      resolved = r;
      cache.set(key, resolved);
    }
    return resolved;
  };
}
