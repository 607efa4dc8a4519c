/**
 * The reading and cleaning rules of docs/data-model.md (sections 1–2) as SQL, one named piece per rule, so that a
 * rule changed in clean.ts is changed here in one place too (test/db_pushdown.test.ts compares the two paths rule
 * by rule and names the rule that drifted).
 *
 * Every piece is an expression over the columns of `sourceRowsSql` (below), a plain projection of the transactions
 * table that the planner flattens into the statement using it. Every piece must stay *shippable*: on a sharded
 * table postgres_fdw sends an expression to the shards only when it is made of built-in immutable functions and
 * operators, and it refuses a few surprising ones (checked by the EXPLAIN tests):
 *   - no casts that go through text (`row_index::text`, `'12'::int`: CoerceViaIO is never shipped);
 *   - no function with a text argument that is a constant alone (`extract('year', d)`, `lpad(x::text, …)`);
 *   - no NULLIF (a CASE instead);
 * and regular expressions stay simple (no back-references), since every statement evaluates them on every row.
 * so years are compared as dates (`make_date`), and the two digits of a year are read with `ascii()`.
 */
import { ADULT_AGE, MAX_AGE, MIN_AGE, PLACEHOLDER_DOB_YEAR } from '../../preprocess/clean';
import { GENDERS } from '../../table';
import { sqlTable, TableName } from './connection';
import { validTimeSql } from './schema';
import { DOB_YEARS, MAX_ABS_INR, TRANSACTION_YEARS } from '../rows';

/** `column` unless it is missing as the reader means it (NULL, empty, `nan` in any case). */
export function presentSql(column: string): string {
  return `CASE WHEN lower(${column}) IN ('', 'nan') THEN NULL ELSE ${column} END`;
}

/** A float8 literal that reads back as exactly `value` (String() is the shortest such text; NaN and ±Infinity too). */
export function float8Literal(value: number): string {
  return `'${String(value)}'::float8`;
}

/**
 * Section 1 (reading), the form of a present CustomerDOB: `d/m/yy`, `d/m/yyyy`, `dd-mm-yyyy`, `d-m-yy` (one
 * separator used twice) or ISO `yyyy-mm-dd`, surrounding spaces ignored. Only the form: that the day exists and
 * that `customer_dob_date` follows the century rule is checked by db-import when it writes the row (and again,
 * row by row, by readTransactionsFromDb), not here.
 */
const DOB_FORM = String.raw`^[ \t]*([0-9]{1,2}(/[0-9]{1,2}/|-[0-9]{1,2}-)([0-9]{2}|[0-9]{4})|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})[ \t]*$`;
/** A day-first DOB whose year has two digits (rule 4 decides its century). */
const DOB_TWO_DIGIT_YEAR = String.raw`^[ \t]*[0-9]{1,2}(/[0-9]{1,2}/|-[0-9]{1,2}-)[0-9]{2}[ \t]*$`;
// No back-references (`([/-])…\1`) in these: they push PostgreSQL's regular expressions onto a backtracking
// path that took 12 s instead of 0.7 s per million rows (measured); the alternation says "the same separator twice".

/** Section 1's plausible years: `date` (not NULL) in years.min..years.max. */
function yearsSql(date: string, years: { readonly min: number; readonly max: number }): string {
  return `(${date} >= DATE '${years.min}-01-01' AND ${date} < DATE '${years.max + 1}-01-01')`;
}

/**
 * Section 1's plausible money: |x| ≤ MAX_ABS_INR. Written with abs(): the planner guesses a third of the rows pass an
 * inequality on an expression but only 0.5% pass a BETWEEN, and such a guess made it fetch whole shards.
 */
function inrSql(value: string): string {
  return `(abs(${value}) <= ${MAX_ABS_INR})`;
}

