/**
 * The embedded default data: a seeded generator of a full-size `bank_transactions.csv` in the raw format of the
 * public file (`d/m/yy` dates, `25.0` amounts, HHMMSS times, `nan` for a missing birth date, quoted locations with
 * a comma), matching its published facts scaled to the row count. Same seed → same bytes.
 *
 * Model (each choice is documented where it is made):
 * - distinct CustomerIDs ≈ rows × 884,265 / 1,048,567; rows per CustomerID 1..6 (`FULL_FREQUENCY_COUNTS`).
 * - a CustomerID is reused by different people, as in the real file (`GENUINE_REPEAT_SHARE`): the rows of most
 *   repeated IDs belong to different people (each with their own DOB, gender, location and balance); the rows of a
 *   few (1.6 %) belong to one genuine repeat customer, who keeps DOB, gender and location and whose balance stays
 *   within ~±20 %.
 * - exact scaled counts of missing DOB/gender/location/balance and of the `1/1/1800` placeholder; one `T`.
 * - dates: 48 bulk days (1 Aug – 18 Sep 2016, all but one) carry 98 % of the rows, seven late dates the rest.
 * - times, balances and amounts from quantile tables fitted to the published describe() table, with the round
 *   amounts (100.0, 500.0, 1500.0) and two-decimal ones (1400.12) of the real rows; older customers tend to hold
 *   larger balances and richer customers to spend more (Gaussian copula, marginals unchanged).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRng, Rng, sampleDistinct, sampleIndices } from '../stats/random';
import { dayNumber, isoDate } from '../table';
import { DEFAULT_RAW_PATH, DEFAULT_SEED, PROJECT_ROOT } from '../config';
import { writeFileAtomicAsync } from '../io/atomic';
import { progress } from '../io/progress';
import { locationVocabulary } from './locations';
import { count } from '../format';

/** Rows of the public file. */
export const DEFAULT_ROWS = 1_048_567;
/** Customer IDs are `C` + a distinct 7-digit number in [1,010,000, 9,100,000), the range the real IDs span. */
const ID_LOW = 1_010_000;
const ID_SPAN = 8_090_000;
/** More rows would need more distinct IDs than the range holds (and memory a notebook does not have). */
export const MAX_ROWS = 9_000_000;

export const HEADER =
  'TransactionID,CustomerID,CustomerDOB,CustGender,CustLocation,CustAccountBalance,TransactionDate,TransactionTime,TransactionAmount (INR)';

/** Published facts of the full file, which the generator scales to its row count. */
export const PUBLISHED = {
  rows: 1_048_567,
  customers: 884_265,
  missingDob: 3_397,
  missingGender: 1_100,
  missingLocation: 151,
  missingBalance: 2_369,
  placeholderDob: 56_292,
  maxBalance: 115_035_500,
  maxAmount: 1_560_035,
} as const;

/**
 * Customers by number of transactions at full size (k = 2..6; k = 1 takes the rest). Chosen so that
 * Σ customers = 884,265 and Σ k·customers = 1,048,567 exactly, with mean 1.186 and std 0.438 transactions per
 * customer (a public RFM analysis of the cleaned file reports mean 1.174, std 0.435, max 6): 83.2 % of customers
 * have one transaction, 15.1 % two, 1.5 % three, 0.15 % four, 150 five and 20 six.
 * These are rows per CustomerID; most repeated IDs are reused by different people (`GENUINE_REPEAT_SHARE`).
 */
const FULL_FREQUENCY_COUNTS: readonly number[] = [0, 0, 133_702, 13_000, 1_300, 150, 20];

/**
 * Share of repeated CustomerIDs (2+ rows) whose rows all belong to one person; the rows of every other repeated ID
 * belong to as many different people. Real rows: of the 63 IDs repeated in the first 20,000 rows, 62 carry different
 * birth dates (the one that does not: same DOB, gender, location and balance); on a held-out sample 437 of 444 do.
 * 7 / 444 = 1.6 %. The rows-per-ID distribution above is what random collisions of ~3 million IDs would give
 * (Poisson with mean 0.35, conditioned on at least one row: 83.5 % / 14.6 % / 1.7 % / 0.15 %), another sign that the
 * ID does not identify a person.
 */
const GENUINE_REPEAT_SHARE = 0.016;

/**
 * Transaction dates. The public file is roughly in date order: its first 20,000 rows hold the late dates
 * (26/9: 7,092, 21/10: 3,539, 25/9: 3,388, 22/9: 2,945, 27/9: 2,007, 23/9: 371, 16/10: 3) and a few hundred August
 * rows, while rows sampled across the whole file (T427875 → 17/8, T614897 → 26/8, T892846 → 7/9, T997442 → 14/9,
 * T1048567 → 18/9) fall evenly over 1 Aug – 18 Sep. So: the 48 bulk days share 98.15 % of the rows evenly, the
 * late dates 1.85 % (≈ 19,300 rows at full size) in the proportions above. 55 distinct dates as published: all
 * 31 August days, 1–18 September without 13/9 (a bank holiday, Bakri Id; which day the full file lacks is unknown),
 * and the 7 late dates. Rows are written in that block order: late dates first, then 1 Aug → 18 Sep, 3 % of rows
 * displaced at random, like the public file.
 */
const LATE_DATES: readonly (readonly [day: number, month: number, weight: number])[] = [
  [21, 10, 3539], [16, 10, 3], [22, 9, 2945], [23, 9, 371], [25, 9, 3388], [26, 9, 7092], [27, 9, 2007],
];
const LATE_SHARE = 0.0185;
const MISSING_BULK_DAY = { day: 13, month: 9 };
const DISPLACED_SHARE = 0.03;

/**
 * Share of transactions per hour of day (‰), fitted so that the HHMMSS times (minute and second uniform) have the
 * published describe(): 25/50/75 % = 124,259 / 164,358 / 200,057 (published 124,030 / 164,226 / 200,010),
 * mean 156,779 (157,087.5), std 51,337 (51,261.85). Shape from the real rows: quiet nights, peaks at 15 h and 19–20 h.
 */
const HOUR_WEIGHTS: readonly number[] = [
  7.0, 4.7, 8.6, 9.0, 7.7, 15.6, 18.0, 24.4, 21.2, 30.8, 32.9, 34.7,
  49.3, 46.2, 46.1, 85.0, 80.1, 59.1, 57.4, 110.3, 110.7, 80.3, 42.0, 18.8,
];

