/**
 * Small tables for the notebooks as danfo DataFrames: the first rows of any table (`head`), pandas-style summary
 * statistics (`describe`), the segments and the k sweep. For display only: O(rows shown) unless it says otherwise;
 * the heavy work stays in the pipeline modules.
 */
import * as dfd from 'danfojs-node';
import * as ss from 'simple-statistics';
import type { ProfiledSegmentation } from '../insights/types';
import { RFM_SEGMENTS } from '../insights/rfm';
import { mixShares } from '../insights/mix';
import { FEATURES, MODEL_FEATURES, NUMERIC_FEATURES, featureColumns } from '../preprocess/feature_registry';
import type { CustomerFeatures, NumberFeatureSpec } from '../preprocess/feature_registry';
import type { KScore } from '../segment/types';
import { quantileSorted, sortedPresent } from '../stats/quantile';
import { GENDERS, isoDate, keyTexts } from '../table';
import type { CleanTable, DictColumn, TransactionTable } from '../table';

/** A column for display: numbers (NaN = missing), dictionary-encoded text, or text (undefined/null = missing). */
export type DisplayColumn = ArrayLike<number> | DictColumn | readonly (string | null | undefined)[];

export interface RowRange {
  /** First row (default 0). */
  readonly start?: number;
  /** One past the last row (default start + 10). */
  readonly end?: number;
}

function isDictColumn(c: DisplayColumn): c is DictColumn {
  return typeof c === 'object' && c !== null && 'codes' in c && 'values' in c;
}

/**
 * Rows [start, end) of equally long columns as a danfo DataFrame (missing numbers stay NaN, missing text is
 * null). For display only: O(rows shown × columns).
 */
export function frame(columns: Readonly<Record<string, DisplayColumn>>, range: RowRange = {}): dfd.DataFrame {
  const start = range.start ?? 0;
  const data: Record<string, (number | string | null)[]> = {};
  let end = range.end ?? start + 10;
  for (const col of Object.values(columns)) end = Math.min(end, isDictColumn(col) ? col.codes.length : col.length);
  for (const [name, col] of Object.entries(columns)) {
    const out: (number | string | null)[] = [];
    for (let i = start; i < end; i++) {
      if (isDictColumn(col)) out.push(col.codes[i] < 0 ? null : col.values[col.codes[i]]);
      else out.push(col[i] ?? null);
    }
    data[name] = out;
  }
  return new dfd.DataFrame(data, { index: Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i) });
}

/** Rows of the transactions as read, with the source's column names and readable dates. */
export function transactionsFrame(t: TransactionTable, range: RowRange = {}): dfd.DataFrame {
  return frame(
    {
      TransactionID: t.transactionId,
      CustomerID: t.customerId,
      CustomerDOB: t.customerDob,
      CustGender: t.custGender,
      CustLocation: t.custLocation,
      CustAccountBalance: t.custAccountBalance,
      TransactionDate: datesColumn(t.transactionDate, range),
      TransactionTime: timesColumn(t.transactionTime, range),
      'TransactionAmount (INR)': t.transactionAmount,
    },
    range,
  );
}

/** Rows of the cleaned transactions (customer id, date, time, capped amount and balance, age, gender, location). */
export function cleanFrame(c: CleanTable, range: RowRange = {}): dfd.DataFrame {
  return frame(
    {
      customer: { codes: c.customer, values: keyTexts(c.customerIds) },
      date: datesColumn(c.date, range),
      time: timesColumn(c.time, range),
      amount: c.amount,
      balance: c.balance,
      age: c.age,
      gender: { codes: Int32Array.from(c.gender), values: GENDERS },
      location: c.location,
    },
    range,
  );
}

/** Rows of the customer features. */
export function featuresFrame(f: CustomerFeatures, range: RowRange = {}): dfd.DataFrame {
  return frame(
    featureColumns(f),
    range,
  );
}

/** ISO dates for the rows of `range` only (the rest stay empty: frame() reads nothing else). */
function datesColumn(days: Int32Array, range: RowRange): (string | undefined)[] {
  return formatRange(days, range, isoDate);
}

/** `HH:MM:SS` for HHMMSS integers, for the rows of `range` only. */
function timesColumn(times: Int32Array, range: RowRange): (string | undefined)[] {
  return formatRange(times, range, (t) => {
    const s = String(t).padStart(6, '0');
    return `${s.slice(0, 2)}:${s.slice(2, 4)}:${s.slice(4, 6)}`;
  });
}

function formatRange(values: Int32Array, range: RowRange, format: (v: number) => string): (string | undefined)[] {
  const start = range.start ?? 0;
  const end = Math.min(range.end ?? start + 10, values.length);
  const out = new Array<string | undefined>(values.length);
  for (let i = start; i < end; i++) out[i] = format(values[i]);
  return out;
}

/** A table of the pipeline (or plain columns), told apart by its fields. */
type AnyTable = TransactionTable | CleanTable | CustomerFeatures | Readonly<Record<string, DisplayColumn>>;

const isTransactions = (t: AnyTable): t is TransactionTable => 'transactionId' in t && 'malformed' in t;
const isClean = (t: AnyTable): t is CleanTable => 'customerIds' in t && 'customer' in t;
const isFeatures = (t: AnyTable): t is CustomerFeatures => 'endDate' in t && 'customerId' in t;

/**
 * The first `n` rows of any table as a DataFrame: the transactions as read (source column names, readable dates and
 * times), the clean transactions, the customer features (every registered feature), or plain columns.
 * O(n × columns).
 * @example show(head(data.features, 8))
 */