/**
 * One row per stored transaction, with the columns the rules below use. The table's columns may have any of the
 * types the layout check accepts; everything is normalised here once.
 *   readable  section 1: the row passes the reading rules (readTransactionsFromDb keeps it); the others are malformed
 *             (evaluate it once, in WHERE: it holds a regular expression, and nothing computes it twice per row)
 *   dob_text, gender_text, location: the text, NULL when missing (empty or `nan`)
 *   dob       customer_dob_date (the century already resolved by db-import)
 *   balance   NULL when missing (NULL or NaN)
 *   tx_date, day (days since 1970-01-01), ttime (HHMMSS), amount (float8)
 */
export function sourceRowsSql(table: TableName | string): string {
  const from = typeof table === 'string' ? table : sqlTable(table);
  return `(
    SELECT t.row_index, t.customer_id,
           -- Section 1, reading rules: the row is kept by the reader, else it counts as malformed.
           (t.row_index IS NOT NULL
            AND ${presentSql('t.transaction_id')} IS NOT NULL
            AND ${presentSql('t.customer_id')} IS NOT NULL
            AND ${yearsSql('t.transaction_date', TRANSACTION_YEARS)}
            AND ${validTimeSql('t.transaction_time')}
            AND t.transaction_amount::float8 <> 'NaN' AND ${inrSql('t.transaction_amount::float8')}
            AND (t.cust_account_balance IS NULL OR t.cust_account_balance::float8 = 'NaN' OR ${inrSql('t.cust_account_balance::float8')})
            AND CASE WHEN ${presentSql('t.customer_dob')} IS NULL THEN t.customer_dob_date IS NULL
                     ELSE t.customer_dob ~ '${DOB_FORM}'
                          AND (t.customer_dob_date IS NULL OR ${yearsSql('t.customer_dob_date', DOB_YEARS)}) END) AS readable,
           ${presentSql('t.customer_dob')} AS dob_text,
           t.customer_dob_date AS dob,
           ${presentSql('t.cust_gender')} AS gender_text,
           ${presentSql('t.cust_location')} AS location,
           CASE WHEN t.cust_account_balance::float8 = 'NaN' THEN NULL ELSE t.cust_account_balance::float8 END AS balance,
           t.transaction_date AS tx_date,
           t.transaction_date - DATE '1970-01-01' AS day,
           t.transaction_time AS ttime,
           t.transaction_amount::float8 AS amount
      FROM ${from} t
  ) s`;
}

// The rules below apply to readable rows: every statement reads `sourceRowsSql(…) WHERE s.readable`.

/** Rule 1: a negative amount is impossible; the row is dropped. `KEPT`: the row survives cleaning. */
export const KEPT = `(s.amount >= 0)`;
export const RULE1_NEGATIVE_AMOUNT = `(s.amount < 0)`;

/** Rule 2: CustomerDOB missing (empty or `nan`): age unknown (kept, counted). */
export const RULE2_DOB_MISSING = `(s.dob_text IS NULL)`;

/** Rule 3: CustomerDOB in the year ${PLACEHOLDER_DOB_YEAR} (the `1/1/1800` placeholder): age unknown. */
export const RULE3_DOB_PLACEHOLDER = `(s.dob >= DATE '${PLACEHOLDER_DOB_YEAR}-01-01' AND s.dob < DATE '${PLACEHOLDER_DOB_YEAR + 1}-01-01')`;

/** Rule 4: a two-digit DOB year `yy` is 20yy, unless that is after the transaction year, then 19yy. */
export const RULE4_TWO_DIGIT_YEAR = `(s.dob_text ~ '${DOB_TWO_DIGIT_YEAR}')`;
/** `yy` as a number: the code points of its two digits (a text-to-integer cast would not be shipped). */
const YY = String.raw`right(btrim(s.dob_text, E' \t'), 2)`;
const TWO_DIGIT_YEAR_VALUE = `((ascii(${YY}) - 48) * 10 + ascii(right(${YY}, 1)) - 48)`;
export const RULE4_TO_19YY = `(${RULE4_TWO_DIGIT_YEAR} AND make_date(2000 + ${TWO_DIGIT_YEAR_VALUE}, 1, 1) > s.tx_date)`;
export const RULE4_TO_20YY = `(${RULE4_TWO_DIGIT_YEAR} AND make_date(2000 + ${TWO_DIGIT_YEAR_VALUE}, 1, 1) <= s.tx_date)`;
/** …and the resolved day may not exist in that century (29/2/00 read as 1900): db-import stored no date. */
export const RULE4_NO_SUCH_DAY = `(s.dob_text IS NOT NULL AND s.dob IS NULL)`;