/**
 * Quantile tables `[probability, log10(value)]`, interpolated linearly: the shape of the real rows' distribution,
 * moved to the published quartiles, with the top pinned to the published maximum.
 * Balance: published 25/50/75 % 4,721.76 / 16,792.18 / 57,657.36, mean 115,403, std 846,485, max 115,035,500
 * (full size, seed 42: 4,669 / 16,758 / 57,683, mean 119,697, std 844,680, max 112,627,978).
 */
const BALANCE_QUANTILES: readonly (readonly [number, number])[] = [
  [0, -2], [0.001, -0.6], [0.005, 0.4], [0.01, 0.83], [0.02, 1.33], [0.05, 2.15], [0.1, 2.9], [0.15, 3.3],
  [0.2, 3.52], [0.25, 3.674], [0.3, 3.82], [0.4, 4.03], [0.5, 4.225], [0.6, 4.42], [0.7, 4.625], [0.75, 4.761],
  [0.8, 4.9], [0.9, 5.28], [0.95, 5.6], [0.975, 5.9], [0.99, 6.2], [0.995, 6.42], [0.999, 6.85], [0.9999, 7.5],
  [0.99999, 7.9], [1, Math.log10(PUBLISHED.maxBalance)],
];
/** Share of balances that are exactly 0 (40 of 19,973 real rows). */
const ZERO_BALANCE_SHARE = 0.002;
/** Spread of a repeat customer's balance from one transaction to the next (log-normal sigma). */
const BALANCE_JITTER = 0.15;

/**
 * Amount before rounding to the real file's round numbers (see `roundAmount`); the knots are set so that the
 * rounded amounts come close to the published 161 / 459.03 / 1,200, mean 1,574, std 6,575, max 1,560,035
 * (full size, seed 42: 156 / 470 / 1,200, mean 1,555, std 6,296, max 1,500,000).
 */
const AMOUNT_QUANTILES: readonly (readonly [number, number])[] = [
  [0, -1], [0.005, 0], [0.01, 0.7], [0.05, 1.44], [0.1, 1.7], [0.25, 2.207], [0.5, 2.66], [0.75, 3.087],
  [0.9, 3.45], [0.95, 3.7], [0.975, 3.96], [0.99, 4.27], [0.995, 4.47], [0.999, 4.8], [0.9999, 5.2],
  [0.99999, 5.65], [1, Math.log10(PUBLISHED.maxAmount)],
];
/** Real rows: 15 of 20,000 amounts are 0; 12 % have paise (1400.12, 36.9); the rest are whole rupees. */
const ZERO_AMOUNT_SHARE = 0.0007;
const PAISE_SHARE = 0.12;
/**
 * Whole-rupee amounts are often round: below 100, half are snapped to a "nice" number; from 100, 22 % are, and
 * another 18 % keep two significant digits (220, 1250). Nice numbers are 1, 1.5, 2, 2.5, 3, 5 × 10^k, each taking
 * the amounts up to the next `NICE_BOUNDS` (so 100, 500 and 1000 come out more often than 150 or 250, as in the
 * real rows). Full-size result: multiples of 100 = 22.8 % of amounts (real rows 20.4 %), of 50 27.9 % (28.4 %),
 * of 10 40.8 % (45.5 %); most frequent 1000.0, 100.0, 500.0, 50.0, 200.0 (real: 100.0, 50.0, 200.0, 500.0, 1000.0).
 */
const ROUND_SMALL = 0.5;
const ROUND_NICE = 0.22;
const ROUND_TWO_DIGITS = 0.4;
const NICE_VALUES = [1, 1.5, 2, 2.5, 3, 5, 10];
const NICE_BOUNDS = [1.3, 1.7, 2.4, 2.8, 4, 6.5];

/** Correlations of the latent normal scores (Gaussian copula): age → balance, balance → amount. */
const AGE_BALANCE_RHO = 0.3;
const BALANCE_AMOUNT_RHO = 0.35;

/**
 * Birth years of the real rows (18,638 rows with a real DOB; two-digit years read as 20yy when ≤ 16, else 19yy),
 * plus 0.5 for every year 1921–2013 so rare years stay possible. Peak 1989 (age 27); 0.2 % born in the 2000s.
 */
const BIRTH_YEAR_COUNTS: Readonly<Record<number, number>> = {
  1921: 3, 1932: 2, 1933: 3, 1934: 1, 1936: 4, 1937: 4, 1938: 5, 1939: 5, 1940: 5, 1941: 4, 1942: 4, 1943: 12,
  1944: 6, 1945: 5, 1946: 12, 1947: 13, 1948: 21, 1949: 14, 1950: 23, 1951: 29, 1952: 37, 1953: 30, 1954: 40,
  1955: 27, 1956: 36, 1957: 35, 1958: 33, 1959: 44, 1960: 45, 1961: 36, 1962: 61, 1963: 60, 1964: 64, 1965: 70,
  1966: 82, 1967: 105, 1968: 110, 1969: 95, 1970: 125, 1971: 135, 1972: 170, 1973: 153, 1974: 215, 1975: 214,
  1976: 279, 1977: 336, 1978: 413, 1979: 421, 1980: 524, 1981: 522, 1982: 627, 1983: 661, 1984: 803, 1985: 894,
  1986: 994, 1987: 1128, 1988: 1151, 1989: 1330, 1990: 1255, 1991: 1278, 1992: 1202, 1993: 984, 1994: 726,
  1995: 409, 1996: 264, 1997: 164, 1998: 43, 1999: 7, 2000: 7, 2001: 2, 2002: 6, 2003: 1, 2004: 2, 2005: 2,
  2007: 1, 2010: 2, 2011: 1, 2013: 2,
};
const FIRST_BIRTH_YEAR = 1921;
const LAST_BIRTH_YEAR = 2013;
const BIRTH_YEAR_FLOOR = 0.5;
/** 1.1 % of real DOBs are 1 January (a default), against 0.3 % by chance. */
const NEW_YEAR_DOB_SHARE = 0.008;
/** Gender among customers with one: ~73 % M as published (real rows: 72 %). */
const MALE_SHARE = 0.73;
/** 7 of the 11 real rows without a gender also have the 1/1/1800 placeholder DOB. */
const MISSING_GENDER_WITH_PLACEHOLDER = 0.6;

const DOB_REAL = 0;
const DOB_MISSING = 1;
const DOB_PLACEHOLDER = 2;
const GENDER_M = 0;
const GENDER_F = 1;
const GENDER_MISSING = 2;
const GENDER_T = 3;
const NO_LOCATION = -1;
const ROWS_PER_CHUNK = 16_384;

