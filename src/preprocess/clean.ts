/**
 * Cleaning: the transactions as read → the transactions the features are computed from, applying the
 * policies of docs/data-model.md section 2 (rules 1–10, in that order). Nothing is dropped or changed
 * silently: every rule adds a counted entry to the data-quality report, even when its count is 0.
 *
 * Columnar throughout: one pass per column over typed arrays; text columns keep their raw dictionaries
 * (DOB and gender are decided once per distinct text, then looked up per row).
 */
import { daysInMonth, parseDayFirst } from '../collect/dates';
import type { DayFirstDate } from '../collect/dates';
import { quantileSelect } from '../stats/quantile';
import { CustomerKeys, dayNumber, GENDERS, UNKNOWN_BIRTH_DAY } from '../table';
import { count } from '../format';
import type { CleanTable, DictColumn, QualityEntry, QualityReport, TransactionTable } from '../table';

export interface CleanOptions {
  /** Outlier cap quantile for amount and balance (rule 9), in (0, 1]; default 0.999; 1 disables capping. */
  readonly capQuantile?: number;
  /**
   * Fixed caps (INR) instead of this data's quantiles: a saved model's training caps (src/model/), so new data is
   * capped where the training data was and a customer's capped amount does not depend on the other customers.
   */
  readonly caps?: { readonly amount: number; readonly balance: number };
}

export interface CleanResult {
  readonly table: CleanTable;
  readonly report: QualityReport;
}

export const DEFAULT_CAP_QUANTILE = 0.999;
/** The DOB year the source uses as "unknown" (`1/1/1800`). */
export const PLACEHOLDER_DOB_YEAR = 1800;

/**
 * The placeholder rule, the one place it is written (the SQL push-down has its twin): a birth date with the
 * four-digit year 1800, in any accepted form (`1/1/1800`, `01-01-1800`, `1800-01-01`), is the source's "unknown".
 */
export function isPlaceholderDate(date: DayFirstDate): boolean {
  return !date.twoDigitYear && date.year === PLACEHOLDER_DOB_YEAR;
}

/** True for a DOB text that is the placeholder (see isPlaceholderDate); false for any other text. O(length). */
export function isPlaceholderDob(text: string): boolean {
  const date = parseDayFirst(text);
  return date !== undefined && isPlaceholderDate(date);
}
/** Ages above this are impossible (rule 5). */
export const MAX_AGE = 100;
/**
 * Ages below this are implausible for the person transacting (rule 5): in India a minor may operate a savings
 * account alone from the age of 10 (RBI circular of 22 April 2014); younger account holders' transactions are a
 * guardian's, or the two-digit birth year belongs to the other century. On the real 20,000 rows: 6 rows.
 */
export const MIN_AGE = 10;
/** Ages from MIN_AGE up to this one (excluded) are minors: kept, counted, reported. */
export const ADULT_AGE = 18;
/** Rule 5: age in whole years = ⌊days between birth and transaction / DAYS_PER_YEAR⌋. */
export const DAYS_PER_YEAR = 365.25;

/**
 * Rule 8's words for a negative balance (an overdraft): kept in the data, counted, and read as 0 by the model space's
 * log1p (docs/data-model.md sections 2 and 4). The SQL push-down reports it with the same words.
 */
export const NEGATIVE_BALANCE_REASON = 'negative (an overdraft): kept; the model reads it as 0';

/**
 * The words of the data-quality report, one per rule (docs/data-model.md section 2): cleanTransactions writes them
 * here and the SQL push-down (collect/db/quality.ts) writes the same ones from here, so the two reports cannot drift.
 */
