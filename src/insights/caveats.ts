/**
 * The caveats of a segmentation, each detected in the data it came from and stated with its numbers, never
 * assumed: a caveat that does not apply is not written.
 */
import type { CleanTable, QualityReport } from '../table';
import { isoDate, keyCustomerId, keyHasBirthDate, keyText } from '../table';
import type { CustomerFeatures } from '../preprocess/feature_registry';
import { featureWords } from '../preprocess/feature_registry';
import { strongCorrelations } from '../segment/space';
import type { ModelSpace } from '../segment/types';
import { article, count, num, pct } from '../format';
import type { SegmentProfile } from './types';
import { recencyLimits, thinTail } from './recency';
import type { DayCount, RecencyLimits, ThinTail } from './recency';

/** Transactions per calendar day of the cleaned data, in day order. O(n). */
export function transactionsPerDay(clean: Pick<CleanTable, 'date' | 'rows'>): { day: number; transactions: number }[] {
  const counts = new Map<number, number>();
  for (let i = 0; i < clean.rows; i++) counts.set(clean.date[i], (counts.get(clean.date[i]) ?? 0) + 1);
  return [...counts].sort((a, b) => a[0] - b[0]).map(([day, transactions]) => ({ day, transactions }));
}

/**
 * The transactions per day of a load: given (the SQL push-down's), or counted from the cleaned rows; undefined when
 * neither is there. The given ones first: after the push-down in a notebook, `clean` is a getter that throws.
 */
export function dayCountsOf(data: {
  readonly clean?: Pick<CleanTable, 'date' | 'rows'>;
  readonly transactionsPerDay?: readonly DayCount[];
}): readonly DayCount[] | undefined {
  return data.transactionsPerDay ?? (data.clean ? transactionsPerDay(data.clean) : undefined);
}

/**
 * Customers who look like one person under several CustomerIDs: the same known birth date, gender and balance to the
 * paisa (a positive one, below the outlier cap) as a customer under another CustomerID. The key never joins them (nothing in the data links
 * two IDs safely); the count says how much repeat activity the key may hide. O(n log n): customers are sorted by
 * balance, and only equal balances compare their birth date and gender (balances up to INR 2.1 crore, the first
 * 4,194,304 customers).
 */
export function sharedIdentities(
  features: Pick<CustomerFeatures, 'n' | 'customerId' | 'balance'>,
  balanceCap = Infinity,
): { customers: number; groups: number } {
  // Candidates as one sortable number each, balance in paise then customer index, so equal balances end up next to
  // each other after a native typed-array sort (a Map of a million balances was several times slower).
  const INDEX_BITS = 2 ** 22;
  const packed = new Float64Array(features.n);
  let m = 0;
  for (let i = 0; i < features.n; i++) {
    const b = features.balance[i];
    // Capped balances were made equal by cleaning (rule 9): they say nothing about who is who.
    if (!(b > 0) || b >= balanceCap) continue;
    if (!keyHasBirthDate(features.customerId, i)) continue;
    const cents = Math.round(b * 100);
    // Beyond INR 2.1 crore (2^31 paise) the packed number would not be exact: such balances are not compared.
    if (cents >= 2 ** 31 || i >= INDEX_BITS) continue;
    packed[m++] = cents * INDEX_BITS + i;
  }
  const sorted = packed.subarray(0, m).sort();
  const repeated: number[][] = [];
  for (let start = 0; start < m; ) {
    const cents = Math.floor(sorted[start] / INDEX_BITS);
    let end = start + 1;
    while (end < m && Math.floor(sorted[end] / INDEX_BITS) === cents) end++;
    if (end - start > 1) repeated.push(Array.from(sorted.subarray(start, end), (x) => x - cents * INDEX_BITS));
    start = end;
  }
  let customers = 0;
  let groups = 0;
  for (const bucket of repeated) {
    const people = new Map<string, { ids: Set<string>; members: number }>(); // birth date and gender → CustomerIDs
    for (const i of bucket) {
      const id = keyCustomerId(features.customerId, i);
      const who = keyText(features.customerId, i).slice(id.length + 1);
      const person = people.get(who) ?? { ids: new Set<string>(), members: 0 };
      person.ids.add(id);
      person.members++;
      people.set(who, person);
    }
    for (const person of people.values()) {
      if (person.ids.size > 1) {
        groups++;
        customers += person.members;
      }
    }
  }
  return { customers, groups };
}

/**
 * Below this share of customers, shared identities are what chance gives (the default data, generated with none:
 * 88 of 1,045,533 customers, 0.008%); at or above it the report states them.
 */
export const SHARED_IDENTITY_SHARE = 0.005;

export { LOW_FREQUENCY, LOW_FREQUENCY_WINDOW, THIN_DAY } from './recency';

/**
 * The thin end of the data in words (recency.ts), counted in transactions per day or, without them, in customers
 * per last-seen day.
 */
function thinTailSentence(tail: ThinTail, asOf: number, unit: 'transactions' | 'last-seen customers'): string {
  const what = unit === 'transactions' ? 'The data thin out' : "Customers' last-seen days thin out";
  return (
    `${what} at the end: after ${isoDate(tail.lastFullDay)}, the last day with at least half a median day's ${unit}, ` +
    `${tail.dates} date${tail.dates > 1 ? 's' : ''} over ${tail.span} days hold ${pct(tail.share)} of the ${unit}, so every customer last seen by ${isoDate(tail.lastFullDay)} has a recency of at least ${asOf - tail.lastFullDay} days: a quiet period of the data, not of the customers. \`--as-of\` measures recency from another day.`
  );
}