export interface GenerateOptions {
  /** Rows to write (default 1,048,567, the public file's). */
  readonly rows?: number;
  /** Seed of the random numbers (default DEFAULT_SEED, 42). */
  readonly seed?: number;
}

export interface GenerateResult {
  readonly rows: number;
  /** Size of the written file (compressed size for .gz). */
  readonly bytes: number;
  /** Distinct CustomerIDs. */
  readonly customers: number;
  /** Distinct people behind them (a reused ID stands for several). */
  readonly people: number;
}

/** Absolute path of the default data, whatever the working directory (notebooks run from notebooks/). */
export function defaultRawPath(): string {
  return path.join(PROJECT_ROOT, DEFAULT_RAW_PATH);
}

/** Absolute path of the default data's next period (`bankseg generate --next-period`, notebook 07). */
export function defaultNextPeriodPath(): string {
  return path.join(PROJECT_ROOT, DEFAULT_NEXT_PERIOD_PATH);
}

/** The next period of the default data, relative to the project root. */
export const DEFAULT_NEXT_PERIOD_PATH = 'data/raw/bank_transactions_next.csv';

/**
 * Writes a generated transactions CSV to `target` (gzip-compressed when it ends in `.gz`), creating its folder.
 * Streams to a temporary file in the same folder and renames it at the end (src/io/atomic.ts), so `target` is
 * never half-written.
 * O(rows) time; memory O(rows) typed arrays (~20 MB at full size) plus one chunk of text.
 */
export async function writeGeneratedCsv(target: string, opts: GenerateOptions = {}): Promise<GenerateResult> {
  const rows = opts.rows ?? DEFAULT_ROWS;
  const seed = opts.seed ?? DEFAULT_SEED;
  checkRowsAndSeed(rows, seed);
  makeFolder(path.dirname(path.resolve(target)));
  const data = generateTransactions(rows, seed);
  const values = drawRowValues(data);
  const bytes = await writeRows(target, data.customers, values, data.dateText, 1);
  return { rows, bytes, customers: data.customers.distinctIds, people: data.customers.count };
}

function checkRowsAndSeed(rows: number, seed: number): void {
  if (!Number.isInteger(rows) || rows < 0 || rows > MAX_ROWS) throw new RangeError(`rows must be a whole number in 0..${MAX_ROWS}, got ${rows}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be a whole number in 0..4294967295, got ${seed}`);
}

/** Streams the rows as CSV to a temporary beside `target` and renames it (gzip when it ends in .gz); returns its size. */
async function writeRows(target: string, people: PersonColumns, values: RowValues, dateText: readonly string[], firstTransaction: number): Promise<number> {
  const bar = progress(`generate ${path.basename(target)}`);
  const text = Readable.from(csvChunks(people, values, dateText, firstTransaction, (done) => bar.update(done, values.rows)));
  await writeFileAtomicAsync(target, async (temp) => {
    const file = fs.createWriteStream(temp);
    if (target.endsWith('.gz')) await pipeline(text, zlib.createGzip(), file);
    else await pipeline(text, file);
    return file.bytesWritten;
  });
  bar.finish(`${count(values.rows)} rows`);
  return fs.statSync(target).size;
}

/**
 * The drift of a second period (writeNextPeriodCsv): which of the first period's people transact again, which of them
 * change, and how many new people arrive. Every share is exact (rounded to whole people or rows), so a test knows
 * the moves it injected.
 */
export interface DriftOptions {
  /** Share of the first period's people who transact again: their rows, repeated NEXT_PERIOD_DAYS later. */
  readonly returning?: number;
  /** Share of the returning people whose balance is multiplied by `balanceFactor` (the movers). */
  readonly moving?: number;
  readonly balanceFactor?: number;
  /** New people (CustomerIDs the first period does not use), bringing this share of the first period's rows. */
  readonly arriving?: number;
}

export const DEFAULT_DRIFT: Required<DriftOptions> = { returning: 0.5, moving: 0.5, balanceFactor: 10, arriving: 0.25 };
/** The second period starts this many days after the first: 1 August → 1 November 2016. */
export const NEXT_PERIOD_DAYS = 92;

/** What a person of either period did in the second one. */
export type DriftRole = 'returned' | 'moved' | 'quiet' | 'arrived';

export interface NextPeriodResult extends GenerateResult {
  /** People of the first period, and what they did: transacted again unchanged, changed, or not at all. */
  readonly firstPeriodPeople: number;
  readonly returned: number;
  readonly moved: number;
  readonly quiet: number;
  /** New people of the second period. */
  readonly arrived: number;
  /** First and last transaction dates of the second period (YYYY-MM-DD). */
  readonly firstDate: string;
  readonly lastDate: string;
  /** With `truth: true`: every person of either period as written (CustomerID, birth date and gender texts) and their role. */
  readonly truth?: readonly { readonly customerId: string; readonly dob: string; readonly gender: string; readonly role: DriftRole }[];
}

/**
 * Writes the period after the one `writeGeneratedCsv` writes with the same rows and seed: its dates moved
 * NEXT_PERIOD_DAYS later (1 Nov 2016 – 21 Jan 2017, the same layout of dense and sparse days), holding
 * - the rows of a `returning` share of the first period's people, repeated as they were (same times, amounts,
 *   birth dates, genders, locations, balances), but for a `moving` share of them whose balances are multiplied by
 *   `balanceFactor` (at most the published maximum);
 * - the rows of new people (drawn as the first period's are, from a seed derived from `seed`, under CustomerIDs the
 *   first period does not use), `arriving` × the first period's rows.
 * The other people of the first period do not transact (they go quiet). Returning rows come first, in the first
 * period's order, then the new people's; TransactionIDs continue after the first period's. Same options → same bytes.
 * O(rows).
 */
