/**
 * The customer features computed inside PostgreSQL (the "push-down"): one SQL statement applies the cleaning
 * policies and feature definitions of docs/data-model.md sections 2–3 to the transactions table, so only one row
 * per customer leaves the server. Gives the same CustomerFeatures as readTransactionsFromDb → cleanTransactions →
 * customerFeatures (test/db.test.ts checks it customer by customer on the real rows).
 */
import { capQuantileOption, MAX_AGE, PLACEHOLDER_DOB_YEAR } from '../../preprocess/clean';
import { OTHER_LOCATION, topLocationsOption } from '../../preprocess/features';
import { progress } from '../../io/progress';
import { GENDERS, TIME_OF_DAY } from '../../table';
import { CustomerFeatures } from '../../preprocess/feature_registry';
import { parseTableName, redactUrl, sqlTable, TableName, withConnection } from './connection';
import { CopyRow, copyOutBinary } from './copy_out';
import { checkTableLayout, validTimeSql } from './schema';

export interface DbFeatureOptions {
  /** Outlier cap quantile for amount and balance, in (0, 1]; default 0.999 (as cleanTransactions). */
  readonly capQuantile?: number;
  /** How many locations keep their name; default 10 (as customerFeatures). */
  readonly topLocations?: number;
}

/** Memory per sort/hash step of the push-down statement, for its transaction only. */
export const WORK_MEM = '256MB';

/** HHMMSS per time-of-day bin (6 hours): bin = floor(HHMMSS / 60000), as in src/preprocess/features.ts. */
const HHMMSS_PER_BIN = 60000;

/** `column` unless it is missing as the reader means it (NULL, empty, `nan` in any case). */
function present(column: string): string {
  return `CASE WHEN lower(${column}) IN ('', 'nan') THEN NULL ELSE ${column} END`;
}

/**
 * The push-down statement for `table`: one row per customer with a cleaned transaction, in order of first
 * appearance (smallest row_index among the rows the reader keeps). `capQuantile` and `topLocations` are checked
 * numbers, written into the SQL as literals (COPY's query cannot take bind parameters).
 *
 * "The value at the customer's latest transaction that has one" is `max(ARRAY[day, time, row_index, value])` over
 * the rows where the value is known, element 4: arrays compare element by element, so the maximum is the latest
 * (date, time, row index) — one hash aggregate with no per-customer sort (`array_agg(... ORDER BY ...)` sorts inside
 * every group: the whole statement took 1.4× as long with it on a million customers). Text values (gender,
 * location) go through small numeric codes so that they fit in the same numeric array.
 * Server cost: one scan, two percentile sorts, one hash aggregate by customer, a sort by first appearance.
 */
