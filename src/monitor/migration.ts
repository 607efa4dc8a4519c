/**
 * Segment migration: the transactions split into periods, each period's customers scored with the same saved model
 * (their features from that period's transactions alone, recency counted from its last day), and who moved where
 * between consecutive periods: a migration matrix with a row and a column for "no transaction in the period", so
 * customers present in only one of the two are counted (gone quiet, or new), never dropped.
 *
 * Periods (docs/model.md, "Segment migration"):
 * - `month`: calendar months. A month is a period only when transactions fall on at least half of its days
 *   (MIN_COVERAGE); the others are left out, counted and named with their reason. On the default data that keeps
 *   August and September and leaves out October (2 of its 31 days: 16 and 21 October).
 * - `as-of` dates D1 < D2 < …: period i runs from the day after D(i−1) (the first from the first transaction) to Di,
 *   its as-of date; rows after the last date are in no period and counted. A sparse period is kept (the dates were
 *   chosen) and flagged.
 * - `input`: each input file is a period, to its last transaction date (the training rule), flagged when sparse.
 */
import { count, inr, pct } from '../format';
import { concatTransactions, selectTransactions } from '../collect/concat';
import { cleanTransactions } from '../preprocess/clean';
import { customerFeatures } from '../preprocess/features';
import type { CustomerFeatures } from '../preprocess/feature_registry';
import type { SegmentModel } from '../model/model';
import { scoreCustomers } from '../model/score';
import { labelCounts, psi, psiReading } from '../stats/psi';
import type { PsiReading } from '../stats/psi';
import { dayNumber, isoDate, keyTexts } from '../table';
import type { TransactionTable } from '../table';
import { InputError } from '../errors';

/** How the data is cut into periods. */
export type PeriodSpec =
  | { readonly kind: 'month' }
  | { readonly kind: 'as-of'; readonly dates: readonly number[] }
  | { readonly kind: 'input' };

/** A period must have transactions on at least this share of its days to stand for it (month periods). */
export const MIN_COVERAGE = 0.5;

/** One period of the data and how well the data covers it. */
export interface Period {
  readonly label: string;
  /** First and last day (days since 1970-01-01), both included; `end` is the as-of date of its recency. */
  readonly start: number;
  readonly end: number;
  readonly calendarDays: number;
  /** Days with at least one transaction, and the transactions. */
  readonly activeDays: number;
  readonly rows: number;
  /** activeDays / calendarDays ≥ MIN_COVERAGE. */
  readonly supported: boolean;
  /** The days with transactions when there are few (at most 5), for the report's sentences. */
  readonly fewDays?: readonly string[];
}

/** One period in use: its customers, their segments, and the shares against training. */
export interface ScoredPeriod {
  readonly period: Period;
  readonly features: CustomerFeatures;
  readonly labels: Int32Array;
  readonly segmentCounts: readonly number[];
  /** PSI of the segment shares against training, and its reading. */
  readonly segmentPsi: number;
  readonly segmentReading: PsiReading | undefined;
}

/** Between two consecutive periods: the migration matrix and what it says. */
export interface Transition {
  readonly from: number;
  readonly to: number;
  /**
   * counts[a][b]: customers in segment a in the first period and b in the second; index k is "no transaction in the
   * period" (row k: new customers; column k: gone quiet; counts[k][k] is 0: those are in neither period).
   */
  readonly counts: readonly (readonly number[])[];
  /** counts divided by their row's total (NaN for an empty row). */
  readonly rowShares: readonly (readonly number[])[];
  /** Balances held in the first period by the customers of each segment who went quiet, INR. */
  readonly quietBalances: readonly number[];
  readonly stayed: number;
  readonly moved: number;
  readonly quiet: number;
  readonly arrived: number;
  /** The moves that matter, in sentences. */
  readonly sentences: readonly string[];
}

export interface Migration {
  readonly spec: PeriodSpec;
  readonly periods: readonly ScoredPeriod[];
  /** Months left out because the data covers them too thinly (month periods). */
  readonly leftOut: readonly Period[];
  /** Rows in no period (after the last as-of date). */
  readonly rowsOutside: number;
  readonly transitions: readonly Transition[];
  /** Every customer seen in some period: key and segment per period (−1: no transaction in that period). */
  readonly customers: { readonly keys: readonly string[]; readonly labels: Int32Array };
  /** Customers seen in exactly one period. */
  readonly inOnePeriod: number;
  /** The periods and the data's support for them, and the caveats, in sentences. */
  readonly notes: readonly string[];
}

/** `1 customer`, `2,345 customers`. */
const customers = (n: number): string => `${count(n)} ${n === 1 ? 'customer' : 'customers'}`;

