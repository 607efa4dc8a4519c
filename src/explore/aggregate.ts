/**
 * Pre-aggregation for figures: histograms, counts, box statistics and shares computed in TypeScript,
 * so a figure spec holds a few hundred numbers instead of a million points. All pure, inputs never mutated.
 */
import { quantileSorted, sortedPresent } from '../stats/quantile';
import type { DictColumn, TransactionTable } from '../table';
import { isPlaceholderDob } from '../preprocess/clean';

/** Bin counts over `edges` (bin i is [edges[i], edges[i+1]), the last bin also holds its right edge). */
export interface Histogram {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  /** NaN values, not binned. */
  readonly missing: number;
  /** Values outside the binned range (for a log histogram: values <= 0, which have no logarithm). */
  readonly outside: number;
}

/**
 * Histogram with bins of equal width on a log10 scale, `binsPerDecade` per power of ten, spanning the
 * positive values (edges are 10^(j / binsPerDecade), aligned to decades). Values <= 0 are counted in
 * `outside`, NaN and ±∞ in `missing`. Cost: O(n) plus O(bins).
 * @example logHistogram(Float64Array.of(1, 5, 10, 0), 1) // edges [1, 10, 100], counts [2, 1], outside 1
 */
export function logHistogram(values: Float64Array, binsPerDecade = 10): Histogram {
  let lo = Infinity;
  let hi = -Infinity;
  let missing = 0;
  let outside = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) missing++;
    else if (v <= 0) outside++;
    else {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === Infinity) return { edges: [], counts: [], missing, outside };
  const first = Math.floor(Math.log10(lo) * binsPerDecade + 1e-9);
  let last = Math.ceil(Math.log10(hi) * binsPerDecade - 1e-9);
  if (last <= first) last = first + 1;
  const edges: number[] = [];
  for (let j = first; j <= last; j++) edges.push(edgeValue(j, binsPerDecade));
  const counts = new Array<number>(last - first).fill(0);
  const nBins = counts.length;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v > 0 && v < Infinity)) continue;
    let b = Math.floor(Math.log10(v) * binsPerDecade) - first;
    // log10 rounding can put a value one bin off near an edge: settle it against the edges themselves.
    if (b > 0 && v < edges[b]) b--;
    if (b < nBins - 1 && v >= edges[b + 1]) b++;
    counts[Math.min(Math.max(b, 0), nBins - 1)]++;
  }
  return { edges, counts, missing, outside };
}

/** 10^(j / perDecade), exact at the decades (10^3 is 1000, not 999.9999999999998). */
function edgeValue(j: number, perDecade: number): number {
  if (j % perDecade === 0) return Number(`1e${j / perDecade}`);
  return Number(Math.pow(10, j / perDecade).toPrecision(12));
}

/**
 * Histogram with bins [start + i·width, start + (i+1)·width) covering every finite value; NaN and ±∞
 * count as missing, values below `start` as outside. `start` defaults to the minimum rounded down to a
 * multiple of `width`. Cost: O(n).
 * @example linearHistogram(Float64Array.of(0, 4, 5, 12), 5) // edges [0, 5, 10, 15], counts [2, 1, 1]
 */
export function linearHistogram(values: Float64Array, width: number, start?: number): Histogram {
  if (!(width > 0)) throw new RangeError(`linearHistogram: width must be > 0, got ${width}`);
  let lo = Infinity;
  let hi = -Infinity;
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) missing++;
    else {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === Infinity) return { edges: [], counts: [], missing, outside: 0 };
  const s = start ?? Math.floor(lo / width) * width;
  const nBins = Math.max(1, Math.floor((hi - s) / width) + 1);
  const counts = new Array<number>(nBins).fill(0);
  let outside = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const b = Math.floor((v - s) / width);
    if (b < 0) outside++;
    else counts[b]++;
  }
  const edges = Array.from({ length: nBins + 1 }, (_, i) => s + i * width);
  return { edges, counts, missing, outside };
}