export const REASONS = {
  negativeAmount: 'negative amount (impossible): row dropped',
  dobMissing: 'missing (empty or nan): age unknown',
  dobPlaceholder: `placeholder year ${PLACEHOLDER_DOB_YEAR}: age unknown`,
  dobNotADate: 'not a day-first date: age unknown',
  dobTo20yy: 'two-digit year resolved to 20yy',
  dobTo19yy: 'two-digit year resolved to 19yy (20yy is after the transaction year)',
  dobNoSuchDay: 'day does not exist in the resolved century (29 Feb): age unknown',
  ageImpossible: `age < 0 or > ${MAX_AGE} (impossible): age unknown`,
  ageTooYoung: `age 0–${MIN_AGE - 1} (too young to transact alone): age unknown`,
  minor: `age ${MIN_AGE}–${ADULT_AGE - 1} (a minor): kept`,
  /** `others`: the values seen, e.g. ` ("T")`, or ''. */
  genderOther: (others: string) => `not M or F${others}: gender unknown`,
  genderMissing: 'missing: gender unknown',
  locationMissing: 'missing: kept missing',
  balanceMissing: 'missing: kept missing',
  balanceNegative: NEGATIVE_BALANCE_REASON,
  capped: (q: number) => `above the ${percentileLabel(q)} percentile: capped`,
  /** With a saved model's fixed caps (src/model/). */
  cappedAt: (q: number, cap: number) => `above the training data's ${percentileLabel(q)} percentile, INR ${cap}: capped`,
  reusedIds: (ids: number, customers: number) => `reused by different people (another birth date or gender): ${count(ids)} CustomerIDs split into ${count(customers)} customers`,
} as const;

const AMOUNT = 'TransactionAmount (INR)';
const BALANCE = 'CustAccountBalance';
const DOB = 'CustomerDOB';
const GENDER = 'CustGender';
const LOCATION = 'CustLocation';

/** The outlier cap quantile: `q` (default DEFAULT_CAP_QUANTILE), which must be in (0, 1]; a one-line RangeError if not. */
export function capQuantileOption(q: number | undefined): number {
  const capQuantile = q ?? DEFAULT_CAP_QUANTILE;
  if (!(capQuantile > 0 && capQuantile <= 1)) throw new RangeError(`capQuantile must be in (0, 1], got ${capQuantile}`);
  return capQuantile;
}

/**
 * Applies cleaning rules 1–10 of docs/data-model.md to `t` and reports what each did.
 * Customers are identified by the customer key of rule 10 (`CustomerID|YYYY-MM-DD|G`), in order of first appearance
 * among the kept rows.
 * The input is not modified. Cost: O(n) per column (the outlier quantiles by selection, O(n) expected);
 * O(d) parses for the d distinct DOB texts.
 */
export function cleanTransactions(t: TransactionTable, opts: CleanOptions = {}): CleanResult {
  const capQuantile = capQuantileOption(opts.capQuantile);
  const entries: QualityEntry[] = [];

  // Rule 1: negative amounts are impossible; the row goes.
  const kept = keptRows(t.transactionAmount);
  entries.push({ action: 'dropped', column: AMOUNT, reason: REASONS.negativeAmount, count: t.rows - kept.length });

  const date = gatherInt32(t.transactionDate, kept);
  // Rules 2–5: age from DOB text and the transaction date.
  const { age, dobDay, entries: dobEntries } = agesAtTransaction(gatherInt32(t.customerDob.codes, kept), t.customerDob.values, date);
  entries.push(...dobEntries);

  // Rule 6: gender.
  const { gender, entries: genderEntries } = genderCodes(gatherInt32(t.custGender.codes, kept), t.custGender.values);
  entries.push(...genderEntries);

  // Rules 7, 8: missing location and balance stay missing, counted.
  const location: DictColumn = { codes: gatherInt32(t.custLocation.codes, kept), values: t.custLocation.values };
  entries.push({ action: 'kept-missing', column: LOCATION, reason: REASONS.locationMissing, count: countMissingCodes(location.codes) });
  const balanceRaw = gatherFloat64(t.custAccountBalance, kept);
  entries.push({ action: 'kept-missing', column: BALANCE, reason: REASONS.balanceMissing, count: countNaN(balanceRaw) });
  // Rule 8, the other case: a negative balance is an overdraft, a real state of an account; kept as it is.
  entries.push({ action: 'counted', column: BALANCE, reason: REASONS.balanceNegative, count: countNegative(balanceRaw) });

  // Rule 9: cap outliers at the quantile of the kept, non-missing values (or at the given fixed caps).
  const fixed = checkedCaps(opts.caps);
  const label = fixed
    ? (cap: number) => REASONS.cappedAt(capQuantile, cap)
    : () => REASONS.capped(capQuantile);
  const amountCap = capAbove(gatherFloat64(t.transactionAmount, kept), capQuantile, fixed?.amount);
  entries.push({ action: 'changed', column: AMOUNT, reason: label(amountCap.cap), count: amountCap.capped });
  const balanceCap = capAbove(balanceRaw, capQuantile, fixed?.balance);
  entries.push({ action: 'changed', column: BALANCE, reason: label(balanceCap.cap), count: balanceCap.capped });

  // Rule 10: a customer is (CustomerID, birth date, gender).
  const keys = customerKeys(gatherInt32(t.customerId.codes, kept), t.customerId.values, dobDay, gender);
  entries.push({
    action: 'counted',
    column: 'CustomerID',
    reason: REASONS.reusedIds(keys.reusedIds, keys.splitCustomers),
    count: keys.reusedIds,
  });

  const table: CleanTable = {
    rows: kept.length,
    customer: keys.codes,
    customerIds: keys.keys,
    date,
    time: gatherInt32(t.transactionTime, kept),
    amount: amountCap.values,
    balance: balanceCap.values,
    age,
    gender,
    location,
  };
  const report: QualityReport = {
    malformed: t.malformed,
    inputRows: t.rows,
    outputRows: kept.length,
    entries,
    caps: { amount: amountCap.cap, balance: balanceCap.cap, quantile: capQuantile },
  };
  return { table, report };
}

