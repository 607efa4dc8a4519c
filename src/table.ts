/**
 * The shared data model: columnar tables passed between pipeline stages.
 *
 * Every stage takes a table and returns a new one; nothing here is mutated after it is built.
 * Numbers live in typed arrays (NaN = missing), strings are dictionary-encoded (code -1 = missing),
 * dates are whole days since 1970-01-01 (UTC). See docs/data-model.md for the definitions. The customer features
 * (one row per customer) are typed by their registry, src/preprocess/feature_registry.ts.
 */

/** The nine columns of the published `bank_transactions.csv`, in file order. */
export const SOURCE_COLUMNS = [
  'TransactionID',
  'CustomerID',
  'CustomerDOB',
  'CustGender',
  'CustLocation',
  'CustAccountBalance',
  'TransactionDate',
  'TransactionTime',
  'TransactionAmount (INR)',
] as const;
export type SourceColumn = (typeof SOURCE_COLUMNS)[number];

/** A dictionary-encoded string column: `values[codes[i]]` is row i's text; code -1 means missing. */
export interface DictColumn {
  readonly codes: Int32Array;
  readonly values: readonly string[];
}

/** A row the reader could not use, with enough context for a one-line error. */
export interface MalformedRow {
  readonly file: string;
  /** 1-based line number in the file (the header is line 1). */
  readonly line: number;
  readonly column: SourceColumn | '(row)';
  readonly value: string;
  readonly expected: string;
}

/** The transactions file as read: one typed column per source column, rows in file order. */
export interface TransactionTable {
  readonly source: string;
  readonly rows: number;
  readonly transactionId: readonly string[];
  readonly customerId: DictColumn;
  /** Raw DOB text (e.g. `4/4/57`, `04-04-1957`, `1/1/1800`); parsed in cleaning, which needs the transaction year. */
  readonly customerDob: DictColumn;
  readonly custGender: DictColumn;
  readonly custLocation: DictColumn;
  /** INR; NaN = missing. */
  readonly custAccountBalance: Float64Array;
  /** Days since 1970-01-01. */
  readonly transactionDate: Int32Array;
  /** HHMMSS as an integer (143207 = 14:32:07). */
  readonly transactionTime: Int32Array;
  /** INR. */
  readonly transactionAmount: Float64Array;
  /** Rows skipped because a field was not in its expected form (never silently). */
  readonly malformed: { readonly count: number; readonly examples: readonly MalformedRow[] };
}

/** Gender codes after cleaning. */
export const GENDERS = ['F', 'M'] as const;

/** Transactions after the cleaning policies of docs/data-model.md. */
export interface CleanTable {
  readonly rows: number;
  /** Codes into `customerIds` (the customer keys of cleaning rule 10), in order of first appearance in the file. */
  readonly customer: Int32Array;
  readonly customerIds: CustomerKeyColumn;
  readonly date: Int32Array;
  readonly time: Int32Array;
  /** INR, capped at the outlier cap. */
  readonly amount: Float64Array;
  /** INR, capped; NaN = missing. */
  readonly balance: Float64Array;
  /** Whole years at the transaction date; NaN = unknown (missing, placeholder or impossible DOB). */
  readonly age: Float64Array;
  /** Index into GENDERS; -1 = unknown (missing or `T`). */
  readonly gender: Int8Array;
  readonly location: DictColumn;
}

/** One line of the data-quality report: what happened to how many rows or values, and why. */
export interface QualityEntry {
  /** `counted`: nothing changed, but the report says how many (minors, reused CustomerIDs). */
  readonly action: 'dropped' | 'changed' | 'kept-missing' | 'counted';
  readonly column: string;
  readonly reason: string;
  readonly count: number;
}

export interface QualityReport {
  /** The rows the reader skipped as malformed (TransactionTable.malformed): not among inputRows, listed by the report. */
  readonly malformed: TransactionTable['malformed'];
  readonly inputRows: number;
  readonly outputRows: number;
  readonly entries: readonly QualityEntry[];
  /** Outlier caps applied (INR), for the report. */
  readonly caps: { readonly amount: number; readonly balance: number; readonly quantile: number };
}

/** The time-of-day bins of the customer features (6 hours each, from midnight). */
export const TIME_OF_DAY = ['night', 'morning', 'afternoon', 'evening'] as const;

/** Whole days since 1970-01-01 for a calendar date (month 1..12). */
export function dayNumber(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / 86_400_000);
}

