/**
 * A seeded random sample of customers, drawn inside the database, for fitting a model on a table too large to bring
 * to Node (docs/database.md, "Fit on a sample, score in the database").
 *
 * The rule: a customer (the key of cleaning rule 10: CustomerID, birth date, gender) is in the sample when the hash
 * of its key under the seed, `hashtextextended(customer_id, seed) # hashint4extended(key code, seed)` (a 64-bit
 * number), is small: below the threshold of a fraction f (the lowest f of the 2^64 values), or among the N smallest
 * for a size N.
 *
 * Why a hash of the key and not TABLESAMPLE: TABLESAMPLE samples rows (BERNOULLI) or pages (SYSTEM), so it keeps
 * some of a customer's transactions and drops others, and the features of a half-read customer are wrong; nor does
 * postgres_fdw apply it on the shards. The hash decides per customer, is evaluated row by row in the WHERE clause of
 * the per-customer aggregate (each shard reads all its rows but aggregates only the sampled customers, and only
 * those travel), and depends on nothing but the key and the seed: the same seed gives the same customers on one
 * server or on any number of shards, whatever the row order, and a customer keeps its place when other customers
 * are added (for a fraction). These are the hash functions of PostgreSQL's hash partitioning, which stores rows by
 * their values, so they cannot change between versions without breaking upgrades; they do differ between byte
 * orders (x86-64 and ARM64 agree).
 */
import { checkSeed } from '../../stats/random';
import { BIRTH_DAY, GENDER_CODE } from './rules_sql';

/** How many customers to draw: `size` customers exactly, or each customer with probability `fraction`. */
export interface CustomerSample {
  /** A whole number >= 1: exactly this many customers (all of them when there are fewer). */
  readonly size?: number;
  /** In (0, 1): each customer independently (by its hash) with this probability. */
  readonly fraction?: number;
  /** 0..2^32−1: the same seed draws the same customers. */
  readonly seed: number;
}

/** Checks a sample: exactly one of size (a whole number >= 1) and fraction (in (0, 1)), and a seed. A RangeError if not. */
export function checkSample(sample: CustomerSample): CustomerSample {
  const { size, fraction, seed } = sample;
  checkSeed(seed);
  if ((size === undefined) === (fraction === undefined)) throw new RangeError('a sample has either a size or a fraction');
  if (size !== undefined && !(Number.isInteger(size) && size >= 1)) throw new RangeError(`a sample size is a whole number >= 1, got ${size}`);
  if (fraction !== undefined && !(fraction > 0 && fraction < 1)) throw new RangeError(`a sample fraction is in (0, 1), got ${fraction}`);
  return sample;
}

/** A birth day no date has (days since 1970-01-01 of the years 1800..2100 are within ±70,000): the unknown one. */
const UNKNOWN_BIRTH_DAY = -1000000;
/** The gender code of an unknown gender (GENDERS has two). */
const UNKNOWN_GENDER = 2;

/**
 * The key's birth date and gender as one int4, different for different (birth date, gender), unknown parts included
 * (`?` is its own value, as in the key's text). Made of CASE and integer arithmetic (COALESCE is not shipped to the
 * shards). Over the columns of rules_sql's `sourceRowsSql`, or of a query grouped by BIRTH_DAY and GENDER_CODE.
 */
export const KEY_CODE =
  `(CASE WHEN ${BIRTH_DAY} IS NULL THEN ${UNKNOWN_BIRTH_DAY} ELSE ${BIRTH_DAY} END * 3 + ` +
  `CASE WHEN ${GENDER_CODE} IS NULL THEN ${UNKNOWN_GENDER} ELSE ${GENDER_CODE} END)`;

/** The customer key's 64-bit hash under `seed` (see the module comment). Row by row, or in a query grouped by the key. */
export function sampleHashSql(seed: number): string {
  checkSeed(seed);
  return `(hashtextextended(s.customer_id, ${seed}) # hashint4extended(${KEY_CODE}, ${seed}))`;
}

const TWO_63 = 2n ** 63n;

/**
 * The bigint literal T such that a hash h < T holds for the lowest `fraction` of the 2^64 values: −2^63 + f·2^64,
 * with f rounded down to a multiple of 2^−53 (a double's precision), so it is exact and never above 2^63 − 1 for
 * f < 1. O(1).
 */
export function hashThreshold(fraction: number): string {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`a sample fraction is in (0, 1), got ${fraction}`);
  return String(BigInt(Math.floor(fraction * 2 ** 53)) * 2048n - TWO_63);
}

/**
 * The fraction to prefilter with when drawing exactly `size` of `customers`: enough that fewer than `size`
 * customers pass with probability below 1e-9 (the count passing is binomial, mean f·customers: six standard
 * deviations and 100 more); 1 (no prefilter) when that is most of them. O(1).
 */
export function prefilterFraction(size: number, customers: number): number {
  const f = (size + 6 * Math.sqrt(size) + 100) / customers;
  return f >= 0.5 ? 1 : f;
}

/** What a drawn sample was: as asked, and how many customers it holds of how many. */
export interface DrawnSample extends CustomerSample {
  /** Customers in the sample. */
  readonly drawn: number;
  /** Customers in the table (keys with kept rows). */
  readonly customers: number;
}

/** "a seeded random sample of 2,000 of the 19,999 customers (seed 42)" and the like, for reports. O(1). */
export function sampleWords(s: DrawnSample): string {
  const asked = s.fraction !== undefined ? `, each customer with probability ${s.fraction}` : '';
  return `a seeded random sample of ${s.drawn.toLocaleString('en-US')} of the ${s.customers.toLocaleString('en-US')} customers (seed ${s.seed}${asked}; drawn in the database by a hash of the customer key)`;
}
