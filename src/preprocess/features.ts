/**
 * Customer features: the cleaned transactions → one row per customer (docs/data-model.md section 3):
 * recency, frequency, monetary total and mean, and the latest known balance, age, gender and location,
 * plus the usual time of day.
 *
 * One pass over the rows into per-customer typed-array accumulators, then one pass over the customers.
 */
import { UsageError } from '../errors';
import { GENDERS, isoDate, TIME_OF_DAY } from '../table';
import type { CleanTable, DictColumn } from '../table';
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

  // Customers with rows, in dictionary (first-appearance) order.
  const m = c.customerIds.length;
  let n = 0;
  for (let k = 0; k < m; k++) if (acc.frequency[k] > 0) n++;
  const customerId: string[] = new Array(n);
  const recencyDays = new Float64Array(n);
  const frequency = new Float64Array(n);
  const monetaryTotal = new Float64Array(n);
  const monetaryMean = new Float64Array(n);
  const balance = new Float64Array(n);
  const age = new Float64Array(n);
  const genderCodes = new Int32Array(n);
  const rawLocation = new Int32Array(n);
  const timeOfDayCodes = new Int32Array(n);
  let j = 0;
  for (let k = 0; k < m; k++) {
    const f = acc.frequency[k];
    if (f === 0) continue;
    customerId[j] = c.customerIds[k];
    recencyDays[j] = asOf - acc.latestDate[k];
    frequency[j] = f;
    monetaryTotal[j] = acc.total[k];
    monetaryMean[j] = acc.total[k] / f;
    balance[j] = acc.balance[k];
    age[j] = acc.age[k];
    genderCodes[j] = acc.gender[k];
    rawLocation[j] = acc.location[k];
    timeOfDayCodes[j] = mostFrequentBin(acc.bins, k);
    j++;
  }

  return {
    n,
    customerId,
    recencyDays,
    frequency,
    monetaryTotal,
    monetaryMean,
    balance,
    age,
    gender: { codes: genderCodes, values: GENDERS },
    location: bucketLocations(rawLocation, c.location.values, topLocations),
    timeOfDay: { codes: timeOfDayCodes, values: TIME_OF_DAY },
    endDate: acc.endDate,
    asOf,
  };
}

/** Per-customer accumulators, indexed by customer code. */
interface Accumulators {
  readonly frequency: Int32Array;
  readonly total: Float64Array;
  readonly latestDate: Int32Array;
  /** Value at the latest row where it is known: NaN / -1 when never known. */
  readonly balance: Float64Array;
  readonly age: Float64Array;
  readonly gender: Int8Array;
  readonly location: Int32Array;
  /** Transactions per time-of-day bin: customer k's counts are at [k·BINS, k·BINS + BINS). */
  readonly bins: Int32Array;
  readonly endDate: number;
}

/**
 * One pass over the rows. The (date, time) order is kept as one number `date·10⁶ + HHMMSS` (exact in a double,
 * and monotone since HHMMSS < 10⁶); rows come in index order, so `>=` lets the later row win a tie. O(n + m).
 */
function accumulate(c: CleanTable): Accumulators {
  const m = c.customerIds.length;
  const frequency = new Int32Array(m);
  const total = new Float64Array(m);
  const latestKey = new Float64Array(m).fill(-Infinity);
  const latestDate = new Int32Array(m);
  const balanceKey = new Float64Array(m).fill(-Infinity);
  const balance = new Float64Array(m).fill(NaN);
  const ageKey = new Float64Array(m).fill(-Infinity);
  const age = new Float64Array(m).fill(NaN);
  const genderKey = new Float64Array(m).fill(-Infinity);
  const gender = new Int8Array(m).fill(-1);
  const locationKey = new Float64Array(m).fill(-Infinity);
  const location = new Int32Array(m).fill(-1);
  const bins = new Int32Array(m * BINS);
  let endDate = -Infinity;

  const { customer, date, time, amount } = c;
  const balances = c.balance;
  const ages = c.age;
  const genders = c.gender;
  const locations = c.location.codes;
  for (let i = 0; i < c.rows; i++) {
    const k = customer[i];
    const d = date[i];
    const t = time[i];
    const key = d * 1e6 + t;
    frequency[k]++;
    total[k] += amount[i];
    if (d > endDate) endDate = d;
    if (key >= latestKey[k]) {
      latestKey[k] = key;
      latestDate[k] = d;
    }
    const b = balances[i];
    if (b === b && key >= balanceKey[k]) {
      balanceKey[k] = key;
      balance[k] = b;
    }
    const a = ages[i];
    if (a === a && key >= ageKey[k]) {
      ageKey[k] = key;
      age[k] = a;
    }
    const g = genders[i];
    if (g >= 0 && key >= genderKey[k]) {
      genderKey[k] = key;
      gender[k] = g;
    }
    const l = locations[i];
    if (l >= 0 && key >= locationKey[k]) {
      locationKey[k] = key;
      location[k] = l;
    }
    const bin = Math.floor(t / HHMMSS_PER_BIN);
    if (!(bin >= 0 && bin < BINS)) throw new RangeError(`row ${i}: time ${t} is not HHMMSS in 0..235959`);
    bins[k * BINS + bin]++;
  }
  return {
    frequency,
    total,
    latestDate,
    balance,
    age,
    gender,
    location,
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