/** The clean table's columns that nothing reads after the load in `segment` and `run --no-figures` (cli/steps.ts withoutRawRows). */
const LET_GO_CLEAN_COLUMNS = ['customer', 'customerIds', 'time', 'amount', 'balance', 'age', 'gender', 'location'] as const satisfies readonly (keyof CleanTable)[];

/**
 * The clean table as the steps after the load read it: its row count and dates (the transactions per day of the
 * insights' caveats and of the saved model); its other columns are let go, and reading one is a bug and throws.
 * The customer keys stay as the features' (features.customerId), which the outputs use.
 */
export function datesOnly(clean: CleanTable): CleanTable {
  const properties: PropertyDescriptorMap = {
    rows: { value: clean.rows, enumerable: true },
    date: { value: clean.date, enumerable: true },
  };
  for (const name of LET_GO_CLEAN_COLUMNS) properties[name] = letGo(`the clean table's ${name} column was let go after the features`);
  return Object.defineProperties({}, properties) as CleanTable;
}

/** A property let go to save memory: reading it is a bug in bankseg, and throws saying what was let go. */
export function letGo(what: string): PropertyDescriptor {
  return {
    enumerable: false,
    get() {
      throw new Error(`bankseg bug: ${what} (this command draws no exploratory figure)`);
    },
  };
}

/** Indices of the rows whose amount is not negative (rule 1). Throws on a missing amount, which the reader never lets through. O(n). */
function keptRows(amount: Float64Array): Int32Array {
  const kept = new Int32Array(amount.length);
  let n = 0;
  for (let i = 0; i < amount.length; i++) {
    const a = amount[i];
    if (a !== a) throw new Error(`row ${i}: ${AMOUNT} is missing (the reader should have skipped this row as malformed)`);
    if (a >= 0) kept[n++] = i;
  }
  return kept.slice(0, n);
}

/**
 * The column's values at `rows` (increasing indices). When every row is kept that is the column itself, shared,
 * not copied: tables are never mutated after they are built. O(rows) otherwise.
 */
function gatherInt32(column: Int32Array, rows: Int32Array): Int32Array {
  if (rows.length === column.length) return column;
  const out = new Int32Array(rows.length);
  for (let j = 0; j < rows.length; j++) out[j] = column[rows[j]];
  return out;
}

/** A fresh copy of the column's values at `rows` (always a copy: the caller caps it in place). O(rows). */
function gatherFloat64(column: Float64Array, rows: Int32Array): Float64Array {
  if (rows.length === column.length) return column.slice();
  const out = new Float64Array(rows.length);
  for (let j = 0; j < rows.length; j++) out[j] = column[rows[j]];
  return out;
}

function countMissingCodes(codes: Int32Array): number {
  let n = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] < 0) n++;
  return n;
}

function countNaN(values: Float64Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) n++;
  return n;
}

/** Values below 0 (NaN is not). O(n). */
function countNegative(values: Float64Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] < 0) n++;
  return n;
}

/** How each distinct DOB text reads (values of DobDictionary.kind). */
const DobKind = { Placeholder: 0, FourDigitYear: 1, TwoDigitYear: 2, NotADate: 3 } as const;