export function head(table: AnyTable, n = 5): dfd.DataFrame {
  const range = { end: n };
  if (isTransactions(table)) return transactionsFrame(table, range);
  if (isClean(table)) return cleanFrame(table, range);
  if (isFeatures(table)) return featuresFrame(table, range);
  return frame(table, range);
}

/** The numeric columns of a table: the features the model can take, the clean or raw amounts, balances and ages. */
function numericColumns(table: CustomerFeatures | CleanTable | TransactionTable | Readonly<Record<string, ArrayLike<number>>>): Record<string, ArrayLike<number>> {
  if (isTransactions(table)) return { CustAccountBalance: table.custAccountBalance, 'TransactionAmount (INR)': table.transactionAmount };
  if (isClean(table)) return { amount: table.amount, balance: table.balance, age: table.age };
  if (isFeatures(table)) return Object.fromEntries(MODEL_FEATURES.map((f) => [f, table[f]]));
  return table;
}

/**
 * Summary statistics of every numeric column of a table (count present, missing, mean, std (population), min, 25%,
 * 50%, 75%, max; type-7 quantiles, NaN ignored) as a DataFrame with one column per input column, like pandas'
 * describe(): for the customer features, every registered number and flag, without listing them; for the clean
 * transactions amount, balance and age; or the columns given. Computed here, not in danfo (whose describe turns a
 * column with any NaN into NaN). O(n log n) per column.
 * @example show(describe(data.features))
 */
export function describe(table: CustomerFeatures | CleanTable | TransactionTable | Readonly<Record<string, ArrayLike<number>>>): dfd.DataFrame {
  const stats = ['count', 'missing', 'mean', 'std', 'min', '25%', '50%', '75%', 'max'];
  const data: Record<string, number[]> = {};
  for (const [name, column] of Object.entries(numericColumns(table))) {
    const values = column instanceof Float64Array ? column : Float64Array.from(column);
    const sorted = sortedPresent(values);
    const n = sorted.length;
    // simple-statistics: compensated (Kahan) sums, so the mean of a million money values keeps its cents.
    const present = Array.from(sorted);
    data[name] = [
      n,
      values.length - n,
      n ? ss.mean(present) : NaN,
      n ? ss.standardDeviation(present) : NaN,
      n ? sorted[0] : NaN,
      quantileSorted(sorted, 0.25),
      quantileSorted(sorted, 0.5),
      quantileSorted(sorted, 0.75),
      n ? sorted[n - 1] : NaN,
    ];
  }
  return new dfd.DataFrame(data, { index: stats });
}

/** One row per segment: name, size, shares of customers/money/balances and the median of each numeric feature. */
export function segmentTable(seg: ProfiledSegmentation): dfd.DataFrame {
  const s = seg.segments;
  const medians = NUMERIC_FEATURES.map((f) => {
    const spec = FEATURES[f] as NumberFeatureSpec;
    return [`median ${spec.words} (${spec.axisUnit ?? spec.unit})`, s.map((x) => x.profile[f])];
  });
  return new dfd.DataFrame(
    {
      segment: s.map((x) => x.name),
      customers: s.map((x) => x.size),
      'share of customers': s.map((x) => x.share),
      'share of money': s.map((x) => x.monetaryShare),
      'share of balances': s.map((x) => x.balanceShare),
      'repeat customers': s.map((x) => x.repeatShare),
      'under a reused ID': s.map((x) => x.reusedIdShare),
      ...Object.fromEntries(medians),
    },
    { index: s.map((x) => x.id) },
  );
}

/**
 * One row per k of the sweep: inertia, silhouette, Davies–Bouldin, Calinski–Harabasz, and the stability checks of
 * the delivered partition (restarts that found it, refit agreement, the nearest rival, stable or not).
 */
export function sweepTable(kSweep: readonly KScore[]): dfd.DataFrame {
  return new dfd.DataFrame(
    {
      inertia: kSweep.map((s) => s.inertia),
      silhouette: kSweep.map((s) => s.silhouette),
      'Davies–Bouldin': kSweep.map((s) => s.daviesBouldin),
      'Calinski–Harabasz': kSweep.map((s) => s.calinskiHarabasz),
      'found by': kSweep.map((s) => `${s.confirmedBy} of ${s.restarts}`),
      'refit ARI': kSweep.map((s) => s.stability),
      'rival (inertia gap, ARI)': kSweep.map((s) => (Number.isFinite(s.rivalAri) ? `${(100 * s.rivalGap).toFixed(2)}%, ${s.rivalAri.toFixed(2)}` : 'none')),
      stable: kSweep.map((s) => (s.stable ? 'yes' : 'no')),
    },
    { index: kSweep.map((s) => `k = ${s.k}`) },
  );
}

/** The k-means segments (rows) × RFM segments (columns): customers in each cell. */
export function rfmTable(seg: ProfiledSegmentation): dfd.DataFrame {
  const { crossTab } = seg.context.rfm;
  return new dfd.DataFrame(
    Object.fromEntries(RFM_SEGMENTS.map((name, j) => [name, seg.segments.map((s) => crossTab[s.id][j])])),
    { index: seg.segments.map((s) => s.name) },
  );
}

/** One category's mix per segment (shares of its members), e.g. `mixTable(seg, 'gender')`. */
export function mixTable(seg: ProfiledSegmentation, category: 'gender' | 'location' | 'timeOfDay'): dfd.DataFrame {
  const mix = seg.context.mix[category];
  const shares = seg.segments.map((s) => mixShares(mix, s.id));
  return new dfd.DataFrame(
    Object.fromEntries(mix.values.map((value, v) => [value, shares.map((row) => row[v].share)])),
    { index: seg.segments.map((s) => s.name) },
  );
}
