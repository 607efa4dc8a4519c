/**
 * The customer features computed inside PostgreSQL (the "push-down"): the feature definitions of
 * docs/data-model.md section 3, over the rows cleaned by the rules of section 2 (rules_sql.ts), so that only one row
 * per customer leaves the server. pushdown.ts runs it after quality.ts has found the whole-table numbers (caps,
 * end date), which this statement takes as literals: every customer's row is then computed from that customer's
 * transactions alone, so on a table sharded by customer the whole aggregation runs on the shards.
 */
import { OTHER_LOCATION } from '../../preprocess/features';
import { UNKNOWN_KEY_PART } from '../../preprocess/clean';
import { CustomerFeatures } from '../../preprocess/feature_registry';
import type { NumericFeature } from '../../preprocess/feature_registry';
import { GENDERS, isoDate, TIME_OF_DAY } from '../../table';
import { sqlTable, TableName } from './connection';
import type { CopyRow } from './copy_out';
import { AGE as AGE_SQL, BIRTH_DAY, cappedSql, GENDER_CODE, KEPT, sourceRowsSql } from './rules_sql';
import { sampleHashSql } from './sample';

export interface DbFeatureOptions {
  /** Outlier cap quantile for amount and balance, in (0, 1]; default 0.999 (as cleanTransactions). */
  readonly capQuantile?: number;
  /** How many locations keep their name; default 10 (as customerFeatures). */
  readonly topLocations?: number;
}

/** The whole-table numbers the per-customer statement needs (from quality.ts). */
export interface FeatureInputs {
  /** Rule 9's caps (NaN: no values, nothing capped). */
  readonly amountCap: number;
  readonly balanceCap: number;
  /** The last transaction day of the cleaned rows (days since 1970-01-01). */
  readonly endDay: number;
  /** The day recency is measured from (`--as-of`; at least endDay). */
  readonly asOf: number;
}

/** HHMMSS per time-of-day bin (6 hours): bin = floor(HHMMSS / 60000), as in src/preprocess/features.ts. */
const HHMMSS_PER_BIN = 60000;

/** "The value at the customer's latest transaction that has one" (see perCustomerSql). An aggregate. */
function latestKnown(value: string): string {
  return `(max(ARRAY[s.day, s.ttime, s.row_index, ${value}]) FILTER (WHERE ${KEPT} AND ${value} IS NOT NULL))[4]`;
}

/**
 * Each numeric feature of a customer (docs/data-model.md section 3) as an aggregate over the customer's readable rows
 * (the columns of rules_sql's sourceRowsSql, grouped by customer): NULL when unknown, NULL or 0 rows' worth for a
 * customer whose rows rule 1 all dropped. recencyDays is an integer, frequency a bigint, the others float8. Every
 * expression ships to the shards. The compiler names this function when a feature is added to the registry.
 */
export function numericFeatureSql(inputs: FeatureInputs): Record<NumericFeature, string> {
  const total = `sum(${cappedSql('s.amount', inputs.amountCap)}) FILTER (WHERE ${KEPT})`;
  const frequency = `count(*) FILTER (WHERE ${KEPT})`;
  return {
    recencyDays: `${inputs.asOf} - max(s.day) FILTER (WHERE ${KEPT})`,
    frequency,
    monetaryTotal: total,
    monetaryMean: `${total} / ${frequency}`,
    balance: latestKnown(cappedSql('s.balance', inputs.balanceCap)),
    age: latestKnown(AGE_SQL),
  };
}

