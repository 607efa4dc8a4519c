/**
 * The whole-table numbers of the push-down, computed in SQL: the profile of the rows as read, the data-quality
 * report of cleaning (one count per rule of docs/data-model.md section 2, the same counts cleanTransactions
 * reports; rule 10's count of reused CustomerIDs comes with the customers, see reusedIdEntry), and the numbers
 * every customer's features need: the outlier caps (rule 9) and the end date.
 *
 * Three short statements, each a scan of the table that returns a handful of rows:
 *   1. the counts, one column per rule (rules_sql.ts holds each rule's condition);
 *   2. the CustGender values rule 6 changes, with their first row (the report names them);
 *   3. per capped column, its top values: the exact type-7 quantile of n values needs the ascending order
 *      statistics ⌊h⌋ and ⌊h⌋ + 1 (h = (n − 1)·q), which are among the n − ⌊h⌋ largest (0.1% of the rows for the
 *      default q = 0.999). The values above the cap are among them too, so they also give the "capped" counts.
 * On a sharded table each statement runs once per leaf, pushed down whole to its shard, and only the per-leaf
 * results cross to the coordinator (see partitions.ts).
 */
import type { Client } from 'pg';
import type { Profile } from '../../explore/profile';
import { quantileLowRank, quantileOfOrderStatistics } from '../../stats/quantile';
import { isoDate } from '../../table';
import type { QualityEntry, QualityReport } from '../../table';
import { REASONS } from '../../preprocess/clean';
import type { TableStorage } from './partitions';
import type { TableName } from './connection';
import { KEY_CODE } from './sample';
import {
  KEPT, RULE1_NEGATIVE_AMOUNT, RULE2_DOB_MISSING, RULE3_DOB_PLACEHOLDER, RULE4_NO_SUCH_DAY, RULE4_TO_19YY, RULE4_TO_20YY,
  RULE5_AGE_IMPOSSIBLE, RULE5_AGE_TOO_YOUNG, RULE5_MINOR, RULE6_GENDER_MISSING, RULE6_GENDER_OTHER, RULE7_LOCATION_MISSING,
  RULE8_BALANCE_MISSING, RULE8_BALANCE_NEGATIVE, sourceRowsSql,
} from './rules_sql';

/** A count of statement 1: its SQL over one leaf, and how the leaves' values combine. */
interface Count {
  readonly sql: string;
  readonly combine: 'sum' | 'min' | 'max';
}

const countWhere = (condition: string): Count => ({ sql: `count(*) FILTER (WHERE ${condition})`, combine: 'sum' });

/**
 * Statement 1's columns, over the readable rows (section 1; rows of the table that are not readable are the
 * malformed ones, counted by tableRowsSql). `read_*`: the rows as read (the profile); `rule*`: cleaning's counts.
 */
const COUNTS = {
  rows_read: { sql: 'count(*)', combine: 'sum' },
  read_dob_missing: countWhere(RULE2_DOB_MISSING),
  read_gender_missing: countWhere(RULE6_GENDER_MISSING),
  read_location_missing: countWhere(RULE7_LOCATION_MISSING),
  read_balance_missing: countWhere(RULE8_BALANCE_MISSING),
  read_dob_placeholder: countWhere(RULE3_DOB_PLACEHOLDER),
  first_day: { sql: 'min(s.day)', combine: 'min' },
  last_day: { sql: 'max(s.day)', combine: 'max' },
  // Section 2, one count per rule, over the rows rule 1 keeps (as cleanTransactions counts them).
  rule1_negative_amount: countWhere(RULE1_NEGATIVE_AMOUNT),
  rule2_dob_missing: countWhere(`${KEPT} AND ${RULE2_DOB_MISSING}`),
  rule3_dob_placeholder: countWhere(`${KEPT} AND ${RULE3_DOB_PLACEHOLDER}`),
  rule4_to_20yy: countWhere(`${KEPT} AND ${RULE4_TO_20YY}`),
  rule4_to_19yy: countWhere(`${KEPT} AND ${RULE4_TO_19YY}`),
  rule4_no_such_day: countWhere(`${KEPT} AND ${RULE4_NO_SUCH_DAY}`),
  rule5_age_impossible: countWhere(`${KEPT} AND ${RULE5_AGE_IMPOSSIBLE}`),
  rule5_age_too_young: countWhere(`${KEPT} AND ${RULE5_AGE_TOO_YOUNG}`),
  rule5_minor: countWhere(`${KEPT} AND ${RULE5_MINOR}`),
  rule6_gender_other: countWhere(`${KEPT} AND ${RULE6_GENDER_OTHER}`),
  rule6_gender_missing: countWhere(`${KEPT} AND ${RULE6_GENDER_MISSING}`),
  rule7_location_missing: countWhere(`${KEPT} AND ${RULE7_LOCATION_MISSING}`),
  rule8_balance_missing: countWhere(`${KEPT} AND ${RULE8_BALANCE_MISSING}`),
  rule8_balance_negative: countWhere(`${KEPT} AND ${RULE8_BALANCE_NEGATIVE}`),
  // Rule 9's inputs: how many values each quantile is over, and the end date of the features.
  amount_values: countWhere(KEPT),
  balance_values: countWhere(`${KEPT} AND s.balance IS NOT NULL`),
  end_day: { sql: `max(s.day) FILTER (WHERE ${KEPT})`, combine: 'max' },
} satisfies Record<string, Count>;

