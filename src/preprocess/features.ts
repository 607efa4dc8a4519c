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

  // Customers with rows, in dictionary (first-appearance) order: all of them after cleaning (its keys come from the
  // kept rows), so the accumulators mostly become the features in place instead of being copied.
  const m = c.customerIds.length;
  let n = 0;
  for (let k = 0; k < m; k++) if (acc.frequency[k] > 0) n++;
  const keep = n === m ? undefined : customersWithRows(acc.frequency, n);
  const customer = (j: number) => (keep === undefined ? j : keep[j]);

  const latest = acc.latestKey; // becomes the recency, in place: date = ⌊key / 10⁶⌋ exactly (HHMMSS < 240000)
  for (let k = 0; k < m; k++) latest[k] = asOf - Math.floor(latest[k] / 1e6);
  const recencyDays = gathered(latest, keep);
  const monetaryTotal = gathered(acc.total, keep);
  const frequency = new Float64Array(n);
  const monetaryMean = new Float64Array(n);
  const balance = new Float64Array(n);
  const age = new Float64Array(n);
  const timeOfDayCodes = new Int32Array(n);
  const balances = c.balance;
  const ages = c.age;
  for (let j = 0; j < n; j++) {
    const k = customer(j);
    const f = acc.frequency[k];
    frequency[j] = f;
    monetaryMean[j] = acc.total[k] / f;
    const b = acc.balanceRow[k];
    balance[j] = b < 0 ? NaN : balances[b];
    const a = acc.ageRow[k];
    age[j] = a < 0 ? NaN : ages[a];
    timeOfDayCodes[j] = mostFrequentBin(acc.bins, k);
  }
  // Gender and location codes, in place of the rows they come from (-1: never known).
  const genders = acc.genderRow;
  const locations = acc.locationRow;
  for (let k = 0; k < m; k++) {
    genders[k] = genders[k] < 0 ? -1 : c.gender[genders[k]];
    locations[k] = locations[k] < 0 ? -1 : c.location.codes[locations[k]];
  }
  const customerId = keep === undefined ? c.customerIds : subsetKeys(c.customerIds, keep);

  return {
    n,
    customerId,
    recencyDays,
    frequency,
    monetaryTotal,
    monetaryMean,
    balance,
    age,
    gender: { codes: gathered(genders, keep), values: GENDERS },
    location: bucketLocations(gathered(locations, keep), c.location.values, topLocations),
    timeOfDay: { codes: timeOfDayCodes, values: TIME_OF_DAY },
    endDate: acc.endDate,
    asOf,
  };
}

/** The keys at `keys` (codes), in that order. O(keys). */
function subsetKeys(all: CustomerKeyColumn, keys: Int32Array): CustomerKeyColumn {
  return all instanceof CustomerKeys ? all.subset(keys) : Array.from(keys, (k) => all[k]);
}

/** The customers (codes) with at least one row, `n` of them, in code order. O(m). */
function customersWithRows(frequency: Int32Array, n: number): Int32Array {
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
 * Per-customer accumulators, indexed by customer code: 52 bytes per customer. The latest known balance, age, gender
 * and location are kept as the row they come from (-1: none yet), not as a value and its (date, time) key.
 */
interface Accumulators {
  readonly frequency: Int32Array;
  readonly total: Float64Array;
  /** The greatest `date·10⁶ + HHMMSS` of the customer's rows. */
  readonly latestKey: Float64Array;
  readonly balanceRow: Int32Array;
  readonly ageRow: Int32Array;
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
  const frequency = new Int32Array(m);
  const total = new Float64Array(m);
  const latestKey = new Float64Array(m).fill(-Infinity);
  const balanceRow = new Int32Array(m).fill(-1);
  const ageRow = new Int32Array(m).fill(-1);
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
    frequency[k]++;
    total[k] += amount[i];
    if (d > endDate) endDate = d;
    const newest = key >= latestKey[k];
    if (newest) latestKey[k] = key;
    const b = balances[i];
    if (b === b && (newest || key >= keyOf(balanceRow[k]))) balanceRow[k] = i;
    const a = ages[i];
    if (a === a && (newest || key >= keyOf(ageRow[k]))) ageRow[k] = i;
    if (genders[i] >= 0 && (newest || key >= keyOf(genderRow[k]))) genderRow[k] = i;
    if (locations[i] >= 0 && (newest || key >= keyOf(locationRow[k]))) locationRow[k] = i;
    const bin = Math.floor(t / HHMMSS_PER_BIN);
    if (!(bin >= 0 && bin < BINS)) throw new RangeError(`row ${i}: time ${t} is not HHMMSS in 0..235959`);
    bins[k * BINS + bin]++;
  }
  return {
    frequency,
    total,
    latestKey,
    balanceRow,
    ageRow,
    genderRow,
    locationRow,
    bins,
    endDate: c.rows > 0 ? endDate : NaN,
  };
}

/** The bin with the most transactions of customer k; a tie goes to the earlier bin (strict `>`). O(BINS). */
function mostFrequentBin(bins: Int32Array, k: number): number {
  let best = 0;
  for (let b = 1; b < BINS; b++) if (bins[k * BINS + b] > bins[k * BINS + best]) best = b;
  return best;
}

/**
 * Keeps the names of the `top` locations with the most customers (ties alphabetical) and maps every other
 * location, and a missing one (-1), to OTHER. Values are the kept names in rank order, then OTHER.
 * O(n + L log L) for n customers and L distinct locations.
 */
export function bucketLocations(codes: Int32Array, names: readonly string[], top: number): DictColumn {
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

  const out = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i] >= 0 ? recode[codes[i]] : otherCode;
  return { codes: out, values };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
