/**
 * A deliberately simple reference reader for the tests (whole file in memory, one regex per date), independent of
 * src/collect/: what the reader must produce for a file without malformed rows, row by row.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { dictValue, TransactionTable } from '../../src/table';
import { splitCsvLine } from './naive-csv';

/** One CSV line into trimmed fields, with the tests' plain splitter. */
export function refSplitLine(line: string): string[] {
  return splitCsvLine(line).map((f) => f.trim());
}

/** Days since 1970 of a day-first date via Date; undefined if not a real date. */
export function refDay(text: string): number | undefined {
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  let y: number, mo: number, d: number;
  if (m) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else {
    m = /^(\d{1,2})([/-])(\d{1,2})\2(\d{2}|\d{4})$/.exec(text);
    if (!m) return undefined;
    [d, mo, y] = [Number(m[1]), Number(m[3]), Number(m[4])];
    if (m[4].length === 2) y += 2000;
  }
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  return date.getTime() / 86_400_000;
}

const isMissingRef = (v: string) => v === '' || v.toLowerCase() === 'nan';

export interface RefRow {
  id: string;
  customer: string;
  dob: string | undefined;
  gender: string | undefined;
  location: string | undefined;
  balance: number;
  date: number;
  time: number;
  amount: number;
}

/** The rows of a clean file (no malformed rows), column order taken from the header; `skipLines` (1-based) left out. */
export function refRead(file: string, skipLines: ReadonlySet<number> = new Set()): RefRow[] {
  const lines = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  const names = refSplitLine(lines[0]);
  const col = (name: string) => names.indexOf(name);
  const rows: RefRow[] = [];
  for (const [k, line] of lines.entries()) {
    if (k === 0 || skipLines.has(k + 1)) continue;
    if (line.trim() === '') continue;
    const f = refSplitLine(line);
    const opt = (name: string) => (isMissingRef(f[col(name)]) ? undefined : f[col(name)]);
    rows.push({
      id: f[col('TransactionID')],
      customer: f[col('CustomerID')],
      dob: opt('CustomerDOB'),
      gender: opt('CustGender'),
      location: opt('CustLocation'),
      balance: isMissingRef(f[col('CustAccountBalance')]) ? NaN : Number(f[col('CustAccountBalance')]),
      date: refDay(f[col('TransactionDate')])!,
      time: Number(f[col('TransactionTime')]),
      amount: Number(f[col('TransactionAmount (INR)')]),
    });
  }
  return rows;
}

/** Asserts that the table holds exactly the reference rows (every column decoded back to text/number). */
export function assertTableEquals(t: TransactionTable, ref: RefRow[], opts: { skipDob?: boolean } = {}): void {
  assert.equal(t.rows, ref.length);
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i];
    const got = {
      id: t.transactionId[i],
      customer: dictValue(t.customerId, i),
      dob: opts.skipDob ? r.dob : dictValue(t.customerDob, i),
      gender: dictValue(t.custGender, i),
      location: dictValue(t.custLocation, i),
      balance: t.custAccountBalance[i],
      date: t.transactionDate[i],
      time: t.transactionTime[i],
      amount: t.transactionAmount[i],
    };
    assert.deepStrictEqual(got, r, `row ${i + 1}`);
  }
}

