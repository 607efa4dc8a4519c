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
  readonly customerIds: readonly string[];
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
