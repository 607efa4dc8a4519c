/**
 * RFM (recency, frequency, monetary) scores and the named RFM segments CRM teams use, adapted to what this data
 * supports (docs/data-model.md section 6):
 *
 * - R and M are quintile scores 1..5 (5 = best: most recent, most money) from **mid-ranks**, so tied customers share a
 *   score: score = 1 + ⌊5 · (below + tied / 2) / n⌋ (at most 5), where `below` counts customers with a worse value.
 *   (Ranking tied customers by row order, as a plain qcut on ranks does, would give two customers with the same
 *   single INR 500 transaction different scores for no reason.) When many customers tie, some scores stay empty.
 * - F is not a quintile: almost every customer has one transaction in the window, so F is "repeat" (2+ transactions)
 *   or not. The standard map's F axis is replaced by M for one-transaction customers, and "repeat" qualifies the
 *   segments that need repeated business (Champions, Loyal, Can't lose them).
 * - "New customers" is not in the map: without an account-opening date a first transaction in the window does not
 *   mean a new customer.
 */
import { chiSquareTest } from '../stats/chisquare';
import { sortedPresent } from '../stats/quantile';
import type { IndependenceTest } from '../stats/chisquare';

/** The named segments, in the order reports list them (best first). */
export const RFM_SEGMENTS = [
  'Champions',
  'Loyal',
  "Can't lose them",
  'Potential loyalists',
  'Promising',
  'Need attention',
  'About to sleep',
  'At risk',
  'Hibernating',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

/** What each segment means here, for reports and the docs. */
export const RFM_RULES: Readonly<Record<RfmSegment, string>> = {
  Champions: 'repeat, R 4–5, M 4–5',
  Loyal: 'repeat, R 3–5, not Champions',
  "Can't lose them": 'repeat, R 1–2',
  'Potential loyalists': 'one transaction, R 4–5, M 4–5',
  Promising: 'one transaction, R 4–5, M 1–3',
  'Need attention': 'one transaction, R 3, M 4–5',
  'About to sleep': 'one transaction, R 3, M 1–3',
  'At risk': 'one transaction, R 1–2, M 4–5',
  Hibernating: 'one transaction, R 1–2, M 1–3',
};

export const RFM_BINS = 5;

/**
 * Tie-aware quantile scores 1..bins of `values` (NaN → 0, "unknown", left out of the ranking): a value's score is
 * 1 + ⌊bins · (worse + tied / 2) / n⌋, capped at `bins`, where n counts the known values, `worse` those ranking below
 * it (smaller when `higherIsBetter`, larger otherwise) and `tied` those equal to it (itself included). Equal values
 * always share a score. O(n log n) (a native sort and two binary searches per value).
 * @example
 * tieAwareScores(Float64Array.of(10, 20, 20, 30, 40), true, 5) // [1, 3, 3, 4, 5]: the tied pair's mid-rank is 2/5
 */
export function tieAwareScores(values: Float64Array, higherIsBetter: boolean, bins = RFM_BINS): Uint8Array {
  if (!Number.isInteger(bins) || bins < 1 || bins > 255) throw new RangeError(`bins must be a whole number in 1..255, got ${bins}`);
  // The known values sorted (a native typed-array sort); each value's rank range by two binary searches.
  const sorted = sortedPresent(values);
  const n = sorted.length;
  const firstAtLeast = (v: number): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const firstAbove = (v: number): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] <= v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const scores = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) continue;
    const below = firstAtLeast(v);
    const above = firstAbove(v);
    const tied = above - below;
    const worse = higherIsBetter ? below : n - above;
    // ⌊bins · (worse + tied/2) / n⌋ as a ratio of whole numbers, so a mid-rank on a boundary never rounds the wrong way.
    scores[i] = Math.min(bins, 1 + Math.floor((bins * (2 * worse + tied)) / (2 * n)));
  }
  return scores;
}

/**
 * The cut points that reproduce `tieAwareScores(values, higherIsBetter, bins)` on other data: for each score
 * s = 2..bins, the least good known value that scored s or more (null when none did). A value then scores
 * 1 + (the number of cut points it reaches), "reaching" meaning ≥ the cut when higher is better, ≤ when lower is:
 * exactly the scores of `values` themselves, and for a value the training data did not hold, the score of the
 * training values at or below it in goodness. Plain comparisons, so the rule is also a SQL CASE. O(n log n).
 * @example rfmCutPoints(Float64Array.of(10, 20, 20, 30, 40), true) // [20, 20, 30, 40]: scores 1, 3, 3, 4, 5
 */
export function rfmCutPoints(values: Float64Array, higherIsBetter: boolean, bins = RFM_BINS): (number | null)[] {
  const scores = tieAwareScores(values, higherIsBetter, bins);
  const cuts: (number | null)[] = new Array(bins - 1).fill(null);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) continue;
    for (let s = 2; s <= scores[i]; s++) {
      const c = cuts[s - 2];
      if (c === null || (higherIsBetter ? v < c : v > c)) cuts[s - 2] = v;
    }
  }
  return cuts;
}