/**
 * One row per customer read (every customer key among the readable rows), computed from that customer's rows only:
 * on a table sharded by customer, PostgreSQL runs this whole aggregate on each shard (partitionwise aggregation) and
 * only these rows travel. A customer is the key of cleaning rule 10: (customer_id, birth_day, gender_key). A customer
 * whose rows rule 1 all dropped has frequency 0 and NULL features: not a customer of the features (FeatureBuilder
 * skips it, but still counts its CustomerID for the profile; a scoring query filters frequency > 0). Columns:
 * customer_id, birth_day and gender_key (NULL unknown), first_row (smallest kept row_index: the customer order),
 * recency_days (from as-of), frequency,
 * monetary_total, monetary_mean, balance, age, gender (index into GENDERS), location (the latest known, before
 * bucketing, which needs every customer), time_of_day (index into TIME_OF_DAY).
 *
 * The model's features are all here, so scoring a saved model (transform + nearest centroid as expressions over
 * these columns) can be added to this select list and still run on the shards.
 *
 * "The value at the customer's latest transaction that has one" is `max(ARRAY[day, time, row_index, value])`
 * over the rows where the value is known, element 4: arrays compare element by element, so the maximum is the
 * latest (date, time, row index); one hash aggregate, no per-customer sort. The location is text, which cannot
 * share a numeric array, so it is the first element of the customer's locations sorted latest first.
 */
export function perCustomerSql(table: TableName | string, inputs: FeatureInputs, sample?: SampleSql): string {
  const bin = (b: number) => `count(*) FILTER (WHERE ${KEPT} AND s.ttime >= ${b * HHMMSS_PER_BIN} AND s.ttime < ${(b + 1) * HHMMSS_PER_BIN})`;
  const [n0, n1, n2, n3] = [0, 1, 2, 3].map(bin);
  const f = numericFeatureSql(inputs);
  return `SELECT s.customer_id,
         ${BIRTH_DAY} AS birth_day,
         ${GENDER_CODE} AS gender_key,
         min(s.row_index) FILTER (WHERE ${KEPT}) AS first_row,
         ${f.recencyDays} AS recency_days,
         ${f.frequency} AS frequency,
         ${f.monetaryTotal} AS monetary_total,
         ${f.monetaryMean} AS monetary_mean,
         ${f.balance} AS balance,
         ${f.age} AS age,
         ${latestKnown(GENDER_CODE)} AS gender,
         (array_agg(s.location ORDER BY s.day DESC, s.ttime DESC, s.row_index DESC) FILTER (WHERE ${KEPT} AND s.location IS NOT NULL))[1] AS location,
         -- The most frequent time-of-day bin; a tie goes to the earlier bin.
         CASE WHEN ${n0} >= ${n1} AND ${n0} >= ${n2} AND ${n0} >= ${n3} THEN 0
              WHEN ${n1} >= ${n2} AND ${n1} >= ${n3} THEN 1
              WHEN ${n2} >= ${n3} THEN 2 ELSE 3 END AS time_of_day${sample ? `,
         ${sampleHashSql(sample.seed)} AS sample_hash` : ''}
    FROM ${sourceRowsSql(table)}
   WHERE s.readable${sample?.threshold ? ` AND ${sampleHashSql(sample.seed)} < ${sample.threshold}` : ''}
   GROUP BY s.customer_id, ${BIRTH_DAY}, ${GENDER_CODE}
`;
}

/**
 * A sample of customers in SQL (sample.ts): the seed of the hash, the threshold rows must hash below (null: none,
 * every customer passes), and how many of the smallest hashes to keep among the customers with kept rows (null: all
 * that pass).
 */
export interface SampleSql {
  readonly seed: number;
  readonly threshold: string | null;
  readonly limit: number | null;
}

/**
 * The push-down statement: perCustomerSql, then what needs every customer (on the coordinator of a sharded
 * table): the top `topLocations` locations by number of customers (ties: code point order), and the customer
 * order (first appearance). Output fields: see the positions below.
 */
