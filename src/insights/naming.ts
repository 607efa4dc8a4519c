/**
 * Segment names from documented, absolute thresholds (docs/data-model.md section 7), never from a segment's
 * position relative to the others: each word of a name is a claim about a customer ("balance ≥ INR 50,000"), and a
 * word goes into a segment's name only when it holds for at least half of the segment's members (unknown values
 * count as not holding) and for clearly more of them than of all customers (DISTINCT times the base share). The
 * words say what the data records: recency, age, balance and money moved; no "spenders" or "savers", since the data
 * has no debit/credit direction. "lapsed" claims an absence, which a sample of rows or a thin end of the data cannot
 * show (recency.ts): there the same customers are "early-seen".
 */
import type { CustomerFeatures } from '../preprocess/feature_registry';
import { quantileSorted } from '../stats/quantile';
import { isoDate } from '../table';
import { inr } from '../format';
import { absenceIsEvidence, limitWords, recencyLimits } from './recency';
import type { RecencyLimits } from './recency';

/** The features a word can speak about. */
export type NameDimension = 'recency' | 'age' | 'balance' | 'value' | 'repeat';

/**
 * What the words are measured against: the thirds of money moved by all customers (type-7 quantiles), for the value
 * words; the as-of date and the limits of recency (recency.ts), for the recency words.
 */
export interface NameBase {
  readonly valueLowThird: number;
  readonly valueTopThird: number;
  /** The day recency counts from (days since epoch). */
  readonly asOf: number;
  /** Why not being seen does not mean a customer stopped transacting, in words; '' when the data can show it. */
  readonly recencyLimit: string;
}

export interface NameWord {
  readonly word: string;
  readonly dimension: NameDimension;
  /** What the word claims about one customer, for the report and the docs. */
  readonly claim: (base: NameBase) => string;
  /** Whether the claim holds for customer i (an unknown value does not hold). */
  readonly holds: (f: CustomerFeatures, i: number, base: NameBase) => boolean;
  /** Whether the word may be used at all on this data (default: always). */
  readonly usable?: (base: NameBase) => boolean;
}

/** Thresholds of the words, in the units of the data. */
export const THRESHOLDS = {
  /** Days since the last transaction (from the as-of date). */
  recentDays: 14,
  lapsedDays: 60,
  /** Years. `young`: under 30 (India's National Youth Policy counts youth to 29); `senior`: 60+ (senior-citizen banking). */
  youngBelow: 30,
  olderFrom: 45,
  seniorFrom: 60,
  /** INR. */
  lowBalanceBelow: 5_000,
  highBalanceFrom: 50_000,
  affluentFrom: 500_000,
} as const;

const known = (x: number): boolean => x === x;
const rupees = inr;
const T = THRESHOLDS;

/** Every word, in the order its dimension appears in a name (recency, age, balance, value, repeat). */
export const NAME_WORDS: readonly NameWord[] = [
  { word: 'recent', dimension: 'recency', claim: () => `last transaction at most ${T.recentDays} days before the as-of date`, holds: (f, i) => f.recencyDays[i] <= T.recentDays },
  {
    word: 'lapsed',
    dimension: 'recency',
    claim: () => `no transaction in the last ${T.lapsedDays} days before the as-of date`,
    holds: (f, i) => f.recencyDays[i] >= T.lapsedDays,
    usable: (b) => b.recencyLimit === '',
  },
  // The same customers, named for what the data shows when it cannot show an absence (recency.ts).
  {
    word: 'early-seen',
    dimension: 'recency',
    claim: (b) =>
      `last seen in the data on or before ${isoDate(b.asOf - T.lapsedDays)} (${T.lapsedDays} or more days before the as-of date); ` +
      `not seen since does not mean they stopped banking, because ${b.recencyLimit}`,
    holds: (f, i) => f.recencyDays[i] >= T.lapsedDays,
    usable: (b) => b.recencyLimit !== '',
  },
  { word: 'young', dimension: 'age', claim: () => `aged under ${T.youngBelow}`, holds: (f, i) => known(f.age[i]) && f.age[i] < T.youngBelow },
  { word: 'mid-age', dimension: 'age', claim: () => `aged ${T.youngBelow}–${T.olderFrom - 1}`, holds: (f, i) => f.age[i] >= T.youngBelow && f.age[i] < T.olderFrom },
  { word: 'older', dimension: 'age', claim: () => `aged ${T.olderFrom}–${T.seniorFrom - 1}`, holds: (f, i) => f.age[i] >= T.olderFrom && f.age[i] < T.seniorFrom },
  { word: 'senior', dimension: 'age', claim: () => `aged ${T.seniorFrom} or more`, holds: (f, i) => f.age[i] >= T.seniorFrom },
  { word: 'low-balance', dimension: 'balance', claim: () => `balance under ${rupees(T.lowBalanceBelow)}`, holds: (f, i) => known(f.balance[i]) && f.balance[i] < T.lowBalanceBelow },
  { word: 'high-balance', dimension: 'balance', claim: () => `balance of ${rupees(T.highBalanceFrom)} or more`, holds: (f, i) => f.balance[i] >= T.highBalanceFrom },
  { word: 'affluent', dimension: 'balance', claim: () => `balance of ${rupees(T.affluentFrom)} or more`, holds: (f, i) => f.balance[i] >= T.affluentFrom },
  {
    word: 'low-value',
    dimension: 'value',
    claim: (b) => `moved at most ${rupees(b.valueLowThird)} in the window (the bottom third of all customers)`,
    holds: (f, i, b) => f.monetaryTotal[i] <= b.valueLowThird,
  },
  {
    word: 'high-value',
    dimension: 'value',
    claim: (b) => `moved ${rupees(b.valueTopThird)} or more in the window (the top third of all customers)`,
    holds: (f, i, b) => f.monetaryTotal[i] >= b.valueTopThird,
  },
  { word: 'repeat', dimension: 'repeat', claim: () => 'two or more transactions in the window', holds: (f, i) => f.frequency[i] >= 2 },
];