/** What a DOB dictionary says, decided once per distinct text; per-row work is then a few array reads. */
interface DobDictionary {
  readonly kind: Uint8Array;
  /** Four-digit year: its day number. Two-digit year `yy`: the day number in 20yy (NaN if that day does not exist). */
  readonly day20: Float64Array;
  /** Two-digit year: the day number in 19yy (NaN if that day does not exist, e.g. 29/2/00 in 1900). */
  readonly day19: Float64Array;
  /** Two-digit year: 2000 + yy, compared with the transaction year (rule 4). */
  readonly year20: Int32Array;
}

function dobDictionary(values: readonly string[]): DobDictionary {
  const d = values.length;
  const kind = new Uint8Array(d);
  const day20 = new Float64Array(d).fill(NaN);
  const day19 = new Float64Array(d).fill(NaN);
  const year20 = new Int32Array(d);
  for (let c = 0; c < d; c++) {
    const parsed = parseDayFirst(values[c]);
    if (parsed === undefined) {
      kind[c] = DobKind.NotADate;
    } else if (!parsed.twoDigitYear) {
      kind[c] = isPlaceholderDate(parsed) ? DobKind.Placeholder : DobKind.FourDigitYear;
      day20[c] = dayNumber(parsed.year, parsed.month, parsed.day);
    } else {
      kind[c] = DobKind.TwoDigitYear;
      const { day, month } = parsed;
      const y20 = 2000 + parsed.year;
      const y19 = 1900 + parsed.year;
      year20[c] = y20;
      if (day <= daysInMonth(y20, month)) day20[c] = dayNumber(y20, month, day);
      if (day <= daysInMonth(y19, month)) day19[c] = dayNumber(y19, month, day);
    }
  }
  return { kind, day20, day19, year20 };
}

/**
 * Rules 2–5: the age in whole years at each transaction, NaN when unknown, and the resolved birth day (NaN when
 * rules 2–4 leave none; an impossible age keeps its birth day: it still tells people apart), with a report entry
 * per rule.
 * `dobCodes` index `dobValues`; `date` is the transaction day of the same rows. O(n) + O(d) parses.
 */
function agesAtTransaction(
  dobCodes: Int32Array,
  dobValues: readonly string[],
  date: Int32Array,
): { age: Float64Array; dobDay: Float64Array; entries: QualityEntry[] } {
  const dict = dobDictionary(dobValues);
  const n = dobCodes.length;
  const age = new Float64Array(n).fill(NaN);
  const birthDay = new Float64Array(n).fill(NaN);
  let missing = 0;
  let placeholder = 0;
  let notADate = 0;
  let resolved20 = 0;
  let resolved19 = 0;
  let noSuchDay = 0;
  let impossible = 0;
  let tooYoung = 0;
  let minors = 0;
  const yearOf = yearLookup(date);
  for (let i = 0; i < n; i++) {
    const c = dobCodes[i];
    if (c < 0) {
      missing++;
      continue;
    }
    const kind = dict.kind[c];
    let dobDay: number;
    if (kind === DobKind.FourDigitYear) {
      dobDay = dict.day20[c];
    } else if (kind === DobKind.TwoDigitYear) {
      // Rule 4: 20yy unless that is after the transaction year, then 19yy.
      if (dict.year20[c] > yearOf(date[i])) {
        resolved19++;
        dobDay = dict.day19[c];
      } else {
        resolved20++;
        dobDay = dict.day20[c];
      }
      if (dobDay !== dobDay) {
        noSuchDay++;
        continue;
      }
    } else if (kind === DobKind.Placeholder) {
      placeholder++;
      continue;
    } else {
      notADate++;
      continue;
    }
    birthDay[i] = dobDay;
    const years = Math.floor((date[i] - dobDay) / DAYS_PER_YEAR);
    if (years < 0 || years > MAX_AGE) impossible++;
    else if (years < MIN_AGE) tooYoung++;
    else {
      age[i] = years;
      if (years < ADULT_AGE) minors++;
    }
  }
  const entries: QualityEntry[] = [
    { action: 'kept-missing', column: DOB, reason: REASONS.dobMissing, count: missing },
    { action: 'changed', column: DOB, reason: REASONS.dobPlaceholder, count: placeholder },
  ];
  // Cannot come from the reader (it rejects such rows); reported only when another source lets one through.
  if (notADate > 0) entries.push({ action: 'changed', column: DOB, reason: REASONS.dobNotADate, count: notADate });
  entries.push(
    { action: 'changed', column: DOB, reason: REASONS.dobTo20yy, count: resolved20 },
    { action: 'changed', column: DOB, reason: REASONS.dobTo19yy, count: resolved19 },
  );
  if (noSuchDay > 0) {
    entries.push({ action: 'changed', column: DOB, reason: REASONS.dobNoSuchDay, count: noSuchDay });
  }
  entries.push({ action: 'changed', column: DOB, reason: REASONS.ageImpossible, count: impossible });
  entries.push({ action: 'changed', column: DOB, reason: REASONS.ageTooYoung, count: tooYoung });
  entries.push({ action: 'counted', column: DOB, reason: REASONS.minor, count: minors });
  return { age, dobDay: birthDay, entries };
}