export function customerFeaturesSql(table: TableName, inputs: FeatureInputs, topLocations: number, sample?: SampleSql): string {
  const perCustomer = perCustomerSql(sqlTable(table), inputs, sample);
  // A sample keeps the customers with kept rows (the others are not customers of the features), the smallest hashes first.
  const customers = sample
    ? `per_customer_read AS (
${perCustomer}
),
per_customer AS (
  SELECT * FROM per_customer_read WHERE frequency > 0
   ORDER BY sample_hash, customer_id, birth_day, gender_key${sample.limit === null ? '' : ` LIMIT ${sample.limit}`}
)`
    : `per_customer AS (
${perCustomer}
)`;
  return `
WITH ${customers},
top_locations AS (
  SELECT array_agg(location ORDER BY rank) AS names
    FROM (SELECT location, row_number() OVER (ORDER BY count(*) DESC, location COLLATE "C") AS rank
            FROM per_customer WHERE location IS NOT NULL GROUP BY location) ranked
   WHERE rank <= ${topLocations}
)
SELECT p.customer_id::text,
       p.birth_day::int4,
       p.gender_key::int4,
       p.recency_days::float8,
       p.frequency::float8,
       p.monetary_total::float8,
       p.monetary_mean::float8,
       p.balance::float8,
       p.age::float8,
       p.gender::int4,
       array_position(t.names, p.location)::int4 AS location_rank,
       CASE WHEN array_position(t.names, p.location) IS NOT NULL THEN p.location END::text AS location,
       p.time_of_day::int4,
       ${inputs.endDay}::int4 AS end_day
  FROM per_customer p CROSS JOIN top_locations t
 ORDER BY p.first_row`;
}

/** Field positions in customerFeaturesSql's output (with the binary type each arrives as). */
const CUSTOMER_ID = 0; // text
const BIRTH_DAY_FIELD = 1; // int4 (days since 1970-01-01) or NULL
const GENDER_KEY = 2; // int4 (index into GENDERS) or NULL
const RECENCY_DAYS = 3; // float8
const FREQUENCY = 4; // float8
const TOTAL = 5; // float8
const MEAN = 6; // float8
const BALANCE = 7; // float8 or NULL
const AGE = 8; // float8 or NULL
const GENDER = 9; // int4 (index into GENDERS) or NULL
const LOCATION_RANK = 10; // int4 (1-based rank among the top locations) or NULL
const LOCATION = 11; // text or NULL
const TIME_OF_DAY_BIN = 12; // int4 (index into TIME_OF_DAY)
const END_DAY = 13; // int4, days since 1970-01-01
export const FEATURE_FIELDS = 14;

/** Collects the received customer rows into the CustomerFeatures columns. */
export class FeatureBuilder {
  n = 0;
  /** Customers read whose rows were all dropped (frequency 0): not in the features. */
  withoutKeptRows = 0;
  /** The day recency counts from (set by the caller; the end date when not). */
  asOf = NaN;
  /** Every CustomerID read, customers without kept rows included (the profile counts CustomerIDs, not customers). */
  readonly idsRead = new Set<string>();
  private readonly customerId: string[] = [];
  private readonly numbers = { recencyDays: [] as number[], frequency: [] as number[], total: [] as number[], mean: [] as number[], balance: [] as number[], age: [] as number[] };
  private readonly gender: number[] = [];
  /** Location rank - 1 for a top location, -1 for OTHER (resolved in features()). */
  private readonly locationRank: number[] = [];
  private readonly topNames: string[] = [];
  private readonly timeOfDay: number[] = [];
  private endDate = NaN;

  /** Birth dates as `YYYY-MM-DD`, each formatted once. */
  private readonly birthText = new Map<number, string>();

  row(r: CopyRow): void {
    const id = r.text(CUSTOMER_ID) as string;
    this.idsRead.add(id);
    if (r.float8(FREQUENCY) === 0) {
      this.withoutKeptRows++;
      return;
    }
    // The customer key's text, `CustomerID|YYYY-MM-DD|G` (cleaning rule 10), built here: date formatting would not ship.
    const birth = r.int4(BIRTH_DAY_FIELD);
    const gender = r.int4(GENDER_KEY);
    let day = UNKNOWN_KEY_PART;
    if (birth !== null) {
      day = this.birthText.get(birth) ?? isoDate(birth);
      this.birthText.set(birth, day);
    }
    this.customerId.push(`${id}|${day}|${gender === null ? UNKNOWN_KEY_PART : GENDERS[gender]}`);
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
      asOf: Number.isNaN(this.asOf) ? this.endDate : this.asOf,
    };
  }
}