type CountName = keyof typeof COUNTS;
export type TableCounts = { readonly [K in CountName]: number | null };

/** UNION ALL of one statement per leaf, parenthesised (each may carry its own ORDER BY and LIMIT). */
function perLeaf(storage: TableStorage, statement: (leaf: string) => string): string {
  return storage.leaves.map((leaf) => `(${statement(leaf)})`).join('\n  UNION ALL\n');
}

/** Statement 1: every count of COUNTS, one row. */
export function tableCountsSql(storage: TableStorage): string {
  const names = Object.keys(COUNTS) as CountName[];
  const leaf = (table: string) =>
    `SELECT ${names.map((k) => `${COUNTS[k].sql} AS ${k}`).join(',\n         ')}\n    FROM ${sourceRowsSql(table)} WHERE s.readable`;
  return `SELECT ${names.map((k) => `${COUNTS[k].combine}(${k})::float8 AS ${k}`).join(', ')}\n  FROM (${perLeaf(storage, leaf)}) per_leaf`;
}

/** Every stored row, readable or not. */
export function tableRowsSql(storage: TableStorage): string {
  return `SELECT sum(n)::float8 AS n FROM (${perLeaf(storage, (table) => `SELECT count(*) AS n FROM ${table}`)}) per_leaf`;
}

/** Statement 2: the CustGender values rule 6 changes, in order of first appearance among the rows read. */
export function otherGendersSql(storage: TableStorage): string {
  const leaf = (table: string) =>
    `SELECT s.gender_text AS value, count(*) FILTER (WHERE ${KEPT}) AS kept, min(s.row_index) AS first_row
       FROM ${sourceRowsSql(table)} WHERE s.readable AND ${RULE6_GENDER_OTHER} GROUP BY s.gender_text`;
  return `SELECT value, sum(kept)::float8 AS kept FROM (${perLeaf(storage, leaf)}) per_leaf
   GROUP BY value HAVING sum(kept) > 0 ORDER BY min(first_row)`;
}

/** Statement 4: kept transactions per day (what the report says about the last dates), in day order. */
export function transactionsPerDaySql(storage: TableStorage): string {
  const leaf = (table: string) => `SELECT s.day AS day, count(*) AS n FROM ${sourceRowsSql(table)} WHERE s.readable AND ${KEPT} GROUP BY s.day`;
  return `SELECT day::int4 AS day, sum(n)::float8 AS n FROM (${perLeaf(storage, leaf)}) per_leaf GROUP BY day ORDER BY day`;
}

/**
 * Statement 3: each leaf's `limit` largest kept values of `column` (amount or balance), in no particular order; the
 * caller keeps the `limit` largest of them. Cost: one scan and a top-N sort per leaf; returns leaves × limit values.
 *
 * Two things keep each shard's work a top-N sort (seen in EXPLAIN): no ORDER BY across the leaves (with one, the
 * planner merges the leaves' sorted rows and stops sending each shard its LIMIT), and the condition wrapped in a CASE.
 * The planner cannot estimate the reading rules and multiplies default guesses down to 0.2% of the rows, and for so
 * few it sorts on the coordinator after fetching every row; a CASE it takes for half the rows (on an imported table,
 * all of them pass), for which sending `ORDER BY … LIMIT` to the shard is the cheaper plan.
 */