/** A word must hold for at least this share of a segment's members… */
export const MAJORITY = 0.5;
/** …and for at least this many times the share of all customers it holds for (else it does not set the segment apart). */
export const DISTINCT = 1.25;
/** Words in a name before clashes ask for more. */
export const NAME_WORDS_SHOWN = 2;

/** How a word fares in one segment. */
export interface WordShare {
  readonly word: string;
  readonly claim: string;
  /** Share of the segment's members for whom it holds. */
  readonly share: number;
  /** Share of all customers for whom it holds. */
  readonly baseShare: number;
}

/**
 * The thirds of money moved by all customers (type-7 quantiles at 1/3 and 2/3), the as-of date, and the limits of
 * recency (`recencyLimits`: pass the ones computed with the transactions per day; by default they are judged from
 * the customers alone). O(n log n).
 */
export function nameBase(f: CustomerFeatures, limits: RecencyLimits = recencyLimits(f)): NameBase {
  const sorted = Float64Array.from(f.monetaryTotal).sort();
  return {
    valueLowThird: quantileSorted(sorted, 1 / 3),
    valueTopThird: quantileSorted(sorted, 2 / 3),
    asOf: f.asOf,
    recencyLimit: absenceIsEvidence(limits) ? '' : limitWords(limits),
  };
}

/**
 * For every segment (labels 0..k−1) and every word usable on this data (or exactly the words `only`, usable or not:
 * a saved model's words on new data), the share of members it holds for, and the base share. O(n·words).
 */
export function wordShares(f: CustomerFeatures, labels: Int32Array, k: number, base = nameBase(f), only?: ReadonlySet<string>): WordShare[][] {
  const sizes = new Float64Array(k);
  for (let i = 0; i < f.n; i++) sizes[labels[i]]++;
  const bySegment: WordShare[][] = Array.from({ length: k }, () => []);
  for (const w of NAME_WORDS) {
    if (only ? !only.has(w.word) : w.usable && !w.usable(base)) continue;
    const hits = new Float64Array(k);
    let all = 0;
    for (let i = 0; i < f.n; i++) {
      if (w.holds(f, i, base)) {
        hits[labels[i]]++;
        all++;
      }
    }
    const claim = w.claim(base);
    for (let c = 0; c < k; c++) {
      bySegment[c].push({ word: w.word, claim, share: sizes[c] > 0 ? hits[c] / sizes[c] : 0, baseShare: f.n > 0 ? all / f.n : 0 });
    }
  }
  return bySegment;
}

/** The words that may name a segment (hold for a majority and set it apart), best first: one per dimension. */
export function qualifyingWords(shares: readonly WordShare[]): WordShare[] {
  const dimension = (word: string): NameDimension => NAME_WORDS.find((w) => w.word === word)!.dimension;
  const ratio = (s: WordShare): number => (s.baseShare > 0 ? s.share / s.baseShare : Infinity);
  const ok = shares.filter((s) => s.share >= MAJORITY && s.share >= DISTINCT * s.baseShare);
  const best = new Map<NameDimension, WordShare>();
  for (const s of ok) {
    const d = dimension(s.word);
    const seen = best.get(d);
    // Ties go to the stronger claim (affluent over high-balance when both hold for the same members).
    if (!seen || ratio(s) > ratio(seen) || (ratio(s) === ratio(seen) && order(s.word) > order(seen.word))) best.set(d, s);
  }
  return [...best.values()].sort((a, b) => ratio(b) - ratio(a) || order(a.word) - order(b.word));
}

function order(word: string): number {
  return NAME_WORDS.findIndex((w) => w.word === word);
}

/** `words` in name order (recency, age, balance, value, repeat) + `customers`; `mainstream customers` when empty. */
export function nameOf(words: readonly string[]): string {
  if (words.length === 0) return 'mainstream customers';
  return [...words].sort((a, b) => order(a) - order(b)).join(' ') + ' customers';
}

/**
 * Unique names for all segments: the NAME_WORDS_SHOWN best qualifying words of each; segments that would share a
 * name get one more qualifying word at a time; any still equal are numbered in segment order (`… 1`, `… 2`).
 * Returns each name with the words it is made of. O(k² · words).
 */
export function nameSegments(sharesBySegment: readonly (readonly WordShare[])[]): { name: string; words: WordShare[] }[] {
  const ranked = sharesBySegment.map(qualifyingWords);
  const count = ranked.map((r) => Math.min(NAME_WORDS_SHOWN, r.length));
  const names = (): string[] => ranked.map((r, c) => nameOf(r.slice(0, count[c]).map((s) => s.word)));
  let current = names();
  for (;;) {
    const clash = duplicated(current);
    let grew = false;
    current.forEach((name, c) => {
      if (clash.has(name) && count[c] < ranked[c].length) {
        count[c]++;
        grew = true;
      }
    });
    if (!grew) break;
    current = names();
  }
  const clash = duplicated(current);
  const seen = new Map<string, number>();
  return current.map((name, c) => {
    const words = ranked[c].slice(0, count[c]);
    if (!clash.has(name)) return { name, words };
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return { name: `${name} ${n}`, words };
  });
}

function duplicated(names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const name of names) (seen.has(name) ? dup : seen).add(name);
  return dup;
}