const monthLabel = (day: number): string => isoDate(day).slice(0, 7);
const shortDay = (day: number): string => {
  const d = new Date(day * 86_400_000);
  return `${d.getUTCDate()} ${d.toLocaleString('en-US', { month: 'long', timeZone: 'UTC' })}`;
};

/** The period of [start, end] over the given transaction days. O(n). */
function describePeriod(label: string, start: number, end: number, dates: Int32Array): Period {
  const active = new Set<number>();
  let rows = 0;
  for (let i = 0; i < dates.length; i++) {
    if (dates[i] >= start && dates[i] <= end) {
      active.add(dates[i]);
      rows++;
    }
  }
  const calendarDays = end - start + 1;
  const days = [...active].sort((a, b) => a - b);
  return {
    label,
    start,
    end,
    calendarDays,
    activeDays: active.size,
    rows,
    supported: active.size / calendarDays >= MIN_COVERAGE,
    ...(days.length <= 5 ? { fewDays: days.map(shortDay) } : {}),
  };
}

function range(dates: Int32Array): { first: number; last: number } {
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < dates.length; i++) {
    if (dates[i] < first) first = dates[i];
    if (dates[i] > last) last = dates[i];
  }
  return { first, last };
}

/**
 * The calendar months from the first transaction's to the last's, or the periods ending at the as-of dates (each
 * after the previous one; the first from the first transaction), with their coverage; and the rows after the last
 * as-of date. O(n · periods).
 */