/** Scores 1..cuts.length+1 of `values` from cut points (see rfmCutPoints); NaN → 0 ("unknown"). O(n·bins). */
export function scoresFromCuts(values: Float64Array, cuts: readonly (number | null)[], higherIsBetter: boolean): Uint8Array {
  const scores = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) continue;
    let s = 1;
    for (const c of cuts) if (c !== null && (higherIsBetter ? v >= c : v <= c)) s++;
    scores[i] = s;
  }
  return scores;
}

/**
 * RFM scores and segments from fixed cut points (a saved model's: src/model/), so a customer's scores do not
 * depend on who else is in the data. With the cut points of the same data, the same as `rfmScores`. O(n·bins).
 */
export function rfmScoresFromCuts(
  recencyDays: Float64Array,
  frequency: Float64Array,
  monetary: Float64Array,
  cuts: { readonly recency: readonly (number | null)[]; readonly monetary: readonly (number | null)[] },
): RfmScores {
  const n = recencyDays.length;
  if (frequency.length !== n || monetary.length !== n) throw new RangeError('recency, frequency and monetary differ in length');
  return withSegments(scoresFromCuts(recencyDays, cuts.recency, false), frequency, scoresFromCuts(monetary, cuts.monetary, true));
}

/** The named segment (index into RFM_SEGMENTS) of one customer from R 1..5, M 1..5 and the repeat flag. */
export function rfmSegmentOf(r: number, m: number, repeat: boolean): number {
  const seg = (name: RfmSegment): number => RFM_SEGMENTS.indexOf(name);
  if (repeat) {
    if (r >= 4 && m >= 4) return seg('Champions');
    return r >= 3 ? seg('Loyal') : seg("Can't lose them");
  }
  const high = m >= 4;
  if (r >= 4) return high ? seg('Potential loyalists') : seg('Promising');
  if (r === 3) return high ? seg('Need attention') : seg('About to sleep');
  return high ? seg('At risk') : seg('Hibernating');
}

export interface RfmScores {
  /** 1..5, 5 = most recent. */
  readonly r: Uint8Array;
  /** 1 = one transaction in the window, 2 = repeat (two or more). */
  readonly f: Uint8Array;
  /** 1..5, 5 = most money moved in the window. */
  readonly m: Uint8Array;
  /** Index into RFM_SEGMENTS. */
  readonly segment: Uint8Array;
}

/**
 * RFM scores and named segments of every customer from recency (days, lower is better), frequency (transactions)
 * and monetary value (INR moved in the window). O(n log n).
 */
export function rfmScores(recencyDays: Float64Array, frequency: Float64Array, monetary: Float64Array): RfmScores {
  const n = recencyDays.length;
  if (frequency.length !== n || monetary.length !== n) throw new RangeError('recency, frequency and monetary differ in length');
  return withSegments(tieAwareScores(recencyDays, false), frequency, tieAwareScores(monetary, true));
}

/** F (1 one transaction, 2 repeat) and the named segment of every customer, from their R and M scores. O(n). */
function withSegments(r: Uint8Array, frequency: Float64Array, m: Uint8Array): RfmScores {
  const n = r.length;
  const f = new Uint8Array(n);
  const segment = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const repeat = frequency[i] >= 2;
    f[i] = repeat ? 2 : 1;
    segment[i] = rfmSegmentOf(r[i], m[i], repeat);
  }
  return { r, f, m, segment };
}

/** The RFM segments of a book beside another segmentation (labels 0..k−1 of the same customers). */
export interface RfmSummary {
  readonly scores: RfmScores;
  /** Customers per RFM segment (RFM_SEGMENTS order). */
  readonly customers: readonly number[];
  /** Money moved (Σ monetary) per RFM segment, INR. */
  readonly money: readonly number[];
  /** crossTab[c][s]: customers of segment c in RFM segment s. */
  readonly crossTab: readonly (readonly number[])[];
  /** Segment × RFM segment: how much one tells about the other. */
  readonly test: IndependenceTest;
  /** Customers with two or more transactions. */
  readonly repeatCustomers: number;
}

/** RFM scores and segments of every customer, their sizes and money, and the cross-tab with `labels`. O(n log n). */
export function rfmSummary(
  recencyDays: Float64Array,
  frequency: Float64Array,
  monetary: Float64Array,
  labels: Int32Array,
  k: number,
): RfmSummary {
  const scores = rfmScores(recencyDays, frequency, monetary);
  const customers = new Array<number>(RFM_SEGMENTS.length).fill(0);
  const money = new Array<number>(RFM_SEGMENTS.length).fill(0);
  const crossTab = Array.from({ length: k }, () => new Array<number>(RFM_SEGMENTS.length).fill(0));
  let repeatCustomers = 0;
  for (let i = 0; i < labels.length; i++) {
    const s = scores.segment[i];
    customers[s]++;
    money[s] += monetary[i];
    crossTab[labels[i]][s]++;
    if (scores.f[i] === 2) repeatCustomers++;
  }
  return { scores, customers, money, crossTab, test: chiSquareTest(crossTab), repeatCustomers };
}
