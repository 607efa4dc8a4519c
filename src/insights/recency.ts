/**
 * What recency can say in this data. A transaction in the rows proves the customer was active that day, so "recent"
 * (seen at most 14 days before the as-of date) is true whatever the data. Not seeing a transaction proves nothing
 * when the rows are a sample of the bank's transactions, or when the end of the data is thin (few transactions
 * were recorded there, for everyone): then "lapsed" would claim an absence the data cannot show. These are the two
 * caveats the report writes (caveats.ts), detected here once so that the names (naming.ts) and the caveats never
 * disagree (docs/data-model.md, section 7).
 */
import type { CustomerFeatures } from '../preprocess/feature_registry';
import { isoDate } from '../table';
import { num } from '../format';

/** Fewer transactions per customer than this over at least LOW_FREQUENCY_WINDOW days suggests a sample of rows. */
export const LOW_FREQUENCY = 1.5;
export const LOW_FREQUENCY_WINDOW = 28;
/** A day holding less than this share of a median day's transactions is "thin". */
export const THIN_DAY = 0.5;

/** Transactions on one calendar day (days since epoch). */
export interface DayCount {
  readonly day: number;
  readonly transactions: number;
}

/** The rows look like a sample of transactions rather than the full book. */
export interface SampleLimit {
  /** Transactions per customer. */
  readonly perCustomer: number;
  /** Share of customers with exactly one transaction. */
  readonly singleShare: number;
  /** Days from the first to the last date of the data. */
  readonly window: number;
}

/** The data thin out at the end: the dates after `lastFullDay` hold few transactions, for everyone. */
export interface ThinTail {
  /** The last day with at least THIN_DAY of a median day's transactions. */
  readonly lastFullDay: number;
  /** The thin dates after it, the days they span and their share of all transactions. */
  readonly dates: number;
  readonly span: number;
  readonly share: number;
}

/** Why an absence of transactions in the data does not show an absence of the customer; both absent when it can. */
export interface RecencyLimits {
  readonly sample?: SampleLimit;
  readonly thinTail?: ThinTail;
  /** Whether `thinTail` was judged from customers' last-seen days because transactions per day were not given. */
  readonly fromLastSeen: boolean;
}

/** Median of the values (they are sorted here). */
function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The trailing run of thin days of a per-day series in day order, if any. O(days log days). */
export function thinTail(days: readonly DayCount[]): ThinTail | undefined {
  if (days.length === 0) return undefined;
  const medianDay = median(days.map((d) => d.transactions));
  let lastFull = -1;
  for (let i = days.length - 1; i >= 0; i--) {
    if (days[i].transactions >= THIN_DAY * medianDay) {
      lastFull = i;
      break;
    }
  }
  if (lastFull < 0 || lastFull === days.length - 1) return undefined;
  const total = days.reduce((s, d) => s + d.transactions, 0);
  const tail = days.slice(lastFull + 1);
  return {
    lastFullDay: days[lastFull].day,
    dates: tail.length,
    span: days[days.length - 1].day - days[lastFull].day,
    share: tail.reduce((s, d) => s + d.transactions, 0) / total,
  };
}

/** Customers per last-seen day (as-of minus recency), in day order: the stand-in for transactions per day. O(n log n). */
function lastSeenPerDay(features: Pick<CustomerFeatures, 'n' | 'asOf' | 'recencyDays'>): DayCount[] {
  const counts = new Map<number, number>();
  for (let i = 0; i < features.n; i++) {
    const day = features.asOf - Math.round(features.recencyDays[i]);
    counts.set(day, (counts.get(day) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => a[0] - b[0]).map(([day, transactions]) => ({ day, transactions }));
}

/**
 * The limits of recency in this data: a sample-like rate (under LOW_FREQUENCY transactions per customer over a
 * window of LOW_FREQUENCY_WINDOW days or more) and a thin end of the data (`thinTail` of the transactions per day;
 * without them, of the customers per last-seen day, which finds a thin end less often in data with many repeat
 * customers). O(n) + O(days log days).
 */
export function recencyLimits(
  features: Pick<CustomerFeatures, 'n' | 'asOf' | 'endDate' | 'recencyDays' | 'frequency'>,
  perDay?: readonly DayCount[],
): RecencyLimits {
  let single = 0;
  let rows = 0;
  let oldest = 0;
  for (let i = 0; i < features.n; i++) {
    if (features.frequency[i] === 1) single++;
    rows += features.frequency[i];
    if (features.recencyDays[i] > oldest) oldest = features.recencyDays[i];
  }
  // Days from the first to the last transaction date; without the rows, from the least recent customer (a lower bound).
  const window = perDay && perDay.length > 0 ? perDay[perDay.length - 1].day - perDay[0].day + 1 : oldest - (features.asOf - features.endDate) + 1;
  const perCustomer = features.n > 0 ? rows / features.n : 0;
  const sample = features.n > 0 && perCustomer < LOW_FREQUENCY && window >= LOW_FREQUENCY_WINDOW ? { perCustomer, singleShare: single / features.n, window } : undefined;
  const tail = thinTail(perDay ?? lastSeenPerDay(features));
  return { ...(sample ? { sample } : {}), ...(tail ? { thinTail: tail } : {}), fromLastSeen: perDay === undefined };
}

/** True when the data can show that a customer stopped transacting (neither limit applies). */
export function absenceIsEvidence(limits: RecencyLimits): boolean {
  return !limits.sample && !limits.thinTail;
}

/** The limits in words, for a claim ("the rows look like a sample …; the data thin out after …"); '' when none. */
export function limitWords(limits: RecencyLimits): string {
  const parts: string[] = [];
  if (limits.sample) parts.push(`the rows look like a sample of the bank's transactions (${num(limits.sample.perCustomer, 2)} transactions per customer)`);
  if (limits.thinTail) parts.push(`the data thin out after ${isoDate(limits.thinTail.lastFullDay)}`);
  return parts.join(' and ');
}