/** `YYYY-MM-DD` for a day number. */
export function isoDate(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** Decode a dictionary column's row i (undefined when missing). */
export function dictValue(column: DictColumn, i: number): string | undefined {
  const code = column.codes[i];
  return code < 0 ? undefined : column.values[code];
}

/** Text of an unknown part of the customer key. */
export const UNKNOWN_KEY_PART = '?';
/** Birth day → `YYYY-MM-DD`, filled as key texts are made: people are born on some 40,000 days of a century. */
const BIRTH_DATES = new Map<number, string>();
/** CustomerKeys.birthDay of a customer whose birth date is unknown. */
export const UNKNOWN_BIRTH_DAY = -0x80000000;

/** A birth day's `YYYY-MM-DD`, or `?` when unknown. O(1) amortised. */
function birthDateText(day: number): string {
  if (day === UNKNOWN_BIRTH_DAY) return UNKNOWN_KEY_PART;
  let date = BIRTH_DATES.get(day);
  if (date === undefined) BIRTH_DATES.set(day, (date = isoDate(day)));
  return date;
}

/**
 * The customer keys of cleaning rule 10 as numbers: customer k is (CustomerID `ids[id[k]]`, `birthDay[k]`,
 * `gender[k]`). Its text `CustomerID|YYYY-MM-DD|G` (`?` for an unknown part) is made only where it is written or
 * shown (text(k)): at 5M customers the texts would hold hundreds of MB of heap; these columns hold 9 B a customer.
 */
export class CustomerKeys {
  constructor(
    /** The CustomerID dictionary the `id` codes index (shared with the table the keys come from). */
    readonly ids: readonly string[],
    readonly id: Int32Array,
    /** Days since 1970-01-01; UNKNOWN_BIRTH_DAY when unknown. */
    readonly birthDay: Int32Array,
    /** Index into GENDERS; -1 when unknown. */
    readonly gender: Int8Array,
  ) {
    if (birthDay.length !== id.length || gender.length !== id.length) throw new RangeError('CustomerKeys: columns of different lengths');
  }

  get length(): number {
    return this.id.length;
  }

  /** Customer k's key text, `CustomerID|YYYY-MM-DD|G`. O(1) (amortised over the birth days). */
  text(k: number): string {
    const g = this.gender[k];
    return this.ids[this.id[k]] + '|' + birthDateText(this.birthDay[k]) + '|' + (g >= 0 ? GENDERS[g] : UNKNOWN_KEY_PART);
  }

  /** The texts of keys start..end-1, each followed by `separator` but the last: one flat string. O(end - start). */
  joined(start: number, end: number, separator: string): string {
    let out = '';
    for (let k = start; k < end; k++) out += (k > start ? separator : '') + this.text(k);
    return out;
  }

  /** The customers `keys` (codes into these keys), in that order, sharing the ID dictionary. O(keys). */
  subset(keys: Int32Array): CustomerKeys {
    const id = new Int32Array(keys.length);
    const birthDay = new Int32Array(keys.length);
    const gender = new Int8Array(keys.length);
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j];
      id[j] = this.id[k];
      birthDay[j] = this.birthDay[k];
      gender[j] = this.gender[k];
    }
    return new CustomerKeys(this.ids, id, birthDay, gender);
  }
}

/**
 * A column of customer keys: as numbers (CustomerKeys, from cleaning) or as texts (from the database paths, the
 * stage cache, hand-built tables). Read it through keyText / keyTexts.
 */
export type CustomerKeyColumn = CustomerKeys | readonly string[];

/** Customer i's key text. O(1). */
export function keyText(keys: CustomerKeyColumn, i: number): string {
  return keys instanceof CustomerKeys ? keys.text(i) : keys[i];
}

/** Every key's text, in order (the array itself when the keys are texts already). O(n) otherwise. */
export function keyTexts(keys: CustomerKeyColumn): readonly string[] {
  if (!(keys instanceof CustomerKeys)) return keys;
  const out = new Array<string>(keys.length);
  for (let k = 0; k < keys.length; k++) out[k] = keys.text(k);
  return out;
}

/**
 * The CustomerID part of customer i's key. A key text is `CustomerID|YYYY-MM-DD|G` and only the ID may contain `|`,
 * so the ID is everything before the second-to-last `|` (the whole text when it has no `|`, as hand-built keys).
 */
export function keyCustomerId(keys: CustomerKeyColumn, i: number): string {
  if (keys instanceof CustomerKeys) return keys.ids[keys.id[i]];
  const key = keys[i];
  const genderBar = key.lastIndexOf('|');
  const dateBar = genderBar > 0 ? key.lastIndexOf('|', genderBar - 1) : -1;
  return dateBar < 0 ? (genderBar < 0 ? key : key.slice(0, genderBar)) : key.slice(0, dateBar);
}

/** Whether customer i's key has a known birth date (its date part is not `?`). */
export function keyHasBirthDate(keys: CustomerKeyColumn, i: number): boolean {
  if (keys instanceof CustomerKeys) return keys.birthDay[i] !== UNKNOWN_BIRTH_DAY;
  const key = keys[i];
  const genderBar = key.lastIndexOf('|');
  const dateBar = genderBar > 0 ? key.lastIndexOf('|', genderBar - 1) : -1;
  return !(genderBar - dateBar === 2 && key.charCodeAt(dateBar + 1) === 63); /* ? */
}

/** The texts of keys start..end-1 joined by `separator` (CustomerKeys.joined, or Array.join on the texts). O(end - start). */
export function keysJoined(keys: CustomerKeyColumn, start: number, end: number, separator: string): string {
  return keys instanceof CustomerKeys ? keys.joined(start, end, separator) : keys.slice(start, end).join(separator);
}