export async function writeNextPeriodCsv(
  target: string,
  opts: GenerateOptions & { readonly drift?: DriftOptions; readonly truth?: boolean } = {},
): Promise<NextPeriodResult> {
  const rows = opts.rows ?? DEFAULT_ROWS;
  const seed = opts.seed ?? DEFAULT_SEED;
  checkRowsAndSeed(rows, seed);
  const drift = { ...DEFAULT_DRIFT, ...opts.drift };
  for (const key of ['returning', 'moving', 'arriving'] as const) {
    if (!(drift[key] >= 0 && drift[key] <= 1)) throw new RangeError(`drift.${key} must be a share in [0, 1], got ${drift[key]}`);
  }
  if (!(drift.balanceFactor > 0 && Number.isFinite(drift.balanceFactor))) throw new RangeError(`drift.balanceFactor must be a number above 0, got ${drift.balanceFactor}`);
  makeFolder(path.dirname(path.resolve(target)));

  const first = generateTransactions(rows, seed);
  const firstValues = drawRowValues(first);
  const people = first.customers.count;
  const rng = createRng((seed ^ NEXT_PERIOD_SEED_MASK) >>> 0);
  const role = new Uint8Array(people); // 0 quiet, 1 returned, 2 moved
  const returning = sampleDistinct(people, Math.round(drift.returning * people), rng);
  for (const p of returning) role[p] = ROLE_RETURNED;
  for (const j of sampleDistinct(returning.length, Math.round(drift.moving * returning.length), rng)) role[returning[j]] = ROLE_MOVED;

  const arrivingRows = Math.round(drift.arriving * rows);
  const fresh = arrivingRows > 0 ? generateTransactions(arrivingRows, (seed ^ ARRIVALS_SEED_MASK) >>> 0) : undefined;
  const freshValues = fresh ? drawRowValues(fresh) : undefined;
  const freshIds = fresh ? unusedIds(first.customers.id, fresh.customers.id, rng) : new Int32Array(0);

  // The rows: the returning people's first-period rows, then the new people's.
  let kept = 0;
  for (let r = 0; r < rows; r++) if (role[firstValues.person[r]] !== ROLE_QUIET) kept++;
  const total = kept + arrivingRows;
  const values: RowValues = {
    rows: total,
    person: new Int32Array(total),
    date: new Uint8Array(total),
    time: new Int32Array(total),
    amount: new Float64Array(total),
    balance: new Float64Array(total),
  };
  let w = 0;
  const maxCents = PUBLISHED.maxBalance * 100;
  for (let r = 0; r < rows; r++) {
    const p = firstValues.person[r];
    if (role[p] === ROLE_QUIET) continue;
    const b = firstValues.balance[r];
    values.person[w] = p;
    values.date[w] = firstValues.date[r];
    values.time[w] = firstValues.time[r];
    values.amount[w] = firstValues.amount[r];
    values.balance[w] = role[p] === ROLE_MOVED && b === b ? Math.min(Math.round(b * drift.balanceFactor), maxCents) : b;
    w++;
  }
  if (fresh && freshValues) {
    for (let r = 0; r < arrivingRows; r++, w++) {
      values.person[w] = people + freshValues.person[r];
      values.date[w] = freshValues.date[r];
      values.time[w] = freshValues.time[r];
      values.amount[w] = freshValues.amount[r];
      values.balance[w] = freshValues.balance[r];
    }
  }
  const both = fresh ? concatPeople(first.customers, { ...fresh.customers, id: freshIds }) : first.customers;
  const shifted = first.dateText.map((text) => shiftDate(text, NEXT_PERIOD_DAYS));
  const bytes = await writeRows(target, both, values, shifted, rows + 1);

  const count = (x: number): number => role.reduce((n, r) => n + (r === x ? 1 : 0), 0);
  const freshPeople = fresh?.customers.count ?? 0;
  const ids = new Set<number>();
  for (let r = 0; r < total; r++) ids.add(both.id[values.person[r]]);
  const dayOf = (text: string): number => {
    const [d, m, y] = text.split('/').map(Number);
    return dayNumber(2000 + y, m, d);
  };
  const days = shifted.map(dayOf);
  const result: NextPeriodResult = {
    rows: total,
    bytes,
    customers: ids.size,
    people: returning.length + freshPeople,
    firstPeriodPeople: people,
    returned: count(ROLE_RETURNED),
    moved: count(ROLE_MOVED),
    quiet: count(ROLE_QUIET),
    arrived: freshPeople,
    firstDate: isoDate(Math.min(...days)),
    lastDate: isoDate(Math.max(...days)),
  };
  if (!opts.truth) return result;
  const roles: DriftRole[] = ['quiet', 'returned', 'moved'];
  const truth = [];
  for (let p = 0; p < both.id.length; p++) {
    truth.push({
      customerId: `C${both.id[p]}`,
      dob: dobText(both, p),
      gender: GENDER_TEXT[both.gender[p]],
      role: p < people ? roles[role[p]] : ('arrived' as const),
    });
  }
  return { ...result, truth };
}

const ROLE_QUIET = 0;
const ROLE_RETURNED = 1;
const ROLE_MOVED = 2;
/** The second period's own streams, derived from the seed (so the first period's stream is untouched). */
const NEXT_PERIOD_SEED_MASK = 0x5bd1e995;
const ARRIVALS_SEED_MASK = 0x27d4eb2f;
const GENDER_TEXT = ['M', 'F', '', 'T'];

/** `d/m/yy` moved `days` later, in the same form. */
function shiftDate(text: string, days: number): string {
  const [d, m, y] = text.split('/').map(Number);
  const iso = isoDate(dayNumber(2000 + y, m, d) + days);
  return `${Number(iso.slice(8, 10))}/${Number(iso.slice(5, 7))}/${iso.slice(2, 4)}`;
}

/**
 * The new people's CustomerIDs, each replaced by a fresh one when the first period uses it (a fresh ID is drawn from
 * the same range, unused by either period), so every new person is new by CustomerID too. O(ID range / 8 + people).
 */
function unusedIds(firstIds: Int32Array, ids: Int32Array, rng: Rng): Int32Array {
  const used = new Uint8Array(ID_SPAN);
  for (const id of firstIds) used[id - ID_LOW] = 1;
  const distinct = [...new Set(ids)];
  const taken = distinct.filter((id) => used[id - ID_LOW] === 1);
  for (const id of distinct) used[id - ID_LOW] = 1;
  const renamed = new Map<number, number>();
  for (const id of taken) {
    let fresh: number;
    do fresh = rng.int(ID_SPAN);
    while (used[fresh]);
    used[fresh] = 1;
    renamed.set(id, fresh + ID_LOW);
  }
  return ids.map((id) => renamed.get(id) ?? id);
}

