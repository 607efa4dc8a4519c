/**
 * Loads the transactions into a typed PostgreSQL table, all or nothing: the rows go into a staging table
 * inside one transaction, the row count is checked, and only then does the staging table replace the old one
 * (drop + rename in the same transaction). Re-running with the same file gives the same table, never duplicates;
 * any failure leaves the database as it was.
 */
import type { Client } from 'pg';
import { InputError } from '../cli/command';
import { readTransactions } from '../collect/read';
import { yearOfDay } from '../clean';
import { progress } from '../progress';
import type { DictColumn, TransactionTable } from '../table';
import { parseTableName, redactUrl, sqlName, sqlTable, TableName, withConnection } from './connection';
import { createTableSql, ImportRecord, parseImportRecord, resolvedDobDay, TABLE_COLUMNS } from './schema';

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

/** Rows sent per INSERT: large enough to amortise the round trip, small enough to keep each message a few MB. */
const BATCH_ROWS = 20_000;
const STAGING_SUFFIX = '__bankseg_loading';
const EPOCH = "DATE '1970-01-01'";

/**
 * Reads `file` with the standard reader (same parsing and validation as every other command) and loads it into
 * `table` at `url`, replacing a table an earlier import made. The connection is opened first, so a wrong URL or
 * password fails before the file is read. Throws an InputError (one line) for an unreadable file, an unreachable
 * server, missing privileges, or a `table` that exists but was not made by this loader.
 * Cost: O(rows) time; memory is the columnar table plus one batch.
 */
export async function importTransactionsFile(url: string, file: string, table = 'transactions', opts: ImportOptions = {}): Promise<ImportResult> {
  const name = parseTableName(table);
  return withConnection(url, `${redactUrl(url)}: importing into ${name.text}`, async (client) => {
    const data = await readTransactions(file, { strict: opts.strict });
    return load(client, data, name);
  });
}

/** Loads an already-read TransactionTable into `table` at `url` (see importTransactionsFile). O(rows). */
export async function importTransactions(url: string, data: TransactionTable, table = 'transactions'): Promise<ImportResult> {
  const name = parseTableName(table);
  return withConnection(url, `${redactUrl(url)}: importing into ${name.text}`, (client) => load(client, data, name));
}

/** The load itself, in one transaction on `client`: staging table, batches, count check, swap, comment. */
async function load(client: Client, data: TransactionTable, name: TableName): Promise<ImportResult> {
  const where = `importing into ${name.text}`;
  await client.query('BEGIN');
  try {
    // Two imports into the same table wait for each other instead of colliding on the staging table.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`bankseg-import:${sqlTable(name)}`]);
    await checkReplaceable(client, name, where);
    await client.query(createTableSql(name, STAGING_SUFFIX));
    await insertRows(client, sqlTable(name, STAGING_SUFFIX), data, name.text);
    const counted = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${sqlTable(name, STAGING_SUFFIX)}`);
    const rows = Number(counted.rows[0].n);
    if (rows !== data.rows) throw new InputError(`${where}: row count check failed: ${rows} rows in the table, ${data.rows} read from ${data.source}`);

    await client.query(`DROP TABLE IF EXISTS ${sqlTable(name)}`);
    await client.query(`ALTER TABLE ${sqlTable(name, STAGING_SUFFIX)} RENAME TO ${sqlName(name)}`);
    await client.query(`ALTER TABLE ${sqlTable(name)} ADD CONSTRAINT ${sqlName(name, '_pkey')} PRIMARY KEY (row_index)`);
    const record: ImportRecord = {
      bankseg: 'transactions-import',
      source: data.source,
      importedAt: new Date().toISOString(),
      rows,
      malformed: data.malformed,
    };
    await client.query(`COMMENT ON TABLE ${sqlTable(name)} IS ${client.escapeLiteral(JSON.stringify(record))}`);
    await client.query(`ANALYZE ${sqlTable(name)}`);
    await client.query('COMMIT');
    return { table: name.text, rows, malformed: data.malformed.count };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Refuses to replace anything but a table an earlier import made (its comment holds the import record). */
async function checkReplaceable(client: Client, name: TableName, where: string): Promise<void> {
  const r = await client.query<{ kind: string | null; comment: string | null }>(
    `SELECT c.relkind AS kind, obj_description(c.oid, 'pg_class') AS comment
       FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [sqlTable(name)],
  );
  if (r.rows.length === 0) return;
  const { kind, comment } = r.rows[0];
  if (kind !== 'r' || parseImportRecord(comment) === undefined) {
    throw new InputError(`${where}: ${name.text} already exists and was not made by bankseg db-import; not replacing it (choose another --table)`);
  }
}

/** Decodes a dictionary column's rows [from, to) to text, null for missing. */
function decode(column: DictColumn, from: number, to: number): (string | null)[] {
  const out: (string | null)[] = new Array(to - from);
  for (let i = from; i < to; i++) {
    const code = column.codes[i];
    out[i - from] = code < 0 ? null : column.values[code];
  }
  return out;
}

/** Numbers as exact decimal text for a `numeric` column (the shortest text that reads back as the same double); NaN → null. */
function numericText(values: Float64Array, from: number, to: number): (string | null)[] {
  const out: (string | null)[] = new Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = values[i] === values[i] ? String(values[i]) : null;
  return out;
}

/**
 * Inserts every row of `data` in batches of BATCH_ROWS, one INSERT … SELECT FROM unnest(arrays) per batch
 * (one array parameter per column, so the statement is the same for every batch). O(rows).
 */
async function insertRows(client: Client, target: string, data: TransactionTable, label: string): Promise<void> {
  const columns = TABLE_COLUMNS.map((c) => c.name).join(', ');
  const sql =
    `INSERT INTO ${target} (${columns}) ` +
    `SELECT r, tid, cid, dob, ${EPOCH} + dobd, g, l, b::numeric, ${EPOCH} + d, t, a::numeric ` +
    'FROM unnest($1::int4[], $2::text[], $3::text[], $4::text[], $5::int4[], $6::text[], $7::text[], $8::text[], $9::int4[], $10::int4[], $11::text[]) ' +
    'AS u(r, tid, cid, dob, dobd, g, l, b, d, t, a)';
  const dobDays = dobDayByCode(data);
  const shown = progress(`loading into ${label}`);
  for (let from = 0; from < data.rows; from += BATCH_ROWS) {
    const to = Math.min(from + BATCH_ROWS, data.rows);
    const rowIndex = new Array<number>(to - from);
    const dobDay = new Array<number | null>(to - from);
    for (let i = from; i < to; i++) {
      rowIndex[i - from] = i;
      dobDay[i - from] = dobDays(i);
    }
    await client.query(sql, [
      rowIndex,
      data.transactionId.slice(from, to),
      decode(data.customerId, from, to),
      decode(data.customerDob, from, to),
      dobDay,
      decode(data.custGender, from, to),
      decode(data.custLocation, from, to),
      numericText(data.custAccountBalance, from, to),
      Array.from(data.transactionDate.subarray(from, to)),
      Array.from(data.transactionTime.subarray(from, to)),
      numericText(data.transactionAmount, from, to),
    ]);
    shown.update(to, data.rows);
  }
  shown.finish(`${data.rows.toLocaleString('en-US')} rows`);
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
