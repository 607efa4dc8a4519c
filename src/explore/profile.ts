/**
 * A first look at the transactions as read (before cleaning): size, distinct CustomerIDs, missing values,
 * the `1/1/1800` DOB placeholder and the date range. Backs `bankseg profile` and the first notebook.
 */
import { isPlaceholderDob } from '../preprocess/clean';
import { DictColumn, isoDate, TransactionTable } from '../table';
import { count, pct } from '../format';
import { malformedLines } from '../collect/columns';

/** The columns that may be missing in the source (every other column is required by the reader). */
export const MISSING_COLUMNS = ['CustomerDOB', 'CustGender', 'CustLocation', 'CustAccountBalance'] as const;
export type MissingColumn = (typeof MISSING_COLUMNS)[number];

export interface Profile {
  readonly rows: number;
  /**
   * Distinct CustomerIDs (the field keeps its name in `profile --json`). Not customers: an ID can stand for several
   * people, told apart by the customer key when cleaning (docs/data-model.md, rule 10).
   */
  readonly customers: number;
  /** Rows where the value is missing (empty or `nan`). */
  readonly missing: { readonly [C in MissingColumn]: number };
  /** Rows whose CustomerDOB has the year 1800 (the `1/1/1800` placeholder, not a birth date). */
  readonly placeholderDob: number;
  /** First and last transaction date, `YYYY-MM-DD` (both `''` for a table without rows). */
  readonly dateRange: readonly [string, string];
  /**
   * Rows the reader skipped as malformed. In a file a row is one line (docs/data-model.md §1), so this is also the
   * number of lines lost.
   */
  readonly malformedRows: number;
}

/** Number of rows whose code is -1. O(rows). */
function countMissing(column: DictColumn): number {
  let n = 0;
  for (let i = 0; i < column.codes.length; i++) if (column.codes[i] < 0) n++;
  return n;
}

/** Number of distinct codes used by the rows. O(rows + dictionary size). */
function countDistinct(column: DictColumn): number {
  const seen = new Uint8Array(column.values.length);
  let n = 0;
  for (let i = 0; i < column.codes.length; i++) {
    const code = column.codes[i];
    if (code >= 0 && seen[code] === 0) {
      seen[code] = 1;
      n++;
    }
  }
  return n;
}

/** Number of rows whose DOB text is a date in the year 1800; each distinct text is parsed once. O(rows + distinct DOBs). */
function countPlaceholderDob(dob: DictColumn): number {
  const placeholder = dob.values.map(isPlaceholderDob);
  let n = 0;
  for (let i = 0; i < dob.codes.length; i++) {
    const code = dob.codes[i];
    if (code >= 0 && placeholder[code]) n++;
  }
  return n;
}

/** Profiles a table as read. O(rows); the table is not changed. */
export function profileTransactions(t: TransactionTable): Profile {
  let balanceMissing = 0;
  for (let i = 0; i < t.rows; i++) if (Number.isNaN(t.custAccountBalance[i])) balanceMissing++;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < t.rows; i++) {
    const day = t.transactionDate[i];
    if (day < first) first = day;
    if (day > last) last = day;
  }
  return {
    rows: t.rows,
    customers: countDistinct(t.customerId),
    missing: {
      CustomerDOB: countMissing(t.customerDob),
      CustGender: countMissing(t.custGender),
      CustLocation: countMissing(t.custLocation),
      CustAccountBalance: balanceMissing,
    },
    placeholderDob: countPlaceholderDob(t.customerDob),
    dateRange: t.rows === 0 ? ['', ''] : [isoDate(first), isoDate(last)],
    malformedRows: t.malformed.count,
  };
}

const share = (n: number, of: number) => (of === 0 ? '' : `(${pct(n / of, 2)})`);

/** A readable text table of the profile, with the malformed rows the reader skipped. O(1). */
export function formatProfile(p: Profile, t: Pick<TransactionTable, 'source' | 'malformed'>): string {
  // [label, figure, note]; figures are right-aligned so the digits line up.
  const rows: [string, string, string][] = [
    ['rows', count(p.rows), ''],
    // Raw IDs: an ID can stand for several people until cleaning applies the customer key (rule 10).
    ['CustomerIDs', count(p.customers), ''],
    ...MISSING_COLUMNS.map((c): [string, string, string] => [`missing ${c}`, count(p.missing[c]), share(p.missing[c], p.rows)]),
    ['placeholder DOB (year 1800)', count(p.placeholderDob), share(p.placeholderDob, p.rows)],
    ['malformed rows skipped', count(p.malformedRows), ''],
  ];
  const labelWidth = Math.max(...rows.map(([k]) => k.length));
  const figureWidth = Math.max(...rows.map(([, v]) => v.length));
  const table = rows.map(([k, v, note]) => `  ${k.padEnd(labelWidth)}  ${v.padStart(figureWidth)}${note ? '  ' + note : ''}`);
  table.splice(2, 0, `  ${'date range'.padEnd(labelWidth)}  ${p.dateRange[0]} .. ${p.dateRange[1]}`);
  const lines = [`Profile of ${t.source}`, ...table];
  lines.push(...malformedLines(t.malformed));
  return lines.join('\n');
}