/** The person columns of `a` followed by those of `b`. O(people). */
function concatPeople(a: PersonColumns, b: PersonColumns): PersonColumns {
  const join = <T extends Int32Array | Uint8Array | Int16Array>(x: T, y: T): T => {
    const out = new (x.constructor as new (n: number) => T)(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return {
    id: join(a.id, b.id),
    dobKind: join(a.dobKind, b.dobKind),
    dobDay: join(a.dobDay, b.dobDay),
    dobMonth: join(a.dobMonth, b.dobMonth),
    dobYear: join(a.dobYear, b.dobYear),
    gender: join(a.gender, b.gender),
    location: join(a.location, b.location),
  };
}

/** The birth date text `writeDob` writes for person c. */
function dobText(cu: PersonColumns, c: number): string {
  if (cu.dobKind[c] === DOB_MISSING) return 'nan';
  if (cu.dobKind[c] === DOB_PLACEHOLDER) return '1/1/1800';
  return `${cu.dobDay[c]}/${cu.dobMonth[c]}/${String(cu.dobYear[c] % 100).padStart(2, '0')}`;
}

/** `mkdir -p`, one level at a time: Node's recursive mkdirSync spins forever under /proc. */
function makeFolder(dir: string): void {
  if (fs.existsSync(dir)) return;
  makeFolder(path.dirname(dir));
  fs.mkdirSync(dir);
}

/** What a row writes of its person: CustomerID, birth date, gender, location. */
interface PersonColumns {
  readonly id: Int32Array;
  readonly dobKind: Uint8Array;
  readonly dobDay: Uint8Array;
  readonly dobMonth: Uint8Array;
  readonly dobYear: Int16Array;
  readonly gender: Uint8Array;
  /** Index into the location vocabulary, or NO_LOCATION. */
  readonly location: Int32Array;
}

/** The generated people, columnar: index c is one person (a customer); several may share a CustomerID. */
interface Customers extends PersonColumns {
  readonly count: number;
  readonly distinctIds: number;
  readonly transactions: Uint8Array;
  /** Paise. */
  readonly balance: Float64Array;
  /** Latent normal score of the balance, which the amounts lean on. */
  readonly balanceScore: Float64Array;
}

/** Everything needed to write the rows; per-row values that need no look-ahead are drawn while writing. */
interface Generated {
  readonly rows: number;
  readonly rng: Rng;
  readonly customers: Customers;
  readonly rowCustomer: Int32Array;
  readonly rowDate: Uint8Array;
  readonly dateText: readonly string[];
  /** Sorted rows whose balance is missing. */
  readonly missingBalanceRows: Int32Array;
}

/** Draws IDs, the people behind them, their rows and dates. O(rows + ID range) with one seeded stream of random numbers. */
function generateTransactions(rows: number, seed: number): Generated {
  const rng = createRng(seed);
  const scale = rows / PUBLISHED.rows;
  const customers = drawCustomers(rowsPerCustomerId(rows), scale, rows, rng);
  const rowCustomer = shuffledSlots(customers.transactions, rows, rng);
  const { rowDate, dateText } = layOutDates(rows, rng);
  const missingBalanceRows = sampleIndices(rows, Math.round(PUBLISHED.missingBalance * scale), rng);
  return { rows, rng, customers, rowCustomer, rowDate, dateText, missingBalanceRows };
}

/**
 * `counts[k]` = CustomerIDs with k rows (k = 1..6) for `rows` rows: the full-size counts scaled, with k = 2
 * absorbing rounding so that Σ k·counts[k] = rows exactly and Σ counts[k] = round(rows × 884,265 / 1,048,567).
 */
export function rowsPerCustomerId(rows: number): number[] {
  const customers = Math.round((rows * PUBLISHED.customers) / PUBLISHED.rows);
  const counts = FULL_FREQUENCY_COUNTS.map((c) => Math.round((c * rows) / PUBLISHED.rows));
  const extraRows = rows - customers; // Σ (k − 1)·counts[k] must equal this
  const fixCounts = (): number => extraRows - counts.reduce((s, c, k) => (k >= 3 ? s + (k - 1) * c : s), 0);
  for (let k = 6; k >= 3 && fixCounts() < 0; k--) {
    while (counts[k] > 0 && fixCounts() < 0) counts[k]--;
  }
  counts[2] = fixCounts();
  counts[1] = customers - counts.reduce((s, c, k) => (k >= 2 ? s + c : s), 0);
  return counts;
}

/**
 * The people: rows per CustomerID and the IDs, then the people behind each ID (one for a single-row ID or a genuine
 * repeat customer, one per row otherwise), then the person-level columns, in a fixed order of random draws.
 */
function drawCustomers(perId: number[], scale: number, rows: number, rng: Rng): Customers {
  const distinctIds = perId.reduce((s, c) => s + c, 0);
  const idRows = new Uint8Array(distinctIds);
  let c = 0;
  for (let k = 1; k < perId.length; k++) for (let i = 0; i < perId[k]; i++) idRows[c++] = k;
  shuffleInPlace(idRows, rng); // so the order of IDs says nothing about their row count
  const ids = sampleIndices(ID_SPAN, distinctIds, rng);
  for (let i = 0; i < distinctIds; i++) ids[i] += ID_LOW;
  shuffleInPlace(ids, rng);
  const { id, transactions } = peopleBehindIds(ids, idRows, rng);
  const count = id.length;
  const dobKind = drawDobKinds(transactions, scale, rng);
  const gender = drawGenders(transactions, dobKind, scale, rows, rng);
  const location = drawLocations(count, rng);
  for (const p of pickCustomersForRows(transactions, Math.round(PUBLISHED.missingLocation * scale), () => true, rng)) {
    location[p] = NO_LOCATION;
  }
  return { count, distinctIds, id, transactions, dobKind, gender, location, ...drawBirthDatesAndBalances(count, rng) };
}

/**
 * Expands IDs into people: an ID with one row is one person; a repeated ID is one genuine repeat customer with
 * probability GENUINE_REPEAT_SHARE, else as many one-transaction people as it has rows. O(rows).
 */
function peopleBehindIds(ids: Int32Array, idRows: Uint8Array, rng: Rng): { id: Int32Array; transactions: Uint8Array } {
  let people = 0;
  const genuine = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    if (idRows[i] > 1 && rng.next() < GENUINE_REPEAT_SHARE) genuine[i] = 1;
    people += idRows[i] === 1 || genuine[i] ? 1 : idRows[i];
  }
  const id = new Int32Array(people);
  const transactions = new Uint8Array(people);
  let p = 0;
  for (let i = 0; i < ids.length; i++) {
    if (idRows[i] === 1 || genuine[i]) {
      id[p] = ids[i];
      transactions[p++] = idRows[i];
    } else {
      for (let r = 0; r < idRows[i]; r++) {
        id[p] = ids[i];
        transactions[p++] = 1;
      }
    }
  }
  return { id, transactions };
}

/** Which customers have the 1/1/1800 placeholder or no DOB (`nan`): exact scaled row counts. */
function drawDobKinds(transactions: Uint8Array, scale: number, rng: Rng): Uint8Array {
  const dobKind = new Uint8Array(transactions.length);
  for (const p of pickCustomersForRows(transactions, Math.round(PUBLISHED.placeholderDob * scale), () => true, rng)) {
    dobKind[p] = DOB_PLACEHOLDER;
  }
  const noDob = Math.round(PUBLISHED.missingDob * scale);
  for (const p of pickCustomersForRows(transactions, noDob, (i) => dobKind[i] === DOB_REAL, rng)) dobKind[p] = DOB_MISSING;
  return dobKind;
}

/** M/F per customer, then exact scaled rows without gender (mostly placeholder-DOB customers) and the T. */
function drawGenders(transactions: Uint8Array, dobKind: Uint8Array, scale: number, rows: number, rng: Rng): Uint8Array {
  const count = transactions.length;
  const gender = new Uint8Array(count);
  for (let i = 0; i < count; i++) gender[i] = rng.next() < MALE_SHARE ? GENDER_M : GENDER_F;
  const noGender = Math.round(PUBLISHED.missingGender * scale);
  const withPlaceholder = Math.round(noGender * MISSING_GENDER_WITH_PLACEHOLDER);
  for (const p of pickCustomersForRows(transactions, withPlaceholder, (i) => dobKind[i] === DOB_PLACEHOLDER, rng)) {
    gender[p] = GENDER_MISSING;
  }
  let placed = 0;
  for (let i = 0; i < count; i++) if (gender[i] === GENDER_MISSING) placed += transactions[i];
  for (const p of pickCustomersForRows(transactions, noGender - placed, (i) => gender[i] !== GENDER_MISSING, rng)) {
    gender[p] = GENDER_MISSING;
  }
  // Exactly one T in the full file; at least one from 100,000 rows, none in small files.
  const tRows = rows >= 100_000 ? Math.max(1, Math.round(scale)) : 0;
  const oneOffWithGender = (i: number): boolean => gender[i] !== GENDER_MISSING && transactions[i] === 1;
  for (const p of pickCustomersForRows(transactions, tRows, oneOffWithGender, rng)) gender[p] = GENDER_T;
  return gender;
}

/**
 * Birth date and balance per customer. A latent "age score" picks the birth year (older = higher) and leans the
 * balance score (ρ = 0.3); the balance is that score's quantile in BALANCE_QUANTILES, so its marginal is unchanged.
 */
function drawBirthDatesAndBalances(count: number, rng: Rng) {
  const dobDay = new Uint8Array(count);
  const dobMonth = new Uint8Array(count);
  const dobYear = new Int16Array(count);
  const balance = new Float64Array(count);
  const balanceScore = new Float64Array(count);
  const yearCdf = birthYearCdf();
  const balanceCdf = BALANCE_QUANTILES.map(([p]) => p);
  const balanceLog = BALANCE_QUANTILES.map(([, v]) => v);
  const spread = Math.sqrt(1 - AGE_BALANCE_RHO ** 2);
  for (let i = 0; i < count; i++) {
    const ageScore = rng.normal();
    const year = FIRST_BIRTH_YEAR + searchCdf(yearCdf, normalCdf(-ageScore));
    const [day, month] = birthDayMonth(year, rng);
    dobYear[i] = year;
    dobMonth[i] = month;
    dobDay[i] = day;
    const score = AGE_BALANCE_RHO * ageScore + spread * rng.normal();
    balanceScore[i] = score;
    balance[i] = rng.next() < ZERO_BALANCE_SHARE ? 0 : Math.round(100 * interpolateLog(balanceCdf, balanceLog, normalCdf(score)));
  }
  return { dobDay, dobMonth, dobYear, balance, balanceScore };
}

/** Location index per customer, drawn from the vocabulary's weights. O(customers · log names). */
function drawLocations(count: number, rng: Rng): Int32Array {
  const { weights } = locationVocabulary();
  const cdf = cumulative(Array.from(weights));
  const location = new Int32Array(count);
  for (let i = 0; i < count; i++) location[i] = searchCdf(cdf, rng.next());
  return location;
}

/**
 * Customers (visited in random order) whose transactions add up to exactly `targetRows`, among those `eligible`:
 * a customer is taken when it still fits; one-transaction customers (83 %) make the sum exact. O(customers).
 */
export function pickCustomersForRows(
  transactions: Uint8Array,
  targetRows: number,
  eligible: (customer: number) => boolean,
  rng: Rng,
): number[] {
  const chosen: number[] = [];
  if (targetRows <= 0) return chosen;
  const order = permutation(transactions.length, rng);
  let remaining = targetRows;
  for (let i = 0; i < order.length && remaining > 0; i++) {
    const c = order[i];
    if (transactions[c] <= remaining && eligible(c)) {
      chosen.push(c);
      remaining -= transactions[c];
    }
  }
  return chosen;
}

/** Row → person: each person's transactions scattered over the file (19,937 CustomerIDs in 20,000 real rows). */
function shuffledSlots(transactions: Uint8Array, rows: number, rng: Rng): Int32Array {
  const slots = new Int32Array(rows);
  let r = 0;
  for (let c = 0; c < transactions.length; c++) for (let k = 0; k < transactions[c]; k++) slots[r++] = c;
  shuffleInPlace(slots, rng);
  return slots;
}

/** Row → date index, in the file's block order (late dates, then 1 Aug → 18 Sep), a few rows displaced. */
function layOutDates(rows: number, rng: Rng): { rowDate: Uint8Array; dateText: string[] } {
  const dates: { day: number; month: number; weight: number }[] = [];
  const lateTotal = LATE_DATES.reduce((s, [, , w]) => s + w, 0);
  for (const [day, month, weight] of LATE_DATES) dates.push({ day, month, weight: (LATE_SHARE * weight) / lateTotal });
  const bulk: { day: number; month: number }[] = [];
  for (let day = 1; day <= 31; day++) bulk.push({ day, month: 8 });
  for (let day = 1; day <= 18; day++) if (day !== MISSING_BULK_DAY.day) bulk.push({ day, month: 9 });
  for (const d of bulk) dates.push({ ...d, weight: (1 - LATE_SHARE) / bulk.length });
  const counts = apportion(dates.map((d) => d.weight), rows);
  const rowDate = new Uint8Array(rows);
  let r = 0;
  counts.forEach((n, d) => {
    rowDate.fill(d, r, r + n);
    r += n;
  });
  const displaced = sampleIndices(rows, Math.round(rows * DISPLACED_SHARE), rng);
  for (let i = displaced.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const a = displaced[i];
    const b = displaced[j];
    const t = rowDate[a];
    rowDate[a] = rowDate[b];
    rowDate[b] = t;
  }
  return { rowDate, dateText: dates.map((d) => `${d.day}/${d.month}/16`) };
}

/**
 * Splits `total` into whole parts proportional to `weights` (largest remainder), every part at least 1 when
 * `total` allows it, so every date appears. O(parts log parts).
 */
export function apportion(weights: readonly number[], total: number): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  const floor = total >= weights.length ? 1 : 0;
  const free = total - floor * weights.length;
  const exact = weights.map((w) => (free * w) / sum);
  const parts = exact.map((x) => floor + Math.floor(x));
  let left = total - parts.reduce((s, p) => s + p, 0);
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let i = 0; left > 0; i++, left--) parts[byRemainder[i % byRemainder.length][1]]++;
  return parts;
}

