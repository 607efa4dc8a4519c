/**
 * Assigning every customer of a table to a saved model's segments inside PostgreSQL (`bankseg assign --in-database`,
 * docs/database.md "Fit on a sample, score in the database"): the per-customer aggregate and the model's scoring
 * (scoring.ts) run where the rows are, on the shards of a sharded table, and the result goes into a table,
 * `customer_segments` by default, in one transaction. Nothing per customer reaches Node: it receives the counts per
 * segment and per RFM segment.
 *
 * The table (CUSTOMER_SEGMENTS_COLUMNS, primary key `customer`) replaces an earlier one made the same way, never a
 * table bankseg did not make; its comment records the source, the model and the as-of date. It is built under a
 * staging name and swapped in before the commit, so readers see the old table or the new one. On a sharded table it
 * is written on the coordinator: every customer's row passes there once (key, k distances, RFM index).
 */
import type { Client } from 'pg';
import { InputError, UsageError } from '../../errors';
import { RFM_SEGMENTS } from '../../insights/rfm';
import { formatMalformed } from '../columns';
import { isoDate } from '../../table';
import { parseTableName, redactUrl, sqlName, sqlTable, TableName, withConnection } from './connection';
import { tableStorage, TableStorage } from './partitions';
import { WORK_MEM } from './pushdown';
import { KEPT, sourceRowsSql } from './rules_sql';
import { assignmentSql, CUSTOMER_SEGMENTS_COLUMNS, modelCaps, ScoringModel } from './scoring';
import { checkTableLayout, readImportRecord } from './schema';

/** The default table the assignment writes. */
export const CUSTOMER_SEGMENTS_TABLE = 'customer_segments';
const STAGING_SUFFIX = '__bankseg_scoring';
/** What the comment of a table this module made starts with (as JSON: `{"bankseg":"customer-segments", …}`). */
const RECORD_KIND = 'customer-segments';

export interface InDatabaseOptions {
  /** The table to write (name or schema.name); default `customer_segments`. */
  readonly out?: string;
  /** The day recency is measured from (days since 1970-01-01); default the last date of the data; earlier: a UsageError. */
  readonly asOf?: number;
  /** Stop when the table holds rows failing the reading rules, or the import skipped some. */
  readonly strict?: boolean;
  /** What identifies the model (its file and SHA-256, its training), recorded in the table's comment. */
  readonly modelRecord?: Readonly<Record<string, unknown>>;
}

export interface InDatabaseAssignment {
  /** Where the rows are (password hidden), and the table written. */
  readonly source: string;
  readonly table: string;
  readonly storage: TableStorage;
  /** Rows read (passing the reading rules) and kept by cleaning rule 1. */
  readonly rowsRead: number;
  readonly rowsKept: number;
  /** Customers assigned, per segment (index = segment id) and per RFM segment (RFM_SEGMENTS order). */
  readonly customers: number;
  readonly perSegment: readonly number[];
  readonly perRfmSegment: readonly number[];
  /** The data's last transaction day and the day recency counts from (days since 1970-01-01). */
  readonly endDay: number;
  readonly asOf: number;
}

/**
 * Scores every customer of `table` at `url` with `model` and writes `opts.out` (see the module comment). Cleaning as
 * in the push-down, with the model's caps (not this data's quantiles: a customer's segment does not depend on the
 * other customers). Throws one-line InputErrors as the push-down does. Cost on the server: two scans of the table
 * (the end date; the per-customer aggregate with the scoring) and the write of one row per customer.
 */
