/**
 * Customer features: the cleaned transactions → one row per customer (docs/data-model.md section 3):
 * recency, frequency, monetary total and mean, and the latest known balance, age, gender and location,
 * plus the usual time of day.
 *
 * One pass over the rows into per-customer typed-array accumulators, then one pass over the customers.
 */
import { UsageError } from '../errors';
import { CustomerKeys, GENDERS, isoDate, TIME_OF_DAY } from '../table';
import type { CleanTable, CustomerKeyColumn, DictColumn } from '../table';
import type { CustomerFeatures } from './feature_registry';

export interface FeatureOptions {
  /** How many locations keep their name (the most common by number of customers); default 10. */
  readonly topLocations?: number;
  /** The day recency is measured from (days since 1970-01-01); default the last date in the data, never before it. */
  readonly asOf?: number;
}

export const DEFAULT_TOP_LOCATIONS = 10;
/** The location bucket of every location outside the top N, and of customers with no known location. */
export const OTHER_LOCATION = 'OTHER';

/** How many locations keep their name: `n` (default DEFAULT_TOP_LOCATIONS), a whole number >= 0; a RangeError if not. */
export function topLocationsOption(n: number | undefined): number {
  const topLocations = n ?? DEFAULT_TOP_LOCATIONS;
  if (!Number.isInteger(topLocations) || topLocations < 0) throw new RangeError(`topLocations must be a whole number >= 0, got ${topLocations}`);
  return topLocations;
}

/** HHMMSS per time-of-day bin: the bins are 6 hours wide, so bin = floor(HHMMSS / 60000). */
const HHMMSS_PER_BIN = 60000;
const BINS = TIME_OF_DAY.length;
// customerFeatures keeps a customer's usual bin (4 B) and balance (8 B) in its bins' buffer (4·BINS B).
if (BINS < 3) throw new Error('features: the bins buffer must hold 12 B per customer');

/**
 * The features of every customer that has at least one cleaned transaction, in order of first appearance
 * in the file (the customer keys of cleaning rule 10). Recency counts days from `asOf` (default `endDate`, the last
 * date in the data); an `asOf` before the last transaction is a UsageError (recency would be negative).
 * "Latest" means greatest (date, time, row index). A location's rank is the number of customers whose feature
 * location it is; ties are broken alphabetically (UTF-16 code-unit order, as Array.prototype.sort compares).
 * `endDate` is NaN when there are no rows. Cost: O(n + m + L log L) for n rows, m customers, L distinct locations.
 */