/** Per-row values of a file, in file order: whose row it is and what it says. */
interface RowValues {
  readonly rows: number;
  /** Index into the people the rows are written with. */
  readonly person: Int32Array;
  /** Index into the file's date texts. */
  readonly date: Uint8Array;
  /** HHMMSS. */
  readonly time: Int32Array;
  /** Paise. */
  readonly amount: Float64Array;
  /** Paise; NaN = missing. */
  readonly balance: Float64Array;
}

/**
 * Times, amounts and balances of every row, drawn in file order from the generator's stream (the order in which the
 * rows are written: a row's balance, then its time, then its amount). O(rows).
 */
function drawRowValues(data: Generated): RowValues {
  const { rows, rng, customers: cu, rowCustomer, rowDate, missingBalanceRows } = data;
  const hourCdf = cumulative(HOUR_WEIGHTS);
  const amountCdf = AMOUNT_QUANTILES.map(([p]) => p);
  const amountLog = AMOUNT_QUANTILES.map(([, v]) => v);
  const amountSpread = Math.sqrt(1 - BALANCE_AMOUNT_RHO ** 2);
  const time = new Int32Array(rows);
  const amount = new Float64Array(rows);
  const balance = new Float64Array(rows);
  let nextMissing = 0;
  for (let r = 0; r < rows; r++) {
    const c = rowCustomer[r];
    if (nextMissing < missingBalanceRows.length && missingBalanceRows[nextMissing] === r) {
      nextMissing++;
      balance[r] = NaN;
    } else balance[r] = rowBalance(cu.balance[c], cu.transactions[c], rng);
    time[r] = searchCdf(hourCdf, rng.next()) * 10000 + rng.int(60) * 100 + rng.int(60);
    const amountScore = BALANCE_AMOUNT_RHO * cu.balanceScore[c] + amountSpread * rng.normal();
    amount[r] = rng.next() < ZERO_AMOUNT_SHARE ? 0 : roundAmount(interpolateLog(amountCdf, amountLog, normalCdf(amountScore)), rng);
  }
  return { rows, person: rowCustomer, date: rowDate, time, amount, balance };
}