/** The date facts recency rests on: the as-of day, the last dates and how thin the end of the data is (`tail`). */
export function dateCaveat(
  days: readonly DayCount[],
  features: Pick<CustomerFeatures, 'asOf' | 'endDate'>,
  tail: ThinTail | undefined = thinTail(days),
): string | undefined {
  if (days.length === 0) return undefined;
  const total = days.reduce((s, d) => s + d.transactions, 0);
  const sorted = days.map((d) => d.transactions).sort((a, b) => a - b);
  const medianDay = sorted.length % 2 ? sorted[sorted.length >> 1] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  const last = days[days.length - 1];
  const from = features.asOf === features.endDate ? `${isoDate(features.asOf)}, the last date in the data` : `${isoDate(features.asOf)} (--as-of; the data end on ${isoDate(features.endDate)})`;
  const parts = [`Recency is measured from ${from}, which holds ${count(last.transactions)} transactions (${pct(last.transactions / total, 2)} of all; the median day with data holds ${count(medianDay)}).`];
  if (tail) parts.push(thinTailSentence(tail, features.asOf, 'transactions'));
  return parts.join(' ');
}

/**
 * Every caveat that applies, in the order a reader needs them. `limits` are the limits of recency the segments were
 * named with (their context), so a caveat never contradicts a name. O(n) (the passes over the customers and days).
 */
export function detectCaveats(
  segments: readonly SegmentProfile[],
  space: ModelSpace,
  quality: QualityReport,
  features: CustomerFeatures,
  perDay: readonly DayCount[] | undefined,
  limits: RecencyLimits = recencyLimits(features, perDay),
): string[] {
  const out: string[] = [];
  const entry = (column: string, reason: string) => quality.entries.find((e) => e.column === column && e.reason.startsWith(reason));

  const reused = entry('CustomerID', 'reused by different people');
  if (reused && reused.count > 0) {
    const worst = [...segments].sort((a, b) => b.reusedIdShare - a.reusedIdShare)[0];
    const split = /split into ([\d,]+) customers/.exec(reused.reason)?.[1] ?? '?';
    out.push(
      `**CustomerID is reused by different people**: ${count(reused.count)} IDs carry more than one birth date or gender and were split into ${split} customers (a customer is CustomerID + birth date + gender). ` +
        (worst.reusedIdShare > 0.5
          ? `**${worst.name}** (segment ${worst.id}) has ${pct(worst.reusedIdShare)} of its members under a reused ID: treat it as a data artefact.`
          : `No segment is made mostly of them: the highest share is ${pct(worst.reusedIdShare)} of ${worst.name} (segment ${worst.id}).`),
    );
  }

  const shared = sharedIdentities(features, Number.isNaN(quality.caps.balance) ? Infinity : quality.caps.balance);
  if (shared.customers >= SHARED_IDENTITY_SHARE * features.n) {
    out.push(
      `**One person under several CustomerIDs?** ${count(shared.customers)} customers (${pct(shared.customers / features.n)}) share their birth date, gender and balance to the paisa with a customer under another CustomerID (${count(shared.groups)} such groups): probably the same person. Nothing in the data links two IDs safely, so they stay apart, and repeat activity is understated.`,
    );
  }

  const young = entry('CustomerDOB', 'age 0–');
  const minors = entry('CustomerDOB', 'age 10–');
  if ((young && young.count > 0) || (minors && minors.count > 0)) {
    out.push(
      `Young ages: ${count(young?.count ?? 0)} transactions had a birth date giving an age under 10 (too young to transact alone; the age is treated as unknown), and ${count(minors?.count ?? 0)} are by minors aged 10–17 (kept). A two-digit birth year cannot tell 2010 from 1910, so some of these birth dates may be wrong rather than young.`,
    );
  }

  out.push('Amounts carry no debit/credit direction: "money moved" adds up money in and out, and no name or action assumes the money was spent.');

  const days = perDay ?? [];
  const dates = perDay
    ? dateCaveat(days, features, limits.fromLastSeen ? thinTail(days) : limits.thinTail)
    : `Recency is measured from ${isoDate(features.asOf)}${features.asOf === features.endDate ? ', the last date in the data' : ` (--as-of; the data end on ${isoDate(features.endDate)})`}; how many transactions the last dates hold is not known here (the features were computed inside the database).` +
      (limits.thinTail ? ' ' + thinTailSentence(limits.thinTail, features.asOf, 'last-seen customers') : '');
  if (dates) out.push(dates);

  const sample = limits.sample;
  if (sample) {
    out.push(
      `A sample, not the full book: customers average ${num(sample.perCustomer, 2)} transactions in ${article(sample.window)} ${sample.window}-day window and ${pct(sample.singleShare)} have exactly one. Real account holders transact more often, so these rows look like a sample of transactions: frequency and recency describe the sample, which is why repeat activity is reported per segment and not modelled, and why no name says a customer stopped banking.`,
    );
  }

  const imputed = space.features.map((f, j) => ({ f, m: space.imputed[j] })).filter((x) => x.m > 0);
  if (imputed.length > 0) {
    out.push(`Missing values were imputed with the median before clustering: ${imputed.map((x) => `${featureWords(x.f)} ${count(x.m)} (${pct(x.m / space.n, 2)})`).join('; ')}.`);
  }

  for (const c of strongCorrelations(space)) {
    out.push(`Two model features say nearly the same thing: ${featureWords(c.a)} and ${featureWords(c.b)} correlate at r = ${num(c.r, 3)}, so their information counts twice in the distances; consider dropping one (\`--features\`).`);
  }
  return out;
}