export async function assignInDatabase(url: string, table: string, model: ScoringModel, opts: InDatabaseOptions = {}): Promise<InDatabaseAssignment> {
  const name = parseTableName(table);
  const out = parseTableName(opts.out ?? CUSTOMER_SEGMENTS_TABLE);
  const source = `${redactUrl(url)} table ${name.text}`;
  return withConnection(url, `${source}: assigning into ${out.text}`, async (client) => {
    // One snapshot for the end date and the scoring; a read-write transaction, since it writes the table.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      await client.query(`SET LOCAL work_mem = '${WORK_MEM}'`);
      await client.query('SET LOCAL enable_partitionwise_aggregate = on');
      await checkTableLayout(client, name, source);
      const storage = await tableStorage(client, name);
      if (storage.leaves.length === 0) throw new InputError(`${source}: a partitioned table without partitions`);
      const rows = await rowsAndEndDay(client, storage);
      await checkStrict(client, name, source, rows, opts.strict === true);
      if (rows.endDay === null) throw new InputError(`${source}: no transaction is left after cleaning: there is no customer to assign`);
      const asOf = opts.asOf ?? rows.endDay;
      if (asOf < rows.endDay) throw new UsageError(`--as-of ${isoDate(asOf)} is before the last transaction date in the data, ${isoDate(rows.endDay)}`);

      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`bankseg-assign:${sqlTable(out)}`]);
      await checkReplaceable(client, out);
      const staging = sqlTable(out, STAGING_SUFFIX);
      await client.query(`DROP TABLE IF EXISTS ${staging}`);
      await client.query(`CREATE TABLE ${staging} (${CUSTOMER_SEGMENTS_COLUMNS.map(([c, type]) => `${c} ${type}`).join(', ')})`);
      const inputs = { ...modelCaps(model), endDay: rows.endDay, asOf };
      await client.query(`INSERT INTO ${staging} (${CUSTOMER_SEGMENTS_COLUMNS.map(([c]) => c).join(', ')})\n${assignmentSql(name, model, inputs)}`);
      const counts = await client.query<{ segment: number; rfm: string; n: number }>(
        `SELECT segment, rfm_segment AS rfm, count(*)::float8 AS n FROM ${staging} GROUP BY 1, 2`,
      );
      await client.query(`DROP TABLE IF EXISTS ${sqlTable(out)}`);
      await client.query(`ALTER TABLE ${staging} RENAME TO ${sqlName(out)}`);
      await client.query(`ALTER TABLE ${sqlTable(out)} ADD PRIMARY KEY (customer)`);
      const record = {
        bankseg: RECORD_KIND,
        assignedAt: new Date().toISOString(),
        source,
        asOf: isoDate(asOf),
        ...(opts.modelRecord ? { model: opts.modelRecord } : {}),
      };
      await client.query(`COMMENT ON TABLE ${sqlTable(out)} IS ${client.escapeLiteral(JSON.stringify(record))}`);
      await client.query('COMMIT');

      const perSegment = new Array<number>(model.k).fill(0);
      const perRfmSegment = new Array<number>(RFM_SEGMENTS.length).fill(0);
      for (const r of counts.rows) {
        perSegment[r.segment] += r.n;
        perRfmSegment[RFM_SEGMENTS.indexOf(r.rfm as (typeof RFM_SEGMENTS)[number])] += r.n;
      }
      return {
        source,
        table: out.text,
        storage,
        rowsRead: rows.read,
        rowsKept: rows.kept,
        customers: perSegment.reduce((a, b) => a + b, 0),
        perSegment,
        perRfmSegment,
        endDay: rows.endDay,
        asOf,
      };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

interface RowCounts {
  /** Rows stored, rows passing the reading rules, rows kept by rule 1; the last kept day (null: none kept). */
  readonly stored: number;
  readonly read: number;
  readonly kept: number;
  readonly endDay: number | null;
}

/** One statement per leaf (each pushed down whole to its shard), combined: what the assignment needs of the whole table. */
async function rowsAndEndDay(client: Client, storage: TableStorage): Promise<RowCounts> {
  const leaf = (t: string) =>
    `SELECT count(*) AS stored, count(*) FILTER (WHERE s.readable) AS read, count(*) FILTER (WHERE s.readable AND ${KEPT}) AS kept,
            max(s.day) FILTER (WHERE s.readable AND ${KEPT}) AS end_day FROM ${sourceRowsSql(t)}`;
  const sql = `SELECT sum(stored)::float8 AS stored, sum(read)::float8 AS read, sum(kept)::float8 AS kept, max(end_day)::int4 AS end_day
                 FROM (${storage.leaves.map((t) => `(${leaf(t)})`).join(' UNION ALL ')}) per_leaf`;
  const r = (await client.query<{ stored: number | null; read: number | null; kept: number | null; end_day: number | null }>(sql)).rows[0];
  return { stored: r.stored ?? 0, read: r.read ?? 0, kept: r.kept ?? 0, endDay: r.end_day };
}

/** With `strict`, the push-down's rule: no row the import skipped, no stored row failing the reading rules. */
async function checkStrict(client: Client, name: TableName, source: string, rows: RowCounts, strict: boolean): Promise<void> {
  if (!strict) return;
  const record = await readImportRecord(client, name);
  const skipped = record?.malformed;
  if (skipped && skipped.count > 0) throw new InputError(`${formatMalformed(skipped.examples[0])} (skipped when ${name.text} was imported)`);
  if (rows.stored > rows.read) throw new InputError(`${source}: ${rows.stored - rows.read} stored row(s) fail the reading rules (read without --in-database to see which)`);
}

/** Refuses to replace a table this module did not make (its comment holds the record), or anything but a table. */
async function checkReplaceable(client: Client, out: TableName): Promise<void> {
  const r = await client.query<{ kind: string; comment: string | null }>(
    `SELECT c.relkind AS kind, obj_description(c.oid, 'pg_class') AS comment FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [sqlTable(out)],
  );
  if (r.rows.length === 0) return;
  let kind: unknown;
  try {
    kind = (JSON.parse(r.rows[0].comment ?? '') as { bankseg?: unknown }).bankseg;
  } catch {
    kind = undefined;
  }
  if (r.rows[0].kind !== 'r' || kind !== RECORD_KIND) {
    throw new InputError(`${out.text} already exists and was not written by bankseg assign --in-database; not replacing it (choose another --out-table)`);
  }
}