export function customerFeaturesSql(table: TableName, capQuantile: number, topLocations: number): string {
  const latestKnown = (column: string) =>
    `(max(ARRAY[day, ttime, row_index, ${column}]) FILTER (WHERE kept AND ${column} IS NOT NULL))[4]`;
  const bin = (b: number) => `count(*) FILTER (WHERE kept AND ttime >= ${b * HHMMSS_PER_BIN} AND ttime < ${(b + 1) * HHMMSS_PER_BIN})`;
  const genderCode = GENDERS.map((g, i) => `WHEN '${g}' THEN ${i}`).join(' ');
  return `
WITH src AS (
  -- Reading rules (docs/data-model.md section 1) on the typed columns: the rows readTransactionsFromDb keeps.
  SELECT row_index, customer_id, customer_dob_date AS dob, cust_gender AS gender,
         ${present('cust_location')} AS location,
         NULLIF(cust_account_balance::float8, 'NaN') AS balance,
         transaction_date - DATE '1970-01-01' AS day, transaction_time AS ttime, transaction_amount::float8 AS amount
    FROM ${sqlTable(table)}
   WHERE row_index IS NOT NULL
     AND ${present('transaction_id')} IS NOT NULL
     AND ${present('customer_id')} IS NOT NULL
     AND transaction_date IS NOT NULL
     AND ${validTimeSql('transaction_time')}
     AND transaction_amount::float8 <> 'NaN'
),
locations AS (
  -- A number per distinct location, in code point order (so comparing ids compares names, as the TS path does).
  SELECT location, row_number() OVER (ORDER BY location COLLATE "C") AS id
    FROM (SELECT DISTINCT location FROM src WHERE location IS NOT NULL) d
),
caps AS (
  -- Rule 9: type-7 quantiles (percentile_cont interpolates linearly) of the kept (rule 1), non-missing values.
  SELECT percentile_cont(${capQuantile}::float8) WITHIN GROUP (ORDER BY amount) AS amount_cap,
         percentile_cont(${capQuantile}::float8) WITHIN GROUP (ORDER BY balance) AS balance_cap,
         max(day) AS end_day
    FROM src WHERE amount >= 0
),
clean AS (
  SELECT s.row_index, s.customer_id, s.day, s.ttime,
         s.amount >= 0 AS kept, -- rule 1: a negative amount drops the row (its customer still has a first appearance)
         CASE WHEN s.amount > c.amount_cap THEN c.amount_cap ELSE s.amount END AS amount,
         CASE WHEN s.balance > c.balance_cap THEN c.balance_cap ELSE s.balance END AS balance,
         -- Rules 2-5: a missing DOB, the ${PLACEHOLDER_DOB_YEAR} placeholder or an impossible age is unknown.
         -- customer_dob_date holds the century rule (resolved at import, checked by readTransactionsFromDb).
         CASE WHEN s.dob IS NULL
                OR (s.dob >= DATE '${PLACEHOLDER_DOB_YEAR}-01-01' AND s.dob < DATE '${PLACEHOLDER_DOB_YEAR + 1}-01-01')
                OR y.years < 0 OR y.years > ${MAX_AGE} THEN NULL ELSE y.years END AS age,
         -- Rule 6: anything but ${GENDERS.join('/')} (the one T, missing) is unknown; the code indexes GENDERS.
         CASE s.gender ${genderCode} END AS gender,
         l.id AS location_id
    FROM src s
    CROSS JOIN caps c
    CROSS JOIN LATERAL (SELECT floor((s.day - (s.dob - DATE '1970-01-01')) / 365.25::float8) AS years) y
    LEFT JOIN locations l ON l.location = s.location
),
per_customer AS (
  SELECT customer_id,
         min(row_index) AS first_row,
         count(*) FILTER (WHERE kept) AS frequency,
         sum(amount) FILTER (WHERE kept) AS total,
         max(day) FILTER (WHERE kept) AS latest_day,
         ${latestKnown('balance')} AS balance,
         ${latestKnown('age')} AS age,
         ${latestKnown('gender')} AS gender,
         ${latestKnown('location_id')} AS location_id,
         ${bin(0)} AS n0, ${bin(1)} AS n1, ${bin(2)} AS n2, ${bin(3)} AS n3
    FROM clean
   GROUP BY customer_id
  HAVING count(*) FILTER (WHERE kept) > 0
),
location_rank AS (
  -- Locations ranked by the number of customers whose feature location they are; ties alphabetical (ids are).
  SELECT location_id, row_number() OVER (ORDER BY count(*) DESC, location_id) AS rank
    FROM per_customer WHERE location_id IS NOT NULL GROUP BY location_id
),
top_locations AS (
  -- The top N as two small arrays (one row): looking a customer up is array_position over N ids, no join.
  SELECT array_agg(r.location_id ORDER BY r.rank) AS ids, array_agg(l.location ORDER BY r.rank) AS names
    FROM location_rank r JOIN locations l ON l.id = r.location_id
   WHERE r.rank <= ${topLocations}
)
SELECT p.customer_id::text,
       (c.end_day - p.latest_day)::float8 AS recency_days,
       p.frequency::float8,
       p.total::float8,
       (p.total / p.frequency)::float8 AS mean,
       p.balance::float8,
       p.age::float8,
       p.gender::int4,
       array_position(t.ids, p.location_id)::int4 AS location_rank,
       t.names[array_position(t.ids, p.location_id)]::text AS location,
       -- The most frequent time-of-day bin; a tie goes to the earlier bin.
       (CASE WHEN p.n0 >= p.n1 AND p.n0 >= p.n2 AND p.n0 >= p.n3 THEN 0
             WHEN p.n1 >= p.n2 AND p.n1 >= p.n3 THEN 1
             WHEN p.n2 >= p.n3 THEN 2 ELSE 3 END)::int4 AS time_of_day,
       c.end_day::int4
  FROM per_customer p
  CROSS JOIN caps c
  CROSS JOIN top_locations t
 ORDER BY p.first_row`;
}

/** Field positions in customerFeaturesSql's output (with the binary type each arrives as). */
const CUSTOMER_ID = 0; // text
const RECENCY_DAYS = 1; // float8
const FREQUENCY = 2; // float8
const TOTAL = 3; // float8
const MEAN = 4; // float8
const BALANCE = 5; // float8 or NULL
const AGE = 6; // float8 or NULL
const GENDER = 7; // int4 (index into GENDERS) or NULL
const LOCATION_RANK = 8; // int4 (1-based rank among the top locations) or NULL
const LOCATION = 9; // text or NULL
const TIME_OF_DAY_BIN = 10; // int4 (index into TIME_OF_DAY)
const END_DAY = 11; // int4, days since 1970-01-01
const FEATURE_FIELDS = 12;