export function topValuesSql(storage: TableStorage, column: 'amount' | 'balance', limit: number): string {
  const kept = `s.readable AND ${KEPT} AND s.${column} IS NOT NULL`;
  const leaf = (table: string) =>
    `SELECT s.${column} AS v FROM ${sourceRowsSql(table)} WHERE CASE WHEN ${kept} THEN true ELSE false END ORDER BY 1 DESC LIMIT ${limit}`;
  return perLeaf(storage, leaf);
}

/** Rule 9 for one column: the cap and how many values are above it. */
export interface Cap {
  readonly cap: number;
  readonly capped: number;
}

/** The type-7 `q` quantile of the `n` kept values of `column` and the number above it, from the top values. */
async function capOf(client: Client, storage: TableStorage, column: 'amount' | 'balance', n: number, q: number): Promise<Cap> {
  if (n === 0) return { cap: NaN, capped: 0 };
  const lowRank = quantileLowRank(n, q);
  const limit = n - lowRank;
  const rows = (await client.query<{ v: number }>(topValuesSql(storage, column, limit))).rows;
  const top = Float64Array.from(rows, (r) => r.v).sort().reverse().subarray(0, limit);
  // Ascending rank r is the (n − 1 − r)-th largest value.
  const cap = quantileOfOrderStatistics(n, q, (rank) => top[n - 1 - rank]);
  let capped = 0;
  for (const v of top) if (v > cap) capped++;
  return { cap, capped };
}

/** The rows as read: statement 1 and the row count. */
export interface TableCountsResult {
  readonly counts: TableCounts;
  /** Every stored row, readable or not (the others are malformed). */
  readonly tableRows: number;
}

/** What cleaning needs and reports: statements 2 and 3 on top of the counts. */
export interface CleaningFacts {
  /** The report but for the malformed rows, which the caller knows (the import's record and statement 1). */
  readonly quality: Omit<QualityReport, 'malformed'>;
  /** Kept transactions per day, in day order (statement 4). */
  readonly transactionsPerDay: readonly { readonly day: number; readonly transactions: number }[];
  /** The last transaction day of the cleaned rows (days since 1970-01-01); null when no row is kept. */
  readonly endDay: number | null;
}

export type TableFacts = TableCountsResult & CleaningFacts;

/** Statement 1 and the row count, on `client` (inside the caller's transaction). Two scans; O(leaves) rows back. */
export async function tableCounts(client: Client, storage: TableStorage): Promise<TableCountsResult> {
  const counts = (await client.query<Record<CountName, number | null>>(tableCountsSql(storage))).rows[0];
  const tableRows = (await client.query<{ n: number }>(tableRowsSql(storage))).rows[0].n ?? 0;
  return { counts, tableRows };
}

/**
 * The distinct CustomerIDs among the readable rows. Its own statement because a DISTINCT aggregate keeps statement 1
 * from running in parallel (it cost half of its time); the push-down gets the number from its per-customer
 * statement instead. Per leaf when every customer is in one leaf, else over the whole table. One scan and a sort.
 */
export async function distinctCustomers(client: Client, storage: TableStorage): Promise<number> {
  const sql = storage.byCustomer
    ? `SELECT sum(n)::float8 AS n FROM (${perLeaf(storage, (t) => `SELECT count(DISTINCT s.customer_id) AS n FROM ${sourceRowsSql(t)} WHERE s.readable`)}) per_leaf`
    : `SELECT count(*)::float8 AS n FROM (${storage.leaves.map((t) => `SELECT s.customer_id FROM ${sourceRowsSql(t)} WHERE s.readable`).join(' UNION ')}) c`;
  return (await client.query<{ n: number | null }>(sql)).rows[0].n ?? 0;
}

