/**
 * Transaction tables put together or cut apart by rows, for the steps that look at periods (src/monitor/migration.ts):
 * several files read as one set of transactions, and the transactions of one period. Tables are never mutated;
 * dictionary columns are recoded by text, so a value keeps its meaning whatever table it came from.
 */
import type { DictColumn, MalformedRow, TransactionTable } from '../table';
import { MALFORMED_EXAMPLES } from './columns';

/** The rows of `t` whose index `keep` says, in order; dictionaries are shared, not copied. O(rows). */
export function selectTransactions(t: TransactionTable, keep: (row: number) => boolean): TransactionTable {
  const rows: number[] = [];
  for (let i = 0; i < t.rows; i++) if (keep(i)) rows.push(i);
  const pick = <A extends Int32Array | Float64Array>(a: A): A => {
    const out = new (a.constructor as new (n: number) => A)(rows.length);
    for (let j = 0; j < rows.length; j++) out[j] = a[rows[j]];
    return out;
  };
  const dict = (d: DictColumn): DictColumn => ({ codes: pick(d.codes), values: d.values });
  return {
    source: t.source,
    rows: rows.length,
    transactionId: rows.map((i) => t.transactionId[i]),
    customerId: dict(t.customerId),
    customerDob: dict(t.customerDob),
    custGender: dict(t.custGender),
    custLocation: dict(t.custLocation),
    custAccountBalance: pick(t.custAccountBalance),
    transactionDate: pick(t.transactionDate),
    transactionTime: pick(t.transactionTime),
    transactionAmount: pick(t.transactionAmount),
    malformed: t.malformed,
  };
}

/** Dictionary columns united by text, values in order of first appearance across the tables. O(rows + values). */
function concatDict(columns: readonly DictColumn[]): DictColumn {
  const index = new Map<string, number>();
  const values: string[] = [];
  const total = columns.reduce((s, c) => s + c.codes.length, 0);
  const codes = new Int32Array(total);
  let w = 0;
  for (const c of columns) {
    const recode = new Int32Array(c.values.length);
    c.values.forEach((v, i) => {
      let code = index.get(v);
      if (code === undefined) {
        code = values.push(v) - 1;
        index.set(v, code);
      }
      recode[i] = code;
    });
    for (let i = 0; i < c.codes.length; i++) codes[w++] = c.codes[i] < 0 ? -1 : recode[c.codes[i]];
  }
  // Codes in first-appearance order over the rows, as one reader would number them.
  return renumberByAppearance({ codes, values });
}

function renumberByAppearance(d: DictColumn): DictColumn {
  const order = new Int32Array(d.values.length).fill(-1);
  const values: string[] = [];
  const codes = new Int32Array(d.codes.length);
  for (let i = 0; i < d.codes.length; i++) {
    const c = d.codes[i];
    if (c < 0) {
      codes[i] = -1;
      continue;
    }
    if (order[c] < 0) order[c] = values.push(d.values[c]) - 1;
    codes[i] = order[c];
  }
  return { codes, values };
}

/** The tables' rows one after another, as one table (`source` names them all; malformed rows summed). O(rows). */
export function concatTransactions(tables: readonly TransactionTable[]): TransactionTable {
  if (tables.length === 1) return tables[0];
  const join = <A extends Int32Array | Float64Array>(arrays: readonly A[]): A => {
    const out = new (arrays[0].constructor as new (n: number) => A)(arrays.reduce((s, a) => s + a.length, 0));
    let at = 0;
    for (const a of arrays) {
      out.set(a, at);
      at += a.length;
    }
    return out;
  };
  const examples: MalformedRow[] = tables.flatMap((t) => t.malformed.examples).slice(0, MALFORMED_EXAMPLES);
  return {
    source: tables.map((t) => t.source).join(' + '),
    rows: tables.reduce((s, t) => s + t.rows, 0),
    transactionId: tables.flatMap((t) => t.transactionId),
    customerId: concatDict(tables.map((t) => t.customerId)),
    customerDob: concatDict(tables.map((t) => t.customerDob)),
    custGender: concatDict(tables.map((t) => t.custGender)),
    custLocation: concatDict(tables.map((t) => t.custLocation)),
    custAccountBalance: join(tables.map((t) => t.custAccountBalance)),
    transactionDate: join(tables.map((t) => t.transactionDate)),
    transactionTime: join(tables.map((t) => t.transactionTime)),
    transactionAmount: join(tables.map((t) => t.transactionAmount)),
    malformed: { count: tables.reduce((s, t) => s + t.malformed.count, 0), examples },
  };
}