/** Rows per dictionary value, and rows with no value (code -1). Cost: O(n). */
export function countCodes(column: DictColumn): { counts: number[]; missing: number } {
  const counts = new Array<number>(column.values.length).fill(0);
  let missing = 0;
  const codes = column.codes;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c < 0) missing++;
    else counts[c]++;
  }
  return { counts, missing };
}

/** The `top` most frequent values of a dictionary column (ties: alphabetical), with their counts. Cost: O(n + v log v). */
export function topValues(column: DictColumn, top: number): { value: string; count: number }[] {
  const { counts } = countCodes(column);
  return counts
    .map((count, code) => ({ value: column.values[code], count }))
    .filter((e) => e.count > 0)
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .slice(0, top);
}

/** Transactions per hour of day 0..23 from HHMMSS times. Cost: O(n). */
export function hourCounts(time: Int32Array): number[] {
  const counts = new Array<number>(24).fill(0);
  for (let i = 0; i < time.length; i++) {
    const hour = Math.floor(time[i] / 10000);
    if (hour >= 0 && hour < 24) counts[hour]++;
  }
  return counts;
}

/** Rows per day from the first to the last day present (days without rows count 0). Cost: O(n + days). */
export function dayCounts(date: Int32Array): { firstDay: number; counts: number[] } {
  if (date.length === 0) return { firstDay: 0, counts: [] };
  let lo = date[0];
  let hi = date[0];
  for (let i = 1; i < date.length; i++) {
    if (date[i] < lo) lo = date[i];
    if (date[i] > hi) hi = date[i];
  }
  const counts = new Array<number>(hi - lo + 1).fill(0);
  for (let i = 0; i < date.length; i++) counts[date[i] - lo]++;
  return { firstDay: lo, counts };
}

/** The five numbers of a box plot plus context, in the units of the input. */
export interface BoxStats {
  /** Values present (NaN excluded). */
  readonly n: number;
  readonly min: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly max: number;
  readonly mean: number;
  /** Tukey whiskers: the most extreme values within 1.5·IQR of the quartiles (on the chosen scale). */
  readonly lowerfence: number;
  readonly upperfence: number;
}

/**
 * Box-plot statistics of the non-NaN values: type-7 quartiles (as numpy, pandas, R) and Tukey whiskers
 * (smallest value >= q1 − 1.5·IQR, largest value <= q3 + 1.5·IQR). With `scale: 'log'` the whisker
 * bounds are taken on the log scale the box is drawn on (q1·(q1/q3)^1.5 and q3·(q3/q1)^1.5; needs
 * q1 > 0, otherwise the linear rule is used). All NaN when no value is present. Cost: O(n log n) (one sort of a copy).
 * @example boxStats(Float64Array.of(1, 2, 3, 4, 100)) // q1 2, median 3, q3 4, upperfence 4 (100 is an outlier)
 */
export function boxStats(values: Float64Array, scale: 'linear' | 'log' = 'linear'): BoxStats {
  const sorted = sortedPresent(values);
  const n = sorted.length;
  if (n === 0) {
    return { n, min: NaN, q1: NaN, median: NaN, q3: NaN, max: NaN, mean: NaN, lowerfence: NaN, upperfence: NaN };
  }
  const q1 = quantileSorted(sorted, 0.25);
  const median = quantileSorted(sorted, 0.5);
  const q3 = quantileSorted(sorted, 0.75);
  const useLog = scale === 'log' && q1 > 0;
  const lowBound = useLog ? q1 * Math.pow(q1 / q3, 1.5) : q1 - 1.5 * (q3 - q1);
  const highBound = useLog ? q3 * Math.pow(q3 / q1, 1.5) : q3 + 1.5 * (q3 - q1);
  let lowerfence = sorted[0];
  for (let i = 0; i < n; i++) {
    if (sorted[i] >= lowBound) {
      lowerfence = sorted[i];
      break;
    }
  }
  let upperfence = sorted[n - 1];
  for (let i = n - 1; i >= 0; i--) {
    if (sorted[i] <= highBound) {
      upperfence = sorted[i];
      break;
    }
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  return { n, min: sorted[0], q1, median, q3, max: sorted[n - 1], mean: sum / n, lowerfence, upperfence };
}

/** The values of each group 0..k-1 (rows with label outside 0..k-1 are left out). Cost: O(n). */
export function splitByLabel(values: Float64Array, labels: Int32Array, k: number): Float64Array[] {
  if (values.length !== labels.length) throw new RangeError(`splitByLabel: ${values.length} values but ${labels.length} labels`);
  const sizes = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0 && labels[i] < k) sizes[labels[i]]++;
  const groups = Array.from(sizes, (size) => new Float64Array(size));
  const fill = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) {
    const g = labels[i];
    if (g >= 0 && g < k) groups[g][fill[g]++] = values[i];
  }
  return groups;
}