/** The profile of the rows as read, from statement 1's counts, the distinct customers and the malformed rows. O(1). */
export function profileOf(counts: TableCounts, customers: number, malformedRows: number): Profile {
  const n = (k: CountName): number => counts[k] ?? 0;
  return {
    rows: n('rows_read'),
    customers,
    missing: {
      CustomerDOB: n('read_dob_missing'),
      CustGender: n('read_gender_missing'),
      CustLocation: n('read_location_missing'),
      CustAccountBalance: n('read_balance_missing'),
    },
    placeholderDob: n('read_dob_placeholder'),
    dateRange: counts.first_day === null || counts.last_day === null ? ['', ''] : [isoDate(counts.first_day), isoDate(counts.last_day)],
    malformedRows,
  };
}

/** Statements 2 to 4 after `tableCounts`: the quality report, the end date and the transactions per day. Three to four scans. */
export async function cleaningFacts(client: Client, storage: TableStorage, counts: TableCounts, capQuantile: number): Promise<CleaningFacts> {
  const n = (k: CountName): number => counts[k] ?? 0;
  const others = await client.query<{ value: string; kept: number }>(otherGendersSql(storage));
  const amount = await capOf(client, storage, 'amount', n('amount_values'), capQuantile);
  const balance = await capOf(client, storage, 'balance', n('balance_values'), capQuantile);
  const seen = others.rows.length > 0 ? ` (${others.rows.map((r) => JSON.stringify(r.value)).join(', ')})` : '';
  const quality: Omit<QualityReport, 'malformed'> = {
    inputRows: n('rows_read'),
    outputRows: n('rows_read') - n('rule1_negative_amount'),
    entries: qualityEntries(n, seen, capQuantile, amount, balance),
    caps: { amount: amount.cap, balance: balance.cap, quantile: capQuantile },
  };
  const days = await client.query<{ day: number; n: number }>(transactionsPerDaySql(storage));
  return { quality, endDay: counts.end_day, transactionsPerDay: days.rows.map((r) => ({ day: r.day, transactions: r.n })) };
}

/** tableCounts then cleaningFacts: everything the push-down learns about the whole table before any customer. */
export async function tableFacts(client: Client, storage: TableStorage, capQuantile: number): Promise<TableFacts> {
  const read = await tableCounts(client, storage);
  return { ...read, ...(await cleaningFacts(client, storage, read.counts, capQuantile)) };
}

/** The report's entries in cleanTransactions' order and words (compared entry by entry by the tests). */
function qualityEntries(n: (k: CountName) => number, otherGenders: string, capQuantile: number, amount: Cap, balance: Cap): QualityEntry[] {
  const AMOUNT = 'TransactionAmount (INR)';
  const BALANCE = 'CustAccountBalance';
  const DOB = 'CustomerDOB';
  const capped = REASONS.capped(capQuantile);
  const entries: QualityEntry[] = [
    { action: 'dropped', column: AMOUNT, reason: REASONS.negativeAmount, count: n('rule1_negative_amount') },
    { action: 'kept-missing', column: DOB, reason: REASONS.dobMissing, count: n('rule2_dob_missing') },
    { action: 'changed', column: DOB, reason: REASONS.dobPlaceholder, count: n('rule3_dob_placeholder') },
    { action: 'changed', column: DOB, reason: REASONS.dobTo20yy, count: n('rule4_to_20yy') },
    { action: 'changed', column: DOB, reason: REASONS.dobTo19yy, count: n('rule4_to_19yy') },
  ];
  if (n('rule4_no_such_day') > 0) {
    entries.push({ action: 'changed', column: DOB, reason: REASONS.dobNoSuchDay, count: n('rule4_no_such_day') });
  }
  entries.push(
    { action: 'changed', column: DOB, reason: REASONS.ageImpossible, count: n('rule5_age_impossible') },
    { action: 'changed', column: DOB, reason: REASONS.ageTooYoung, count: n('rule5_age_too_young') },
    { action: 'counted', column: DOB, reason: REASONS.minor, count: n('rule5_minor') },
    { action: 'changed', column: 'CustGender', reason: REASONS.genderOther(otherGenders), count: n('rule6_gender_other') },
    { action: 'kept-missing', column: 'CustGender', reason: REASONS.genderMissing, count: n('rule6_gender_missing') },
    { action: 'kept-missing', column: 'CustLocation', reason: REASONS.locationMissing, count: n('rule7_location_missing') },
    { action: 'kept-missing', column: BALANCE, reason: REASONS.balanceMissing, count: n('rule8_balance_missing') },
    { action: 'counted', column: BALANCE, reason: REASONS.balanceNegative, count: n('rule8_balance_negative') },
    { action: 'changed', column: AMOUNT, reason: capped, count: amount.capped },
    { action: 'changed', column: BALANCE, reason: capped, count: balance.capped },
  );
  return entries;
}