export { UNKNOWN_KEY_PART } from '../table';

/**
 * Rule 10: the customer key of each row, (CustomerID, birth date, gender) with an unknown birth date or gender as
 * its own value, as codes into the keys in order of first appearance; the keys stay numbers (CustomerKeys: text
 * `CustomerID|YYYY-MM-DD|G` on demand). A CustomerID whose rows carry more than one (birth date, gender) is reused
 * by different people: counted, with the customers it splits into. O(n): each ID remembers its first key; only rows
 * that differ from it go through a hash index of (ID, birth day, gender).
 */
export function customerKeys(
  idCodes: Int32Array,
  idValues: readonly string[],
  birthDay: Float64Array,
  gender: Int8Array,
): { codes: Int32Array; keys: CustomerKeys; reusedIds: number; splitCustomers: number } {
  const n = idCodes.length;
  const firstKey = new Int32Array(idValues.length).fill(-1);
  const keysOfId = new Int32Array(idValues.length); // distinct keys per ID
  const codes = new Int32Array(n);
  // Each key's parts; there are at most n keys.
  const keyId = new Int32Array(n);
  const keyDay = new Int32Array(n);
  const keyGender = new Int8Array(n);
  let keyCount = 0;
  // Keys other than their ID's first: open addressing, linear probing; a slot holds key + 1, 0 = empty.
  let slots = new Int32Array(1 << 10);
  let mask = slots.length - 1;
  let others = 0;
  for (let i = 0; i < n; i++) {
    const id = idCodes[i];
    const b = birthDay[i];
    const day = b === b ? b : UNKNOWN_BIRTH_DAY;
    const g = gender[i];
    const first = firstKey[id];
    let key: number;
    if (first >= 0 && keyDay[first] === day && keyGender[first] === g) {
      key = first;
    } else if (first < 0) {
      key = keyCount++;
      firstKey[id] = key;
      keyId[key] = id;
      keyDay[key] = day;
      keyGender[key] = g;
      keysOfId[id]++;
    } else {
      let slot = partsHash(id, day, g) & mask;
      for (;;) {
        const entry = slots[slot];
        if (entry === 0) {
          key = keyCount++;
          keyId[key] = id;
          keyDay[key] = day;
          keyGender[key] = g;
          keysOfId[id]++;
          slots[slot] = key + 1;
          if (2 * ++others > slots.length) {
            slots = rehashKeys(slots, keyId, keyDay, keyGender);
            mask = slots.length - 1;
          }
          break;
        }
        const k = entry - 1;
        if (keyId[k] === id && keyDay[k] === day && keyGender[k] === g) {
          key = k;
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    codes[i] = key;
  }
  let reusedIds = 0;
  let splitCustomers = 0;
  for (let id = 0; id < keysOfId.length; id++) {
    if (keysOfId[id] > 1) {
      reusedIds++;
      splitCustomers += keysOfId[id];
    }
  }
  const keys = new CustomerKeys(idValues, keyId.slice(0, keyCount), keyDay.slice(0, keyCount), keyGender.slice(0, keyCount));
  return { codes, keys, reusedIds, splitCustomers };
}

/** A 32-bit hash of (ID code, birth day, gender) (murmur3-style mixing). O(1). */
function partsHash(id: number, day: number, g: number): number {
  let h = Math.imul(id ^ Math.imul(day, 0x9e3779b1), 0x85ebca6b) ^ (g + 1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The hash index of keys at twice the size. O(slots). */
function rehashKeys(slots: Int32Array, keyId: Int32Array, keyDay: Int32Array, keyGender: Int8Array): Int32Array {
  const grown = new Int32Array(2 * slots.length);
  const mask = grown.length - 1;
  for (let s = 0; s < slots.length; s++) {
    const entry = slots[s];
    if (entry === 0) continue;
    const k = entry - 1;
    let slot = partsHash(keyId[k], keyDay[k], keyGender[k]) & mask;
    while (grown[slot] !== 0) slot = (slot + 1) & mask;
    grown[slot] = entry;
  }
  return grown;
}

/**
 * `day → calendar year` for the days in `date`: a table over the span of the dates when it is small (the usual
 * case: a few months), else yearOfDay each time. O(n + span).
 */
function yearLookup(date: Int32Array): (day: number) => number {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < date.length; i++) {
    if (date[i] < min) min = date[i];
    if (date[i] > max) max = date[i];
  }
  const span = max - min + 1;
  if (date.length === 0 || span > MAX_YEAR_TABLE_DAYS) return yearOfDay;
  const years = new Int32Array(span);
  for (let d = 0; d < span; d++) years[d] = yearOfDay(min + d);
  return (day) => years[day - min];
}

/** Beyond ~270 years of transaction dates, computing each year is cheaper than a table. */
const MAX_YEAR_TABLE_DAYS = 100_000;

/** Calendar year of a day number (days since 1970-01-01), by integer arithmetic (H. Hinnant's civil_from_days). O(1). */
export function yearOfDay(day: number): number {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  // March-based year: January and February belong to the next calendar year.
  return yoe + era * 400 + (mp >= 10 ? 1 : 0);
}

/** Rule 6: raw gender codes → index into GENDERS (-1 unknown), counting `T`-like values (changed) and missing ones. O(n). */
function genderCodes(codes: Int32Array, values: readonly string[]): { gender: Int8Array; entries: QualityEntry[] } {
  const mapped = new Int8Array(values.length);
  for (let c = 0; c < values.length; c++) mapped[c] = (GENDERS as readonly string[]).indexOf(values[c]);
  const gender = new Int8Array(codes.length);
  const otherByCode = new Int32Array(values.length);
  let missing = 0;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c < 0) {
      gender[i] = -1;
      missing++;
    } else {
      const g = mapped[c];
      gender[i] = g;
      if (g < 0) otherByCode[c]++;
    }
  }
  const others: string[] = [];
  let other = 0;
  for (let c = 0; c < values.length; c++) {
    if (otherByCode[c] > 0) {
      others.push(JSON.stringify(values[c]));
      other += otherByCode[c];
    }
  }
  const seen = others.length > 0 ? ` (${others.join(', ')})` : '';
  return {
    gender,
    entries: [
      { action: 'changed', column: GENDER, reason: REASONS.genderOther(seen), count: other },
      { action: 'kept-missing', column: GENDER, reason: REASONS.genderMissing, count: missing },
    ],
  };
}

/** Fixed caps, checked: each a number (not NaN; Infinity caps nothing). A RangeError if not. */
function checkedCaps(caps: CleanOptions['caps']): CleanOptions['caps'] {
  if (caps === undefined) return undefined;
  for (const [name, cap] of Object.entries(caps)) {
    if (typeof cap !== 'number' || Number.isNaN(cap)) throw new RangeError(`caps.${name} must be a number, got ${cap}`);
  }
  return caps;
}

/**
 * Rule 9: the type-7 quantile `q` of the non-missing values (or the `fixed` cap when given), and a copy of `values`
 * with everything above it set to it. `values` is this module's own gathered copy, so capping it in place mutates
 * nothing the caller gave us. O(n) expected.
 */
function capAbove(values: Float64Array, q: number, fixed?: number): { values: Float64Array; cap: number; capped: number } {
  const cap = fixed ?? quantileSelect(values, q);
  let capped = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > cap) {
      values[i] = cap;
      capped++;
    }
  }
  return { values, cap, capped };
}

/** `0.999` → `99.9th`, `0.99` → `99th`, `0.5` → `50th`. */
export function percentileLabel(q: number): string {
  const p = Number((q * 100).toPrecision(12));
  const whole = Math.floor(p);
  const suffix = p !== whole ? 'th' : ordinalSuffix(whole);
  return `${p}${suffix}`;
}

function ordinalSuffix(n: number): string {
  const lastTwo = n % 100;
  if (lastTwo >= 11 && lastTwo <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}