export function customerFeatures(c: CleanTable, opts: FeatureOptions = {}): CustomerFeatures {
  const topLocations = topLocationsOption(opts.topLocations);
  const acc = accumulate(c);
  const asOf = opts.asOf ?? acc.endDate;
  if (!Number.isInteger(asOf) && !(Number.isNaN(asOf) && c.rows === 0)) throw new RangeError(`asOf must be a whole day number, got ${asOf}`);
  if (asOf < acc.endDate) {
    throw new UsageError(`--as-of ${isoDate(asOf)} is before the last transaction date in the data, ${isoDate(acc.endDate)}`);
  }

  // The accumulators become the features in place where the sizes allow (48 B per customer of accumulators, 60 B of
  // features, 16 B of them new: at most 64 B per customer at once, not 92 with every feature a new array):
  // - the bins' buffer (16 B): the usual time of day (4 B, compacted to its front) and the balance (8 B after it);
  // - the latest rows' pairs (8 B): the age; the latest key: the recency; the total: itself; the gender and location
  //   rows: their codes.
  const m = c.customerIds.length;
  const { bins, total, latestRows } = acc;
  // Transactions per customer (the sum of its bins: each row counts in one bin) and the usual bin, compacted into the
  // bins' front: customer k's code goes to index k <= k·BINS, so no bin is overwritten before it is read.
  const count = new Float64Array(m);
  const monetaryMean = new Float64Array(m);
  const timeOfDayCodes = new Int32Array(bins.buffer, bins.byteOffset, m);
  let n = 0;
  for (let k = 0; k < m; k++) {
    const from = k * BINS;
    let best = 0;
    let f = bins[from];
    for (let b = 1; b < BINS; b++) {
      const v = bins[from + b];
      f += v;
      if (v > bins[from + best]) best = b; // a tie goes to the earlier bin (strict >)
    }
    timeOfDayCodes[k] = best;
    count[k] = f;
    monetaryMean[k] = total[k] / f;
    if (f > 0) n++;
  }
  // Customer k's latest balance and age, from the pair (balance row, age row) at [2k, 2k + 1]: the balance into the
  // bins' buffer after the codes, the age in place of its pair (8 B each).
  const balance = new Float64Array(bins.buffer, bins.byteOffset + align8(4 * m), m);
  const age = new Float64Array(latestRows.buffer, latestRows.byteOffset, m);
  const balances = c.balance;
  const ages = c.age;
  for (let k = 0; k < m; k++) {
    const b = latestRows[2 * k];
    const a = latestRows[2 * k + 1];
    balance[k] = b < 0 ? NaN : balances[b];
    age[k] = a < 0 ? NaN : ages[a];
  }
  const latest = acc.latestKey; // becomes the recency, in place: date = ⌊key / 10⁶⌋ exactly (HHMMSS < 240000)
  for (let k = 0; k < m; k++) latest[k] = asOf - Math.floor(latest[k] / 1e6);
  // Gender and location codes, in place of the rows they come from (-1: never known).
  const genders = acc.genderRow;
  const locations = acc.locationRow;
  for (let k = 0; k < m; k++) {
    genders[k] = genders[k] < 0 ? -1 : c.gender[genders[k]];
    locations[k] = locations[k] < 0 ? -1 : c.location.codes[locations[k]];
  }

  // Customers with rows, in dictionary (first-appearance) order: all of them after cleaning (its keys come from the
  // kept rows), so the features are the arrays above; otherwise (hand-built tables) their values at the kept customers.
  const keep = n === m ? undefined : customersWithRows(count, n);
  const customerId = keep === undefined ? c.customerIds : subsetKeys(c.customerIds, keep);
  const locationCodes = gathered(locations, keep);
  return {
    n,
    customerId,
    recencyDays: gathered(latest, keep),
    frequency: gathered(count, keep),
    monetaryTotal: gathered(total, keep),
    monetaryMean: gathered(monetaryMean, keep),
    balance: gathered(balance, keep),
    age: gathered(age, keep),
    gender: { codes: gathered(genders, keep), values: GENDERS },
    // In place: the codes are this function's own (the location rows' array, or its gathered copy).
    location: bucketInto(locationCodes, locationCodes, c.location.values, topLocations),
    timeOfDay: { codes: gathered(timeOfDayCodes, keep), values: TIME_OF_DAY },
    endDate: acc.endDate,
    asOf,
  };
}

/** `bytes` rounded up to a multiple of 8 (a Float64Array's offset). */
function align8(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}

/** The keys at `keys` (codes), in that order. O(keys). */
function subsetKeys(all: CustomerKeyColumn, keys: Int32Array): CustomerKeyColumn {
  return all instanceof CustomerKeys ? all.subset(keys) : Array.from(keys, (k) => all[k]);
}

/** The customers (codes) with at least one row, `n` of them, in code order. O(m). */
function customersWithRows(frequency: Float64Array, n: number): Int32Array {
  const keep = new Int32Array(n);
  let j = 0;
  for (let k = 0; k < frequency.length; k++) if (frequency[k] > 0) keep[j++] = k;
  return keep;
}

/** `a` itself when every customer is kept, else its values at `keep`. */
function gathered<T extends Float64Array | Int32Array>(a: T, keep: Int32Array | undefined): T {
  if (keep === undefined) return a;
  const out = new (a.constructor as new (length: number) => T)(keep.length);
  for (let j = 0; j < keep.length; j++) out[j] = a[keep[j]];
  return out;
}

/**
 * Per-customer accumulators, indexed by customer code: 48 bytes per customer. The latest known balance, age, gender
 * and location are kept as the row they come from (-1: none yet), not as a value and its (date, time) key; the
 * transactions per customer are the sum of its bins.
 */
interface Accumulators {
  readonly total: Float64Array;
  /** The greatest `date·10⁶ + HHMMSS` of the customer's rows. */
  readonly latestKey: Float64Array;
  /** Customer k's latest balance row at [2k], latest age row at [2k + 1] (a pair per customer: its age in place). */
  readonly latestRows: Int32Array;
  readonly genderRow: Int32Array;
  readonly locationRow: Int32Array;
  /** Transactions per time-of-day bin: customer k's counts are at [k·BINS, k·BINS + BINS). */
  readonly bins: Int32Array;
  readonly endDate: number;
}