/**
 * The CSV bytes in chunks of ROWS_PER_CHUNK rows, written digit by digit into a Buffer (no per-row strings:
 * a million rows in about a second). TransactionIDs count from `firstTransaction`.
 */
function* csvChunks(
  people: PersonColumns,
  values: RowValues,
  dateText: readonly string[],
  firstTransaction: number,
  onProgress: (rowsDone: number) => void,
): Generator<Buffer> {
  const { rows } = values;
  const locationBytes = locationVocabulary().names.map((name) => Buffer.from(csvField(name), 'latin1'));
  const dateBytes = dateText.map((d) => Buffer.from(d, 'latin1'));
  const longestLocation = locationBytes.reduce((m, b) => Math.max(m, b.length), 0);
  yield Buffer.from(HEADER + '\n', 'latin1');
  for (let start = 0; start < rows; start += ROWS_PER_CHUNK) {
    const end = Math.min(rows, start + ROWS_PER_CHUNK);
    const out = new ByteWriter((end - start) * (MAX_FIXED_ROW_BYTES + longestLocation));
    for (let r = start; r < end; r++) {
      const c = values.person[r];
      out.byte(CHAR_T);
      out.uint(firstTransaction + r);
      out.byte(COMMA);
      out.byte(CHAR_C);
      out.uint(people.id[c]);
      out.byte(COMMA);
      writeDob(out, people, c);
      out.byte(COMMA);
      if (people.gender[c] !== GENDER_MISSING) out.byte(GENDER_CODE[people.gender[c]]);
      out.byte(COMMA);
      if (people.location[c] !== NO_LOCATION) out.bytes(locationBytes[people.location[c]]);
      out.byte(COMMA);
      const balance = values.balance[r];
      if (balance === balance) out.cents(balance);
      out.byte(COMMA);
      out.bytes(dateBytes[values.date[r]]);
      out.byte(COMMA);
      out.uint(values.time[r]);
      out.byte(COMMA);
      out.cents(values.amount[r]);
      out.byte(NEWLINE);
    }
    yield out.done();
    onProgress(end);
  }
}

const COMMA = 44;
const NEWLINE = 10;
const SLASH = 47;
const DOT = 46;
const DIGIT_0 = 48;
const CHAR_T = 84;
const CHAR_C = 67;
const GENDER_CODE = [77, 70, 0, 84]; // M, F, (missing), T
const NAN_BYTES = Buffer.from('nan', 'latin1');
const PLACEHOLDER_BYTES = Buffer.from('1/1/1800', 'latin1');
/** Bytes of a row without its location, at most: T + 7 digits, C + 7, 8 (DOB), 1, 14 (balance), 8, 6, 11, commas. */
const MAX_FIXED_ROW_BYTES = 96;