/** Per segment: its share of customers, of money moved (sum of monetaryTotal) and of known balances. */
export interface SegmentShares {
  readonly customers: readonly number[];
  readonly money: readonly number[];
  readonly balances: readonly number[];
}

/**
 * Shares of customers, money moved and balances held by each of the k segments; each list sums to 1
 * (NaN balances are left out of the balance totals; a list is all 0 when its total is 0). Cost: O(n).
 */
export function segmentShares(
  labels: Int32Array,
  k: number,
  monetaryTotal: Float64Array,
  balance: Float64Array,
): SegmentShares {
  const count = new Float64Array(k);
  const money = new Float64Array(k);
  const bal = new Float64Array(k);
  for (let i = 0; i < labels.length; i++) {
    const g = labels[i];
    count[g]++;
    money[g] += monetaryTotal[i];
    const b = balance[i];
    if (b === b) bal[g] += b;
  }
  return { customers: normalise(count), money: normalise(money), balances: normalise(bal) };
}

function normalise(x: Float64Array): number[] {
  let total = 0;
  for (let i = 0; i < x.length; i++) total += x[i];
  return Array.from(x, (v) => (total > 0 ? v / total : 0));
}

/** Missing and placeholder counts of one source column. */
export interface ColumnGaps {
  readonly column: string;
  readonly missing: number;
  readonly placeholder: number;
}

/**
 * Per source column of the raw table: values missing (empty or `nan`) and placeholder values
 * (the `1/1/1800` birth date, in any accepted date form). Cost: O(n) plus O(dictionary size).
 */
export function columnGaps(raw: TransactionTable): ColumnGaps[] {
  const dict = (column: string, c: DictColumn, isPlaceholder?: (v: string) => boolean): ColumnGaps => {
    const { counts, missing } = countCodes(c);
    let placeholder = 0;
    if (isPlaceholder) c.values.forEach((v, code) => (placeholder += isPlaceholder(v) ? counts[code] : 0));
    return { column, missing, placeholder };
  };
  let missingBalance = 0;
  for (let i = 0; i < raw.custAccountBalance.length; i++) if (raw.custAccountBalance[i] !== raw.custAccountBalance[i]) missingBalance++;
  let missingAmount = 0;
  for (let i = 0; i < raw.transactionAmount.length; i++) if (raw.transactionAmount[i] !== raw.transactionAmount[i]) missingAmount++;
  let missingId = 0;
  for (let i = 0; i < raw.transactionId.length; i++) if (!raw.transactionId[i]) missingId++;
  return [
    { column: 'TransactionID', missing: missingId, placeholder: 0 },
    dict('CustomerID', raw.customerId),
    dict('CustomerDOB', raw.customerDob, isPlaceholderDob),
    dict('CustGender', raw.custGender),
    dict('CustLocation', raw.custLocation),
    { column: 'CustAccountBalance', missing: missingBalance, placeholder: 0 },
    // The reader rejects rows without a valid date, time or amount, so these are 0 by construction.
    { column: 'TransactionDate', missing: 0, placeholder: 0 },
    { column: 'TransactionTime', missing: 0, placeholder: 0 },
    { column: 'TransactionAmount (INR)', missing: missingAmount, placeholder: 0 },
  ];
}