/**
 * Rule 10's entry of the report (the last, as cleanTransactions writes it), from the customer keys the features
 * statement returned: CustomerIDs carrying more than one (birth date, gender), and the customers they split into.
 * O(customers).
 */
export function reusedIdEntry(customerIds: readonly string[]): QualityEntry {
  const keysPerId = new Map<string, number>();
  for (const key of customerIds) {
    const id = key.slice(0, key.indexOf('|'));
    keysPerId.set(id, (keysPerId.get(id) ?? 0) + 1);
  }
  let reusedIds = 0;
  let splitCustomers = 0;
  for (const keys of keysPerId.values()) {
    if (keys > 1) {
      reusedIds++;
      splitCustomers += keys;
    }
  }
  return reusedIdEntryOf(reusedIds, splitCustomers);
}

/** Rule 10's entry from its two numbers: the CustomerIDs reused, and the customers they split into. */
function reusedIdEntryOf(reusedIds: number, splitCustomers: number): QualityEntry {
  return {
    action: 'counted',
    column: 'CustomerID',
    reason: REASONS.reusedIds(reusedIds, splitCustomers),
    count: reusedIds,
  };
}

/** The customers of a table and rule 10's numbers, counted in SQL (customerKeyCounts). */
export interface KeyCounts {
  /** Distinct CustomerIDs among the rows read (what the profile calls customers). */
  readonly idsRead: number;
  /** Customers: distinct keys (CustomerID, birth date, gender) among the kept rows. */
  readonly customers: number;
  /** Rule 10's entry: CustomerIDs with more than one key, and the customers they split into. */
  readonly reusedIdEntry: QualityEntry;
}

/**
 * The customers of `table` and rule 10's count, in SQL, for when the features statement does not see every
 * customer (a sample). Two statements: distinct CustomerIDs among the rows read and among the kept ones (per leaf
 * when every customer is in one leaf, pushed down whole to each shard), and the CustomerIDs with more than one key
 * (grouped by CustomerID, so partitionwise on a sharded table: only the reused IDs travel). Customers = kept IDs −
 * reused IDs + the keys they split into. Two scans.
 */
export async function customerKeyCounts(client: Client, table: TableName, storage: TableStorage): Promise<KeyCounts> {
  const ids = storage.byCustomer
    ? `SELECT sum(read)::float8 AS read, sum(kept)::float8 AS kept FROM (${perLeaf(
        storage,
        (t) => `SELECT count(DISTINCT s.customer_id) AS read, count(DISTINCT s.customer_id) FILTER (WHERE ${KEPT}) AS kept FROM ${sourceRowsSql(t)} WHERE s.readable`,
      )}) per_leaf`
    : `SELECT count(DISTINCT customer_id)::float8 AS read, count(DISTINCT customer_id) FILTER (WHERE kept)::float8 AS kept FROM (${storage.leaves
        .map((t) => `SELECT s.customer_id, ${KEPT} AS kept FROM ${sourceRowsSql(t)} WHERE s.readable`)
        .join(' UNION ALL ')}) r`;
  const counted = (await client.query<{ read: number | null; kept: number | null }>(ids)).rows[0];
  const reused = (
    await client.query<{ ids: number; customers: number | null }>(
      `SELECT count(*)::float8 AS ids, sum(keys)::float8 AS customers FROM (
         SELECT s.customer_id, count(DISTINCT ${KEY_CODE}) AS keys FROM ${sourceRowsSql(table)}
          WHERE s.readable AND ${KEPT} GROUP BY s.customer_id HAVING count(DISTINCT ${KEY_CODE}) > 1) per_id`,
    )
  ).rows[0];
  const split = reused.customers ?? 0;
  return {
    idsRead: counted.read ?? 0,
    customers: (counted.kept ?? 0) - reused.ids + split,
    reusedIdEntry: reusedIdEntryOf(reused.ids, split),
  };
}