/** Rule 5: age = ⌊(transaction day − birth day) / 365.25⌋ (NULL when rules 2–4 left no birth day). */
export const AGE_YEARS = `floor((s.day - (s.dob - DATE '1970-01-01')) / 365.25::float8)`;
export const RULE5_AGE_IMPOSSIBLE = `(NOT ${RULE3_DOB_PLACEHOLDER} AND (${AGE_YEARS} < 0 OR ${AGE_YEARS} > ${MAX_AGE}))`;
/** …under ${MIN_AGE}: too young to transact alone (unknown); ${MIN_AGE}–${ADULT_AGE - 1}: a minor (kept, counted). */
export const RULE5_AGE_TOO_YOUNG = `(NOT ${RULE3_DOB_PLACEHOLDER} AND ${AGE_YEARS} >= 0 AND ${AGE_YEARS} < ${MIN_AGE})`;
export const RULE5_MINOR = `(NOT ${RULE3_DOB_PLACEHOLDER} AND ${AGE_YEARS} >= ${MIN_AGE} AND ${AGE_YEARS} < ${ADULT_AGE})`;
/** The age after rules 2–5, NULL when unknown. */
export const AGE = `CASE WHEN s.dob IS NULL OR ${RULE3_DOB_PLACEHOLDER} OR ${AGE_YEARS} < ${MIN_AGE} OR ${AGE_YEARS} > ${MAX_AGE} THEN NULL ELSE ${AGE_YEARS} END`;

/** Rule 6: CustGender not ${GENDERS.join('/')} (the one `T`, missing): unknown. The code indexes GENDERS. */
export const GENDER_CODE = `CASE s.gender_text ${GENDERS.map((g, i) => `WHEN '${g}' THEN ${i}`).join(' ')} END`;
export const RULE6_GENDER_OTHER = `(s.gender_text IS NOT NULL AND s.gender_text NOT IN (${GENDERS.map((g) => `'${g}'`).join(', ')}))`;
export const RULE6_GENDER_MISSING = `(s.gender_text IS NULL)`;

/** Rules 7 and 8: CustLocation and CustAccountBalance missing: kept missing (counted). */
export const RULE7_LOCATION_MISSING = `(s.location IS NULL)`;
export const RULE8_BALANCE_MISSING = `(s.balance IS NULL)`;
/** Rule 8, the other case: a negative balance (an overdraft) is kept as it is, counted; the model reads it as 0 (scoring). */
export const RULE8_BALANCE_NEGATIVE = `(s.balance < 0)`;

/**
 * Rule 9: amounts and balances above their `capQuantile` quantile are capped at it. The caps are whole-table
 * numbers, found first (see quality.ts: the type-7 quantile from the table's top values) and written here as
 * literals, so every shard can apply them on its own. NaN caps nothing (a NaN cap means no values).
 */
export function cappedSql(column: 's.amount' | 's.balance', cap: number): string {
  return Number.isNaN(cap) ? column : `CASE WHEN ${column} > ${float8Literal(cap)} THEN ${float8Literal(cap)} ELSE ${column} END`;
}

/**
 * Rule 10, the customer key (CustomerID, birth date, gender): the birth date of rules 2–4 as a day number (NULL when
 * unknown: missing, the ${PLACEHOLDER_DOB_YEAR} placeholder, no such day; an impossible age keeps its date) and the gender
 * code of rule 6 (NULL unknown). Grouping by (customer_id, BIRTH_DAY, GENDER_CODE) groups unknowns with unknowns, as
 * the key's `?` does. Integer arithmetic only, so it ships to the shards.
 */
export const BIRTH_DAY = `CASE WHEN s.dob IS NULL OR ${RULE3_DOB_PLACEHOLDER} THEN NULL ELSE s.dob - DATE '1970-01-01' END`;