/** Appends ASCII bytes and decimal numbers to a fixed-size Buffer. */
class ByteWriter {
  private readonly buf: Buffer;
  private pos = 0;
  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
  }
  byte(b: number): void {
    this.buf[this.pos++] = b;
  }
  bytes(b: Buffer): void {
    for (let i = 0; i < b.length; i++) this.buf[this.pos++] = b[i];
  }
  /** A whole number ≥ 0, without leading zeros. */
  uint(n: number): void {
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    let p = (this.pos += digits);
    do {
      const q = Math.floor(n / 10);
      this.buf[--p] = DIGIT_0 + (n - q * 10);
      n = q;
    } while (n > 0);
  }
  /** Paise as the real file writes rupees (Python float repr): 2500 → 25.0, 5360920 → 53609.2, 140012 → 1400.12. */
  cents(cents: number): void {
    const whole = Math.floor(cents / 100);
    const paise = cents - whole * 100;
    this.uint(whole);
    this.byte(DOT);
    if (paise % 10 === 0) this.byte(DIGIT_0 + paise / 10);
    else {
      this.byte(DIGIT_0 + Math.floor(paise / 10));
      this.byte(DIGIT_0 + (paise % 10));
    }
  }
  /** The bytes written so far (a view, no copy). */
  done(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** `d/m/yy` (two-digit year with a leading zero, like `27/2/02`), `nan`, or the `1/1/1800` placeholder. */
function writeDob(out: ByteWriter, cu: PersonColumns, c: number): void {
  const kind = cu.dobKind[c];
  if (kind === DOB_MISSING) return out.bytes(NAN_BYTES);
  if (kind === DOB_PLACEHOLDER) return out.bytes(PLACEHOLDER_BYTES);
  out.uint(cu.dobDay[c]);
  out.byte(SLASH);
  out.uint(cu.dobMonth[c]);
  out.byte(SLASH);
  const yy = cu.dobYear[c] % 100;
  out.byte(DIGIT_0 + Math.floor(yy / 10));
  out.byte(DIGIT_0 + (yy % 10));
}

/** A repeat customer's balance moves a little between transactions; a one-off customer's is the drawn one. */
function rowBalance(baseCents: number, transactions: number, rng: Rng): number {
  if (transactions === 1 || baseCents === 0) return baseCents;
  const cents = Math.round(baseCents * Math.exp(BALANCE_JITTER * rng.normal()));
  return Math.min(cents, PUBLISHED.maxBalance * 100);
}

/** Amount in paise: 12 % keep paise, the others are whole rupees, often round (see ROUND_*). */
export function roundAmount(rupees: number, rng: Rng): number {
  if (rng.next() < PAISE_SHARE) return Math.max(1, Math.round(rupees * 100));
  const pick = rng.next();
  let whole = Math.max(1, Math.round(rupees));
  if (pick < (rupees < 100 ? ROUND_SMALL : ROUND_NICE)) whole = niceNumber(rupees);
  else if (rupees >= 100 && pick < ROUND_TWO_DIGITS) {
    const step = Math.pow(10, Math.floor(Math.log10(rupees)) - 1);
    whole = Math.round(rupees / step) * step;
  }
  if (whole > PUBLISHED.maxAmount) whole = Math.round(rupees);
  return whole * 100;
}

/** The nice number (1, 1.5, 2, 2.5, 3, 5 × 10^k, at least 1) whose `NICE_BOUNDS` range holds `x`. */
function niceNumber(x: number): number {
  if (x < 1) return 1;
  const step = Math.pow(10, Math.floor(Math.log10(x)));
  const mantissa = x / step;
  let i = 0;
  while (i < NICE_BOUNDS.length && mantissa >= NICE_BOUNDS[i]) i++;
  return Math.max(1, Math.round(NICE_VALUES[i] * step));
}

/** Paise → text as the real file writes it (Python float repr): 2500 → "25.0", 5360920 → "53609.2", 140012 → "1400.12". */
export function formatCents(cents: number): string {
  const whole = Math.floor(cents / 100);
  const paise = cents - whole * 100;
  if (paise === 0) return `${whole}.0`;
  if (paise % 10 === 0) return `${whole}.${paise / 10}`;
  return `${whole}.${paise < 10 ? '0' : ''}${paise}`;
}

/** Quotes a field that holds a comma or quote, as the real file does (`"JORHAT, ASSAM"`). */
function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function birthYearCdf(): Float64Array {
  const weights: number[] = [];
  for (let y = FIRST_BIRTH_YEAR; y <= LAST_BIRTH_YEAR; y++) weights.push((BIRTH_YEAR_COUNTS[y] ?? 0) + BIRTH_YEAR_FLOOR);
  return cumulative(weights);
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function birthDayMonth(year: number, rng: Rng): [number, number] {
  if (rng.next() < NEW_YEAR_DOB_SHARE) return [1, 1];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  let day = rng.int(leap ? 366 : 365);
  let month = 0;
  for (; ; month++) {
    const length = MONTH_DAYS[month] + (month === 1 && leap ? 1 : 0);
    if (day < length) break;
    day -= length;
  }
  return [day + 1, month + 1];
}

/** Normalised running sum: `cdf[i]` = P(index ≤ i). */
function cumulative(weights: readonly number[]): Float64Array {
  const total = weights.reduce((s, w) => s + w, 0);
  const cdf = new Float64Array(weights.length);
  let run = 0;
  for (let i = 0; i < weights.length; i++) cdf[i] = (run += weights[i]) / total;
  cdf[cdf.length - 1] = 1;
  return cdf;
}

/** Smallest i with u < cdf[i] (binary search), i.e. an index drawn with the cdf's weights. O(log n). */
function searchCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (u < cdf[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** 10^(log10 value at probability u), interpolating a quantile table linearly. O(table). */
function interpolateLog(probabilities: readonly number[], logValues: readonly number[], u: number): number {
  let i = 1;
  while (i < probabilities.length - 1 && u > probabilities[i]) i++;
  const t = (u - probabilities[i - 1]) / (probabilities[i] - probabilities[i - 1]);
  return Math.pow(10, logValues[i - 1] + Math.min(1, Math.max(0, t)) * (logValues[i] - logValues[i - 1]));
}

/** Standard normal CDF Φ(z) (Abramowitz & Stegun 7.1.26 for erf, absolute error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

function permutation(n: number, rng: Rng): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  shuffleInPlace(order, rng);
  return order;
}

/** Fisher–Yates, in place on an array this module created. O(n). */
function shuffleInPlace(values: Int32Array | Uint8Array, rng: Rng): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = values[i];
    values[i] = values[j];
    values[j] = t;
  }
}