/** Customers between two progress updates. */
const PROGRESS_EVERY = 1 << 16;

/**
 * The customer features of `table` at `url`, computed by the database (see customerFeaturesSql); equal to the
 * TypeScript path's up to float rounding of sums (1e-9 relative). Same options and defaults as cleanTransactions
 * and customerFeatures. Throws one-line InputErrors like readTransactionsFromDb. Cost: one statement on the server;
 * O(customers) transfer and memory here, streamed with a binary COPY (see copy_out.ts).
 */
export async function customerFeaturesFromDb(url: string, table: string, opts: DbFeatureOptions = {}): Promise<CustomerFeatures> {
  const capQuantile = capQuantileOption(opts.capQuantile);
  const topLocations = topLocationsOption(opts.topLocations);
  const name = parseTableName(table);
  const where = `${redactUrl(url)} table ${name.text}`;
  return withConnection(url, where, async (client) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      // For this transaction only: the per-customer hash aggregate and the final sort then stay in memory
      // (the 4 MB default spills a million customers to disk).
      await client.query(`SET LOCAL work_mem = '${WORK_MEM}'`);
      await checkTableLayout(client, name, where);
      const builder = new FeatureBuilder();
      const shown = progress(`customer features in ${name.text}`);
      await copyOutBinary(client, customerFeaturesSql(name, capQuantile, topLocations), FEATURE_FIELDS, (row) => {
        builder.row(row);
        if (builder.n % PROGRESS_EVERY === 0) shown.update(builder.n);
      });
      shown.finish(`${builder.n.toLocaleString('en-US')} customers`);
      await client.query('COMMIT');
      return builder.features();
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

/** Collects the received customer rows into the CustomerFeatures columns. */
class FeatureBuilder {
  n = 0;
  private readonly customerId: string[] = [];
  private readonly numbers = { recencyDays: [] as number[], frequency: [] as number[], total: [] as number[], mean: [] as number[], balance: [] as number[], age: [] as number[] };
  private readonly gender: number[] = [];
  /** Location rank - 1 for a top location, -1 for OTHER (resolved in features()). */
  private readonly locationRank: number[] = [];
  private readonly topNames: string[] = [];
  private readonly timeOfDay: number[] = [];
  private endDate = NaN;

  row(r: CopyRow): void {
    this.customerId.push(r.text(CUSTOMER_ID) as string);
    this.numbers.recencyDays.push(r.float8(RECENCY_DAYS) as number);
    this.numbers.frequency.push(r.float8(FREQUENCY) as number);
    this.numbers.total.push(r.float8(TOTAL) as number);
    this.numbers.mean.push(r.float8(MEAN) as number);
    this.numbers.balance.push(r.float8(BALANCE) ?? NaN);
    this.numbers.age.push(r.float8(AGE) ?? NaN);
    this.gender.push(r.int4(GENDER) ?? -1);
    const rank = r.int4(LOCATION_RANK);
    if (rank === null || r.isNull(LOCATION)) {
      this.locationRank.push(-1);
    } else {
      this.locationRank.push(rank - 1);
      // Only the first customer of each top location decodes its name.
      if (this.topNames[rank - 1] === undefined) this.topNames[rank - 1] = r.text(LOCATION) as string;
    }
    this.timeOfDay.push(r.int4(TIME_OF_DAY_BIN) as number);
    this.endDate = r.int4(END_DAY) as number;
    this.n++;
  }

  features(): CustomerFeatures {
    // Values: the kept names in rank order, then OTHER (shared with a source location literally called OTHER).
    const values = [...this.topNames];
    let otherCode = values.indexOf(OTHER_LOCATION);
    if (otherCode < 0) otherCode = values.push(OTHER_LOCATION) - 1;
    const location = Int32Array.from(this.locationRank, (r) => (r < 0 ? otherCode : r));
    const nums = this.numbers;
    return {
      n: this.n,
      customerId: this.customerId,
      recencyDays: Float64Array.from(nums.recencyDays),
      frequency: Float64Array.from(nums.frequency),
      monetaryTotal: Float64Array.from(nums.total),
      monetaryMean: Float64Array.from(nums.mean),
      balance: Float64Array.from(nums.balance),
      age: Float64Array.from(nums.age),
      gender: { codes: Int32Array.from(this.gender), values: GENDERS },
      location: { codes: location, values },
      timeOfDay: { codes: Int32Array.from(this.timeOfDay), values: TIME_OF_DAY },
      endDate: this.endDate,
    };
  }
}