/**
 * One pass over the rows. The (date, time) order is kept as one number `date·10⁶ + HHMMSS` (exact in a double,
 * and monotone since HHMMSS < 10⁶); rows come in index order, so `>=` lets the later row win a tie. A row at least as
 * late as all of its customer's rows so far is at least as late as the row any latest value came from, so only an
 * earlier row (rare: files mostly come in date order) looks up the key of the row it competes with. O(n + m).
 */
function accumulate(c: CleanTable): Accumulators {
  const m = c.customerIds.length;
  const total = new Float64Array(m);
  const latestKey = new Float64Array(m).fill(-Infinity);
  const latestRows = new Int32Array(2 * m).fill(-1);
  const genderRow = new Int32Array(m).fill(-1);
  const locationRow = new Int32Array(m).fill(-1);
  const bins = new Int32Array(m * BINS);
  let endDate = -Infinity;

  const { customer, date, time, amount } = c;
  const balances = c.balance;
  const ages = c.age;
  const genders = c.gender;
  const locations = c.location.codes;
  /** The order key of row r; -Infinity for none (-1). */
  const keyOf = (r: number) => (r < 0 ? -Infinity : date[r] * 1e6 + time[r]);
  for (let i = 0; i < c.rows; i++) {
    const k = customer[i];
    const d = date[i];
    const t = time[i];
    const key = d * 1e6 + t;
    total[k] += amount[i];
    if (d > endDate) endDate = d;
    const newest = key >= latestKey[k];
    if (newest) latestKey[k] = key;
    const b = balances[i];
    if (b === b && (newest || key >= keyOf(latestRows[2 * k]))) latestRows[2 * k] = i;
    const a = ages[i];
    if (a === a && (newest || key >= keyOf(latestRows[2 * k + 1]))) latestRows[2 * k + 1] = i;
    if (genders[i] >= 0 && (newest || key >= keyOf(genderRow[k]))) genderRow[k] = i;
    if (locations[i] >= 0 && (newest || key >= keyOf(locationRow[k]))) locationRow[k] = i;
    const bin = Math.floor(t / HHMMSS_PER_BIN);
    if (!(bin >= 0 && bin < BINS)) throw new RangeError(`row ${i}: time ${t} is not HHMMSS in 0..235959`);
    bins[k * BINS + bin]++;
  }
  return {
    total,
    latestKey,
    latestRows,
    genderRow,
    locationRow,
    bins,
    endDate: c.rows > 0 ? endDate : NaN,
  };
}

/**
 * Keeps the names of the `top` locations with the most customers (ties alphabetical) and maps every other
 * location, and a missing one (-1), to OTHER. Values are the kept names in rank order, then OTHER.
 * O(n + L log L) for n customers and L distinct locations.
 */
export function bucketLocations(codes: Int32Array, names: readonly string[], top: number): DictColumn {
  return bucketInto(codes, new Int32Array(codes.length), names, top);
}

/** bucketLocations with the bucket codes written into `out` (which may be `codes` itself: each is read before it is written). */
function bucketInto(codes: Int32Array, out: Int32Array, names: readonly string[], top: number): DictColumn {
  const customers = new Int32Array(names.length);
  for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) customers[codes[i]]++;
  const ranked: number[] = [];
  for (let l = 0; l < names.length; l++) if (customers[l] > 0) ranked.push(l);
  ranked.sort((a, b) => customers[b] - customers[a] || compareText(names[a], names[b]));
  const kept = ranked.slice(0, top);

  const values = kept.map((l) => names[l]);
  // A source location literally called OTHER shares the OTHER bucket rather than appearing twice.
  let otherCode = values.indexOf(OTHER_LOCATION);
  if (otherCode < 0) otherCode = values.push(OTHER_LOCATION) - 1;
  const recode = new Int32Array(names.length).fill(otherCode);
  kept.forEach((l, rank) => (recode[l] = rank));

  for (let i = 0; i < codes.length; i++) out[i] = codes[i] >= 0 ? recode[codes[i]] : otherCode;
  return { codes: out, values };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