export function planPeriods(dates: Int32Array, spec: Exclude<PeriodSpec, { kind: 'input' }>): { periods: Period[]; rowsOutside: number } {
  if (dates.length === 0) throw new InputError('the data holds no transaction: there are no periods to compare');
  const { first, last } = range(dates);
  if (spec.kind === 'month') {
    const periods: Period[] = [];
    const firstDate = new Date(first * 86_400_000);
    let year = firstDate.getUTCFullYear();
    let month = firstDate.getUTCMonth() + 1;
    for (;;) {
      const start = dayNumber(year, month, 1);
      if (start > last) break;
      const next = month === 12 ? dayNumber(year + 1, 1, 1) : dayNumber(year, month + 1, 1);
      periods.push(describePeriod(monthLabel(start), start, next - 1, dates));
      [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
    }
    return { periods, rowsOutside: 0 };
  }
  const sorted = [...spec.dates];
  for (let i = 1; i < sorted.length; i++) {
    if (!(sorted[i] > sorted[i - 1])) throw new InputError(`the as-of dates must increase: ${isoDate(sorted[i])} comes after ${isoDate(sorted[i - 1])}`);
  }
  if (sorted[0] < first) throw new InputError(`the first as-of date, ${isoDate(sorted[0])}, is before the first transaction, ${isoDate(first)}`);
  const periods = sorted.map((end, i) => {
    const start = i === 0 ? first : sorted[i - 1] + 1;
    return describePeriod(`${isoDate(start)} to ${isoDate(end)}`, start, end, dates);
  });
  let rowsOutside = 0;
  for (let i = 0; i < dates.length; i++) if (dates[i] > sorted[sorted.length - 1]) rowsOutside++;
  return { periods, rowsOutside };
}

/**
 * Segment migration over the inputs (one table per input file or database table) with `model` (see the module
 * comment). Needs at least two periods; fewer is an InputError that says what the data supports. O(n·k·d) plus
 * one cleaning and feature pass per period.
 */
export function migrate(model: SegmentModel, inputs: readonly TransactionTable[], spec: PeriodSpec, inputNames?: readonly string[]): Migration {
  const caps = { amount: model.cleaning.caps.amount ?? Infinity, balance: model.cleaning.caps.balance ?? Infinity };
  let slices: { period: Period; rows: TransactionTable }[];
  let leftOut: Period[] = [];
  let rowsOutside = 0;
  if (spec.kind === 'input') {
    slices = inputs.map((t, i) => {
      const { first, last } = range(t.transactionDate);
      if (t.rows === 0) throw new InputError(`${inputNames?.[i] ?? t.source}: no transaction: it cannot be a period`);
      return { period: describePeriod(inputNames?.[i] ?? t.source, first, last, t.transactionDate), rows: t };
    });
  } else {
    const all = concatTransactions(inputs);
    const plan = planPeriods(all.transactionDate, spec);
    rowsOutside = plan.rowsOutside;
    const kept = spec.kind === 'month' ? plan.periods.filter((p) => p.supported) : plan.periods;
    leftOut = spec.kind === 'month' ? plan.periods.filter((p) => !p.supported) : [];
    slices = kept.map((period) => ({
      period,
      rows: selectTransactions(all, (i) => all.transactionDate[i] >= period.start && all.transactionDate[i] <= period.end),
    }));
  }
  const usable = slices.filter((s) => s.rows.rows > 0);
  if (usable.length < 2) {
    const supported = usable.map((s) => describe(s.period)).join('; ') || 'none';
    const why = leftOut.length > 0 ? ` Left out as too sparse: ${leftOut.map(describe).join('; ')}.` : '';
    throw new InputError(`the data supports ${usable.length === 1 ? 'only one period' : 'no period'} (${supported}): at least two are needed.${why} Give the periods with --as-of DATE,DATE.`);
  }

  const periods: ScoredPeriod[] = usable.map(({ period, rows }) => {
    const { table } = cleanTransactions(rows, { capQuantile: model.cleaning.capQuantile, caps });
    const features = customerFeatures(table, { asOf: period.end });
    const { labels } = scoreCustomers(model, features);
    const segmentCounts = labelCounts(labels, model.k);
    const value = psi(model.segments.map((s) => s.customers), segmentCounts);
    return { period, features, labels, segmentCounts, segmentPsi: value, segmentReading: psiReading(value) };
  });

  // Every customer of any period, with their segment per period.
  const index = new Map<string, number>();
  const keys: string[] = [];
  // Each period's keys come from its own cleaning (own ID dictionary): customers match across periods by key text.
  const texts = periods.map((p) => keyTexts(p.features.customerId));
  for (const period of texts) for (const key of period) if (!index.has(key)) index.set(key, keys.push(key) - 1);
  const m = periods.length;
  const labels = new Int32Array(keys.length * m).fill(-1);
  periods.forEach((p, t) => texts[t].forEach((key, i) => (labels[index.get(key)! * m + t] = p.labels[i])));
  let inOnePeriod = 0;
  for (let c = 0; c < keys.length; c++) {
    let seen = 0;
    for (let t = 0; t < m; t++) if (labels[c * m + t] >= 0) seen++;
    if (seen === 1) inOnePeriod++;
  }

  const transitions: Transition[] = [];
  for (let t = 0; t + 1 < m; t++) transitions.push(transition(model, periods, texts, t, index, labels, m));
  const notes = migrationNotes(model, spec, periods, leftOut, rowsOutside, transitions);
  return { spec, periods, leftOut, rowsOutside, transitions, customers: { keys, labels }, inOnePeriod, notes };
}

function describe(p: Period): string {
  const days = p.fewDays && p.fewDays.length > 0 ? `: ${p.fewDays.join(', ')}` : '';
  return `${p.label}: transactions on ${count(p.activeDays)} of its ${count(p.calendarDays)} days${days}, ${count(p.rows)} rows`;
}

/** The migration matrix between periods t and t+1, and its sentences. O(customers). */
function transition(model: SegmentModel, periods: readonly ScoredPeriod[], texts: readonly (readonly string[])[], t: number, index: Map<string, number>, labels: Int32Array, m: number): Transition {
  const k = model.k;
  const counts = Array.from({ length: k + 1 }, () => new Array<number>(k + 1).fill(0));
  const quietBalances = new Array<number>(k).fill(0);
  const a = periods[t];
  const b = periods[t + 1];
  // Customers of the first period: where they went (a segment, or quiet).
  texts[t].forEach((key, i) => {
    const to = labels[index.get(key)! * m + t + 1];
    const from = a.labels[i];
    counts[from][to >= 0 ? to : k]++;
    if (to < 0) {
      const bal = a.features.balance[i];
      if (bal === bal) quietBalances[from] += bal;
    }
  });
  // Customers new in the second period.
  texts[t + 1].forEach((key, i) => {
    if (labels[index.get(key)! * m + t] < 0) counts[k][b.labels[i]]++;
  });
  const rowShares = counts.map((row) => {
    const total = row.reduce((s, x) => s + x, 0);
    return row.map((x) => (total > 0 ? x / total : NaN));
  });
  let stayed = 0;
  let moved = 0;
  for (let x = 0; x < k; x++) for (let y = 0; y < k; y++) (x === y ? (stayed += counts[x][y]) : (moved += counts[x][y]));
  const quiet = counts.slice(0, k).reduce((s, row) => s + row[k], 0);
  const arrived = counts[k].reduce((s, x) => s + x, 0);
  const base = { from: t, to: t + 1, counts, rowShares, quietBalances, stayed, moved, quiet, arrived };
  return { ...base, sentences: transitionSentences(model, periods, base) };
}

/** The moves that matter between two periods, in sentences computed from the matrix. */
function transitionSentences(model: SegmentModel, periods: readonly ScoredPeriod[], x: Omit<Transition, 'sentences'>): string[] {
  const k = model.k;
  const a = periods[x.from].period.label;
  const b = periods[x.to].period.label;
  const name = (c: number): string => `**${model.segments[c].name}**`;
  const nA = periods[x.from].features.n;
  const nB = periods[x.to].features.n;
  const both = x.stayed + x.moved;
  const out: string[] = [];
  out.push(
    `Of the ${count(nA)} customers of ${a}, ${count(both)} (${pct(both / nA)}) transacted again in ${b}: ${count(x.stayed)} stayed in their segment${both > 0 ? ` (${pct(x.stayed / both)} of them)` : ''} and ${count(x.moved)} moved to another; ${count(x.quiet)} (${pct(x.quiet / nA)}) had no transaction in ${b}. ${count(x.arrived)} of the ${count(nB)} customers of ${b} (${pct(x.arrived / nB)}) had none in ${a}.`,
  );
  const moves: { from: number; to: number; n: number }[] = [];
  for (let f = 0; f < k; f++) for (let t = 0; t < k; t++) if (f !== t && x.counts[f][t] > 0) moves.push({ from: f, to: t, n: x.counts[f][t] });
  moves.sort((p, q) => q.n - p.n || p.from - q.from || p.to - q.to);
  for (const mv of moves.slice(0, 3)) {
    const returning = x.counts[mv.from].slice(0, k).reduce((s, v) => s + v, 0);
    out.push(`${customers(mv.n)} moved from ${name(mv.from)} to ${name(mv.to)} (${pct(mv.n / returning)} of the ${count(returning)} of ${name(mv.from)} who transacted again).`);
  }
  const quietBy = Array.from({ length: k }, (_, c) => c)
    .filter((c) => x.counts[c][k] > 0)
    .sort((p, q) => x.quietBalances[q] - x.quietBalances[p] || p - q);
  for (const c of quietBy.slice(0, 2)) {
    const size = x.counts[c].reduce((s, v) => s + v, 0);
    out.push(`${customers(x.counts[c][k])} of ${name(c)} (${pct(x.counts[c][k] / size)} of its ${count(size)} in ${a}) went quiet in ${b}: no transaction, with ${inr(x.quietBalances[c])} of balances in ${a}.`);
  }
  if (x.arrived > 0) {
    const into = x.counts[k].indexOf(Math.max(...x.counts[k].slice(0, k)));
    out.push(`The largest share of the new customers of ${b} went to ${name(into)}: ${count(x.counts[k][into])} (${pct(x.counts[k][into] / x.arrived)}).`);
  }
  return out;
}

/** How the periods were chosen, what the data supports, and the caveats. */
function migrationNotes(
  model: SegmentModel,
  spec: PeriodSpec,
  periods: readonly ScoredPeriod[],
  leftOut: readonly Period[],
  rowsOutside: number,
  transitions: readonly Transition[],
): string[] {
  const notes: string[] = [];
  const how =
    spec.kind === 'month'
      ? `Periods are calendar months with transactions on at least ${pct(MIN_COVERAGE, 0)} of their days`
      : spec.kind === 'as-of'
        ? 'Periods end at the as-of dates given, each starting the day after the previous one (the first at the first transaction)'
        : 'Each input is a period, from its first to its last transaction';
  notes.push(`${how}: ${periods.map((p) => describe(p.period)).join('; ')}.`);
  for (const p of leftOut) notes.push(`Left out: ${describe(p)}: too sparse to stand for the month; its customers are in no period.`);
  const sparse = spec.kind === 'month' ? [] : periods.filter((p) => !p.period.supported);
  for (const p of sparse) notes.push(`${p.period.label} is sparse: transactions on ${count(p.period.activeDays)} of its ${count(p.period.calendarDays)} days; its numbers are those of those days, not of the whole period.`);
  if (rowsOutside > 0) notes.push(`${count(rowsOutside)} rows after the last as-of date are in no period.`);
  notes.push(`Each period's customers have the features of that period's transactions alone, recency counted from its last day; the model was trained on a window of ${count(model.training.days)} days (${model.training.firstDate} to ${model.training.lastDate}).`);
  const off = periods.filter((p) => Math.abs(p.period.calendarDays / model.training.days - 1) > 0.1);
  if (off.length > 0) {
    notes.push(`${off.map((p) => `${p.period.label} (${count(p.period.calendarDays)} days)`).join(', ')} ${off.length === 1 ? 'is' : 'are'} not as long as the training window: recency and money moved are measured over a different window, which by itself moves customers between segments.`);
  }
  const quietShare = transitions.reduce((s, t) => s + t.quiet, 0) / transitions.reduce((s, t) => s + periods[t.from].features.n, 0);
  if (quietShare > 0.8) {
    notes.push(`Most customers of a period have no transaction in the next (${pct(quietShare)}): customers here transact about once per window, so "went quiet" mostly says that, not that they left the bank.`);
  }
  return notes;
}
