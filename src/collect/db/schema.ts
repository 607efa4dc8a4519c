/**
 * The transactions table in PostgreSQL: its columns and types, the DDL the loader runs, the check that a
 * table has the layout the reader and the SQL push-down expect, and the import record kept in the table's
 * comment. docs/database.md explains the choices.
 */
import type { Client } from 'pg';
import { InputError } from '../../errors';
import { daysInMonth, parseDayFirst } from '../dates';
import { yearOfDay } from '../../preprocess/clean';
import type { MalformedRow } from '../../table';
import { dayNumber } from '../../table';
import { sqlTable, TableName } from './connection';

/** SQL type families a column may have (checked against `pg_type.typname`). */
const INTEGER = ['int2', 'int4', 'int8'];
const TEXT = ['text', 'varchar'];
const NUMBER = ['numeric', 'float8', 'float4', 'int2', 'int4', 'int8'];
const DATE = ['date'];

/** The table's columns: name, the type the loader creates, the types the reader accepts, and the source column. */
export const TABLE_COLUMNS = [
  { name: 'row_index', ddl: 'integer NOT NULL', accepts: INTEGER, source: '(row order)' },
  { name: 'transaction_id', ddl: 'text NOT NULL', accepts: TEXT, source: 'TransactionID' },
  { name: 'customer_id', ddl: 'text NOT NULL', accepts: TEXT, source: 'CustomerID' },
  { name: 'customer_dob', ddl: 'text', accepts: TEXT, source: 'CustomerDOB' },
  { name: 'customer_dob_date', ddl: 'date', accepts: DATE, source: 'CustomerDOB (century resolved)' },
  { name: 'cust_gender', ddl: 'text', accepts: TEXT, source: 'CustGender' },
  { name: 'cust_location', ddl: 'text', accepts: TEXT, source: 'CustLocation' },
  { name: 'cust_account_balance', ddl: 'numeric', accepts: NUMBER, source: 'CustAccountBalance' },
  { name: 'transaction_date', ddl: 'date NOT NULL', accepts: DATE, source: 'TransactionDate' },
  { name: 'transaction_time', ddl: 'integer NOT NULL', accepts: INTEGER, source: 'TransactionTime' },
  { name: 'transaction_amount', ddl: 'numeric NOT NULL', accepts: NUMBER, source: 'TransactionAmount (INR)' },
] as const;

/** The SQL condition for a valid HHMMSS time in column `c` (the reading rule, also a CHECK constraint). */
export function validTimeSql(c: string): string {
  return `(${c} BETWEEN 0 AND 235959 AND ${c} / 100 % 100 < 60 AND ${c} % 100 < 60)`;
}

/** CREATE TABLE for the loader; the reading rules that typed columns can hold are constraints, so no bad row gets in. */
export function createTableSql(table: TableName, suffix: string): string {
  const columns = TABLE_COLUMNS.map((c) => `  ${c.name} ${c.ddl}`);
  const checks = [
    `  CONSTRAINT time_is_hhmmss CHECK ${validTimeSql('transaction_time')}`,
    `  CONSTRAINT ids_present CHECK (transaction_id <> '' AND customer_id <> '')`,
    `  CONSTRAINT dob_date_has_text CHECK (customer_dob_date IS NULL OR customer_dob IS NOT NULL)`,
  ];
  return `CREATE TABLE ${sqlTable(table, suffix)} (\n${[...columns, ...checks].join(',\n')}\n)`;
}

/**
 * Checks that `table` exists and has every column of TABLE_COLUMNS with an accepted type (extra columns are fine);
 * otherwise throws one InputError: `where` (which names the server and the table), then what is wrong. Two catalog queries.
 */
export async function checkTableLayout(client: Client, table: TableName, where: string): Promise<void> {
  const found = await client.query<{ oid: number | null }>('SELECT to_regclass($1)::oid AS oid', [sqlTable(table)]);
  const oid = found.rows[0].oid;
  if (oid === null) throw new InputError(`${where}: no such table (load it with: bankseg db-import)`);
  const cols = await client.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, t.typname AS type
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped`,
    [oid],
  );
  const typeOf = new Map(cols.rows.map((r) => [r.name, r.type]));
  const lacking = TABLE_COLUMNS.filter((c) => !typeOf.has(c.name)).map((c) => c.name);
  if (lacking.length > 0) {
    throw new InputError(`${where}: lacks column(s) ${lacking.join(', ')} (the layout is in docs/database.md)`);
  }
  for (const c of TABLE_COLUMNS) {
    const type = typeOf.get(c.name) as string;
    if (!(c.accepts as readonly string[]).includes(type)) {
      throw new InputError(`${where}: column ${c.name} has type ${type}, expected one of ${c.accepts.join(', ')}`);
    }
  }
}

/**
 * The DOB date the table stores next to the raw text, as a day number: a four-digit year as written (the 1800
 * placeholder included), a two-digit year `yy` by cleaning rule 4 (20yy unless that is after the transaction
 * year, then 19yy). null when that day does not exist in the chosen century (29/2/00 resolved to 1900);
 * undefined when the text is not a day-first date. O(length of text).
 */
export function resolvedDobDay(text: string, transactionDay: number): number | null | undefined {
  const d = parseDayFirst(text);
  if (d === undefined) return undefined;
  if (!d.twoDigitYear) return dayNumber(d.year, d.month, d.day);
  const year = 2000 + d.year > yearOfDay(transactionDay) ? 1900 + d.year : 2000 + d.year;
  return d.day <= daysInMonth(year, d.month) ? dayNumber(year, d.month, d.day) : null;
}

/** What the loader records in the table's comment, so a read from the table can report what the import skipped. */
export interface ImportRecord {
  readonly bankseg: 'transactions-import';
  /** The file the rows came from, as given to db-import. */
  readonly source: string;
  readonly importedAt: string;
  readonly rows: number;
  /** Rows of the file the reader skipped as malformed (never loaded), with examples. */
  readonly malformed: { readonly count: number; readonly examples: readonly MalformedRow[] };
  /** A sharded import (shards.ts): on the coordinator, where each slice is; on a shard, which slice it holds. */
  readonly shards?: readonly ShardRecord[];
  readonly shardOf?: { readonly table: string; readonly index: number; readonly modulus: number };
}

/** One shard of a sharded import, as the coordinator's record lists it. */
export interface ShardRecord {
  /** The foreign server on the coordinator (postgres_fdw). */
  readonly server: string;
  /** The shard's address, password hidden. */
  readonly url: string;
  /** The partition's table on the shard (schema.name). */
  readonly table: string;
  readonly rows: number;
}

/** The import record in `table`'s comment, or undefined for a table bankseg did not load. */
export async function readImportRecord(client: Client, table: TableName): Promise<ImportRecord | undefined> {
  const r = await client.query<{ comment: string | null }>(
    `SELECT obj_description(to_regclass($1)::oid, 'pg_class') AS comment`,
    [sqlTable(table)],
  );
  return parseImportRecord(r.rows[0]?.comment ?? null);
}

/** Parses a table comment written by the loader; undefined for any other comment. */
export function parseImportRecord(comment: string | null): ImportRecord | undefined {
  if (comment === null || !comment.startsWith('{')) return undefined;
  try {
    const record = JSON.parse(comment) as ImportRecord;
    return record.bankseg === 'transactions-import' ? record : undefined;
  } catch {
    return undefined;
  }
}
