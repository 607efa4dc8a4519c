/**
 * Who is in each segment beyond the model features: the mix of a category (gender, location, time of day) per
 * segment, and whether it depends on the segment at all (chi-square test of independence, Cramér's V for how much).
 * With a million customers any difference is "significant"; V says whether it matters (below 0.1: negligible).
 */
import type { DictColumn } from '../table';
import { chiSquareTest } from '../stats/chisquare';
import type { IndependenceTest } from '../stats/chisquare';

/** The label of customers whose category is unknown. */
export const UNKNOWN = 'unknown';

export interface CategoryMix {
  /** Column labels: the category's values, then `unknown` when some customers have none. */
  readonly values: readonly string[];
  /** counts[c][v]: customers of segment c with value v. */
  readonly counts: readonly (readonly number[])[];
  /** Segment × value, unknown values left out (missing data is not a category). */
  readonly test: IndependenceTest;
}

/** Cramér's V below this is a negligible association (Cohen's rule of thumb for the smaller table side). */
export const NEGLIGIBLE_V = 0.1;

/** The segment × category table of `column` for labels 0..k−1, with its independence test. O(n + k·values). */
export function categoryMix(column: DictColumn, labels: Int32Array, k: number): CategoryMix {
  const m = column.values.length;
  const counts = Array.from({ length: k }, () => new Array<number>(m + 1).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const v = column.codes[i];
    counts[labels[i]][v >= 0 ? v : m]++;
  }
  const anyUnknown = counts.some((row) => row[m] > 0);
  const known = counts.map((row) => row.slice(0, m));
  return {
    values: anyUnknown ? [...column.values, UNKNOWN] : [...column.values],
    counts: anyUnknown ? counts : known,
    test: chiSquareTest(known),
  };
}

/** Shares of each value within segment c (of all its members, unknown included). */
export function mixShares(mix: CategoryMix, c: number): { value: string; share: number }[] {
  const row = mix.counts[c];
  const total = row.reduce((s, x) => s + x, 0);
  return mix.values.map((value, v) => ({ value, share: total > 0 ? row[v] / total : 0 }));
}

/** How strongly the category depends on the segment, in words. */
export function associationWords(t: IndependenceTest): string {
  if (t.degreesOfFreedom === 0) return 'not testable (one category)';
  const p = t.pValue < 0.001 ? 'p < 0.001' : `p = ${t.pValue.toFixed(3)}`;
  const v = `Cramér's V ${t.cramersV.toFixed(2)}`;
  if (t.pValue >= 0.05) return `no detectable difference between segments (${v}, ${p})`;
  if (t.cramersV < NEGLIGIBLE_V) return `differs between segments, but negligibly (${v}, ${p})`;
  if (t.cramersV < 0.3) return `differs between segments, weakly (${v}, ${p})`;
  return `differs strongly between segments (${v}, ${p})`;
}
